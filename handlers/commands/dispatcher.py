"""The one `/rmo` dispatcher: every platform's commands, mentions and DMs are decided here.

It decides the verb, the language, who may announce, what a verb asks the answerer, and that a member
always gets an answer or an apology, never a traceback. Adapters only build the `Command` and render
the reply.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import TYPE_CHECKING

from handlers.answering import internal_error_reply
from handlers.commands.model import VERBS, Command, Notice
from handlers.commands.subscriptions import find_address
from handlers.messages import Incoming
from handlers.normalise import detect_language
from handlers.texts import say

if TYPE_CHECKING:
    from handlers.answering import Answerer
    from handlers.commands.announce import AnnounceDesk
    from handlers.commands.events import EventCommands
    from handlers.commands.model import (
        AnnounceForm,
        AnnouncePreview,
        Asker,
        CorrectionForm,
        DraftForm,
        EventEdit,
        EventForm,
        Published,
        Verb,
    )
    from handlers.commands.revisions import RevisionCommands
    from handlers.commands.subscriptions import ChatSubscriptions
    from handlers.messages import Lang, Reply

__all__ = ["CommandDispatcher", "command_language", "parse_command"]

_log = logging.getLogger(__name__)
_VERB: dict[str, Verb] = {verb: verb for verb in VERBS}
_ANY_ADDRESS = re.compile(r"\S+@\S+")


def parse_command(text: str, asker: Asker, *, lang_hint: Lang | None = None, channel: str | None = None) -> Command:
    """The words after `/rmo`: the first is the verb; without one, the whole text is a question."""
    words = text.strip().split(maxsplit=1)  # any white space, the ideographic space too
    if not words:
        return Command("help", "", asker, lang_hint, channel)
    verb = _VERB.get(unicodedata.normalize("NFKC", words[0]).lower())
    if verb is None:
        return Command("ask", text.strip(), asker, lang_hint, channel)
    return Command(verb, words[1] if len(words) > 1 else "", asker, lang_hint, channel)


def command_language(command: Command) -> Lang:
    """The verb is English either way, and an address is no language: the rest of the words decide,
    the platform's hint only when they say nothing."""
    return detect_language(_ANY_ADDRESS.sub(" ", command.text), command.lang_hint or "ja")


class CommandDispatcher:
    """Runs `/rmo` commands and answers questions; returns neutral replies for the platforms to render."""

    def __init__(
        self,
        answerer: Answerer,
        announcements: AnnounceDesk,
        subscriptions: ChatSubscriptions,
        events: EventCommands | None = None,
        revisions: RevisionCommands | None = None,
    ) -> None:
        self._revisions = revisions
        self._events = events
        self._answerer = answerer
        self._announcements = announcements
        self._subscriptions = subscriptions

    def answer(self, asker: Asker, text: str, channel: str | None = None) -> Reply:
        """A question (a mention, a DM, a console line): the answer, or an apology if answering failed."""
        incoming = Incoming(text=text, platform=asker.platform, user=asker.user, channel=channel)
        try:
            return self._answerer.answer(incoming)
        except Exception:  # noqa: BLE001 - a member sees an apology, the log gets the traceback
            _log.exception("could not answer %r", text)
            return internal_error_reply(text)

    def upcoming(self, asker: Asker) -> tuple[Reply, Reply]:
        """What is coming up (a platform's home page): the block meetings, then the trainings."""
        lang: Lang = "ja"  # a home page has no words to judge by: the network's own language
        meetings = self.answer(asker, say("question.meetings", lang))
        return meetings, self.answer(asker, say("question.trainings", lang))

    async def dispatch(
        self, command: Command
    ) -> Reply | Notice | AnnounceForm | EventForm | EventEdit | CorrectionForm:
        """One `/rmo` command."""
        lang = command_language(command)
        try:
            return await self._run(command, lang)
        except Exception:  # noqa: BLE001 - as for answers: an apology, and the traceback in the log
            return _apology(f"/rmo {command.verb}", lang)

    def draft(self, asker: Asker, form: DraftForm, lang_hint: Lang | None = None) -> AnnouncePreview | Notice:
        """The announcement form, submitted: a preview to confirm, or what is wrong with it."""
        try:
            return self._announcements.draft(asker, form, lang_hint)
        except Exception:  # noqa: BLE001 - see dispatch
            return _apology("an announcement draft", lang_hint or "ja")

    def correct(
        self, asker: Asker, announcement_id: str, subject: str, body: str, form_lang: Lang | None = None
    ) -> Notice:
        """The correction form of a relayed post, submitted: answered in the form's language when it is known
        (the post's own text may well be in the other one), else in the language of what was typed."""
        lang = form_lang or detect_language(f"{subject} {body}", "ja")
        if self._revisions is None:
            return Notice("revise.refused", say("revise.refused", lang), lang)
        try:
            return self._revisions.submit(asker, announcement_id, subject, body, lang)
        except Exception:  # noqa: BLE001 - see dispatch
            return _apology("a correction", lang)

    def confirm(self, asker: Asker, draft_id: str, lang_hint: Lang | None = None) -> Published | Notice:
        """The preview's "post" button."""
        try:
            return self._announcements.confirm(asker, draft_id, lang_hint)
        except Exception:  # noqa: BLE001 - see dispatch
            return _apology("an announcement confirmation", lang_hint or "ja")

    async def _run(
        self, command: Command, lang: Lang
    ) -> Reply | Notice | AnnounceForm | EventForm | EventEdit | CorrectionForm:
        verb, email = command.verb, find_address(command.text)
        if verb == "announce":
            return self._announcements.open(command.asker, lang)
        if verb == "event" and self._events is not None:
            # Ids, dates and block keys say nothing of a language: the client's, else the network's own.
            return self._events.run(command.asker, command.text, command.lang_hint or "ja")
        if verb in {"withdraw", "correct"} and self._revisions is not None:
            # An id says nothing of a language: the words after it, else the client's, else the network's.
            hint = command.lang_hint or "ja"
            words = command.text.split(maxsplit=1)
            lang = detect_language(words[1], hint) if len(words) > 1 else hint
            run = self._revisions.withdraw if verb == "withdraw" else self._revisions.correct
            return run(command.asker, command.text, lang)
        if verb == "subscribe" and email:
            return await self._subscriptions.subscribe(email, lang)
        if verb == "unsubscribe" and email:
            return await self._subscriptions.unsubscribe(email, lang)
        # Every other verb asks the answerer a question of its own, in the asker's language (without an
        # address, `subscribe` explains how to subscribe).
        question = command.text if verb == "ask" and command.text.strip() else _question(command, lang)
        return self.answer(command.asker, question, command.channel)


def _question(command: Command, lang: Lang) -> str:
    place = command.text.strip()
    if command.verb == "meetings" and place:
        return say("question.meetings.in", lang, place=place)
    key = "help" if command.verb == "ask" else command.verb
    return say(f"question.{key}", lang)


def _apology(what: str, lang: Lang) -> Notice:
    _log.exception("could not run %s", what)
    return Notice("internal_error", say("internal_error", lang), lang)
