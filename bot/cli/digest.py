"""`rmo-bot subscribers add|list|show|remove …` and `rmo-bot digest send|preview`."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

from bot.mail.compose import confirmation_mail
from bot.mail.digest_run import send_due
from bot.mail.sending import sender_for
from handlers.digests import is_address
from storage.errors import RmoBotError

if TYPE_CHECKING:
    import argparse

    from bot.config import Config
    from bot.core import Core
    from storage.subscribers import Subscriber

__all__ = ["digest", "subscribers"]


def _list(core: Core, *, as_json: bool) -> int:
    people = sorted(core.store.subscribers.all(), key=lambda s: s.email)
    if as_json:
        fields = ("email", "lang", "frequency", "blocks", "confirmed", "suspended", "unsubscribed")
        print(json.dumps([{f: getattr(s, f) for f in fields} for s in people], ensure_ascii=False))
        return 0
    if not people:
        print("購読者はいません。/ No subscribers.")
    for s in people:
        print(f"{s.email}  {_state(s)}  {s.frequency}  {s.lang}  {','.join(s.blocks) or 'all blocks'}")
    return 0


def _state(s: Subscriber) -> str:
    if s.unsubscribed:
        return "unsubscribed"
    if s.suspended:
        return "suspended"
    return "active" if s.confirmed else "unconfirmed"


def _show(core: Core, config: Config, email: str, *, as_json: bool) -> int:
    subscriber = core.store.subscribers.get(email)
    if subscriber is None:
        msg = f"no subscriber {email!r} (rmo-bot subscribers list shows them all)"
        raise RmoBotError(msg)
    doc = subscriber.to_doc()
    if as_json:
        print(json.dumps(doc, ensure_ascii=False))
        return 0
    tz = config.timezone
    for key in ("created_at", "last_digest_at"):
        value = getattr(subscriber, key)
        doc[key] = value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else "never"
    doc["blocks"] = ",".join(subscriber.blocks) or "all blocks"
    print(f"{subscriber.email}: {_state(subscriber)}")
    for key in ("lang", "frequency", "blocks", "created_at", "last_digest_at", "bounces"):
        print(f"  {key}: {doc[key]}")
    return 0


def _remove(core: Core, email: str) -> int:
    with core.store.subscriber_batch():
        removed = core.store.subscribers.remove(email)
    if not removed:
        msg = f"no subscriber {email!r} (rmo-bot subscribers list shows them all)"
        raise RmoBotError(msg)
    print(f"{email.strip().lower()}: removed (nothing more is sent to it; it may subscribe again)")
    return 0


def subscribers(core: Core, config: Config, args: argparse.Namespace) -> int:
    if args.action == "list":
        return _list(core, as_json=args.json)
    if not args.email:
        msg = f"subscribers {args.action} needs an address: rmo-bot subscribers {args.action} EMAIL"
        raise RmoBotError(msg)
    if args.action == "show":
        return _show(core, config, args.email, as_json=args.json)
    if args.action == "remove":
        return _remove(core, args.email)
    now = core.clock.now()
    blocks = [b.strip() for b in (args.blocks or "").split(",") if b.strip()]
    if args.confirmed:
        subscriber = core.digests.add_confirmed(
            args.email, now, lang=args.lang, frequency=args.frequency, blocks=blocks
        )
        print(f"{subscriber.email}: subscribed ({subscriber.frequency}, {subscriber.lang})")
        return 0
    if not is_address(args.email):
        msg = f"not an e-mail address: {args.email!r}"
        raise RmoBotError(msg)
    token = core.digests.request(args.email, now, lang=args.lang, frequency=args.frequency, blocks=blocks)
    if token is None:
        msg = f"{args.email}: it has had its confirmation mails for the hour; try again later"
        raise RmoBotError(msg)
    mail = confirmation_mail(args.email.strip().lower(), token, args.lang, config, now)
    asyncio.run(sender_for(core).send([mail]))
    print(f"{args.email}: a confirmation mail was sent; nothing else is sent until it is confirmed")
    return 0


def digest(core: Core, _config: Config, args: argparse.Namespace) -> int:
    now = core.clock.now()
    if args.action == "preview":
        subscriber = core.store.subscribers.get(args.email or "")
        if subscriber is None:
            msg = f"no subscriber {args.email!r}"
            raise RmoBotError(msg)
        composed = core.digests.compose(subscriber, now)
        print(
            composed.subject + "\n\n" + composed.text if composed else "（配信する内容はありません / nothing to send）"
        )
        return 0
    outcome = asyncio.run(send_due(core, now))
    if outcome.resumed:
        print(f"an interrupted run had reached {outcome.resumed} subscriber(s): they are not sent to again")
    print(f"digests: {len(outcome.sent)} sent, {len(outcome.quiet)} with nothing new, {len(outcome.failed)} refused")
    for recipient, error in outcome.failed.items():
        print(f"  {recipient}: {error}")
    return 0
