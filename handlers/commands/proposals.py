"""The secretariat decides on meetings read from posts, from chat: a card with what was read and what is in
doubt, three buttons (登録 / 修正 / 登録しない), and a correction form. Only the secretariat gets past any
step; each step checks again, because a button can be pressed by anyone who sees it (or forged)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from handlers.commands.model import Notice, ProposalCorrection
from handlers.dates import format_datetime, format_span
from handlers.texts import say
from storage.datafile_fields import URL
from storage.errors import RmoBotError
from storage.records import Venue

if TYPE_CHECKING:
    from datetime import tzinfo

    from handlers.commands.model import Asker
    from handlers.meetings.desk import MeetingDesk
    from handlers.messages import Lang
    from handlers.ports import AnnouncementRepository, Clock, KnowledgeRepository
    from storage.records import Event, Proposal

__all__ = ["CorrectionField", "ProposalCard", "ProposalCommands", "ProposalCorrection", "parse_when"]

Decision = Literal["accept", "reject"]
CorrectionField = Literal["title", "when", "venue", "registration_url", "deadline"]
_WHEN = re.compile(
    r"^\s*(?P<y>\d{4})[-/年]\s*(?P<m>\d{1,2})[-/月]\s*(?P<d>\d{1,2})日?\s*(?:\([^)]*\)|（[^）]*）)?\s*"
    r"(?P<h>\d{1,2})[:：時](?P<mi>\d{2})分?\s*(?:[-~～〜]\s*(?P<eh>\d{1,2})[:：時](?P<emi>\d{2})分?)?\s*$"
)


def parse_when(text: str, tz: tzinfo) -> tuple[datetime, datetime | None] | None:
    """「2027-01-20 13:30-16:30」 (or 2027/1/20 13:30～16:30, 2027年1月20日 13時30分): start and end, or None."""
    when = _WHEN.match(text)
    if when is None:
        return None
    try:
        start = datetime(int(when["y"]), int(when["m"]), int(when["d"]), int(when["h"]), int(when["mi"]), tzinfo=tz)
        end = start.replace(hour=int(when["eh"]), minute=int(when["emi"])) if when["eh"] else None
    except ValueError:
        return None
    return None if end is not None and end <= start else (start, end)


@dataclass(frozen=True, slots=True)
class ProposalCard:
    """A proposal as the secretariat sees it: `text` says it all in one language; `lines` are its parts
    (the event's), `doubts` what to check, `decided` who decided what (None while it is open)."""

    text: str
    lang: Lang
    proposal: Proposal
    heading: str
    lines: tuple[str, ...]
    doubts: tuple[str, ...]
    decided: str | None = None


class ProposalCommands:
    """Cards, decisions and corrections for the meeting desk, for every platform alike."""

    def __init__(
        self,
        desk: MeetingDesk,
        announcements: AnnouncementRepository,
        knowledge: KnowledgeRepository,
        clock: Clock,
        tz: tzinfo,
    ) -> None:
        self._desk = desk
        self._announcements = announcements
        self._knowledge = knowledge
        self._clock = clock
        self._tz = tz

    def open_cards(self, lang: Lang = "ja") -> list[ProposalCard]:
        return [self.card(p, lang) for p in self._desk.open()]

    def card(self, proposal: Proposal, lang: Lang = "ja", decided_by: str | None = None) -> ProposalCard:
        event = proposal.event
        post = self._announcements.get(proposal.announcement_id)
        heading = say(f"proposal.heading.{proposal.action}", lang, subject=post.subject if post else "")
        lines = self._event_lines(event, lang)
        doubts = tuple(say(f"doubt.{code}", lang, detail=detail) for code, detail in proposal.doubts)
        decided = None
        if proposal.status != "open":
            who = decided_by or proposal.decided_by or ""
            decided = say(f"proposal.{proposal.status}", lang, who=who)
        parts = [heading, *lines]
        if doubts:
            parts += [say("proposal.doubts", lang), *(f"・{d}" for d in doubts)]
        if decided:
            parts.append(decided)
        return ProposalCard("\n".join(parts), lang, proposal, heading, tuple(lines), doubts, decided)

    def _event_lines(self, event: Event, lang: Lang) -> list[str]:
        block = next((b for b in self._knowledge.blocks() if b.key == event.block), None)
        where_block = (block.name if lang == "ja" else block.name_en) if block else say("event.national", lang)
        lines = [f"{event.title}（{where_block}）" if lang == "ja" else f"{event.title} [{where_block}]"]
        lines.append(say("event.when", lang, when=format_span(event.starts_at, event.ends_at, lang, self._tz)))
        venue = event.venue
        if venue and (venue.description or venue.address):
            lines.append(say("event.where", lang, where="　".join(p for p in (venue.description, venue.address) if p)))
        if venue and venue.online_url:
            lines.append(say("event.online", lang, url=venue.online_url))
        if event.registration_url:
            lines.append(say("event.register", lang, url=event.registration_url))
        if event.registration_deadline:
            lines.append(say("event.deadline", lang, when=format_datetime(event.registration_deadline, lang, self._tz)))
        if event.status == "cancelled":
            lines.append(say("proposal.will_cancel", lang))
        return lines

    # Decisions --------------------------------------------------------------------------------------

    def decide(
        self, asker: Asker, proposal_id: str, decision: Decision, lang: Lang = "ja", who: str = ""
    ) -> ProposalCard | Notice:
        """登録 or 登録しない, pressed by `asker` (named `who` on the card)."""
        if not asker.secretariat:
            return Notice("proposal.refused", say("proposal.refused", lang), lang)
        now = self._clock.now()
        by = who or f"{asker.platform}:{asker.user}"
        try:
            if decision == "accept":
                self._desk.accept(proposal_id, by, now)
            else:
                self._desk.reject(proposal_id, by, now)
        except RmoBotError as exc:
            return Notice("proposal.failed", say("proposal.failed", lang, reason=str(exc)), lang)
        (decided,) = self._desk.decided([proposal_id])
        return self.card(decided, lang, who)

    def correction_of(self, asker: Asker, proposal_id: str, lang: Lang = "ja") -> ProposalCorrection | Notice:
        """The correction form's initial values: what was read."""
        if not asker.secretariat:
            return Notice("proposal.refused", say("proposal.refused", lang), lang)
        proposal = next((p for p in self._desk.open() if p.id == proposal_id), None)
        if proposal is None:
            return Notice("proposal.gone", say("proposal.gone", lang), lang)
        return self.values_of(proposal.event)

    def values_of(self, event: Event) -> ProposalCorrection:
        """An event as the correction form shows it."""
        start = event.starts_at.astimezone(self._tz)
        when = f"{start:%Y-%m-%d %H:%M}" + (f"-{event.ends_at.astimezone(self._tz):%H:%M}" if event.ends_at else "")
        venue = "　".join(p for p in ((event.venue.description, event.venue.address) if event.venue else ()) if p)
        due = event.registration_deadline
        deadline = f"{due.astimezone(self._tz):%Y-%m-%d %H:%M}" if due else ""
        return ProposalCorrection(event.title, when, venue, event.registration_url or "", deadline)

    def correct(
        self, asker: Asker, proposal_id: str, form: ProposalCorrection, lang: Lang = "ja", who: str = ""
    ) -> ProposalCard | Notice:
        """The correction form, submitted: the corrected meeting goes on the calendar, or what is wrong."""
        if not asker.secretariat:
            return Notice("proposal.refused", say("proposal.refused", lang), lang)
        proposal = next((p for p in self._desk.open() if p.id == proposal_id), None)
        if proposal is None:
            return Notice("proposal.gone", say("proposal.gone", lang), lang)
        corrected = self.corrected(proposal.event, form, lang)
        if isinstance(corrected, Notice):
            return corrected
        try:
            self._desk.accept(proposal_id, who or f"{asker.platform}:{asker.user}", self._clock.now(), corrected)
        except RmoBotError as exc:
            return Notice("proposal.failed", say("proposal.failed", lang, reason=str(exc)), lang)
        (decided,) = self._desk.decided([proposal_id])
        return self.card(decided, lang, who)

    def corrected(self, event: Event, form: ProposalCorrection, lang: Lang) -> Event | Notice:
        """`event` as the form says it is now, or what is wrong with the form (its field)."""

        def wrong(field: CorrectionField) -> Notice:
            return Notice(f"proposal.invalid.{field}", say(f"proposal.invalid.{field}", lang), lang, field)

        title = form.title.strip()
        if not title or len(title) > 150:
            return wrong("title")
        span = parse_when(form.when, self._tz)
        if span is None:
            return wrong("when")
        start, end = span
        url = form.registration_url.strip()
        if url and not URL.match(url):
            return wrong("registration_url")
        deadline = None
        if form.deadline.strip():
            typed = form.deadline.strip()
            found = parse_when(typed if ":" in typed or "時" in typed else typed + " 23:59", self._tz)
            if found is None:
                return wrong("deadline")
            deadline = found[0]
        venue_text = form.venue.strip()
        venue = event.venue
        if venue_text != "　".join(p for p in ((venue.description, venue.address) if venue else ()) if p):
            venue = Venue(description=venue_text or None, online_url=venue.online_url if venue else None)
        return dataclasses.replace(event, title=title, starts_at=start, ends_at=end, venue=venue,
                                   registration_url=url or None, registration_deadline=deadline)  # fmt: skip
