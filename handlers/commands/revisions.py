"""`/rmo withdraw ID` and `/rmo correct ID NEW TEXT`: the secretariat takes back or corrects a relayed post.

Only the secretariat may (checked here, whatever platform asked); the change goes through the outbox like
a post, so every chat channel that shows the post is edited or cleared, in order, once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from handlers.commands.model import BODY_LIMIT, Notice
from handlers.corrections import ANNOUNCEMENT_ID
from handlers.texts import say

if TYPE_CHECKING:
    from handlers.commands.model import Asker
    from handlers.corrections import Corrections
    from handlers.messages import Lang
    from handlers.ports import Clock

__all__ = ["RevisionCommands"]

_log = logging.getLogger(__name__)


class RevisionCommands:
    """Decides `/rmo withdraw` and `/rmo correct`; the platforms only show the notice."""

    def __init__(self, corrections: Corrections, clock: Clock) -> None:
        self._corrections = corrections
        self._clock = clock

    def withdraw(self, asker: Asker, text: str, lang: Lang) -> Notice:
        """`/rmo withdraw ID`."""
        if not asker.secretariat:
            return self._refuse(asker, "withdraw", lang)
        found = ANNOUNCEMENT_ID.search(text)
        if found is None:
            return Notice("revise.usage.withdraw", say("revise.usage.withdraw", lang), lang)
        done = self._corrections.withdraw(found[0], _who(asker), self._clock.now())
        if isinstance(done, str):
            return Notice(f"revise.{done}", say(f"revise.{done}", lang, id=found[0]), lang)
        post = done.announcement
        text = say("revise.withdrawn", lang, subject=post.subject, id=post.id, channels=len(done.deliveries))
        return Notice("revise.withdrawn", text, lang)

    def correct(self, asker: Asker, text: str, lang: Lang) -> Notice:
        """`/rmo correct ID NEW TEXT`: the post's text becomes NEW TEXT (its subject stays)."""
        if not asker.secretariat:
            return self._refuse(asker, "correct", lang)
        words = text.strip().split(maxsplit=1)
        if len(words) < 2 or not ANNOUNCEMENT_ID.fullmatch(words[0]):
            return Notice("revise.usage.correct", say("revise.usage.correct", lang), lang)
        announcement_id, body = words[0], words[1].strip()
        if len(body) > BODY_LIMIT:
            too_long = say("revise.too_long", lang, limit=BODY_LIMIT, length=len(body))
            return Notice("revise.too_long", too_long, lang, field="body")
        done = self._corrections.correct(announcement_id, body, _who(asker), self._clock.now())
        if isinstance(done, str):
            return Notice(f"revise.{done}", say(f"revise.{done}", lang, id=announcement_id), lang)
        post = done.announcement
        text = say("revise.corrected", lang, subject=post.subject, id=post.id, channels=len(done.deliveries))
        return Notice("revise.corrected", text, lang)

    def _refuse(self, asker: Asker, verb: str, lang: Lang) -> Notice:
        _log.warning("%s refused for %s user %s (not the secretariat)", verb, asker.platform, asker.user)
        return Notice("revise.refused", say("revise.refused", lang), lang)


def _who(asker: Asker) -> str:
    return f"{asker.platform}:{asker.user or '?'}"
