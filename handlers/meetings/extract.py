"""Reading a block meeting or training from a mailing-list post, as Japanese secretariats write them.

`read_meeting` is a pure function of the post's text, the time it was sent and the known places. It proposes
nothing (None) for a post that announces no meeting: a reply, a report of a meeting held, a fee request, a
newsletter, minutes, a notice. What it reads but cannot settle (a weekday that disagrees with its date, a year
not written, two candidate dates) is a `Doubt` beside the reading, never a silent guess.

Choices a reader of the result should know:
- a date with no year is the first such day on or after the day of the post;
- a registration deadline with no time is the end of that day, 23:59 (nobody is told they are late too early);
- a date with no time starts at 00:00 with the doubt `no_time`; no end time is `ends_at = None`;
- 「延期」 with no new date is a cancellation of the date announced, with the doubt `postponed`.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from handlers.meetings.layout import Field, cut_quoted, fields_of, is_online_url, urls_in
from handlers.meetings.reading import Doubt, MeetingReading
from handlers.meetings.when import When, find_dates, read_time_span, read_when, resolve_year, tidy
from handlers.meetings.wording import (
    change_of,
    is_announcing,
    is_generic,
    is_not_announcement,
    is_reply,
    is_report,
    kind_of,
    said_national,
    title_from_body,
    title_from_subject,
    without_network_name,
)
from handlers.normalise import fold
from storage.records import Venue

if TYPE_CHECKING:
    from datetime import date, tzinfo

    from handlers.meetings.reading import Action
    from handlers.places import BlockFinder
    from storage.records import EventKind

__all__ = ["read_meeting"]

_HEAD_LINES = 15  # a change or a report says so in its opening
_DEADLINE_WORDS = re.compile(
    r"申込|申し込|締切|締め切|〆切|期限|回答|返信|提出|出欠|出席|参加(?:の)?(?:可否|希望)|まで(?:に)?(?:ご|お)?(?:連絡|登録)"
    r"|deadline|register by|apply by|reply by|rsvp",
    re.IGNORECASE,
)
_UNTIL = re.compile(r"まで|迄|必着|締切|〆切|期限|deadline|\bby\b", re.IGNORECASE)
_REGISTER_WORDS = re.compile(
    r"申込|申し込|フォーム|登録|エントリー|参加.{0,6}(?:回答|連絡)|register|registration|sign up|apply|form",
    re.IGNORECASE,
)
_FORM_HOSTS = re.compile(
    r"https?://(?:forms\.gle|docs\.google\.com/forms|forms\.office\.com|forms\.microsoft\.com|questant\.jp|customform\.jp"
    r"|form\.run|ws\.formzu\.net|www\.jotform\.com|[a-z0-9.-]*peatix\.com|[a-z0-9.-]*eventbrite\.)",
    re.IGNORECASE,
)
_ADDRESS = re.compile(
    r"〒\s*\d{3}\s*-\s*\d{4}|^(?:北海道|東京都|京都府|大阪府|\S{2,3}県)\S*?[市区町村郡]"
    r"|\S{1,6}[市区町村郡]\S*?\d+\s*(?:丁目|番地?|-|号|$)",
)
_ADDRESS_LABEL = re.compile(r"^\s*(?:住所|所在地|address)\s*[:：]?\s*", re.IGNORECASE)
_NOTE = re.compile(r"^\s*(?:※|注|\*|・?(?:駐車場|アクセス|交通|最寄))")
_ONLINE_WORD = re.compile(r"オンライン|zoom|teams|webex|web会議|online", re.IGNORECASE)
_ARROW = re.compile(r"\s*(?:→|⇒|➡|->|=>|⇨|▶)\s*")
_SIGNATURE = re.compile(r"^\s*(?:[-=_*~━─＝]{5,}|-- ?$)")
_PAREN_TAIL = re.compile(r"^(?P<name>.*?)\s*[(（](?P<inner>[^()（）]+)[)）]\s*$")


def _first_field(fields: list[Field], kind: str) -> Field | None:
    return next((f for f in fields if f.kind == kind and f.value), None)


def _when_of(field_text: str, extra_time: str | None, after: date, tz: tzinfo) -> When:
    when = read_when(field_text, after=after, tz=tz)
    if when.starts_at is not None and not when.has_time and extra_time:
        when = read_when(f"{field_text} {extra_time}", after=after, tz=tz)
    return when


def _free_dates(lines: list[str], skip: set[int], after: date) -> list[int]:
    """Lines with a meeting date outside any label: not a deadline's, not before the post."""
    found = []
    for index, line in enumerate(lines):
        if index in skip or _DEADLINE_WORDS.search(line):
            continue
        for hit in find_dates(line):
            day, _ = resolve_year(hit, after)
            if day is not None and day >= after:
                found.append(index)
                break
    return found


