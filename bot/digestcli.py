"""`rmo-bot subscribers add …` and `rmo-bot digest send|preview`."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.digest_mail import DigestSender, confirmation_mail, digest_mail
from storage.errors import RmoBotError

if TYPE_CHECKING:
    import argparse

    from bot.config import Config
    from bot.core import Core

__all__ = ["digest", "subscribers"]


def subscribers(core: Core, config: Config, args: argparse.Namespace) -> int:
    now = core.clock.now()
    blocks = [b.strip() for b in (args.blocks or "").split(",") if b.strip()]
    if args.confirmed:
        subscriber = core.digests.add_confirmed(
            args.email, now, lang=args.lang, frequency=args.frequency, blocks=blocks
        )
        print(f"{subscriber.email}: subscribed ({subscriber.frequency}, {subscriber.lang})")
        return 0
    token = core.digests.request(args.email, now, lang=args.lang, frequency=args.frequency, blocks=blocks)
    if token is None:
        msg = f"not an e-mail address: {args.email!r}"
        raise RmoBotError(msg)
    mail = confirmation_mail(args.email.strip().lower(), token, args.lang, config, now)
    asyncio.run(DigestSender(config, core.store.directory / "outbox-mail").send([mail]))
    print(f"{args.email}: a confirmation mail was sent; nothing else is sent until it is confirmed")
    return 0


def digest(core: Core, config: Config, args: argparse.Namespace) -> int:
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
    due = core.digests.due(now)
    messages = []
    quiet = []
    for subscriber in due:
        composed = core.digests.compose(subscriber, now)
        if composed is None:
            quiet.append(subscriber.email)
        else:
            messages.append(digest_mail(composed, config, now))
    sent: list[str] = []
    results = asyncio.run(
        DigestSender(config, core.store.directory / "outbox-mail").send(messages, on_sent=sent.append)
    )
    core.digests.mark_sent([*sent, *quiet], now)
    failed = {k: v for k, v in results.items() if v != "sent"}
    print(f"digests: {len(sent)} sent, {len(quiet)} with nothing new, {len(failed)} refused")
    for recipient, error in failed.items():
        print(f"  {recipient}: {error}")
    return 0
