"""The `LinkMailer` port over the bot's outbound mail: one short mail carrying one link."""

from __future__ import annotations

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


class OutboundLinkMailer:
    """Sends through `[mail.outbound]` (or, with no SMTP server, into the data directory's outbox)."""

    def __init__(self, core: Core) -> None:
        self._core = core

    async def send_confirmation(self, email: str, token: str, lang: Lang) -> None:
        await self._send(email, confirmation_mail(email, token, lang, self._core.config, self._core.clock.now()))

    async def send_unsubscribe_link(self, email: str, token: str, lang: Lang) -> None:
        await self._send(email, unsubscribe_mail(email, token, lang, self._core.config, self._core.clock.now()))

    async def _send(self, email: str, mail: EmailMessage) -> None:
        failed = await sender_for(self._core).send([mail])
        if email in failed:
            # The member was told a mail is on its way either way: the secretariat sees why in the log.
            _log.warning("%s mail to %s failed: %s", mail["X-Rmo-Bot"], email, failed[email])
