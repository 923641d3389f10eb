"""The secretariat's desk for meetings read from posts: each accepted post that announces, moves or cancels
a meeting becomes a proposal; accepted (as read, or corrected), it is the calendar's; rejected, it is not.

Nothing here talks to a platform: the chat and the command line only translate. Accepting writes the
event through the same repository as an import, so the change log, the reminders and the digests follow.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
from collections import OrderedDict
from datetime import timedelta
from typing import TYPE_CHECKING

from storage.errors import RmoBotError
from storage.records import Event, Proposal

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from datetime import datetime

    from handlers.meetings.reading import MeetingReading
    from handlers.ports import CalendarWriter, ProposalRepository
    from storage.records import Announcement, ProposalAction

__all__ = ["MeetingDesk", "ProposalError"]

_log = logging.getLogger(__name__)


_READ_CHARS = 6_000  # a meeting is announced at the start of a post: a long one is not read to its end
_AHEAD = 16  # readings done ahead and kept until the post is accepted (a batch is at most a few)
_SAME_MEETING = timedelta(days=45)  # how far a move may take a meeting and still be found as the same one


class ProposalError(RmoBotError):
    """A decision that cannot be made: no such open proposal, or nothing to move."""


def _event_id(reading: MeetingReading) -> str:
    """A stable id from what the meeting is: its block, its day and its kind (`kinki-2027-01-20`)."""
    assert reading.starts_at is not None
    day = reading.starts_at.date().isoformat()
    suffix = "-training" if reading.kind == "training" else ""
    return f"{reading.block or 'national'}-{day}{suffix}"


class MeetingDesk:
    """Proposals from posts, and the secretariat's decisions on them."""

    def __init__(
        self,
        events: CalendarWriter,
        proposals: ProposalRepository,
        reader: Callable[[str, str, datetime], MeetingReading | None] | None,
        *,
        auto_accept: bool = False,
        on_change: Callable[[datetime], object] = lambda _: None,
        on_proposal: Callable[[Proposal], object] = lambda _: None,
    ) -> None:
        self._events = events
        self._proposals = proposals
        self._reader = reader
        self._auto_accept = auto_accept
        self._on_change = on_change  # e.g. plan the reminders
        self._on_proposal = on_proposal  # e.g. tell the secretariat in chat
        # Readings done ahead, in a worker thread, of posts about to be accepted (see `read_ahead`).
        self._ahead: OrderedDict[tuple[str, str, datetime], MeetingReading | None] = OrderedDict()
        self._ahead_lock = threading.Lock()

    # Reading ----------------------------------------------------------------------------------------

    def read(self, announcement: Announcement) -> MeetingReading | None:
        """What `announcement` says about a meeting (None: it announces none, or no reader is configured)."""
        if self._reader is None or announcement.source != "mail":
            return None
        key = (announcement.subject, announcement.body[:_READ_CHARS], announcement.sent_at or announcement.received_at)
        with self._ahead_lock:
            if key in self._ahead:
                return self._ahead.pop(key)
        return self._reader(*key)

    def read_ahead(self, subject: str, body: str, posted_at: datetime) -> None:
        """Read a post that is about to be accepted, so that `read` finds the result ready (it reads again
        if anything differs). Safe in a worker thread: the reader uses no repository; never raises."""
        if self._reader is None:
            return
        key = (subject, body[:_READ_CHARS], posted_at)
        try:
            reading = self._reader(*key)
        except Exception:  # noqa: BLE001 - `read` reads it again and reports it where a failure is handled
            return
        with self._ahead_lock:
            self._ahead[key] = reading
            while len(self._ahead) > _AHEAD:
                self._ahead.popitem(last=False)

    def proposal_for(self, announcement: Announcement, now: datetime) -> Proposal | None:
        """The proposal `announcement` makes, not stored (None: it proposes nothing new)."""
        reading = self.read(announcement)
        if reading is None:
            return None
        doubts = [(d.code, d.detail) for d in reading.doubts]
        if reading.action == "announce":
            if reading.starts_at is None:
                return None  # a meeting without a date is no calendar entry
            existing = self._events.get(_event_id(reading))
            event = self._event_from(reading, announcement, existing)
            if existing is not None and existing == event:
                return None  # announced again (a reminder post, a re-send): nothing new
            action: ProposalAction = "announce" if existing is None or existing.starts_at == event.starts_at else "move"
        else:
            target = self._target(reading, now)
            if target is None:
                doubts.append(("no_event", ""))
                if reading.starts_at is None:
                    return None  # a change to a meeting we do not know, with nothing to propose
                target = self._event_from(reading, announcement, None)
            action = reading.action
            event = self._changed(target, reading)
        key = f"{announcement.id}:{event.id}:{action}"
        return Proposal(
            id="p" + hashlib.sha256(key.encode()).hexdigest()[:10],
            action=action,
            event=event,
            announcement_id=announcement.id,
            created_at=now,
            doubts=tuple(doubts),
        )

    def _event_from(self, reading: MeetingReading, announcement: Announcement, existing: Event | None) -> Event:
        assert reading.starts_at is not None
        fresh = Event(
            id=existing.id if existing else _event_id(reading),
            kind=reading.kind,
            title=reading.title,
            starts_at=reading.starts_at,
            block=reading.block,
            ends_at=reading.ends_at,
            venue=reading.venue,
            registration_url=reading.registration_url,
            registration_deadline=reading.registration_deadline,
            source="mail",
            announcement_id=announcement.id,
        )
        if existing is None:
            return fresh
        # What the post does not say, the calendar keeps.
        return dataclasses.replace(
            existing,
            title=fresh.title or existing.title,
            starts_at=fresh.starts_at,
            ends_at=fresh.ends_at or existing.ends_at,
            venue=fresh.venue or existing.venue,
            registration_url=fresh.registration_url or existing.registration_url,
            registration_deadline=fresh.registration_deadline or existing.registration_deadline,
        )

    def _target(self, reading: MeetingReading, now: datetime) -> Event | None:
        """The announced meeting a move or cancellation is about: same kind and block, on the day the post
        names as before, else the one nearest the new day (or, with no day, the next one)."""
        candidates = [
            e
            for e in self._events.upcoming(after=now - timedelta(days=1), kind=reading.kind, limit=200)
            if e.block == reading.block
        ]
        if not candidates:
            return None
        previous = reading.previous_starts_at
        if previous is not None:
            same_day = [e for e in candidates if e.starts_at.date() == previous.date()]
            return same_day[0] if same_day else None
        if reading.starts_at is None:
            return candidates[0]
        assert reading.starts_at is not None
        new = reading.starts_at
        nearest = min(candidates, key=lambda e: abs(e.starts_at - new))
        return nearest if abs(nearest.starts_at - new) <= _SAME_MEETING else None

    @staticmethod
    def _changed(target: Event, reading: MeetingReading) -> Event:
        if reading.action == "cancel":
            return dataclasses.replace(target, status="cancelled")
        assert reading.starts_at is not None
        length = (target.ends_at - target.starts_at) if target.ends_at else None
        ends = reading.ends_at or (reading.starts_at + length if length else None)
        return dataclasses.replace(
            target,
            starts_at=reading.starts_at,
            ends_at=ends,
            venue=reading.venue or target.venue,
            status="scheduled",
        )

    # Writing ----------------------------------------------------------------------------------------

    def propose_many(self, announcements: Iterable[Announcement], now: datetime) -> list[Proposal]:
        """Store the proposals of newly accepted posts; an unambiguous one is accepted at once when
        `auto_accept` is on. Never raises: a post that cannot be read as a meeting is still relayed."""
        made: list[Proposal] = []
        for announcement in announcements:
            try:
                proposal = self.proposal_for(announcement, now)
                if proposal is None or self._proposals.get(proposal.id) is not None:
                    continue
                self._proposals.add(proposal)
                if self._auto_accept and not proposal.doubts:
                    self.accept(proposal.id, "auto_accept", now)
                    proposal = self._proposals.get(proposal.id) or proposal
                made.append(proposal)
                self._on_proposal(proposal)
            except Exception:  # noqa: BLE001 - the calendar must never cost a post its relay
                _log.exception("could not read a meeting from announcement %s", announcement.id)
        return made

    def open(self) -> list[Proposal]:
        return self._proposals.open()

    def _open_one(self, proposal_id: str) -> Proposal:
        proposal = self._proposals.get(proposal_id)
        if proposal is None:
            msg = f"no proposal {proposal_id} (rmo-bot events proposals lists the open ones)"
            raise ProposalError(msg)
        if proposal.status != "open":
            msg = f"proposal {proposal_id} was already {proposal.status} by {proposal.decided_by}"
            raise ProposalError(msg)
        return proposal

    def accept(self, proposal_id: str, by: str, now: datetime, corrected: Event | None = None) -> Event:
        """Put the proposal's event (or the secretariat's correction of it) on the calendar."""
        proposal = self._open_one(proposal_id)
        if proposal.action != "announce" and ("no_event", "") in proposal.doubts and corrected is None:
            msg = f"proposal {proposal_id} {proposal.action}s a meeting that is not on the calendar"
            raise ProposalError(msg)
        event = corrected or proposal.event
        self._events.upsert_many([event], at=now)
        self._proposals.decide(dataclasses.replace(proposal, event=event), "accepted", by, now)
        self._on_change(now)
        return event

    def reject(self, proposal_id: str, by: str, now: datetime) -> Proposal:
        return self._proposals.decide(self._open_one(proposal_id), "rejected", by, now)

    def decided(self, ids: Sequence[str]) -> list[Proposal]:
        return [p for i in ids if (p := self._proposals.get(i)) is not None]
