"""The repository interfaces handlers use, and their TinyDB implementations."""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import itertools
from collections import OrderedDict
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from storage.archive import MonthlyArchive
from storage.records import (
    ASSUMED_DURATION,
    Announcement,
    Block,
    Channel,
    Event,
    EventChange,
    EventKind,
    FaqEntry,
    Member,
    NetworkInfo,
    Officer,
    UnansweredQuestion,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, MutableMapping

    from tinydb import TinyDB

    from storage.atomic import AtomicJSONStorage

__all__ = [
    "AnnouncementRepository",
    "EventRepository",
    "KnowledgeRepository",
    "TinyAnnouncementRepository",
    "TinyEventRepository",
    "TinyKnowledgeRepository",
    "TinyUnansweredRepository",
    "UnansweredRepository",
]

R = TypeVar("R")
_RECENT = 2000


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


# ----------------------------------------------------------------------------------------------
# Flat records (tuples become lists in JSON and back).


def _flat_doc(record: object) -> dict[str, Any]:
    assert dataclasses.is_dataclass(record)
    doc: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        doc[f.name] = list(value) if isinstance(value, tuple) else value
    return doc


def _flat_record(cls: type[R], doc: Mapping[str, Any]) -> R:
    assert dataclasses.is_dataclass(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in doc.items() if k in names}
    return cls(**kwargs)


def _network_doc(info: NetworkInfo) -> dict[str, Any]:
    doc = _flat_doc(info)
    doc["founded"] = info.founded.isoformat()
    doc["channels"] = [_flat_doc(c) for c in info.channels]
    return doc


def _network_record(doc: Mapping[str, Any]) -> NetworkInfo:
    plain = dict(doc)
    channels = tuple(_flat_record(Channel, c) for c in plain.pop("channels", []))
    plain["founded"] = date.fromisoformat(plain["founded"])
    info = _flat_record(NetworkInfo, plain)
    return dataclasses.replace(info, channels=channels)


class TinyKnowledgeRepository:
    """Knowledge in one small file; parsed once and kept until the next write."""

    def __init__(self, db: TinyDB) -> None:
        self._db = db
        self._cache: dict[str, tuple[Any, ...]] = {}
        self._network: NetworkInfo | None = None

    def _records(self, table: str, cls: type[R]) -> tuple[R, ...]:
        cached = self._cache.get(table)
        if cached is None:
            cached = tuple(_flat_record(cls, doc) for doc in self._db.table(table).all())
            self._cache[table] = cached
        return cached

    def network(self) -> NetworkInfo | None:
        if self._network is None:
            docs = self._db.table("network").all()
            self._network = _network_record(docs[0]) if docs else None
        return self._network

    def blocks(self) -> tuple[Block, ...]:
        return self._records("blocks", Block)

    def officers(self) -> tuple[Officer, ...]:
        return self._records("officers", Officer)

    def members(self) -> tuple[Member, ...]:
        return self._records("members", Member)

    def faq(self) -> tuple[FaqEntry, ...]:
        return self._records("faq", FaqEntry)

    # Writes: each replaces or upserts by the record's natural key; returns how many changed.

    def replace_network(self, info: NetworkInfo) -> int:
        table = self._db.table("network")
        doc = _network_doc(info)
        if [dict(d) for d in table.all()] == [doc]:
            return 0
        table.truncate()
        table.insert(doc)
        self._network = None
        return 1

    def upsert_blocks(self, blocks: Iterable[Block]) -> int:
        return self._upsert("blocks", ("key",), (_flat_doc(b) for b in blocks))

    def upsert_members(self, members: Iterable[Member]) -> int:
        return self._upsert("members", ("name", "prefecture"), (_flat_doc(m) for m in members))

    def upsert_faq(self, entries: Iterable[FaqEntry]) -> int:
        return self._upsert("faq", ("id",), (_flat_doc(e) for e in entries))

    def replace_officers(self, officers: Iterable[Officer]) -> int:
        # Officers carry no stable id and a file lists them all: a new list replaces the old one.
        table = self._db.table("officers")
        docs = [_flat_doc(o) for o in officers]
        if [dict(d) for d in table.all()] == docs:
            return 0
        self._cache.pop("officers", None)
        table.truncate()
        table.insert_multiple(docs)
        return len(docs)

    def _upsert(self, table_name: str, key: tuple[str, ...], docs: Iterable[dict[str, Any]]) -> int:
        table = self._db.table(table_name)
        existing = {_natural_key(doc, key): doc for doc in table.all()}
        replace: dict[int, dict[str, Any]] = {}
        new: list[dict[str, Any]] = []
        for doc in docs:
            old = existing.get(_natural_key(doc, key))
            if old is None:
                new.append(doc)
            elif dict(old) != doc:
                replace[old.doc_id] = doc
        if replace:
            by_key = {_natural_key(doc, key): doc for doc in replace.values()}
            table.update(_replacer(key, by_key), doc_ids=list(replace))
        if new:
            table.insert_multiple(new)
        if replace or new:
            self._cache.pop(table_name, None)
        return len(replace) + len(new)


def _natural_key(doc: Mapping[str, Any], key: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(doc.get(k) for k in key)


def _replacer(
    key: tuple[str, ...], by_key: dict[tuple[Any, ...], dict[str, Any]]
) -> Callable[[MutableMapping[Any, Any]], None]:
    """A TinyDB update operation that swaps each document's whole content, in one table write."""

    def replace(doc: MutableMapping[Any, Any]) -> None:
        new = by_key[_natural_key(doc, key)]
        doc.clear()
        doc.update(new)

    return replace


# ----------------------------------------------------------------------------------------------
# Events


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
        self._longest = 0.0

    def _ensure_index(self) -> dict[str, int]:
        if self._doc_ids is not None:
            return self._doc_ids
        doc_ids: dict[str, int] = {}
        index: dict[_IndexKey, list[_Entry]] = {}
        longest = 0.0
        assumed = ASSUMED_DURATION.total_seconds()
        for doc in self._table.all():
            doc_ids[doc["id"]] = doc.doc_id
            if doc.get("status", "scheduled") == "scheduled":
                start = doc["starts_ts"]
                end = doc.get("ends_ts") or start + assumed
                longest = max(longest, end - start)
                index.setdefault((doc["kind"], doc.get("block")), []).append((start, doc["id"], end))
        for entries in index.values():
            entries.sort()
        self._doc_ids, self._index, self._longest = doc_ids, index, longest
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
        self._ensure_index()
        start = after.timestamp()
        stop = until.timestamp() if until else float("inf")
        # An event that began before `after` may still be on: look back as far as the longest one lasts.
        first = (start - self._longest, "", 0.0)
        lists = [
            itertools.islice(entries, bisect.bisect_left(entries, first), None)
            for (entry_kind, block), entries in self._index.items()
            if (kind is None or entry_kind == kind) and (blocks is None or block in blocks)
        ]
        merged: Iterator[_Entry] = heapq.merge(*lists)
        running = (entry for entry in itertools.takewhile(lambda e: e[0] < stop, merged) if entry[2] > start)
        return [event for _, event_id, _ in itertools.islice(running, limit) if (event := self.get(event_id))]

    def upsert_many(self, events: Iterable[Event], *, at: datetime | None = None) -> int:
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
            change = EventChange.between(Event.from_doc(before), event, at or datetime.now(UTC))
            if change is not None:
                changes.append(change.to_doc())
        if not (replace or new):
            return 0
        try:
            with self._storage.batch():
                if replace:
                    by_id = {(doc["id"],): doc for doc in replace.values()}
                    self._table.update(_replacer(("id",), by_id), doc_ids=list(replace))
                if new:
                    self._table.insert_multiple(new)
                if changes:
                    self._changes.insert_multiple(changes)
        finally:
            self._doc_ids = None  # rebuilt from what was actually stored
            self._table.clear_cache()
        return len(replace) + len(new)

    def changes_since(self, after: datetime) -> list[EventChange]:
        changes = [EventChange.from_doc(doc) for doc in self._changes.all()]
        return sorted((c for c in changes if c.changed_at > after), key=lambda c: c.changed_at)


# ----------------------------------------------------------------------------------------------
# Unanswered questions


class TinyUnansweredRepository:
    """Unanswered questions, partitioned by month."""

    def __init__(self, archive: MonthlyArchive) -> None:
        self._archive = archive

    def record(self, question: UnansweredQuestion) -> None:
        self._archive.append(question.asked_at, question.to_doc())

    def recent(self, limit: int | None = None) -> list[UnansweredQuestion]:
        docs = self._archive.iter_docs(newest_first=True)
        if limit is not None:
            docs = itertools.islice(docs, limit)
        return [UnansweredQuestion.from_doc(doc) for doc in docs]


# ----------------------------------------------------------------------------------------------
# Announcements


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
