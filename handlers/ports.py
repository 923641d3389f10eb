"""Ports the handlers need: the repositories they read and write, a clock, and who posts the outbox.

Each is a Protocol with exactly the methods the handlers call. The store's repositories satisfy them
structurally (mypy checks it where bot/core.py hands them over), so no handler names a concrete one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence
    from datetime import datetime

    from handlers.messages import Lang
    from storage.conversations import Conversation
    from storage.records import (
        Announcement,
        Block,
        Delivery,
        Event,
        EventChange,
        EventKind,
        FaqEntry,
        Member,
        NetworkInfo,
        Officer,
        Proposal,
        ProposalStatus,
        QuarantinedMail,
        UnansweredQuestion,
    )
    from storage.reminders import Reminder
    from storage.subscribers import Subscriber

__all__ = [
    "AnnouncementRepository",
    "CalendarWriter",
    "ChangingCalendar",
    "Clock",
    "ConversationRepository",
    "EventRepository",
    "KnowledgeRepository",
    "LinkMailer",
    "MeetingProposer",
    "OutboxRepository",
    "OutboxWatcher",
    "ProposalRepository",
    "QuarantineRepository",
    "ReminderRepository",
    "SubscriberRepository",
    "UnansweredRepository",
]


class Clock(Protocol):
    """Where every "now" comes from, so tests and `--now` can freeze time."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class OutboxWatcher(Protocol):
    """Told of every delivery put in the outbox, so whoever posts the outbox starts on it at once."""

    def queued(self, deliveries: Sequence[Delivery]) -> None:
        """`deliveries` are durably in the outbox."""
        ...


class KnowledgeRepository(Protocol):
    """The network's standing knowledge: what it is, its blocks, officers, members and FAQ."""

    def network(self) -> NetworkInfo | None: ...
    def blocks(self) -> tuple[Block, ...]: ...
    def officers(self) -> tuple[Officer, ...]: ...
    def members(self) -> tuple[Member, ...]: ...
    def faq(self) -> tuple[FaqEntry, ...]: ...


class EventRepository(Protocol):
    """Block meetings and trainings, read (imports write them, beside the handlers)."""

    def get(self, event_id: str) -> Event | None: ...
    def get_many(self, event_ids: Sequence[str]) -> list[Event]: ...
    def all(self) -> list[Event]: ...
    def upcoming(
        self,
        *,
        after: datetime,
        until: datetime | None = None,
        kind: EventKind | None = None,
        blocks: Collection[str | None] | None = None,
        limit: int = 5,
    ) -> list[Event]:
        """Scheduled events not yet over at `after` (and starting before `until`), soonest first."""
        ...

    def count_upcoming(
        self,
        *,
        after: datetime,
        until: datetime | None = None,
        kind: EventKind | None = None,
        blocks: Collection[str | None] | None = None,
        limit: int = 50,
    ) -> int:
        """How many events `upcoming` would list, counted up to `limit`."""
        ...

    def changes_since(self, after: datetime) -> list[EventChange]:
        """Meetings moved, re-sited or cancelled after `after`, oldest first."""
        ...

    def past(
        self,
        *,
        before: datetime,
        since: datetime | None = None,
        kind: EventKind | None = None,
        blocks: Collection[str | None] | None = None,
        limit: int = 5,
    ) -> list[Event]:
        """Scheduled events over by `before` (and started at `since` or later), the most recent first."""
        ...

    def cancelled(
        self,
        *,
        after: datetime,
        until: datetime | None = None,
        kind: EventKind | None = None,
        blocks: Collection[str | None] | None = None,
        limit: int = 5,
    ) -> list[Event]:
        """Cancelled events that would have started between `after` and `until`, soonest first."""
        ...

    def last_move(self, event_id: str) -> EventChange | None:
        """The latest recorded move of an event, if it ever moved."""
        ...


class ChangingCalendar(EventRepository, Protocol):
    """The events, with what changed since a revision: what the reminders are planned from, one event at a time."""

    def ids(self) -> list[str]:
        """Every event's id."""
        ...

    def changed_after(self, revision: int) -> tuple[int, list[str]]:
        """The ids of the events written since `revision` (0: since the store opened), and the revision now."""
        ...


class CalendarWriter(EventRepository, Protocol):
    """The events, written: the secretariat's decisions (a change to a meeting is recorded for the digests)."""

    def upsert_many(self, events: Iterable[Event], *, at: datetime) -> int: ...


