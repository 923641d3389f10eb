"""Block meetings and trainings in TinyDB, indexed for "the next meetings of this block", with their changes."""

from __future__ import annotations

import bisect
import heapq
import itertools
from typing import TYPE_CHECKING, Any

from storage.documents import replacer
from storage.records import ASSUMED_DURATION, Event, EventChange, EventKind

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Iterator
    from datetime import datetime

    from tinydb import TinyDB

    from storage.atomic import AtomicJSONStorage

__all__ = ["TinyEventRepository"]


_IndexKey = tuple[str, str | None]
_Entry = tuple[float, str, float]  # start, id, end (assumed when the event has none)


class TinyEventRepository:
    """Events in one file, with an in-memory index by (kind, block) sorted on start time.

    Answering "the next meetings of this block" must not scan every event ever held, so the index turns
    it into a bisect per list; it is built on first use and kept in step by every write here.
    """

    def __init__(self, db: TinyDB, storage: AtomicJSONStorage) -> None:
        self._table = db.table("events")
        self._changes = db.table("changes")  # same file: an event and its change are written together
        self._storage = storage
        self._doc_ids: dict[str, int] | None = None
        self._index: dict[_IndexKey, list[_Entry]] = {}
        self._cancelled: dict[_IndexKey, list[_Entry]] = {}
        self._moves: dict[str, EventChange] | None = None
        self._longest = 0.0
        # The id of every event each write here changed, in order, so that the reminders re-plan those alone.
        self._changed: list[str] = []

    def _ensure_index(self) -> dict[str, int]:
        if self._doc_ids is not None:
            return self._doc_ids
        doc_ids: dict[str, int] = {}
        index: dict[_IndexKey, list[_Entry]] = {}
        cancelled: dict[_IndexKey, list[_Entry]] = {}
        longest = 0.0
        assumed = ASSUMED_DURATION.total_seconds()
        # The stored documents as the storage holds them (its public `read`), not as TinyDB Documents: at
        # 10,000 events, wrapping each one costs more than the index (and `rmo-bot ask` pays it on start).
        docs = (self._storage.read() or {}).get(self._table.name, {})
        for doc_id, doc in docs.items():
            event_id, start = doc["id"], doc["starts_ts"]
            doc_ids[event_id] = int(doc_id)
            end = doc.get("ends_ts") or start + assumed
            key = (doc["kind"], doc.get("block"))
            if doc.get("status", "scheduled") == "scheduled":
                longest = max(longest, end - start)
                index.setdefault(key, []).append((start, event_id, end))
            else:
                cancelled.setdefault(key, []).append((start, event_id, end))
        for entries in (*index.values(), *cancelled.values()):
            entries.sort()
        self._doc_ids, self._index, self._cancelled, self._longest = doc_ids, index, cancelled, longest
        return doc_ids

    def get(self, event_id: str) -> Event | None:
        doc_id = self._ensure_index().get(event_id)
        if doc_id is None:
            return None
        doc = self._table.get(doc_id=doc_id)
        assert isinstance(doc, dict)
        return Event.from_doc(doc)

    def all(self) -> list[Event]:
        events = [Event.from_doc(doc) for doc in self._table.all()]
        events.sort(key=lambda e: (e.starts_at, e.id))
        return events

    def count(self) -> int:
        return len(self._ensure_index())

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
        running = self._running(after, until, kind, blocks)
        return [event for _, event_id, _ in itertools.islice(running, limit) if (event := self.get(event_id))]

    def count_upcoming(
        self,
        *,
        after: datetime,
        until: datetime | None = None,
        kind: EventKind | None = None,
        blocks: Collection[str | None] | None = None,
        limit: int = 50,
    ) -> int:
        """How many events `upcoming` would list, counted up to `limit`, from the index alone."""
        return sum(1 for _ in itertools.islice(self._running(after, until, kind, blocks), limit))

    def _running(
        self, after: datetime, until: datetime | None, kind: EventKind | None, blocks: Collection[str | None] | None
    ) -> Iterator[_Entry]:
        self._ensure_index()
        start = after.timestamp()
        stop = until.timestamp() if until else float("inf")
        # An event that began before `after` may still be on: look back as far as the longest one lasts.
        first = (start - self._longest, "", 0.0)
        lists = [
            itertools.islice(entries, bisect.bisect_left(entries, first), None)
            for entries in self._lists(self._index, kind, blocks)
        ]
        merged: Iterator[_Entry] = heapq.merge(*lists)
        return (entry for entry in itertools.takewhile(lambda e: e[0] < stop, merged) if entry[2] > start)

    def _lists(
        self, index: dict[_IndexKey, list[_Entry]], kind: EventKind | None, blocks: Collection[str | None] | None
    ) -> list[list[_Entry]]:
        return [
            entries
            for (entry_kind, block), entries in index.items()
            if (kind is None or entry_kind == kind) and (blocks is None or block in blocks)
        ]

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
        self._ensure_index()
        end, start = before.timestamp(), since.timestamp() if since else float("-inf")
        found: list[_Entry] = []
        for entries in self._lists(self._index, kind, blocks):
            stop = bisect.bisect_left(entries, (end, "", 0.0))
            found += [e for e in entries[max(0, stop - limit * 4) : stop] if e[2] <= end and e[0] >= start]
        found.sort(reverse=True)
        return [event for _, event_id, _ in found[:limit] if (event := self.get(event_id))]

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
        self._ensure_index()
        start, stop = after.timestamp(), until.timestamp() if until else float("inf")
        lists = [
            itertools.islice(entries, bisect.bisect_left(entries, (start, "", 0.0)), None)
            for entries in self._lists(self._cancelled, kind, blocks)
        ]
        merged = itertools.takewhile(lambda e: e[0] < stop, heapq.merge(*lists))
        return [event for _, event_id, _ in itertools.islice(merged, limit) if (event := self.get(event_id))]

    def last_move(self, event_id: str) -> EventChange | None:
        """The latest recorded move of an event (its `before` says from when), if it ever moved."""
        if self._moves is None:
            moves: dict[str, EventChange] = {}
            for doc in self._changes.all():
                if doc["kind"] == "moved":
                    change = EventChange.from_doc(dict(doc))
                    if change.event_id not in moves or moves[change.event_id].changed_at <= change.changed_at:
                        moves[change.event_id] = change
            self._moves = moves
        return self._moves.get(event_id)

    def upsert_many(self, events: Iterable[Event], *, at: datetime) -> int:
        """Insert new events and replace changed ones in one atomic write; returns how many changed.
        A meeting moved, re-sited or cancelled is also recorded as a change made `at` (for the digests)."""
        doc_ids = self._ensure_index()
        replace: dict[int, dict[str, Any]] = {}
        new: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        for event in events:
            doc = event.to_doc()
            doc_id = doc_ids.get(event.id)
            if doc_id is None:
                new.append(doc)
                continue
            before = dict(self._table.get(doc_id=doc_id) or {})
            if before == doc:
                continue
            replace[doc_id] = doc
            change = EventChange.between(Event.from_doc(before), event, at)
            if change is not None:
                changes.append(change.to_doc())
        if not (replace or new):
            return 0
        try:
            with self._storage.batch():
                if replace:
                    by_id = {(doc["id"],): doc for doc in replace.values()}
                    self._table.update(replacer(("id",), by_id), doc_ids=list(replace))
                if new:
                    self._table.insert_multiple(new)
                if changes:
                    self._changes.insert_multiple(changes)
            self._changed += [doc["id"] for doc in (*replace.values(), *new)]
        finally:
            self._doc_ids = self._moves = None  # rebuilt from what was actually stored
            self._table.clear_cache()
        return len(replace) + len(new)

    def changed_after(self, revision: int) -> tuple[int, list[str]]:
        """The ids of the events written since `revision` (0: since the store opened), and the revision now."""
        return len(self._changed), list(dict.fromkeys(self._changed[revision:]))

    def ids(self) -> list[str]:
        """Every event's id, from the index (no event is decoded)."""
        return list(self._ensure_index())

    def changes_since(self, after: datetime) -> list[EventChange]:
        changes = [EventChange.from_doc(doc) for doc in self._changes.all()]
        return sorted((c for c in changes if c.changed_at > after), key=lambda c: c.changed_at)
