"""`rmo-bot announcements`: the relayed posts — list them, show one, withdraw one, or correct its text."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from handlers.texts import say
from storage.errors import RmoBotError

if TYPE_CHECKING:
    import argparse

    from bot.core import Core
    from storage.records import Announcement

__all__ = ["announcements"]

_LISTED = 50


def _fields(core: Core, announcement: Announcement) -> dict[str, Any]:
    posted = core.store.posted.of(announcement.id)
    return {
        "id": announcement.id, "message_id": announcement.message_id, "subject": announcement.subject,
        "sender": announcement.sender, "received_at": announcement.received_at.isoformat(),
        "thread_of": announcement.thread_of or None, "withdrawn": announcement.withdrawn,
        "corrected_at": announcement.corrected_at.isoformat() if announcement.corrected_at else None,
        "posted": [{"platform": p.platform, "channel": p.channel, "messages": len(p.parts)} for p in posted],
    }  # fmt: skip


def announcements(core: Core, args: argparse.Namespace) -> int:
    """List or show posts; withdraw one, or correct it with the text of a file (queued for the running bot)."""
    store = core.store
    if args.action == "list":
        listed = store.announcements.recent(_LISTED)
        if args.json:
            print(json.dumps([_fields(core, a) for a in listed], ensure_ascii=False))
        for a in [] if args.json else listed:
            mark = " (corrected)" if a.corrected_at else ""
            print(f"{a.id}  {a.received_at:%Y-%m-%d %H:%M}  {a.subject}{mark}")
        return 0
    if not args.id:
        msg = f"announcements {args.action} needs the id of a post (see rmo-bot announcements list)"
        raise RmoBotError(msg)
    if args.action == "show":
        found = store.announcements.get(args.id)
        if found is None:
            print(say("revise.unknown", args.lang, id=args.id))
            return 1
        print(json.dumps({**_fields(core, found), "body": found.body}, ensure_ascii=False, indent=2))
        return 0
    now = core.clock.now()
    if args.action == "withdraw":
        done = core.corrections.withdraw(args.id, "cli", now)
    else:
        if args.file is None:
            msg = "announcements correct needs --file FILE with the corrected text (UTF-8)"
            raise RmoBotError(msg)
        try:
            body = args.file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            msg = f"cannot read {args.file}: {exc}"
            raise RmoBotError(msg) from exc
        if not body:
            msg = f"{args.file} is empty: a correction needs the post's new text"
            raise RmoBotError(msg)
        done = core.corrections.correct(args.id, body, "cli", now, subject=args.subject or "")
    if isinstance(done, str):
        print(say(f"revise.{done}", args.lang, id=args.id))
        return 1
    key = "revise.withdrawn" if args.action == "withdraw" else "revise.corrected"
    post = done.announcement
    print(say(key, args.lang, subject=post.subject, id=post.id, channels=len(done.deliveries)))
    return 0