class ProposalRepository(Protocol):
    """Meetings read from posts, open or decided."""

    def get(self, proposal_id: str) -> Proposal | None: ...
    def open(self) -> list[Proposal]: ...
    def for_announcement(self, announcement_id: str) -> list[Proposal]: ...
    def add(self, proposal: Proposal) -> None: ...
    def decide(self, proposal: Proposal, status: ProposalStatus, by: str, at: datetime) -> Proposal: ...
    def mark_notified(self, proposal_id: str, platform: str) -> None: ...


class MeetingProposer(Protocol):
    """Reads newly accepted posts for the meetings they announce, move or cancel, and proposes them."""

    def propose_many(self, announcements: Iterable[Announcement], now: datetime) -> list[Proposal]: ...
    def read_ahead(self, subject: str, body: str, posted_at: datetime) -> None:
        """Read a post about to be accepted, in a worker thread, so that `propose_many` does not on the loop."""
        ...


class ConversationRepository(Protocol):
    """What each conversation was last about, kept across restarts, for understanding follow-ups."""

    def get(self, key: str) -> Conversation | None: ...
    def put(self, conversation: Conversation) -> None: ...


class UnansweredRepository(Protocol):
    """Questions the bot could not answer, for the secretariat."""

    def record(self, question: UnansweredQuestion) -> None: ...


class AnnouncementRepository(Protocol):
    """The archive of announcements, newest last, kept for years."""

    def knows(self, message_key: str) -> bool:
        """Whether an announcement with this Message-ID (or content hash) is already stored."""
        ...

    def get(self, announcement_id: str) -> Announcement | None: ...
    def find_message(self, message_id: str) -> Announcement | None:
        """The announcement a Message-ID (without <>) was stored as."""
        ...

    def add_many(self, announcements: Iterable[Announcement]) -> None: ...
    def keep_body(self, text: str) -> str:
        """Store a big text on its own and return its reference (`Announcement.body_ref`); safe in a
        worker thread beside the event loop's use of the archive."""
        ...

    def keep_file(self, data: bytes) -> str:
        """Store an attachment's bytes and return the name they are kept under (`Attachment.ref`); safe in
        a worker thread, like `keep_body`."""
        ...

    def read_file(self, ref: str) -> bytes | None:
        """An attachment's bytes by its `ref`; None when they are not kept."""
        ...

    def recent(self, limit: int) -> list[Announcement]:
        """The newest `limit` announcements, newest first."""
        ...


class OutboxRepository(Protocol):
    """Deliveries waiting to be posted; changes are kept in memory until `commit` writes them together."""

    def next_seq(self) -> int:
        """The next place in the outbox's order, kept across restarts."""
        ...

    def add_many(self, deliveries: Iterable[Delivery]) -> None: ...
    def commit(self) -> None:
        """Write what changed (inside the caller's transaction)."""
        ...


class QuarantineRepository(Protocol):
    """Mail the intake kept but did not relay: each record with its raw message."""

    def add_many(self, items: list[tuple[QuarantinedMail, bytes]]) -> None: ...
    def prune(self, *, max_bytes: int, older_than: datetime) -> int:
        """Drop the oldest until what is kept fits, and everything older than `older_than`."""
        ...


class ReminderRepository(Protocol):
    """Each event's reminders and what became of them."""

    def all(self) -> list[Reminder]: ...
    def get(self, reminder_id: str) -> Reminder | None: ...
    def for_event(self, event_id: str) -> list[Reminder]: ...
    def due(self, now: datetime) -> list[Reminder]:
        """The pending reminders due at `now` or before, soonest first, without reading the others."""
        ...

    def save(self, reminders: Iterable[Reminder]) -> int:
        """Write these (new or changed) reminders in one write; returns how many changed."""
        ...


class SubscriberRepository(Protocol):
    """Digest subscribers, by address."""

    def get(self, email: str) -> Subscriber | None: ...
    def all(self) -> list[Subscriber]: ...
    def save(self, subscribers: Iterable[Subscriber]) -> int:
        """Write new or changed subscribers in one go; returns how many changed."""


class LinkMailer(Protocol):
    """Mails a subscriber the one link they need: to confirm a subscription, or to stop the digest. The
    mail is queued, not awaited: an answer must not take longer (and so reveal) that an address is known."""

    async def send_confirmation(self, email: str, token: str, lang: Lang) -> None:
        """A mail to `email` whose link confirms the subscription that `token` stands for."""
        ...

    async def send_unsubscribe_link(self, email: str, token: str, lang: Lang) -> None:
        """A mail to `email` whose link stops its digest."""
        ...