def _deadline(fields: list[Field], lines: list[str], skip: set[int], after: date, tz: tzinfo) -> datetime | None:
    candidates = [f.value for f in fields if f.kind == "deadline"]
    candidates += [f.value for f in fields if f.kind == "register" and _UNTIL.search(f.value)]
    candidates += [
        line for i, line in enumerate(lines) if i not in skip and _DEADLINE_WORDS.search(line) and _UNTIL.search(line)
    ]
    for text in candidates:
        hits = find_dates(text)
        if not hits:
            continue
        day, _ = resolve_year(hits[0], after)
        if day is None:
            continue
        span = read_time_span(text[hits[0].end : hits[0].end + 24])
        return datetime.combine(day, span.start if span else time(23, 59), tz)
    return None


def _registration_url(fields: list[Field], lines: list[str]) -> str | None:
    for field in fields:
        if field.kind in {"register", "deadline"}:
            for url in urls_in(field.value):
                if not is_online_url(url):
                    return url
    for index, line in enumerate(lines):
        for url in urls_in(line):
            if is_online_url(url):
                continue
            context = " ".join(lines[max(0, index - 2) : index + 1]).replace(url, "")
            if _REGISTER_WORDS.search(context) or _FORM_HOSTS.match(url):
                return url
    return None


def _split_venue(first: str) -> tuple[str | None, str | None]:
    """「雲南市役所 大会議室（島根県雲南市木次町里方521-1）」 → the name and the address."""
    tail = _PAREN_TAIL.match(first)
    if tail and _ADDRESS.search(_ADDRESS_LABEL.sub("", tail["inner"])):
        return tail["name"].strip() or None, _ADDRESS_LABEL.sub("", tail["inner"]).strip()
    for separator in ("  ", " / ", "／", "、"):
        name, _, rest = first.partition(separator)
        if rest and _ADDRESS.search(rest.strip()) and not _ADDRESS.search(name):
            return name.strip(), _ADDRESS_LABEL.sub("", rest).strip()
    return first.strip() or None, None


def _venue(fields: list[Field], lines: list[str]) -> Venue | None:
    place = _first_field(fields, "venue")
    description = address = online = None
    if place:
        parts = [p for p in place.value.split("\n") if p.strip()]
        description, address = _split_venue(parts[0])
        for part in parts[1:]:
            urls = urls_in(part)
            if urls:
                online = online or next((u for u in urls if is_online_url(u)), None)
            elif _NOTE.match(part):
                continue
            elif address is None and (_ADDRESS.search(_ADDRESS_LABEL.sub("", part)) or _ADDRESS_LABEL.match(part)):
                address = _ADDRESS_LABEL.sub("", part).strip().strip("()（）")
            elif address is None and len(part) <= 30 and description:
                description = f"{description} {part.strip()}"
        if description and urls_in(description):
            online = online or next((u for u in urls_in(description) if is_online_url(u)), None)
            description = description.replace(online or "", "").strip() or None
    field_address = _first_field(fields, "address")
    if address is None and field_address:
        address = field_address.value.split("\n")[0].strip()
    for field in fields:
        if field.kind == "online" and online is None:
            online = next(iter(urls_in(field.value)), None)
    if online is None:
        online = next((u for line in lines for u in urls_in(line) if is_online_url(u)), None)
    if description is None and address is None and online is None:
        return None
    return Venue(description=description, address=address, online_url=online)


def _block(
    title: str, head: str, venue: Venue | None, kind: EventKind, finder: BlockFinder
) -> tuple[str | None, list[Doubt]]:
    for text in (title, head):
        blocks = [m for m in finder.find_all(fold(without_network_name(text))) if m.kind == "block"]
        keys = list(dict.fromkeys(m.block for m in blocks))
        if keys:
            doubts = [Doubt("several_blocks", "、".join(m.name for m in blocks))] if len(keys) > 1 else []
            return keys[0], doubts
        if kind == "training" and said_national(text):
            return None, []
    if venue and (venue.description or venue.address):
        where = f"{venue.address or ''} {venue.description or ''}"
        place = finder.find(fold(where))
        if place:
            return place.block, []
    return None, [] if kind == "training" else [Doubt("block_unknown")]


def _when_doubts(when: When, after: date) -> list[Doubt]:
    doubts = [Doubt("weekday_mismatch", text) for text in when.weekday_wrong]
    if when.starts_at is not None:
        if when.year_guessed and when.starts_at.date() - after > timedelta(days=240):
            doubts.append(Doubt("year_ambiguous", when.starts_at.date().isoformat()))
        if not when.has_time:
            doubts.append(Doubt("no_time"))
    if when.end_before_start:
        doubts.append(Doubt("end_before_start"))
    return doubts


