"""The secretariat's corrections and withdrawals of relayed posts, from chat, the command line or the list.

Invariants: the deliveries that edit or delete the posted messages are in the outbox before the revision is
on record, as a new post's deliveries are before its announcement; each goes in the lane of the channel it
changes, behind the post itself, so it is done after it, once, and retried like any post. Only posts to
chat channels are changed (a Facebook Page post stays as it was).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from storage.records import Delivery
from storage.revisions import Revision

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from datetime import datetime

    from handlers.intake_rules import Routes
    from handlers.ports import AnnouncementRepository, OutboxRepository, OutboxWatcher
    from storage.records import Announcement

__all__ = ["ANNOUNCEMENT_ID", "CHAT_PLATFORMS", "Corrections", "Revised", "RevisionRepository"]

_log = logging.getLogger(__name__)

CHAT_PLATFORMS = frozenset({"slack", "discord"})  # where a posted message can be edited and deleted
ANNOUNCEMENT_ID = re.compile(r"\ba[0-9a-f]{16}\b")
Problem = Literal["unknown", "already_withdrawn"]


class RevisionRepository(Protocol):
    """The newest correction or withdrawal of each announcement, and the correction mails applied."""

    def get(self, announcement_id: str) -> Revision | None: ...
    def knows(self, message_key: str) -> bool: ...
    def record(self, revision: Revision, *, message_key: str = "") -> None: ...


@dataclass(frozen=True, slots=True)
class Revised:
    """A correction or withdrawal done: the announcement as it reads now, and how many channels change."""

    announcement: Announcement
    deliveries: tuple[Delivery, ...]


class Corrections:
    """Withdraws and corrects stored announcements, and queues the changes for every chat channel."""

    def __init__(
        self,
        announcements: AnnouncementRepository,
        revisions: RevisionRepository,
        outbox: OutboxRepository,
        routes: Routes,
        transaction: Callable[[], AbstractContextManager[None]],
        watcher: OutboxWatcher,
    ) -> None:
        self._announcements = announcements
        self._revisions = revisions
        self._outbox = outbox
        self._routes = routes
        self._transaction = transaction
        self._watcher = watcher

    def current(self, announcement_id: str) -> Announcement | None:
        """A post as members read it now (corrected, or marked withdrawn)."""
        return self._announcements.get(announcement_id)

    def withdraw(self, announcement_id: str, by: str, now: datetime) -> Revised | Problem:
        """Take a post back: deleted from every chat channel, gone from the digests and the pages."""
        current = self._announcements.get(announcement_id)
        if current is None:
            return "unknown"
        if current.withdrawn:
            return "already_withdrawn"
        count = self._count(announcement_id)
        revision = Revision(announcement_id, "withdrawn", now, by, count=count)
        return self._apply(current, revision, "delete", "")

    def correct(
        self, announcement_id: str, body: str, by: str, now: datetime, *, subject: str = "", body_ref: str = "",
        message_key: str = "",
    ) -> Revised | Problem:  # fmt: skip
        """Replace a post's text (and subject, when given): edited in place in every chat channel."""
        current = self._announcements.get(announcement_id)
        if current is None:
            return "unknown"
        if current.withdrawn:
            return "already_withdrawn"
        revision = Revision(
            announcement_id, "corrected", now, by, subject.strip() or current.subject, "" if body_ref else body,
            body_ref, self._count(announcement_id),
        )  # fmt: skip
        return self._apply(current, revision, "edit", message_key)

    def plan(self, announcement: Announcement, action: str, count: int) -> tuple[Delivery, ...]:
        """The deliveries that carry one revision to each chat channel the post went to (not yet queued)."""
        name = "withdraw" if action == "delete" else f"correct{count}"
        return tuple(
            Delivery(
                f"{announcement.id}.{name}.{platform}.{channel}",
                announcement.id,
                platform,
                channel,
                self._outbox.next_seq(),
                announcement.received_at,
                action=action,
            )
            for platform, channel in self._routes.destinations(announcement.blocks)
            if platform in CHAT_PLATFORMS
        )

    def record(self, revision: Revision, message_key: str = "") -> None:
        """Put a revision on record (after its deliveries are in the outbox)."""
        self._revisions.record(revision, message_key=message_key)

    def next_count(self, announcement_id: str) -> int:
        return self._count(announcement_id)

    def knows(self, message_key: str) -> bool:
        """Whether a correction mail with this Message-ID was applied already."""
        return self._revisions.knows(message_key)

    def _count(self, announcement_id: str) -> int:
        previous = self._revisions.get(announcement_id)
        return previous.count + 1 if previous is not None else 1

    def _apply(self, current: Announcement, revision: Revision, action: str, message_key: str) -> Revised:
        deliveries = self.plan(current, action, revision.count)
        with self._transaction():
            self._outbox.add_many(deliveries)
            self._outbox.commit()
        self.record(revision, message_key)
        self._watcher.queued(deliveries)
        _log.info("%s %s by %s: %d channels", revision.kind, current.id, revision.by, len(deliveries))
        revised = self._announcements.get(current.id)
        return Revised(revised or current, deliveries)
