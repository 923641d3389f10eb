"""The archive of announcements in TinyDB, one file per month of arrival."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import TYPE_CHECKING

from storage.archive import MonthlyArchive
from storage.records import Announcement

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["TinyAnnouncementRepository"]

_RECENT = 2000


class TinyAnnouncementRepository:
    """Announcements, one file per month of arrival: a new one rewrites this month's file only.

    Which message ids are known (for de-duplication) and where each announcement lives are kept in
    memory, read once from the archive on first use.
    """

    def __init__(self, archive: MonthlyArchive) -> None:
        self._archive = archive
        self._keys: set[str] | None = None
        self._months: dict[str, str] = {}
        # The outbox renders what was just received: keep those at hand instead of re-reading the month.
        self._recent: OrderedDict[str, Announcement] = OrderedDict()

    def _ensure_keys(self) -> set[str]:
        if self._keys is None:
            keys: set[str] = set()
            for month in self._archive.partitions():
                for doc in self._archive.docs_in(month):
                    keys.add(doc["message_id"])
                    self._months[doc["id"]] = month
            self._keys = keys
        return self._keys

    def knows(self, message_key: str) -> bool:
        """Whether an announcement with this Message-ID (or content hash) is already stored."""
        return message_key in self._ensure_keys()

    def get(self, announcement_id: str) -> Announcement | None:
        cached = self._recent.get(announcement_id)
        if cached is not None:
            return cached
        self._ensure_keys()
        month = self._months.get(announcement_id)
        if month is None:
            return None
        doc = next((d for d in self._archive.docs_in(month) if d["id"] == announcement_id), None)
        return Announcement.from_doc(doc) if doc else None

    def add_many(self, announcements: Iterable[Announcement]) -> None:
        batch = list(announcements)
        keys = self._ensure_keys()
        used = self._archive.append_many([(a.received_at, a.to_doc()) for a in batch])
        for a in batch:
            keys.add(a.message_id)
            self._months[a.id] = used[MonthlyArchive.partition_of(a.received_at)]
            self._recent[a.id] = a
        while len(self._recent) > _RECENT:
            self._recent.popitem(last=False)

    def recent(self, limit: int) -> list[Announcement]:
        docs = itertools.islice(self._archive.iter_docs(newest_first=True), limit)
        return [Announcement.from_doc(doc) for doc in docs]

    def count(self) -> int:
        return self._archive.count()
