"""`/rmo event …`: the secretariat keeps the calendar from chat (every platform, the console too).

    /rmo event list                                  what is on the calendar, with ids
    /rmo event add 2027-01-20 13:30-16:30 kinki 近畿ブロック会議（第2回） @ 東近江市役所
    /rmo event move kinki-2027-01-20 2027-01-27 13:30-16:30
    /rmo event cancel kinki-2027-01-20
    /rmo event proposals | accept ID | reject ID      meetings read from posts

Every change goes through the event repository, as an import does, so the change log, the reminders and
the digests' "changed or cancelled" section follow. Only the secretariat may use any of it.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from handlers.commands.model import EventDraft, EventEdit, EventForm, Notice, ProposalCorrection
from handlers.commands.proposals import ProposalCard, parse_when
from handlers.dates import format_span
from handlers.texts import say
from storage.datafile_fields import URL
from storage.records import Event, Venue

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime, tzinfo

    from handlers.commands.model import Asker
    from handlers.commands.proposals import ProposalCommands
    from handlers.messages import Lang
    from handlers.ports import CalendarWriter, Clock, KnowledgeRepository
    from storage.records import EventKind, EventSource

__all__ = ["EventCommands", "EventDraft", "EventForm"]

_TIME = r"\d{1,2}[:：時]\d{2}分?"
_WHEN = rf"(?P<when>\d{{4}}[-/年]\s*\d{{1,2}}[-/月]\s*\d{{1,2}}日?\s+{_TIME}(?:\s*[-~～〜]\s*{_TIME})?)"
_ADD = re.compile(rf"^{_WHEN}\s+(?P<block>\S+)\s+(?P<title>.+?)(?:\s+[@＠]\s*(?P<venue>.+))?$")
_MOVE = re.compile(rf"^(?P<id>\S+)\s+{_WHEN}$")
_TRAINING = re.compile(r"研修|セミナー|勉強会|講座|training|seminar|workshop", re.IGNORECASE)


class EventCommands:
    """Adds, moves, cancels and lists events; decides proposals by id (for text-only platforms)."""

    def __init__(
        self,
        events: CalendarWriter,
        proposals: ProposalCommands,
        knowledge: KnowledgeRepository,
        clock: Clock,
        tz: tzinfo,
        on_change: Callable[[datetime], object] = lambda _: None,
    ) -> None:
        self._events = events
        self._proposals = proposals
        self._knowledge = knowledge
        self._clock = clock
        self._tz = tz
        self._on_change = on_change

    def run(self, asker: Asker, text: str, lang: Lang) -> Notice | EventForm | EventEdit:
        """One `/rmo event …` command: its outcome, or how to write it."""
        if not asker.secretariat:
            return Notice("event.refused", say("event.refused", lang), lang)
        action, _, rest = text.strip().partition(" ")
        rest = rest.strip()
        handler = {
            "list": self._list, "move": self._move, "cancel": self._cancel,
            "proposals": self._open_proposals,
        }.get(action.lower())  # fmt: skip
        if action.lower() == "edit":
            event = self._events.get(rest)
            if event is None:
                return Notice("event.unknown", say("event.unknown", lang, id=rest or "?"), lang)
            values = self._proposals.values_of(event)
            return EventEdit(say("event.edit", lang, title=event.title), lang, event.id, values)
        if action.lower() == "add":
            return self._add(rest, lang, "cli" if asker.platform == "cli" else "chat")
        if handler is not None:
            return handler(rest, lang)
        if action.lower() in {"accept", "reject"} and rest:
            decided = self._proposals.decide(asker, rest, "accept" if action.lower() == "accept" else "reject", lang)
            return decided if isinstance(decided, Notice) else Notice("event.decided", decided.text, lang)
        return Notice("event.usage", say("event.usage", lang), lang)

    def _list(self, rest: str, lang: Lang) -> Notice:
        del rest
        coming = self._events.upcoming(after=self._clock.now(), limit=20)
        if not coming:
            return Notice("event.none", say("event.none", lang), lang)
        lines = [say("event.list", lang)] + [
            f"・{e.id}  {format_span(e.starts_at, e.ends_at, lang, self._tz)}  {e.title}" for e in coming
        ]
        return Notice("event.list", "\n".join(lines), lang)

    def _add(self, rest: str, lang: Lang, source: EventSource) -> Notice | EventForm:
        if not rest:
            return EventForm(say("event.form", lang), lang)  # a platform with forms shows one; text says how
        found = _ADD.match(rest)
        if found is None:
            return Notice("event.usage", say("event.usage", lang), lang)
        draft = EventDraft(found["title"], found["when"], found["block"], found["venue"] or "")
        return self._create(draft, lang, source)

    def add_form(self, asker: Asker, draft: EventDraft, lang: Lang = "ja") -> Notice:
        """The add form (a Slack or Discord modal), submitted: the event, or what is wrong (its `field`)."""
        if not asker.secretariat:
            return Notice("event.refused", say("event.refused", lang), lang)
        return self._create(draft, lang, "chat")

    def edit_form(self, asker: Asker, event_id: str, form: ProposalCorrection, lang: Lang = "ja") -> Notice:
        """The edit form, submitted: the event as corrected (a move or a new venue is recorded as such)."""
        if not asker.secretariat:
            return Notice("event.refused", say("event.refused", lang), lang)
        event = self._events.get(event_id)
        if event is None:
            return Notice("event.unknown", say("event.unknown", lang, id=event_id), lang)
        corrected = self._proposals.corrected(event, form, lang)
        if isinstance(corrected, Notice):
            return corrected
        return self._save(corrected, "event.edited", lang)

    def _create(self, draft: EventDraft, lang: Lang, source: EventSource) -> Notice:
        span = parse_when(draft.when, self._tz)
        if span is None:
            return Notice("proposal.invalid.when", say("proposal.invalid.when", lang), lang, "when")
        block = self._block_key(draft.block.strip() or "national")
        if block == "":
            known = ", ".join(b.key for b in self._knowledge.blocks())
            text = say("event.unknown_block", lang, block=draft.block, known=known)
            return Notice("event.unknown_block", text, lang, "block")
        title = draft.title.strip()
        if not title or len(title) > 150:
            return Notice("proposal.invalid.title", say("proposal.invalid.title", lang), lang, "title")
        url = draft.registration_url.strip()
        if url and not URL.match(url):
            text = say("proposal.invalid.registration_url", lang)
            return Notice("proposal.invalid.registration_url", text, lang, "registration_url")
        kind: EventKind = "training" if _TRAINING.search(title) else "block_meeting"
        if kind == "block_meeting" and block is None:
            return Notice("event.needs_block", say("event.needs_block", lang), lang, "block")
        start, end = span
        event_id = f"{block or 'national'}-{start.date().isoformat()}" + ("-training" if kind == "training" else "")
        if self._events.get(event_id) is not None:
            return Notice("event.exists", say("event.exists", lang, id=event_id), lang, "when")
        venue = Venue(description=draft.venue.strip()) if draft.venue.strip() else None
        event = Event(event_id, kind, title, start, block=block, ends_at=end, venue=venue,
                      registration_url=url or None, source=source)  # fmt: skip
        return self._save(event, "event.added", lang)

    def _move(self, rest: str, lang: Lang) -> Notice:
        found = _MOVE.match(rest)
        span = parse_when(found["when"], self._tz) if found else None
        if found is None or span is None:
            return Notice("event.usage", say("event.usage", lang), lang)
        event = self._events.get(found["id"])
        if event is None:
            return Notice("event.unknown", say("event.unknown", lang, id=found["id"]), lang)
        moved = dataclasses.replace(event, starts_at=span[0], ends_at=span[1], status="scheduled")
        return self._save(moved, "event.moved", lang)

    def _cancel(self, rest: str, lang: Lang) -> Notice:
        event = self._events.get(rest)
        if event is None:
            return Notice("event.unknown", say("event.unknown", lang, id=rest), lang)
        return self._save(dataclasses.replace(event, status="cancelled"), "event.cancelled_now", lang)

    def _open_proposals(self, rest: str, lang: Lang) -> Notice:
        del rest
        cards: list[ProposalCard] = self._proposals.open_cards(lang)
        if not cards:
            return Notice("event.no_proposals", say("event.no_proposals", lang), lang)
        parts = [f"[{c.proposal.id}]\n{c.text}" for c in cards]
        return Notice("event.proposals", "\n\n".join([say("event.proposals", lang), *parts]), lang)

    def _save(self, event: Event, key: str, lang: Lang) -> Notice:
        now = self._clock.now()
        self._events.upsert_many([event], at=now)
        self._on_change(now)
        when = format_span(event.starts_at, event.ends_at, lang, self._tz)
        return Notice(key, say(key, lang, id=event.id, title=event.title, when=when), lang)

    def _block_key(self, name: str) -> str | None:
        """The block's key (None for national; "" for no block at all)."""
        plain = name.lower().removesuffix("ブロック").removesuffix(" block")
        if plain in {"national", "全国", "-"}:
            return None
        for block in self._knowledge.blocks():
            if plain in {block.key, *block.names, *(n.lower() for n in block.names_en)}:
                return block.key
        return ""