def _previous(fields: list[Field], lines: list[str], after: date, tz: tzinfo) -> tuple[When | None, When | None]:
    """The old and new times of a move: 「変更前：… 変更後：…」, or 「1月20日（水）→ 1月27日（水）」."""
    before = _first_field(fields, "before")
    later = _first_field(fields, "after") or _first_field(fields, "date")
    pair: tuple[str, str] | None = (before.value, later.value) if before and later else None
    for line in lines if pair is None else ():
        parts = _ARROW.split(line, maxsplit=1)
        if len(parts) == 2 and find_dates(parts[0]) and find_dates(parts[1]):
            pair = parts[0], parts[1]
            break
    if pair is None:
        return None, None
    new = read_when(pair[1], after=after, tz=tz)
    # The old day may already have passed: with no year it is the one within half a year of the new one.
    around = new.starts_at.date() - timedelta(days=183) if new.starts_at else after
    return read_when(pair[0], after=around, tz=tz), new


def read_meeting(
    subject: str, body: str, *, posted_at: datetime, finder: BlockFinder, tz: tzinfo
) -> MeetingReading | None:
    """The meeting or training a post announces, moves or cancels, or None when it announces none."""
    subject = tidy(subject).strip()
    if is_reply(subject):
        return None
    lines = cut_quoted(tidy(body).split("\n"))
    text = "\n".join(lines)
    end = next((i for i, line in enumerate(lines) if i > 3 and _SIGNATURE.match(line)), len(lines))
    head = "\n".join(lines[:_HEAD_LINES])
    change = change_of(subject, head)
    if change is None and is_not_announcement(subject):
        return None
    kind = kind_of(subject, text)
    if kind is None:
        return None
    fields = fields_of(lines)
    after = posted_at.astimezone(tz).date()
    if change is None and is_report(head) and not is_announcing(text):
        return None
    date_field = _first_field(fields, "date")
    time_field = _first_field(fields, "time")
    skip = {f.line for f in fields if f.kind in {"deadline", "register", "other", "before"}}
    doubts: list[Doubt] = []
    single_free_date = False
    previous: When | None = None
    when: When | None = None
    if change in {"move", "postpone"}:
        previous, when = _previous(fields, lines, after, tz)
    if when is None and date_field:
        when = _when_of(date_field.value, time_field.value if time_field else None, after, tz)
        several = {h.start for h in when.dates[1:]}
        if several:
            doubts.append(Doubt("several_dates", date_field.value.split("\n")[0]))
    if when is None or when.starts_at is None:
        free = _free_dates(lines[:end], skip, after)
        single_free_date = len(free) == 1
        if free:
            when = read_when(lines[free[0]], after=after, tz=tz)
            if when.starts_at is not None and not when.has_time and free[0] + 1 < len(lines):
                when = _when_of(lines[free[0]], lines[free[0] + 1], after, tz)
            others = {d for i in free[1:] for h in find_dates(lines[i]) if (d := resolve_year(h, after)[0])}
            if when.starts_at is not None and others - {when.starts_at.date()}:
                doubts.append(Doubt("several_dates", ", ".join(sorted(d.isoformat() for d in others))))
        if change is None and not date_field and not is_announcing(text):
            return None  # a date in passing, in a post that invites nobody
    if change is None and (when is None or when.starts_at is None):
        return None
    action: Action = "announce"
    if change == "cancel":
        action = "cancel"
    elif change == "postpone":
        # 「2月12日開催予定の…は延期」: a lone date in the prose is the old one; the new one is not set yet.
        new_date = when is not None and when.starts_at is not None and (previous is not None or not single_free_date)
        action = "move" if new_date else "cancel"
        if action == "cancel":
            doubts.append(Doubt("postponed"))
            when = previous or when
    elif change == "move":
        action = "move"
        if when is None or when.starts_at is None:
            doubts.append(Doubt("no_date"))
    if when is not None:
        doubts += _when_doubts(when, after)
        if action == "announce" and when.starts_at is not None and when.starts_at.date() < after:
            if not is_announcing(text):
                return None  # a meeting already held, told of after the fact
            doubts.append(Doubt("date_past", when.starts_at.date().isoformat()))
    title = title_from_subject(subject)
    if is_generic(title):
        title = title_from_body(lines) or title
    venue = _venue(fields, lines)
    block, block_doubts = _block(title, subject + "\n" + "\n".join(lines[:end]), venue, kind, finder)
    doubts += block_doubts
    deadline = _deadline(fields, lines, {f.line for f in fields if f.kind == "date"}, after, tz)
    starts_at = when.starts_at if when else None
    if deadline and starts_at and deadline > starts_at:
        doubts.append(Doubt("deadline_after_start", deadline.date().isoformat()))
    previous_at = previous.starts_at if previous else None
    if previous_at and previous and not previous.has_time and starts_at:
        previous_at = previous_at.replace(hour=starts_at.hour, minute=starts_at.minute)
    return MeetingReading(
        action=action,
        kind=kind,
        title=title,
        block=block,
        starts_at=starts_at,
        ends_at=when.ends_at if when else None,
        venue=venue,
        registration_url=_registration_url(fields, lines[:end]),
        registration_deadline=deadline,
        previous_starts_at=previous_at if action == "move" else None,
        doubts=tuple(dict.fromkeys(doubts)),
    )
