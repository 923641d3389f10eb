"""`rmo-bot ingest` and `rmo-bot quarantine`: the intake from the command line."""

from __future__ import annotations

import functools
import json
import sys
import unicodedata
from typing import TYPE_CHECKING, Any

from bot.cli.events import reading_fields
from bot.mail.render import render_email
from bot.platforms.discord.render import render_discord
from bot.platforms.facebook.render import render_facebook
from bot.platforms.slack.render import render_slack
from storage.errors import RmoBotError
from storage.records import Announcement

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Mapping, Sequence
    from datetime import tzinfo
    from pathlib import Path

    from bot.config import Config
    from bot.core import Core
    from handlers.intake import IntakeResult

__all__ = ["ingest", "outbox", "quarantine", "render_all"]

PLACEHOLDER_CHANNEL = "(no channel configured)"


def _printable(text: str) -> str:
    return "".join(c if unicodedata.category(c)[0] != "C" or c in "\n\t" else " " for c in text)


def render_all(
    core: Core, announcement: Announcement, deliveries: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """Every payload the relay would send for `announcement`, per platform (a placeholder channel
    stands in where none is configured, so the preview is never empty)."""
    tz = core.config.timezone
    routes = deliveries if deliveries is not None else core.intake.routes.destinations(announcement.blocks)
    out: dict[str, Any] = {}
    files = core.file_steps
    slack = functools.partial(render_slack, listing=files.listing(announcement, "slack"))
    discord = functools.partial(render_discord, listing=files.listing(announcement, "discord"))
    renders: tuple[tuple[str, Callable[[Announcement, str, tzinfo, str], Sequence[Mapping[str, Any]]]], ...] = (
        ("slack", slack), ("discord", discord),
        ("facebook", functools.partial(render_facebook, pages_url=core.pages_url)),
    )  # fmt: skip
    for platform, render in renders:
        channels = [c for p, c in routes if p == platform] or [PLACEHOLDER_CHANNEL]
        out[platform] = [
            dict(payload)
            for channel in channels
            for payload in render(announcement, channel, tz, f"{announcement.id}.{platform}.{channel}")
        ]
    out["email"] = dict(render_email(announcement, tz))
    return out


def _announcement_json(a: Announcement) -> dict[str, Any]:
    return {
        "id": a.id,
        "message_id": a.message_id,
        "subject": a.subject,
        "body": a.body,
        "sender": a.sender,
        "attachments": [
            {"filename": x.filename, "content_type": x.content_type, "size": x.size} for x in a.attachments
        ],
        "blocks": list(a.blocks),
        "replacements": a.replacements,
    }


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise RmoBotError(msg) from exc


def ingest(core: Core, config: Config, args: argparse.Namespace) -> int:
    """Run one raw message through the intake exactly as the listener would."""
    del config
    raw = _read(args.file)
    now = core.clock.now()
    (result,) = core.intake.process_batch([(raw, now, None)])
    announcement = result.announcement
    if announcement is None and result.status == "rejected":
        # Show what it would have been, so the preview is never empty.
        announcement = core.intake.examine(raw, now, trusted=True).announcement
    preview = announcement
    if preview is None:
        parsed = result.parsed
        preview = Announcement(
            id="(not relayed)",
            message_id=(parsed.message_id if parsed else None) or "",
            subject=parsed.subject if parsed else "",
            body=parsed.body if parsed else "",
            sender=parsed.from_address if parsed else "",
            received_at=now,
        )
    payload: dict[str, Any] = {
        "status": result.status,
        "reason": result.reason,
        "announcement": _announcement_json(announcement) if announcement else None,
        "render": render_all(core, preview, [(d.platform, d.channel) for d in result.deliveries] or None),
    }
    reading = core.meetings.read(preview) if preview.id != "(not relayed)" else None
    payload["event"] = reading_fields(reading) if reading is not None else None
    if result.quarantine_id:
        payload["quarantine_id"] = result.quarantine_id
    if args.json:
        print(json.dumps(payload, ensure_ascii=False))
    else:
        _print_result(result)
    return 0


def _print_result(result: IntakeResult) -> None:
    line = result.status + (f": {result.reason}" if result.reason else "")
    print(line)
    if result.announcement:
        print(f"  {result.announcement.id}  {_printable(result.announcement.subject)}")
        for d in result.deliveries:
            print(f"  → {d.platform} {d.channel}")
    if result.quarantine_id:
        print(f"  kept as {result.quarantine_id} (rmo-bot quarantine show {result.quarantine_id})")


def quarantine(core: Core, config: Config, args: argparse.Namespace) -> int:
    """List, show or release mail the intake kept without relaying."""
    box = core.store.quarantine
    tz = config.timezone
    if args.action == "list":
        items = box.list()
        if not items:
            print("隔離されたメールはありません。/ Nothing in quarantine.")
        for q in items:
            flag = " (released)" if q.released else ""
            if q.truncated:
                flag += f" (first {q.kept:,} of {q.size:,} bytes kept)"
            when = q.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            print(f"{q.id}  {when}  {q.status}{flag}  {_printable(q.reason)}  |  {_printable(q.subject)}  <{q.sender}>")
        return 0
    if not args.id:
        msg = f"quarantine {args.action} needs the id of a kept message (see rmo-bot quarantine list)"
        raise RmoBotError(msg)
    item = box.get(args.id)
    if item is None:
        msg = f"no message {args.id} in quarantine"
        raise RmoBotError(msg)
    if args.action == "show":
        print(f"id: {item.id}\nstatus: {item.status}\nreason: {_printable(item.reason)}")
        print(f"received: {item.received_at.astimezone(tz).isoformat()}\nsubject: {_printable(item.subject)}")
        print(f"sender: {item.sender}\nsize: {item.size} bytes\nfile: {box.path(item.id)}")
        preview = core.intake.examine(box.raw(item.id), item.received_at, trusted=True)
        if preview.announcement:
            print("\n" + _printable(preview.announcement.body[:2000]))
        return 0
    # release: the secretariat vouches for it; it goes through as if it had passed every check.
    (result,) = core.intake.process_batch([(box.raw(item.id), core.clock.now(), None)], trusted=True)
    if result.status in {"accepted", "duplicate"}:
        with core.store.mail_batch():
            box.mark_released(item.id)
    _print_result(result)
    if result.status not in {"accepted", "duplicate"}:
        sys.stderr.write("rmo-bot: the message still cannot be relayed; it stays in quarantine\n")
        return 1
    return 0


def outbox(core: Core, config: Config, args: argparse.Namespace) -> int:
    """What is waiting to be posted, and `retry` for what was given up on."""
    box = core.store.outbox
    if args.action == "retry":
        count = box.retry_failed()
        with core.store.mail_batch():
            box.commit()
        print(f"{count} failed deliveries queued again / 再送を予約しました")
        return 0
    pending = box.pending()
    if not pending:
        print("送信待ちはありません。/ The outbox is empty.")
    for d in pending:
        state = "FAILED" if d.failed else "pending"
        when = d.created_at.astimezone(config.timezone).strftime("%Y-%m-%d %H:%M")
        error = f"  ({_printable(d.last_error)})" if d.last_error else ""
        print(f"{d.id}  {when}  {state}  tries {d.attempts}{error}")
    return 0
