"""Ports the handlers need: the repositories they read and write, a clock, and who posts the outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence
    from datetime import datetime

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
        UnansweredQuestion,
    )

__all__ = [
    "AnnouncementRepository",
    "Clock",
    "EventRepository",
    "KnowledgeRepository",
    "OutboxWatcher",
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
    """Block meetings and trainings."""

    def get(self, event_id: str) -> Event | None: ...
    def all(self) -> list[Event]: ...
    def count(self) -> int: ...
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

    def upsert_many(self, events: Iterable[Event], *, at: datetime | None = None) -> int: ...
    def changes_since(self, after: datetime) -> list[EventChange]:
        """Meetings moved, re-sited or cancelled after `after`, oldest first."""
        ...


class UnansweredRepository(Protocol):
    """Questions the bot could not answer, for the secretariat."""

    def record(self, question: UnansweredQuestion) -> None: ...
    def recent(self, limit: int | None = None) -> list[UnansweredQuestion]: ...


class AnnouncementRepository(Protocol):
    """The archive of announcements, newest last, kept for years."""

    def add_many(self, announcements: Iterable[Announcement]) -> None: ...
    def recent(self, limit: int) -> list[Announcement]: ...
    def count(self) -> int: ...
