"""Dates and times as Japanese (and English) secretariats write them: 令和9年1月20日（水）, 2027/1/20,
1月20日 with no year, 13時30分～16時30分, 午後1時から, 14:00-16:30, "January 20, 2027, 1:30 pm".

Everything here reads text already passed through `tidy` (full-width ASCII as ASCII, one width of space), which
keeps every offset, so a caller can slice the same text it searched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import tzinfo

__all__ = [
    "DateHit",
    "TimeSpan",
    "When",
    "find_dates",
    "read_time_span",
    "read_when",
    "resolve_year",
    "tidy",
]

# Full-width ASCII to ASCII and the ideographic space to a space: one character for one, so offsets hold.
# The full-width brackets and wave dash stay: a title or venue keeps them as written.
_TIDY = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if chr(code) not in "（）～"}
_TIDY |= {0x3000: 0x20, 0x00A0: 0x20, 0x2010: 0x2D, 0x2011: 0x2D, 0x2212: 0x2D, 0x2013: 0x2D}

_WEEKDAYS_JA = "月火水木金土日"
_WEEKDAYS_EN = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS_EN = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ERA_START = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988}

_WEEKDAY = (
    r"\s*[(（]\s*(?P<wd>[月火水木金土日])\s*(?:曜日?)?\s*(?:[・･,、]?\s*(?:祝日?|休日?))?\s*[)）]"
    r"|\s*(?P<wd2>[月火水木金土日])曜日?"
)
_EN_WEEKDAY = r"(?:(?P<ewd>mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)"
_EN_MONTH = r"(?P<{g}>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_JA_DATE = re.compile(
    r"(?:(?P<era>令和|平成|[RH])\s*(?P<eyear>\d{1,2}|元)\s*年\s*|(?P<year>(?:19|20)\d{2})\s*年\s*)?"
    rf"(?<!\d)(?P<month>\d{{1,2}})\s*月\s*(?P<day>\d{{1,2}})\s*日(?:{_WEEKDAY})?",
    re.IGNORECASE,
)
_NUM_DATE = re.compile(
    r"(?<![\d/.])(?:(?P<era>令和|平成|[RH])\s*(?P<eyear>\d{1,2}|元)|(?P<year>(?:19|20)\d{2}))\s*(?P<sep>[/.-])\s*"
    rf"(?P<month>\d{{1,2}})\s*(?P=sep)\s*(?P<day>\d{{1,2}})(?![\d/])(?:{_WEEKDAY}|\s*\((?P<ewd>[a-z]{{3}})[a-z]*\.?\))?",
    re.IGNORECASE,
)
# 1/20（水）: a bare month/day only counts with its weekday, or it could be a fraction or a ratio.
_SHORT_DATE = re.compile(rf"(?<![\d/.])(?P<month>\d{{1,2}})/(?P<day>\d{{1,2}})(?![\d/])(?:{_WEEKDAY})", re.IGNORECASE)
_EN_DATE = re.compile(
    rf"{_EN_WEEKDAY}?(?:{_EN_MONTH.format(g='mon')}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+{_EN_MONTH.format(g='mon2')})"
    r"(?:,?\s+(?P<year>(?:19|20)\d{2}))?(?![\d:])",
    re.IGNORECASE,
)
_CLOCK = (
    r"(?:(?P<{p}pre>午前|午後|正午)\s*)?(?:(?P<{p}h>\d{{1,2}})\s*(?:時(?!間)\s*(?:(?P<{p}m>\d{{1,2}})\s*分|(?P<{p}half>半))?"
    r"|:\s*(?P<{p}m2>\d{{2}}))(?:\s*(?P<{p}post>[ap]\.?m\.?)(?![a-z]))?|(?P<{p}h3>\d{{1,2}})\s*(?P<{p}post3>[ap]\.?m\.?)(?![a-z]))"
)
_TO = r"\s*(?:[~〜～\-–—]|から|より|to|until|till)\s*(?:翌日?\s*)?"
_SPAN = re.compile(rf"(?<![\d:]){_CLOCK.format(p='a')}(?:{_TO}{_CLOCK.format(p='b')}(?:\s*まで)?)?", re.IGNORECASE)
_NOON = re.compile(r"正午")
# 「（受付13:00～）」「受付開始 13:00」: the doors opening, not the meeting.
_RECEPTION = re.compile(
    r"[(（]\s*(?:受付|開場)[^)）]*[)）]|(?:受付|開場)(?:開始)?\s*[:：]?\s*(?:午前|午後)?\s*\d{1,2}\s*(?:[:時]\s*\d{0,2}\s*分?)\s*(?:[~〜～\-]|から)?"
    r"|(?:doors open|registration opens?)\s*(?:at\s*)?\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?",
    re.IGNORECASE,
)
_RANGE_TAIL = re.compile(
    rf"\s*(?:{_CLOCK.format(p='c')}\s*)?[~〜～\-–—]\s*(?:(?P<y>(?:19|20)\d{{2}})\s*年\s*)?(?:(?P<m>\d{{1,2}})\s*月\s*)?(?P<d>\d{{1,2}})\s*日(?:{_WEEKDAY})?",
    re.IGNORECASE,
)


def tidy(text: str) -> str:
    """Full-width digits, letters and punctuation as ASCII, every kind of space as a space; same length."""
    return text.translate(_TIDY)


@dataclass(frozen=True, slots=True)
class DateHit:
    """One date written in the text: where, which day, whether the year was written, and the weekday given."""

    start: int
    end: int
    month: int
    day: int
    year: int | None
    weekday: int | None

    @property
    def text_span(self) -> tuple[int, int]:
        return self.start, self.end


def _era_year(era: str, value: str) -> int:
    return _ERA_START[era.lower()] + (1 if value == "元" else int(value))


def _weekday(match: re.Match[str]) -> int | None:
    groups = match.groupdict()
    ja = groups.get("wd") or groups.get("wd2")
    if ja:
        return _WEEKDAYS_JA.index(ja)
    en = groups.get("ewd")
    return _WEEKDAYS_EN.index(en.lower()[:3]) if en and en.lower()[:3] in _WEEKDAYS_EN else None


def _hit(match: re.Match[str], month: int, day: int, year: int | None) -> DateHit | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return DateHit(match.start(), match.end(), month, day, year, _weekday(match))


def find_dates(text: str) -> list[DateHit]:
    """Every date in `text` (tidied), in order; a date inside another (1/20 in 2027/1/20) counts once."""
    hits: list[DateHit] = []
    for pattern in (_JA_DATE, _NUM_DATE):
        for m in pattern.finditer(text):
            year = _era_year(m["era"], m["eyear"]) if m["era"] else int(m["year"]) if m["year"] else None
            found = _hit(m, int(m["month"]), int(m["day"]), year)
            if found:
                hits.append(found)
    for m in _SHORT_DATE.finditer(text):
        found = _hit(m, int(m["month"]), int(m["day"]), None)
        if found:
            hits.append(found)
    if re.search(r"[a-z]{3}", text, re.IGNORECASE):
        for m in _EN_DATE.finditer(text):
            month = _MONTHS_EN.index((m["mon"] or m["mon2"]).lower()[:3]) + 1
            found = _hit(m, month, int(m["day"] or m["day2"]), int(m["year"]) if m["year"] else None)
            if found:
                hits.append(found)
    hits.sort(key=lambda h: (h.start, -h.end))
    kept: list[DateHit] = []
    for hit in hits:
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept


def resolve_year(hit: DateHit, after: date) -> tuple[date | None, bool]:
    """The day a hit names, and whether its year had to be guessed: with no year, the first such day on or
    after `after` (the day the post was sent)."""
    if hit.year is not None:
        try:
            return date(hit.year, hit.month, hit.day), False
        except ValueError:
            return None, False
    for year in (after.year, after.year + 1, after.year + 2, after.year + 3, after.year + 4):
        try:
            day = date(year, hit.month, hit.day)
        except ValueError:
            continue  # 2月29日 in a year without it
        if day >= after:
            return day, True
    return None, True


@dataclass(frozen=True, slots=True)
class TimeSpan:
    """A start time and perhaps an end time; `end_next_day` for 「翌日」 or an end past midnight."""

    start: time
    end: time | None


def _clock(match: re.Match[str], p: str, afternoon: bool | None) -> tuple[time, bool | None] | None:
    g = match.groupdict()
    pre = g.get(f"{p}pre")
    if pre == "正午" and not g.get(f"{p}h") and not g.get(f"{p}h3"):
        return time(12, 0), True
    hour_text = g.get(f"{p}h") or g.get(f"{p}h3")
    if hour_text is None:
        return None
    hour = int(hour_text)
    minute = 30 if g.get(f"{p}half") else int(g.get(f"{p}m") or g.get(f"{p}m2") or 0)
    post = (g.get(f"{p}post") or g.get(f"{p}post3") or "").lower().replace(".", "")
    pm = pre == "午後" or post == "pm" or (pre is None and not post and afternoon is True and hour < 12)
    if pre == "午前" or post == "am":
        pm = False
    if pm and hour < 12:
        hour += 12
    if post == "am" and hour == 12:
        hour = 0
    if hour > 24 or minute > 59:
        return None
    if hour == 24:
        hour, minute = 23, 59
    return time(hour, minute), pm or None


def read_time_span(text: str) -> TimeSpan | None:
    """The first time or time range in `text` (tidied), the doors-open time left out."""
    cleaned = _RECEPTION.sub(lambda m: " " * len(m.group(0)), text)
    if "正午" in cleaned and not re.search(r"\d\s*[:時]|\d\s*[ap]\.?m", cleaned, re.IGNORECASE):
        return TimeSpan(time(12, 0), None) if _NOON.search(cleaned) else None
    for m in _SPAN.finditer(cleaned):
        start = _clock(m, "a", None)
        if start is None:
            continue
        end = _clock(m, "b", None) if m["bh"] or m["bh3"] else None
        end_time = end[0] if end else None
        # 「午後1時～4時」: the afternoon carries over to an end written without it.
        # 「18:00～翌1:00」 does not: 13:00 would end before it began.
        if end_time and end_time < start[0] and start[0].hour >= 12 and start[0].hour < end_time.hour + 12 < 24:
            end_time = time(end_time.hour + 12, end_time.minute)
        return TimeSpan(start[0], end_time)
    return None


@dataclass(frozen=True, slots=True)
class When:
    """The start and end a date-and-time text gives, with what stood out about it."""

    starts_at: datetime | None
    ends_at: datetime | None
    dates: tuple[DateHit, ...]
    year_guessed: bool
    weekday_wrong: tuple[str, ...]
    has_time: bool
    end_before_start: bool


def _day_of(hit: DateHit, after: date, wrong: list[str], text: str) -> tuple[date | None, bool]:
    day, guessed = resolve_year(hit, after)
    if day is not None and hit.weekday is not None and day.weekday() != hit.weekday:
        wrong.append(text[hit.start : hit.end].strip())
    return day, guessed


def read_when(text: str, *, after: date, tz: tzinfo) -> When:
    """The meeting time a date-and-time text (tidied) gives: its first date, the times after it, and a second
    day when the text runs on to one (「2月3日（水）～4日（木）」)."""
    dates = find_dates(text)
    if not dates:
        return When(None, None, (), year_guessed=False, weekday_wrong=(), has_time=False, end_before_start=False)
    first = dates[0]
    wrong: list[str] = []
    day, guessed = _day_of(first, after, wrong, text)
    end_day = day
    rest_from = first.end
    tail = _RANGE_TAIL.match(text, first.end)
    if day is not None and tail:
        year = int(tail["y"]) if tail["y"] else day.year
        month = int(tail["m"]) if tail["m"] else day.month
        try:
            candidate = date(year, month, int(tail["d"]))
        except ValueError:
            candidate = None
        if candidate and candidate < day:
            candidate = candidate.replace(year=candidate.year + 1) if candidate.month < day.month else None
        if candidate:
            end_day = candidate
            weekday = _weekday(tail)
            if weekday is not None and candidate.weekday() != weekday:
                wrong.append(text[tail.start() : tail.end()].strip(" ~〜～-"))
            dates = [d for d in dates if d.start >= tail.end() or d is first]
            # The first day's own time, if written before the range: 「2月3日（水）13:00～4日（木）12:00」.
            span_first = read_time_span(text[first.end : tail.end()])
            span_last = read_time_span(text[tail.end() :])
            return _assemble(day, end_day, span_first, span_last, tz, dates, guessed, wrong)
    span = read_time_span(text[rest_from:])
    return _assemble(day, end_day, span, None, tz, dates, guessed, wrong)


def _assemble(
    day: date | None,
    end_day: date | None,
    span: TimeSpan | None,
    last: TimeSpan | None,
    tz: tzinfo,
    dates: list[DateHit],
    guessed: bool,
    wrong: list[str],
) -> When:
    if day is None or end_day is None:
        return When(None, None, tuple(dates), guessed, tuple(wrong), has_time=False, end_before_start=False)
    start_time = span.start if span else time(0, 0)
    starts = datetime.combine(day, start_time, tz)
    ends: datetime | None = None
    if last is not None:
        ends = datetime.combine(end_day, last.end or last.start, tz)
    elif span is not None and span.end is not None:
        ends = datetime.combine(end_day, span.end, tz)
    elif end_day != day:
        ends = datetime.combine(end_day, time(23, 59), tz)
    backwards = ends is not None and ends <= starts
    if backwards and ends is not None and end_day == day and ends.time() < time(6, 0):
        ends += timedelta(days=1)  # 「18:00～翌2:00」: past midnight
        backwards = False
    return When(
        starts,
        None if backwards else ends,
        tuple(dates),
        guessed,
        tuple(wrong),
        has_time=span is not None or last is not None,
        end_before_start=backwards,
    )
