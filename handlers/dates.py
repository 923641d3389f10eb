"""Dates as members read them: 2027年1月20日（水）13:30 in Japanese, Wed 20 Jan 2027, 13:30 JST in English."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date, datetime, tzinfo

    from handlers.messages import Lang

__all__ = ["format_date", "format_datetime", "format_span"]

_WEEKDAYS_JA = "月火水木金土日"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(day: date, lang: Lang) -> str:
    """2027年1月20日（水） / Wed 20 Jan 2027."""
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日（{_WEEKDAYS_JA[day.weekday()]}）"
    return f"{_WEEKDAYS_EN[day.weekday()]} {day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def _zone(moment: datetime) -> str:
    return moment.tzname() or ""


def format_datetime(moment: datetime, lang: Lang, tz: tzinfo) -> str:
    """2027年1月20日（水）13:30 / Wed 20 Jan 2027, 13:30 JST, in the given time zone."""
    local = moment.astimezone(tz)
    if lang == "ja":
        return f"{format_date(local, lang)}{local:%H:%M}"
    return f"{format_date(local, lang)}, {local:%H:%M} {_zone(local)}".rstrip()


def format_span(start: datetime, end: datetime | None, lang: Lang, tz: tzinfo) -> str:
    """A start and optional end: 2027年1月20日（水）13:30～16:30, or across days with both dates."""
    if end is None:
        return format_datetime(start, lang, tz)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    same_day = local_start.date() == local_end.date()
    if lang == "ja":
        if same_day:
            return f"{format_datetime(local_start, lang, tz)}～{local_end:%H:%M}"
        tail = f"{local_end.month}月{local_end.day}日（{_WEEKDAYS_JA[local_end.weekday()]}）{local_end:%H:%M}"
        if local_end.year != local_start.year:
            tail = f"{local_end.year}年{tail}"
        return f"{format_datetime(local_start, lang, tz)}～{tail}"
    if same_day:
        return f"{format_date(local_start, lang)}, {local_start:%H:%M}–{local_end:%H:%M} {_zone(local_start)}".rstrip()
    return f"{format_date(local_start, lang)}, {local_start:%H:%M} – {format_datetime(local_end, lang, tz)}"
