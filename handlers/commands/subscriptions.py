"""`/rmo subscribe EMAIL` and `/rmo unsubscribe EMAIL`: the same double opt-in as the web form.

What the asker is told never depends on whether the address was subscribed, and only the mailbox's owner
decides: a confirmation link to subscribe, an unsubscribe link to leave, both mailed to the address itself.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from handlers.commands.model import Notice
from handlers.texts import say

if TYPE_CHECKING:
    from handlers.digests import DigestService
    from handlers.messages import Lang
    from handlers.ports import Clock, LinkMailer, SubscriberRepository

__all__ = ["ChatSubscriptions", "find_address"]

_log = logging.getLogger(__name__)
_ADDRESS = re.compile(r"[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+")


def find_address(text: str) -> str | None:
    """The first e-mail address in `text` (Slack sends it as <mailto:a@b|a@b>), lower-cased."""
    found = _ADDRESS.search(text.replace("mailto:", ""))
    return found.group(0).strip("<>|").lower() if found else None


class ChatSubscriptions:
    """Starts and ends digest subscriptions from chat, by mail to the address named."""

    def __init__(
        self, digests: DigestService, subscribers: SubscriberRepository, mailer: LinkMailer, clock: Clock
    ) -> None:
        self._digests = digests
        self._subscribers = subscribers
        self._mailer = mailer
        self._clock = clock

    async def subscribe(self, email: str, lang: Lang) -> Notice:
        """Mail a confirmation link (a malformed address gets none, and the same answer)."""
        token = self._digests.request(email, self._clock.now(), lang=lang)
        if token is not None:
            await self._mailer.send_confirmation(email, token, lang)
        return Notice("subscribe.sent", say("subscribe.sent", lang), lang)

    async def unsubscribe(self, email: str, lang: Lang) -> Notice:
        """Mail an unsubscribe link, if the address is subscribed at all."""
        if self._subscribers.get(email) is not None and self._digests.mail_budget.allow(email, self._clock.now()):
            token = self._digests.unsubscribe_token(email, self._clock.now())
            await self._mailer.send_unsubscribe_link(email, token, lang)
        return Notice("unsubscribe.sent", say("unsubscribe.sent", lang), lang)
