"""The calendar where members live: `GET /calendar.ics` and `GET /calendar/{block}.ics` (RFC 5545).

Each meeting keeps its UID for life, and its SEQUENCE counts the changes members care about (moved,
re-sited, cancelled), so Google Calendar, Outlook and Apple Calendar update the copy they hold instead of
adding a second one; a cancelled meeting stays in the feed as STATUS:CANCELLED so it disappears there too.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web
from icalendar import Calendar
from icalendar import Event as VEvent

from storage.datafile import BLOCK_KEYS
from storage.records import Event

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from zoneinfo import ZoneInfo

    from bot.core import Core

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


@dataclass(frozen=True, slots=True)
class _Feed:
    """What one feed shows besides the events: its name, the time it is made at and the links it carries."""

    block: str | None
    name: str
    now: datetime
    host: str
    tz: ZoneInfo
    pages: str


def _render(docs: tuple[list[dict[str, Any]], list[dict[str, Any]]], feed: _Feed) -> bytes:
    """The feed from the stored documents (in a worker thread: at 10,000 events this is seconds of work)."""
    event_docs, change_docs = docs
    sequences = Counter(change["event_id"] for change in change_docs)
    since = feed.now - _HISTORY
    chosen = [
        event for event in (Event.from_doc(doc) for doc in event_docs)
        if event.assumed_end > since and (feed.block is None or event.block == feed.block)
    ]  # fmt: skip
    chosen.sort(key=lambda e: (e.starts_at, e.id))
    return calendar_ics(chosen, sequences, name=feed.name, now=feed.now, host=feed.host, tz=feed.tz, pages=feed.pages)


def add_calendar_routes(app: web.Application, core: Core) -> None:
    public_url = core.config.http.public_url.rstrip("/")
    host = urlsplit(public_url).hostname or "rmo-bot"
    # Each feed rendered once per change of the events (and per day: what is recent moves), in a worker
    # thread; requests arriving meanwhile wait for that same rendering.
    rendered: dict[tuple[str | None, int, str], asyncio.Future[bytes]] = {}

    async def feed(block: str | None) -> web.Response:
        now = core.clock.now()
        events = core.store.events
        key = (block, events.revision, now.astimezone(core.config.timezone).date().isoformat())
        body = rendered.get(key)
        if body is None:
            for stale in [k for k in rendered if k[0] == block]:
                del rendered[stale]
            names = {b.key: b.names[0] for b in core.store.knowledge.blocks() if b.names}
            info = core.store.knowledge.network()
            network = info.name if info else "rmo-bot"
            name = f"{network}（{names.get(block, block)}）" if block else network
            what = _Feed(block, name, now, host, core.config.timezone, core.pages_url)
            body = rendered[key] = asyncio.ensure_future(asyncio.to_thread(_render, events.documents(), what))
        try:
            ics = await asyncio.shield(body)
        except Exception:
            rendered.pop(key, None)  # the next request tries again
            raise
        disposition = f'inline; filename="{block or "calendar"}.ics"'
        headers = {"Cache-Control": "max-age=900", "Content-Disposition": disposition}
        return web.Response(body=ics, content_type="text/calendar", charset="utf-8", headers=headers)

    async def everything(request: web.Request) -> web.Response:
        del request
        return await feed(None)

    async def one_block(request: web.Request) -> web.Response:
        block = request.match_info["block"]
        if block not in BLOCK_KEYS:
            raise web.HTTPNotFound(text=f"no block {block!r}; blocks: {', '.join(BLOCK_KEYS)}")
        return await feed(block)

    app.router.add_get("/calendar.ics", everything)
    app.router.add_get("/calendar/{block}.ics", one_block)
