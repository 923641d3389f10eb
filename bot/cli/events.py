"""`rmo-bot events`: the calendar, and the meetings read from posts waiting for the secretariat."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from handlers.commands import Asker, Notice
from storage.errors import RmoBotError

if TYPE_CHECKING:
    import argparse
    from datetime import tzinfo

    from bot.config import Config
    from bot.core import Core
    from handlers.meetings.reading import MeetingReading
    from storage.records import Event, Proposal, Venue

__all__ = ["event_fields", "events", "reading_fields"]


def _venue(venue: Venue | None) -> dict[str, str | None] | None:
    if venue is None:
        return None
    return {"description": venue.description, "address": venue.address, "online_url": venue.online_url}


def event_fields(event: Event) -> dict[str, Any]:
    """An event as `rmo-bot events list --json` prints it (DESIGN.md)."""
    return {
        "id": event.id, "kind": event.kind, "block": event.block, "title": event.title,
        "starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat() if event.ends_at else None,
        "venue": _venue(event.venue), "status": event.status, "source": event.source,
        "registration_url": event.registration_url,
        "registration_deadline": event.registration_deadline.isoformat() if event.registration_deadline else None,
        "announcement_id": event.announcement_id,
    }  # fmt: skip


def reading_fields(reading: MeetingReading) -> dict[str, Any]:
    """A meeting read from a post, as `rmo-bot ingest --json` prints it under "event" (DESIGN.md)."""

    def when(moment: object) -> str | None:
        return moment.isoformat() if moment is not None else None  # type: ignore[attr-defined]

    return {
        "title": reading.title, "kind": reading.kind, "block": reading.block, "starts_at": when(reading.starts_at),
        "ends_at": when(reading.ends_at), "venue": _venue(reading.venue), "registration_url": reading.registration_url,
        "registration_deadline": when(reading.registration_deadline), "action": reading.action,
        "previous_starts_at": when(reading.previous_starts_at),
        "doubts": [{"code": d.code, "detail": d.detail} for d in reading.doubts],
    }  # fmt: skip


def _proposal_fields(proposal: Proposal) -> dict[str, Any]:
    fields = event_fields(proposal.event)
    fields.update({
        "id": proposal.id, "event_id": proposal.event.id, "action": proposal.action,
        "announcement_id": proposal.announcement_id, "created_at": proposal.created_at.isoformat(),
        "doubts": [{"code": c, "detail": d} for c, d in proposal.doubts],
    })  # fmt: skip
    return fields


def _line(event: Event, tz: tzinfo) -> str:
    when = event.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    where = (event.venue.description or event.venue.address or event.venue.online_url) if event.venue else None
    flag = "  [中止 cancelled]" if event.status == "cancelled" else ""
    return f"{event.id}  {when}  {event.title}{f'  @ {where}' if where else ''}{flag}  ({event.source})"


def events(core: Core, config: Config, args: argparse.Namespace) -> int:
    """List the calendar or the open proposals; accept or reject a proposal."""
    tz = config.timezone
    now = core.clock.now()
    if args.action == "list":
        listed = core.store.events.all()
        if not args.all:
            listed = [e for e in listed if e.is_scheduled and e.assumed_end > now]
        if args.json:
            print(json.dumps([event_fields(e) for e in listed], ensure_ascii=False))
        elif not listed:
            print("予定はありません。/ Nothing on the calendar." if args.all else
                  "これからの予定はありません。/ No meetings ahead (--all shows past and cancelled ones).")  # fmt: skip
        for event in [] if args.json else listed:
            print(_line(event, tz))
        return 0
    desk = core.meetings
    if args.action == "proposals":
        open_ones = desk.open()
        if args.json:
            print(json.dumps([_proposal_fields(p) for p in open_ones], ensure_ascii=False))
            return 0
        if not open_ones:
            print("確認待ちの予定はありません。/ No meetings read from posts are waiting.")
        for proposal in open_ones:
            doubts = ", ".join(c for c, _ in proposal.doubts)
            line = f"{proposal.id}  {proposal.action}  {_line(proposal.event, tz)}"
            print(line + (f"  ? {doubts}" if doubts else ""))
        return 0
    if args.action in {"add", "move", "cancel"}:
        # The same commands as /rmo event in chat, as the secretariat.
        command = " ".join([args.action, *args.words])
        outcome = core.event_commands.run(Asker("cli", "cli", secretariat=True), command, "ja")
        print(outcome.text)
        done = isinstance(outcome, Notice) and outcome.key in {"event.added", "event.moved", "event.cancelled_now"}
        return 0 if done else 1
    if len(args.words) != 1:
        msg = f"events {args.action} needs the id of a proposal (see rmo-bot events proposals)"
        raise RmoBotError(msg)
    (proposal_id,) = args.words
    if args.action == "accept":
        event = desk.accept(proposal_id, "cli", now)
        print(f"{proposal_id}: accepted → {_line(event, tz)}")
    else:
        desk.reject(proposal_id, "cli", now)
        print(f"{proposal_id}: rejected")
    return 0
