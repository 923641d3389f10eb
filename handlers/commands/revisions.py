"""`/rmo withdraw ID` and `/rmo correct ID NEW TEXT`: the secretariat takes back or corrects a relayed post.

Only the secretariat may (checked here, whatever platform asked); the change goes through the outbox like
a post, so every chat channel that shows the post is edited or cleared, in order, once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from handlers.commands.model import BODY_LIMIT, CorrectionForm, Notice
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

    def correct(self, asker: Asker, text: str, lang: Lang) -> Notice | CorrectionForm:
        """`/rmo correct ID NEW TEXT`: the post's text becomes NEW TEXT (its subject stays); `/rmo correct ID`
        alone: the form, filled in with the post as it reads now."""
        if not asker.secretariat:
            return self._refuse(asker, "correct", lang)
        words = text.strip().split(maxsplit=1)
        if not words or not ANNOUNCEMENT_ID.fullmatch(words[0]):
            return Notice("revise.usage.correct", say("revise.usage.correct", lang), lang)
        if len(words) == 1:
            return self._form(words[0], lang)
        return self.submit(asker, words[0], "", words[1], lang)

    def submit(self, asker: Asker, announcement_id: str, subject: str, body: str, lang: Lang) -> Notice:
        """The correction form (or the words of `/rmo correct`), submitted: checked, then carried out."""
        if not asker.secretariat:
            return self._refuse(asker, "correct", lang)
        body = body.strip()
        if not body:
            return Notice("revise.usage.correct", say("revise.usage.correct", lang), lang, field="body")
        if len(body) > BODY_LIMIT:
            too_long = say("revise.too_long", lang, limit=BODY_LIMIT, length=len(body))
            return Notice("revise.too_long", too_long, lang, field="body")
        now = self._clock.now()
        done = self._corrections.correct(announcement_id, body, _who(asker), now, subject=subject)
        if isinstance(done, str):
            return Notice(f"revise.{done}", say(f"revise.{done}", lang, id=announcement_id), lang)
        post = done.announcement
        text = say("revise.corrected", lang, subject=post.subject, id=post.id, channels=len(done.deliveries))
        return Notice("revise.corrected", text, lang)

    def _form(self, announcement_id: str, lang: Lang) -> Notice | CorrectionForm:
        current = self._corrections.current(announcement_id)
        if current is None or current.withdrawn:
            key = "revise.unknown" if current is None else "revise.already_withdrawn"
            return Notice(key, say(key, lang, id=announcement_id), lang)
        if len(current.body) > BODY_LIMIT:  # a chat form holds no more: the command line takes a file
            return Notice("revise.form_too_long", say("revise.form_too_long", lang, id=announcement_id), lang)
        text = say("revise.form", lang, subject=current.subject)
        return CorrectionForm(text, lang, current.id, current.subject, current.body)

    def _refuse(self, asker: Asker, verb: str, lang: Lang) -> Notice:
        _log.warning("%s refused for %s user %s (not the secretariat)", verb, asker.platform, asker.user)
        return Notice("revise.refused", say("revise.refused", lang), lang)


def _who(asker: Asker) -> str:
    return f"{asker.platform}:{asker.user or '?'}"
