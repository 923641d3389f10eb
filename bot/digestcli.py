"""`rmo-bot subscribers add …` and `rmo-bot digest send|preview`."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.digest_mail import DigestRenderer, DigestSender, confirmation_mail
from storage.errors import RmoBotError

if TYPE_CHECKING:
    import argparse
    from datetime import datetime

    from bot.config import Config
    from bot.core import Core

__all__ = ["digest", "send_due", "subscribers"]

_CHUNK = 200
_QUEUE = 64


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


async def send_due(core: Core, config: Config, now: datetime) -> tuple[list[str], list[str], dict[str, str]]:
    """Compose and send every due digest. Composing feeds the senders through a short queue, so memory
    stays flat however many subscribers there are; progress is recorded every few hundred messages."""
    sender = DigestSender(config, core.store.directory / "outbox-mail")
    sent: list[str] = []
    quiet: list[str] = []
    unrecorded: list[str] = []
    queue: asyncio.Queue[tuple[str, bytes] | None] = asyncio.Queue(maxsize=_QUEUE)
    renderer = DigestRenderer(config)

    def record(recipient: str) -> None:
        sent.append(recipient)
        unrecorded.append(recipient)
        if len(unrecorded) >= _CHUNK:
            core.digests.mark_sent(unrecorded, now)
            unrecorded.clear()

    async def produce() -> None:
        for subscriber in core.digests.due(now):
            composed = core.digests.compose(subscriber, now)
            if composed is None:
                quiet.append(subscriber.email)
            else:
                await queue.put(renderer.render(composed, now))
        for _ in range(sender.connections):
            await queue.put(None)

    producer = asyncio.create_task(produce())
    failed = await sender.send_from(queue, on_sent=record)
    await producer
    core.digests.mark_sent([*unrecorded, *quiet], now)
    return sent, quiet, failed


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
    sent, quiet, failed = asyncio.run(send_due(core, config, now))
    print(f"digests: {len(sent)} sent, {len(quiet)} with nothing new, {len(failed)} refused")
    for recipient, error in failed.items():
        print(f"  {recipient}: {error}")
    return 0
