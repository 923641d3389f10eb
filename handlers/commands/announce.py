"""The secretariat's announcement from chat: form → draft and preview → confirm → published.

Invariants: only the secretariat gets past any step (each step checks again: a form or a button can be
replayed or forged); a draft is validated the same way whatever platform it came from; a confirmed draft
is taken from the book, not read, so a replayed confirmation posts nothing twice; the book is bounded.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.commands.model import (
    BODY_LIMIT,
    TITLE_LIMIT,
    AnnounceForm,
    AnnouncePreview,
    DraftField,
    Notice,
    Published,
)
from handlers.intake_rules import take_page_mark
from handlers.normalise import detect_language, fold
from handlers.texts import say

if TYPE_CHECKING:
    from handlers.commands.model import Asker, DraftForm
    from handlers.intake import MailIntake
    from handlers.messages import Lang
    from handlers.ports import Clock, KnowledgeRepository
    from storage.records import Announcement

__all__ = ["AnnounceDesk"]

_log = logging.getLogger(__name__)
_KEPT = 100  # drafts waiting for their "post" button


@dataclass(frozen=True, slots=True)
class _Pending:
    draft: Announcement
    lang: Lang
    marked: bool = False  # 「【FB】」 in the title: the secretariat asks for the Facebook page too


class AnnounceDesk:
    """Decides every step of an announcement from chat; the platforms only draw the form and preview."""

    def __init__(
        self, intake: MailIntake, knowledge: KnowledgeRepository, clock: Clock, *, author_name: str = "",
        kept: int = _KEPT,
    ) -> None:  # fmt: skip
        self._intake = intake
        self._knowledge = knowledge
        self._clock = clock
        self._author_name = author_name
        self._kept = kept
        self._drafts: OrderedDict[str, _Pending] = OrderedDict()

    def open(self, asker: Asker, lang: Lang) -> AnnounceForm | Notice:
        """`/rmo announce`: the form for the secretariat, a polite refusal for anyone else."""
        if not asker.secretariat:
            return self._refuse(asker, "announce refused for %s user %s (not the secretariat)", lang)
        return AnnounceForm(say("announce.form", lang), lang, self._knowledge.blocks())

    def draft(self, asker: Asker, form: DraftForm, lang_hint: Lang | None = None) -> AnnouncePreview | Notice:
        """A submitted form: checked, kept for its confirmation, and shown as a preview."""
        lang = detect_language(f"{form.title} {form.body}", lang_hint or "ja")
        if not asker.secretariat:
            return self._refuse(asker, "announce form from %s user %s refused (not the secretariat)", lang)
        title, marked = take_page_mark(form.title.strip())
        body = form.body.strip()
        checks: tuple[tuple[DraftField, str, int], ...] = (("title", title, TITLE_LIMIT), ("body", body, BODY_LIMIT))
        for field, text, limit in checks:
            problem = self._check_text(field, text, limit, lang)
            if problem is not None:
                return problem
        keys, unknown = self._block_keys(form.blocks)
        if unknown:
            known = ", ".join(b.key for b in self._knowledge.blocks())
            text = say("announce.unknown_blocks", lang, unknown=", ".join(unknown), known=known)
            return Notice("announce.unknown_blocks", text, lang, "blocks")
        author = f"{asker.platform}:{asker.user}"
        name = self._author_name or say("secretariat.name", lang)
        draft = self._intake.draft(title, body, author, name, keys, self._clock.now())
        self._drafts[draft.id] = _Pending(draft, lang, marked)
        while len(self._drafts) > self._kept:
            self._drafts.popitem(last=False)
        return AnnouncePreview(say("announce.preview", lang), lang, draft)

    def confirm(self, asker: Asker, draft_id: str, lang_hint: Lang | None = None) -> Published | Notice:
        """The preview's "post" button: the kept draft is published once."""
        pending = self._drafts.get(draft_id)
        # The button has no words: the asker's client language, else the language the draft was written in.
        lang = lang_hint or (pending.lang if pending else "ja")
        if not asker.secretariat:
            return self._refuse(asker, "announce confirmation from %s user %s refused (not the secretariat)", lang)
        # Taken, not read: a replayed "post" finds no draft and posts nothing twice.
        pending = self._drafts.pop(draft_id, None)
        if pending is None:
            _log.warning("announcement confirmation from %s names no pending draft; nothing posted", asker.user)
            return Notice("announce.gone", say("announce.gone", lang), lang)
        deliveries = self._intake.publish(pending.draft, marked=pending.marked)
        _log.info("announcement %s posted from %s by %s to %d channels", pending.draft.id, asker.platform,
                  asker.user, len(deliveries))  # fmt: skip
        text = say("announce.done", pending.lang, count=len(deliveries))
        return Published(text, pending.lang, pending.draft, len(deliveries))

    @staticmethod
    def _refuse(asker: Asker, message: str, lang: Lang) -> Notice:
        """A polite refusal for the asker; for the log, `message` names the step, the platform and the user."""
        _log.warning(message, asker.platform.capitalize(), asker.user)
        return Notice("announce.refused", say("announce.refused", lang), lang)

    @staticmethod
    def _check_text(field: DraftField, text: str, limit: int, lang: Lang) -> Notice | None:
        name = say(f"announce.field.{field}", lang)
        if not text:
            return Notice("announce.missing", say("announce.missing", lang, field=name), lang, field)
        if len(text) > limit:
            message = say("announce.too_long", lang, field=name, limit=limit, length=len(text))
            return Notice("announce.too_long", message, lang, field)
        return None

    def _block_keys(self, given: tuple[str, ...]) -> tuple[list[str], list[str]]:
        """The keys of the blocks named (by key or by name, as Discord's text field takes them), and the
        names that are no block."""
        by_name: dict[str, str] = {}
        for block in self._knowledge.blocks():
            for name in (block.key, *block.names, *block.names_en):
                by_name[_plain(name)] = block.key
        keys: list[str] = []
        unknown: list[str] = []
        for name in given:
            key = by_name.get(_plain(name))
            if key is None:
                unknown.append(name)
            elif key not in keys:
                keys.append(key)
        return keys, unknown


def _plain(name: str) -> str:
    """「近畿ブロック」, "Kinki block" and "kinki" are one block."""
    return fold(name).removesuffix("ぶろっく").removesuffix(" block").strip()
