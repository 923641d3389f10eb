"""Block meetings and trainings in TinyDB, indexed for "the next meetings of this block", with their changes."""

from __future__ import annotations

import bisect
import heapq
import itertools
from typing import TYPE_CHECKING, Any

from storage.event_index import EventIndex, IndexEntry, file_identity
from storage.event_index_journal import IndexUpdater
from storage.journal_files import list_segments, read_segment
from storage.journalled_table import JournalledTable
from storage.records import Event, EventChange, EventKind

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Iterator, Sequence
    from datetime import datetime

    from tinydb import TinyDB

    from storage.journal_files import Located
    from storage.journalled import JournalledStorage, Preloaded

__all__ = ["TinyEventRepository"]


_DISK_READS = 64  # events read one by one from the file before it is cheaper to decode it whole


class TinyEventRepository:
    """Events in one file, with an index by (kind, block) sorted on start time (storage.event_index).

    Answering "the next meetings of this block" must not scan every event ever held, so the index turns
    it into a bisect per list. It is read from beside the events file when it was built from its snapshot,
    with the journal's commits since replayed over it (a command then reads only the events it answers
    with); otherwise built from the file. A write here updates it in place; each compaction of the file
    saves it beside the new snapshot (storage.event_index_journal, storage.journalled).
    """

    def __init__(self, db: TinyDB, storage: JournalledStorage) -> None:
        table = db.table("events")
        assert isinstance(table, JournalledTable)
        self._table = table
        self._changes = db.table("changes")  # same file: an event and its change are written together
        self._storage = storage
        storage.locate = frozenset({"events"})
        storage.on_compacted = self._compacted
        storage.compact_on_close = True  # so a command after this one finds the index in step
        self._index: EventIndex | None = None
        self._forgotten = storage.forgotten
        self._from_disk = False  # the index was read from beside the file, whose documents are not loaded
        self._disk_reads = 0
        # The id of every event each write here changed, in order, so that the reminders re-plan those alone.
        self._changed: list[str] = []

    def _ensure_index(self) -> EventIndex:
        if self._index is not None and self._forgotten == self._storage.forgotten:
            return self._index
        self._forgotten = self._storage.forgotten  # a failed commit dropped the state: so is its index
        if not self._storage.loaded and self._disk_reads < _DISK_READS:
            persisted = EventIndex.load(self._storage.path)
            if persisted is not None and self._replay_journal(persisted):
                self._index, self._from_disk = persisted, True
                return persisted
        # The stored documents as the storage holds them (its public `read`), not as TinyDB Documents: at
        # 10,000 events, wrapping each one costs more than the index.
        data = self._storage.read() or {}
        index = EventIndex.build(data)
        self._from_disk = False
        if not self._storage.settled:
            return index  # inside a batch not yet written (which may still fail): kept for this read only
        if self._storage.writable and self._storage.in_step:  # the snapshot alone: its byte ranges are ours
            try:
                stat = self._storage.path.stat()
            except FileNotFoundError:
                pass
            else:
                index.locate(data, stat.st_size)
                index.save(self._storage.path, file_identity(stat))
        self._index = index
        return index

    @property
    def loaded(self) -> bool:
        """Whether the file's documents are in memory already (`read_ahead` would read them a second time)."""
        return self._storage.loaded

    def read_ahead(self) -> tuple[Preloaded, EventIndex]:
        """In a worker thread: the file read and decoded, and its index built, for `take_ahead` on the event
        loop; so that the first question needing every event does not decode the file on the loop."""
        preloaded = self._storage.preload()
        return preloaded, EventIndex.build(preloaded[1].tables)

    def take_ahead(self, ahead: tuple[Preloaded, EventIndex]) -> bool:
        """Answer from what `read_ahead` read, unless the file was loaded or written meanwhile."""
        preloaded, index = ahead
        if not self._storage.adopt(preloaded):
            return False
        self._index, self._from_disk, self._forgotten = index, False, self._storage.forgotten
        return True

    def get(self, event_id: str) -> Event | None:
        index = self._ensure_index()
        doc_id = index.doc_id(event_id)
        if doc_id is None:
            return None
        if self._from_disk:
            self._disk_reads += 1
            found = index.read_doc(self._storage.path, event_id) if self._disk_reads <= _DISK_READS else None
            if found is not None:
                return Event.from_doc(found)
            # The file changed since the index was read (or many were read one by one): decode it whole,
            # and answer from it alone from now on, as before there was an index.
            self._disk_reads = _DISK_READS
            self._index = None
            doc_id = self._ensure_index().doc_id(event_id)
            if doc_id is None:
                return None
        doc = self._table.get(doc_id=doc_id)
        assert isinstance(doc, dict)
        return Event.from_doc(doc)

    @property
    def revision(self) -> int:
        """How many event writes this store has made since it opened (a cache of what they show is stale
        once this moves)."""
        return len(self._changed)

    def documents(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Every event's and every change's stored document, as lists made now. A write replaces documents
        and never changes one in place, so a worker thread may read these while the loop writes."""
        data = self._storage.read() or {}
        return list(data.get("events", {}).values()), list(data.get("changes", {}).values())

    def get_many(self, event_ids: Sequence[str]) -> list[Event]:
        """The events of these ids (those that exist), in order. Read one by one from their byte ranges when
        the file is not loaded, without counting towards decoding it whole: a catch-up reads every event a
        few at a time, and must not decode the whole file on the loop."""
        index = self._ensure_index()
        if self._from_disk:
            docs = index.read_docs(self._storage.path, event_ids)
            if docs is not None:
                return [Event.from_doc(doc) for doc in docs]
        return [event for event_id in event_ids if (event := self.get(event_id)) is not None]

    def all(self) -> list[Event]:
        events = [Event.from_doc(doc) for doc in self._table.all()]
        events.sort(key=lambda e: (e.starts_at, e.id))
        return events

    def count(self) -> int:
        return len(self._ensure_index().ids)

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
    ) -> Iterator[IndexEntry]:
        index = self._ensure_index()
        start = after.timestamp()
        stop = until.timestamp() if until else float("inf")
        # An event that began before `after` may still be on: look back as far as the longest one lasts.
        first = (start - index.longest, "", 0.0)
        lists = [
            itertools.islice(entries, bisect.bisect_left(entries, first), None)
            for entries in self._lists(index, kind, blocks, cancelled=False)
        ]
        merged: Iterator[IndexEntry] = heapq.merge(*lists)
        return (entry for entry in itertools.takewhile(lambda e: e[0] < stop, merged) if entry[2] > start)

    def _lists(
        self, index: EventIndex, kind: EventKind | None, blocks: Collection[str | None] | None, *, cancelled: bool
    ) -> list[list[IndexEntry]]:
        # Only the lists asked for are made from a loaded index's packed arrays.
        index.unpack(cancelled=cancelled, kind=kind, blocks=blocks)
        return [
            entries
            for (entry_kind, block), entries in (index.cancelled if cancelled else index.scheduled).items()
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
        index = self._ensure_index()
        end, start = before.timestamp(), since.timestamp() if since else float("-inf")
        found: list[IndexEntry] = []
        for entries in self._lists(index, kind, blocks, cancelled=False):
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
        index = self._ensure_index()
        start, stop = after.timestamp(), until.timestamp() if until else float("inf")
        lists = [
            itertools.islice(entries, bisect.bisect_left(entries, (start, "", 0.0)), None)
            for entries in self._lists(index, kind, blocks, cancelled=True)
        ]
        merged = itertools.takewhile(lambda e: e[0] < stop, heapq.merge(*lists))
        return [event for _, event_id, _ in itertools.islice(merged, limit) if (event := self.get(event_id))]

    def last_move(self, event_id: str) -> EventChange | None:
        """The latest recorded move of an event (its `before` says from when), if it ever moved."""
        doc = self._ensure_index().moves.get(event_id)
        return EventChange.from_doc(dict(doc)) if doc is not None else None

    def upsert_many(self, events: Iterable[Event], *, at: datetime) -> int:
        """Insert new events and replace changed ones in one atomic write; returns how many changed.
        A meeting moved, re-sited or cancelled is also recorded as a change made `at` (for the digests)."""
        index = self._ensure_index()
        replace: dict[int, dict[str, Any]] = {}
        new: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        for event in events:
            doc = event.to_doc()
            doc_id = index.doc_id(event.id)
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
        new_ids: list[int] = []
        try:
            with self._storage.batch():
                if replace:  # new document objects, never changed in place (see `documents`)
                    self._table.put(replace)
                if new:
                    new_ids = self._table.insert_multiple(new)
                if changes:
                    self._changes.insert_multiple(changes)
        except BaseException:
            self._index, self._from_disk = None, False  # rebuilt from what is actually stored
            raise
        finally:
            self._table.clear_cache()
        self._changed += [doc["id"] for doc in (*replace.values(), *new)]
        if self._from_disk:
            self._index, self._from_disk = None, False  # the file is loaded now: built from it when next read
        elif self._index is not None:  # what was written, in place: no event but these is looked at
            updater = IndexUpdater(self._index, keep_docs=False)
            for doc_id, doc in (*replace.items(), *zip(new_ids, new, strict=True)):
                updater.put_event(doc_id, doc)
            for change_doc in changes:
                updater.put_change(change_doc)
        return len(replace) + len(new)

    def _replay_journal(self, index: EventIndex) -> bool:
        """Bring an index saved beside the snapshot up to date with the journal written since; False when
        that cannot be done (a compaction replaced the snapshot meanwhile: the file is then read whole)."""
        commits: list[list[Any]] = []
        try:
            for _, segment in list_segments(self._storage.path):
                commits += read_segment(segment)[0]
            unchanged = file_identity(self._storage.path.stat()) == index.identity
        except OSError:
            return False
        return unchanged and IndexUpdater(index, keep_docs=True).replay(commits)

    def _compacted(self, located: Located) -> None:
        """The file has a new snapshot: save the index beside it with each event's byte range in it."""
        if self._index is None or self._from_disk:
            self._index, self._from_disk = EventIndex.build(self._storage.read() or {}), False
        index = self._index
        index.place(located.get("events", {}))
        try:
            identity = file_identity(self._storage.path.stat())
        except OSError:
            return
        index.identity = identity
        index.save(self._storage.path, identity)

    def save_index(self) -> None:
        """Bring the index saved beside the file in step with it (after a batch of writes has been written)."""
        self._ensure_index()

    def changed_after(self, revision: int) -> tuple[int, list[str]]:
        """The ids of the events written since `revision` (0: since the store opened), and the revision now."""
        return len(self._changed), list(dict.fromkeys(self._changed[revision:]))

    def ids(self) -> list[str]:
        """Every event's id, from the index (no event is decoded)."""
        return list(self._ensure_index().ids)

    def changes_since(self, after: datetime) -> list[EventChange]:
        changes = [EventChange.from_doc(doc) for doc in self._changes.all()]
        return sorted((c for c in changes if c.changed_at > after), key=lambda c: c.changed_at)
