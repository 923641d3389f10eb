"""The calendar where members live: `GET /calendar.ics` and `GET /calendar/{block}.ics` (RFC 5545).

Each meeting keeps its UID for life, and its SEQUENCE counts the changes members care about (moved,
re-sited, cancelled), so Google Calendar, Outlook and Apple Calendar update the copy they hold instead of
adding a second one; a cancelled meeting stays in the feed as STATUS:CANCELLED so it disappears there too.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web
from icalendar import Calendar
from icalendar import Event as VEvent

from storage.datafile import BLOCK_KEYS

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from zoneinfo import ZoneInfo

    from bot.core import Core
    from storage.records import Event

__all__ = ["add_calendar_routes", "calendar_ics"]

_HISTORY = timedelta(days=400)  # past meetings stay in the feed this long (calendar apps keep them)


def _description(event: Event, page: str | None, tz: ZoneInfo) -> str:
    lines = []
    if event.registration_deadline:
        deadline = event.registration_deadline.astimezone(tz)
        lines.append(f"申込締切 / Registration deadline: {deadline:%Y-%m-%d %H:%M}")
    if event.registration_url:
        lines.append(f"申込 / Registration: {event.registration_url}")
    if event.venue and event.venue.online_url:
        lines.append(f"オンライン / Online: {event.venue.online_url}")
    if page:
        lines.append(f"案内 / Announcement: {page}")
    return "\n".join(lines)


def calendar_ics(
    events: Iterable[Event],
    sequences: Mapping[str, int],
    *,
    name: str,
    now: datetime,
    host: str,
    tz: ZoneInfo,
    pages: str = "",
) -> bytes:
    """One calendar of `events` (each with its change count as SEQUENCE), their times in `tz`'s zone (a named
    zone, so the feed carries its VTIMEZONE; the store's fixed offsets would name none)."""
    calendar = Calendar()
    calendar.add("prodid", "-//rmo-bot//小規模多機能自治推進ネットワーク会議//JA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", tz.key)
    for event in events:
        item = VEvent()
        item.add("uid", f"{event.id}@{host}")
        item.add("dtstamp", now.astimezone(UTC))
        item.add("dtstart", event.starts_at.astimezone(tz))
        item.add("dtend", event.assumed_end.astimezone(tz))
        item.add("summary", event.title)
        item.add("sequence", sequences.get(event.id, 0))
        item.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
        if event.venue and (event.venue.description or event.venue.address):
            item.add("location", "、".join(p for p in (event.venue.description, event.venue.address) if p))
        page = f"{pages}/announcements/{event.announcement_id}" if pages and event.announcement_id else None
        if event.registration_url or page:
            item.add("url", event.registration_url or page)
        description = _description(event, page, tz)
        if description:
            item.add("description", description)
        item.add("categories", ["ブロック会議" if event.kind == "block_meeting" else "研修"])
        calendar.add_component(item)
    calendar.add_missing_timezones()
    ics: bytes = calendar.to_ical()
    return ics


def add_calendar_routes(app: web.Application, core: Core) -> None:
    public_url = core.config.http.public_url.rstrip("/")
    host = urlsplit(public_url).hostname or "rmo-bot"

    def feed(block: str | None) -> web.Response:
        now = core.clock.now()
        events = core.store.events
        sequences = Counter(c.event_id for c in events.changes_since(datetime(1970, 1, 1, tzinfo=UTC)))
        chosen = [e for e in events.all() if e.assumed_end > now - _HISTORY and (block is None or e.block == block)]
        names = {b.key: b.names[0] for b in core.store.knowledge.blocks() if b.names}
        info = core.store.knowledge.network()
        network = info.name if info else "rmo-bot"
        name = f"{network}（{names.get(block, block)}）" if block else network
        tz, pages = core.config.timezone, core.pages_url
        body = calendar_ics(chosen, sequences, name=name, now=now, host=host, tz=tz, pages=pages)
        disposition = f'inline; filename="{block or "calendar"}.ics"'
        headers = {"Cache-Control": "max-age=900", "Content-Disposition": disposition}
        return web.Response(body=body, content_type="text/calendar", charset="utf-8", headers=headers)

    async def everything(request: web.Request) -> web.Response:
        del request
        return feed(None)

    async def one_block(request: web.Request) -> web.Response:
        block = request.match_info["block"]
        if block not in BLOCK_KEYS:
            raise web.HTTPNotFound(text=f"no block {block!r}; blocks: {', '.join(BLOCK_KEYS)}")
        return feed(block)

    app.router.add_get("/calendar.ics", everything)
    app.router.add_get("/calendar/{block}.ics", one_block)
