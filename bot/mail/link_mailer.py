"""The `LinkMailer` port over the bot's outbound mail: one short mail carrying one link.

A mail is queued, not awaited: the member's answer goes out at once, whoever was named, so how long the
answer takes tells nobody whether an address is subscribed. What is still on its way is finished when the
bot stops (`drain`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.mail.compose import confirmation_mail, unsubscribe_mail
from bot.mail.sending import sender_for

if TYPE_CHECKING:
    from email.message import EmailMessage

    from bot.core import Core
    from handlers.messages import Lang

__all__ = ["OutboundLinkMailer"]

_log = logging.getLogger(__name__)
_FINISH = 30.0  # seconds given to mail still on its way when the bot stops


class OutboundLinkMailer:
    """Sends through `[mail.outbound]` (or, with no SMTP server, into the data directory's outbox)."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._sending: set[asyncio.Task[None]] = set()

    async def send_confirmation(self, email: str, token: str, lang: Lang) -> None:
        self._queue(email, confirmation_mail(email, token, lang, self._core.config, self._core.clock.now()))

    async def send_unsubscribe_link(self, email: str, token: str, lang: Lang) -> None:
        self._queue(email, unsubscribe_mail(email, token, lang, self._core.config, self._core.clock.now()))

    async def drain(self) -> None:
        """Wait for the mail still on its way (at most half a minute)."""
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=_FINISH)

    def _queue(self, email: str, mail: EmailMessage) -> None:
        task = asyncio.get_running_loop().create_task(self._send(email, mail), name=f"link mail to {email}")
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, email: str, mail: EmailMessage) -> None:
        try:
            failed = await sender_for(self._core).send([mail])
        except Exception:  # noqa: BLE001 - the member was told a mail is on its way; the log says why not
            _log.exception("%s mail to %s failed", mail["X-Rmo-Bot"], email)
            return
        if email in failed:
            # The member was told a mail is on its way either way: the secretariat sees why in the log.
            _log.warning("%s mail to %s failed: %s", mail["X-Rmo-Bot"], email, failed[email])
