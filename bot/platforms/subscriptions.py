"""`/rmo subscribe EMAIL` and `/rmo unsubscribe EMAIL` from Slack and Discord: the same double opt-in as
the web form. The answer is the same whether or not the address was subscribed."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from bot.mail.compose import confirmation_mail, sender_for, unsubscribe_mail
from handlers.texts import say

if TYPE_CHECKING:
    from bot.core import Core
    from handlers.messages import Lang

__all__ = ["subscribe_from_chat", "unsubscribe_from_chat"]

_log = logging.getLogger(__name__)
_ADDRESS = re.compile(r"[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+")


def _address(text: str) -> str | None:
    found = _ADDRESS.search(text.replace("mailto:", ""))
    return found.group(0).strip("<>|").lower() if found else None


async def subscribe_from_chat(core: Core, text: str, lang: Lang) -> str | None:
    """Start a subscription for the address in `text`; None when there is none (the caller explains)."""
    email = _address(text)
    if email is None:
        return None
    now = core.clock.now()
    token = core.digests.request(email, now, lang=lang)
    if token is not None:
        mail = confirmation_mail(email, token, lang, core.config, now)
        failed = await sender_for(core).send([mail])
        if email in failed:
            _log.warning("confirmation mail to %s failed: %s", email, failed[email])
    return say("subscribe.sent", lang)


async def unsubscribe_from_chat(core: Core, text: str, lang: Lang) -> str | None:
    """Mail an unsubscribe link to the address in `text` (the mailbox's owner decides, not the chatter)."""
    email = _address(text)
    if email is None:
        return None
    now = core.clock.now()
    if core.store.subscribers.get(email) is not None:
        mail = unsubscribe_mail(email, core.digests.unsubscribe_token(email, now), lang, core.config, now)
        await sender_for(core).send([mail])
    return say("unsubscribe.sent", lang)
