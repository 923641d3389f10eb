"""Time phrases in questions: 来月, 年内, 1月, next week, in March … as ranges of Japan time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from handlers.normalise import fold_pattern

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Period", "find_period"]

_MONTHS_EN = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
)  # fmt: skip
_MONTH_NAME = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?"
)
_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_WEEKDAYS_JA = "月火水木金土日"


@dataclass(frozen=True, slots=True)
class Period:
    """[start, end) in the question's time zone, with how to say it back."""

    start: datetime
    end: datetime
    label_ja: str
    label_en: str
    span: tuple[int, int]


def _day(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _month_start(year: int, month: int, tz: datetime) -> datetime:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return _day(tz).replace(year=year, month=month, day=1)


def _month(now: datetime, year: int, month: int) -> tuple[datetime, datetime, str, str]:
    start = _month_start(year, month, now)
    end = _month_start(year, month + 1, now)
    return (
        start,
        end,
        f"{start.year}年{start.month}月",
        f"{_MONTHS_EN[start.month - 1].capitalize()} {start.year}",
    )


def _week(now: datetime, offset: int) -> tuple[datetime, datetime, str, str]:
    monday = _day(now) - timedelta(days=now.weekday()) + timedelta(weeks=offset)
    sunday = monday + timedelta(days=6)
    label_ja = f"{monday.month}月{monday.day}日（月）～{sunday.month}月{sunday.day}日（日）"
    label_en = f"{monday.day} {monday:%b} – {sunday.day} {sunday:%b %Y}"
    return monday, monday + timedelta(days=7), label_ja, label_en


def _next_month_named(now: datetime, month: int) -> int:
    """The year in which `month` next comes (this year if it has not ended yet)."""
    return now.year if month >= now.month else now.year + 1


def _fiscal_year(now: datetime, offset: int) -> tuple[datetime, datetime, str, str]:
    first = now.year if now.month >= 4 else now.year - 1
    first += offset
    start = _month_start(first, 4, now)
    end = _month_start(first + 1, 4, now)
    return start, end, f"{first}年度", f"FY{first}"


_Rule = tuple[re.Pattern[str], "Callable[[re.Match[str], datetime], tuple[datetime, datetime, str, str]]"]


def _rule(pattern: str) -> re.Pattern[str]:
    return re.compile(fold_pattern(pattern), re.IGNORECASE)


def _kanji_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + (_KANJI_DIGITS.get(text[1:], 0) if len(text) > 1 else 0)
    return _KANJI_DIGITS[text]


def _named_month(match: re.Match[str], now: datetime) -> tuple[datetime, datetime, str, str]:
    month = _kanji_number(match.group("m"))
    year = int(match.group("y")) if match.groupdict().get("y") else _next_month_named(now, month)
    return _month(now, year, month)


def _english_month(match: re.Match[str], now: datetime) -> tuple[datetime, datetime, str, str]:
    name = match.group("name").lower()
    month = next(i for i, full in enumerate(_MONTHS_EN, start=1) if full.startswith(name[:3]))
    year = int(match.group("y")) if match.groupdict().get("y") else _next_month_named(now, month)
    return _month(now, year, month)


def _english_month_alias(match: re.Match[str], now: datetime) -> tuple[datetime, datetime, str, str]:
    year = match.group("y") or match.group("y2")
    return _month(now, int(year) if year else _next_month_named(now, 5), 5)


def _reiwa_month(match: re.Match[str], now: datetime) -> tuple[datetime, datetime, str, str]:
    era = match.group("era")
    return _month(now, 2018 + (1 if era == "元" else int(era)), int(match.group("m")))


def _relative_year_month(match: re.Match[str], now: datetime) -> tuple[datetime, datetime, str, str]:
    offset = {"再来年": 2, "来年": 1, "らいねん": 1}.get(match.group("rel"), 0)
    return _month(now, now.year + offset, int(match.group("m")))


def _single_day(match: re.Match[str], now: datetime) -> tuple[datetime, datetime, str, str]:
    month, day = int(match.group("m")), int(match.group("d"))
    if match.groupdict().get("y"):
        year = int(match.group("y"))
    else:
        year = now.year if (month, day) >= (now.month, now.day) else now.year + 1
    try:
        start = _day(now).replace(year=year, month=month, day=day)
    except ValueError:
        return _month(now, year, month)
    label_ja = f"{year}年{month}月{day}日（{_WEEKDAYS_JA[start.weekday()]}）"
    return start, start + timedelta(days=1), label_ja, f"{start:%a} {day} {start:%b %Y}"


def _year_rest(now: datetime, year_offset: int = 0) -> tuple[datetime, datetime, str, str]:
    year = now.year + year_offset
    start = _month_start(year, 1, now) if year_offset else _day(now)
    end = _month_start(year + 1, 1, now)
    if year_offset:
        return start, end, f"{year}年", str(year)
    return start, end, "年内", "the rest of this year"


def _season(now: datetime, first_month: int, months: int, ja: str, en: str) -> tuple[datetime, datetime, str, str]:
    """The season (from `first_month`, `months` long) under way or next: winter in January is this winter."""
    year = now.year
    start = _month_start(year, first_month, now)
    if _month_start(year, first_month + months, now) <= _day(now):
        start = _month_start(year + 1, first_month, now)
    elif (
        first_month + months > 12
        and now.month < first_month
        and _month_start(year - 1, first_month + months, now) > _day(now)
    ):
        start = _month_start(year - 1, first_month, now)  # January: the winter that began last December
    end = _month_start(start.year, first_month + months, now)
    return start, end, f"{start.year}年{ja}", f"{en} {start.year}"


def _half(now: datetime, second: bool) -> tuple[datetime, datetime, str, str]:
    first = now.year if now.month >= 4 else now.year - 1
    start = _month_start(first, 10 if second else 4, now)
    label = "下半期" if second else "上半期"
    return (
        start,
        _month_start(first, 16 if second else 10, now),
        f"{first}年度{label}",
        f"H{2 if second else 1} FY{first}",
    )


def _month_range(match: re.Match[str], now: datetime) -> tuple[datetime, datetime, str, str]:
    return _months_between(int(match.group("m1")), int(match.group("m2")), now)


def _english_month_range(match: re.Match[str], now: datetime) -> tuple[datetime, datetime, str, str]:
    return _months_between(_month_number(match.group("a")), _month_number(match.group("b")), now)


def _month_number(name: str) -> int:
    return next(i for i, full in enumerate(_MONTHS_EN, start=1) if full.startswith(name[:3]))


def _months_between(first: int, last: int, now: datetime) -> tuple[datetime, datetime, str, str]:
    """From the start of month `first` to the end of month `last` (the next such span, or the one under way)."""
    under_way = first <= now.month <= last if first <= last else now.month >= first or now.month <= last
    year = (now.year if now.month >= first else now.year - 1) if under_way else _next_month_named(now, first)
    start = _month_start(year, first, now)
    last_year = year if last >= first else year + 1
    end = _month_start(last_year, last + 1, now)
    first_en, last_en = _MONTHS_EN[first - 1].capitalize(), _MONTHS_EN[last - 1].capitalize()
    if last_year == year:
        return start, end, f"{year}年{first}月～{last}月", f"{first_en}–{last_en} {year}"
    return start, end, f"{year}年{first}月～{last_year}年{last}月", f"{first_en} {year} – {last_en} {last_year}"


def _whole_year(now: datetime, year_offset: int) -> tuple[datetime, datetime, str, str]:
    year = now.year + year_offset
    return _month_start(year, 1, now), _month_start(year + 1, 1, now), f"{year}年", str(year)


_RULES: tuple[_Rule, ...] = (
    (_rule(r"(?P<y>20\d\d)\s*年\s*(?P<m>1[0-2]|0?[1-9])\s*月"), _named_month),
    (_rule(r"(?:令和|れいわ|\br)\s*(?P<era>\d{1,2}|元)\s*年\s*(?:の\s*)?(?P<m>1[0-2]|0?[1-9])\s*月"), _reiwa_month),
    (_rule(r"(?P<rel>再来年|来年|今年|らいねん|ことし)\s*(?:の\s*)?(?P<m>1[0-2]|0?[1-9])\s*月"), _relative_year_month),
    (_rule(r"(?<![\d/])(?P<y>20\d\d)\s*/\s*(?P<m>1[0-2]|0?[1-9])\s*/\s*(?P<d>[1-3]?\d)(?!\d)"), _single_day),
    (_rule(r"(?<![\d年/])(?P<m>1[0-2]|0?[1-9])\s*/\s*(?P<d>[1-3]?\d)(?![\d/])"), _single_day),
    (_rule(r"(?<!\d)(?P<m>1[0-2]|0?[1-9])\s*月\s*(?P<d>[1-3]?\d)\s*日"), _single_day),
    # Not 「月曜」 or 「第3月曜」: a weekday is not a month.
    (_rule(r"(?<![\d年第])(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*月(?!\s*\d|曜)"), _named_month),
    (_rule(r"再来月|さらいげつ|the month after next"), lambda _m, n: _month(n, n.year, n.month + 2)),
    (_rule(r"来月|らいげつ|翌月|next\s+month"), lambda _m, n: _month(n, n.year, n.month + 1)),
    (_rule(r"今月|こんげつ|this\s+month|later\s+this\s+month"), lambda _m, n: _month(n, n.year, n.month)),
    (_rule(r"(?<!\d)(?P<m1>1[0-2]|0?[1-9])\s*月\s*(?:〜|～|~|ー|-|から)\s*(?P<m2>1[0-2]|0?[1-9])\s*月"), _month_range),
    (
        _rule(
            rf"(?:\b(?:between|from)\s+)?\b(?P<a>{_MONTH_NAME})\s+(?:and|to|through|till|until|-|–)\s+"
            rf"(?P<b>{_MONTH_NAME})\b"
        ),
        _english_month_range,
    ),
    (_rule(r"この冬|今冬|今年の冬|this\s+winter|冬(?:の|に)"), lambda _m, n: _season(n, 12, 3, "冬", "winter")),
    (
        _rule(r"来春|この春|今年の春|next\s+spring|this\s+spring|春(?:の|に)"),
        lambda _m, n: _season(n, 3, 3, "春", "spring"),
    ),
    (_rule(r"この夏|今夏|this\s+summer|夏(?:の|に)"), lambda _m, n: _season(n, 6, 3, "夏", "summer")),
    (_rule(r"この秋|今秋|this\s+autumn|this\s+fall|秋(?:の|に)"), lambda _m, n: _season(n, 9, 3, "秋", "autumn")),
    (_rule(r"(?:今年度|本年度)?(?:の\s*)?(?:上半期|前半期)|first\s+half"), lambda _m, n: _half(n, second=False)),
    (_rule(r"(?:今年度|本年度)?(?:の\s*)?(?:下半期|後半期)|second\s+half"), lambda _m, n: _half(n, second=True)),
    (
        _rule(r"年度末まで|年度内に|年度いっぱい|by\s+the\s+end\s+of\s+the\s+fiscal\s+year"),
        lambda _m, n: _fiscal_year(n, 0),
    ),
    (
        _rule(r"一昨日|おととい|the\s+day\s+before\s+yesterday"),
        lambda _m, n: (_day(n) - timedelta(days=2), _day(n) - timedelta(days=1), "一昨日", "the day before yesterday"),
    ),
    (_rule(r"昨日|きのう|\byesterday\b"), lambda _m, n: (_day(n) - timedelta(days=1), _day(n), "昨日", "yesterday")),
    (_rule(r"先月|せんげつ|前月|last\s+month"), lambda _m, n: _month(n, n.year, n.month - 1)),
    (_rule(r"先週|せんしゅう|last\s+week"), lambda _m, n: _week(n, -1)),
    (_rule(r"昨年度|前年度|last\s+fiscal\s+year"), lambda _m, n: _fiscal_year(n, -1)),
    (_rule(r"去年|昨年|きょねん|last\s+year"), lambda _m, n: _whole_year(n, -1)),
    (_rule(r"再来週|the\s+week\s+after\s+next"), lambda _m, n: _week(n, 2)),
    (_rule(r"来週|らいしゅう|next\s+week"), lambda _m, n: _week(n, 1)),
    (_rule(r"今週|こんしゅう|this\s+week"), lambda _m, n: _week(n, 0)),
    (_rule(r"来年度|next\s+fiscal\s+year"), lambda _m, n: _fiscal_year(n, 1)),
    (_rule(r"今年度|年度内|this\s+fiscal\s+year"), lambda _m, n: _fiscal_year(n, 0)),
    (_rule(r"来年|らいねん|next\s+year"), lambda _m, n: _year_rest(n, 1)),
    (
        _rule(
            r"年内|今年中|今年いっぱい|年末まで|(?:by|before)\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+)?|)year(?:['’]s)?(?:\s+end)?|this\s+year|rest\s+of\s+(?:the|this)\s+year"
        ),
        lambda _m, n: _year_rest(n),
    ),
    (_rule(r"年明け"), lambda _m, n: _month(n, n.year if n.month == 1 else n.year + 1, 1)),
    (
        _rule(
            # "may" is a month only after a preposition or before a year: "May I join?" is not.
            r"(?:(?<=in )|(?<=during )|(?<=for )|(?<=on )|(?<=by ))(?P<name>may)(?:\s+(?P<y>20\d\d))?\b"
            r"|\b(?P<name2>may)\s+(?P<y2>20\d\d)"
        ),
        _english_month_alias,
    ),
    (
        _rule(
            r"\b(?P<name>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?|sept?(?:ember)?"
            r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?(?:\s+(?P<y>20\d\d))?"
        ),
        _english_month,
    ),
    (
        _rule(r"今日|本日|きょう|\btoday\b"),
        lambda _m, n: (_day(n), _day(n) + timedelta(days=1), "今日", "today"),
    ),
    (
        _rule(r"明日|あした|\btomorrow\b"),
        lambda _m, n: (_day(n) + timedelta(days=1), _day(n) + timedelta(days=2), "明日", "tomorrow"),
    ),
)


def find_period(folded: str, now: datetime) -> Period | None:
    """The first time phrase in a folded question (the longest, where two start together)."""
    best: tuple[tuple[int, int], re.Match[str], _Rule] | None = None
    for rule in _RULES:
        match = rule[0].search(folded)
        if match and (best is None or (match.start(), -len(match.group(0))) < best[0]):
            best = ((match.start(), -len(match.group(0))), match, rule)
    if best is None:
        return None
    _, match, (_, build) = best
    start, end, label_ja, label_en = build(match, now)
    return Period(start, end, label_ja, label_en, match.span())
