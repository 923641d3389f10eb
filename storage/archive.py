"""Append-mostly records split into one TinyDB file per month (a chunk of at most CHUNK documents each), so a
write touches one small file, not years; each file is journalled (storage.journalled): an append is one line."""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from storage.atomic import fsync_dir
from storage.journal_files import decode_snapshot
from storage.journalled import JournalledStorage
from storage.journalled_table import JournalledTinyDB

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime
    from pathlib import Path

    from tinydb import TinyDB

    from storage.journal_files import Syncer

__all__ = ["MonthlyArchive"]

# A partition's snapshot, or a segment of its journal (a new partition may have only that so far).
_PARTITION = re.compile(r"^((\d{4})-(\d{2})(?:\.(\d+))?)\.json(?:\.\d+\.journal)?$")
# A busy month is split into files of this many documents, so one write never rewrites a whole month.
CHUNK = 100
_DIR_MODE = 0o700


class MonthlyArchive:
    """Documents partitioned by the month of a timestamp: `DIR/2026-11.json`, `DIR/2026-12.json` …"""

    def __init__(
        self,
        directory: Path,
        *,
        durable: bool = True,
        writable: bool = True,
        open_limit: int = 2,
        syncer: Syncer | None = None,
    ) -> None:
        self._dir = directory
        self._syncer = syncer
        self.background = False  # its partitions' compactions are left to `Store.compact` (a running bot)
        self._segmented: set[str] | None = None  # partitions with a journal, as last listed (see `partitions`)
        self._opened: set[str] = set()  # partitions opened since: each may have a journal now
        self._durable = durable
        self._writable = writable
        self._open_limit = open_limit
        # Only the newest partitions stay parsed in memory; older months are read on demand.
        self._open: OrderedDict[str, TinyDB] = OrderedDict()
        # Each month's last file, listed once: an append must not list a directory of a thousand files.
        self._last: dict[str, str] | None = None
        if writable and not directory.is_dir():
            directory.mkdir(mode=_DIR_MODE)
            os.chmod(directory, _DIR_MODE)
            fsync_dir(directory.parent)  # the new folder itself must survive a crash

    @property
    def directory(self) -> Path:
        return self._dir

    @property
    def durable(self) -> bool:
        return self._durable

    @staticmethod
    def partition_of(when: datetime) -> str:
        return f"{when.year:04d}-{when.month:02d}"

    def partitions(self) -> list[str]:
        """The files that hold records ("2026-11", "2026-11.1", …), oldest first."""
        if not self._dir.is_dir():
            return []
        matches = [m for p in self._dir.iterdir() if (m := _PARTITION.match(p.name))]
        found = {m.group(1): m for m in matches}
        # Which have a journal, from the same listing: a partition with none is read without listing the
        # directory again (a thousand months would list it a thousand times). Kept up to date by `_db`.
        self._segmented = {m.group(1) for m in matches if m.group(0).endswith(".journal")} | self._opened
        ordered = sorted(found.values(), key=lambda m: (m.group(2), m.group(3), int(m.group(4) or 0)))
        return [m.group(1) for m in ordered]

    def _current(self, month: str, adding: int) -> str:
        """The file new documents of `month` go to: its last chunk, or a new one when that is full."""
        if self._last is None:
            self._last = {p.split(".")[0]: p for p in self.partitions()}  # oldest first: the last one stays
        last = self._last.get(month)
        if last is None:
            return month
        if len(self._db(last)) + adding <= CHUNK or len(self._db(last)) == 0:
            return last
        number = int(last.split(".")[1]) + 1 if "." in last else 1
        return f"{month}.{number}"

    def _used(self, month: str, partition: str) -> None:
        """Documents were written to `partition`: it is now the month's last file (it may be a new one)."""
        if self._last is not None:
            self._last[month] = partition

    def _db(self, partition: str) -> TinyDB:
        db = self._open.get(partition)
        if db is not None:
            self._open.move_to_end(partition)
            return db
        storage_path = self._dir / f"{partition}.json"
        # Listed just now without a journal, by this writer (no other process adds one): none to look for.
        unjournalled = self._writable and self._segmented is not None and partition not in self._segmented
        self._opened.add(partition)  # from now on it may have one
        db = JournalledTinyDB(
            storage_path, storage=JournalledStorage, durable=self._durable, writable=self._writable,
            syncer=self._syncer, unjournalled=unjournalled,
        )  # fmt: skip
        storage = db.storage
        assert isinstance(storage, JournalledStorage)
        storage.background = self.background
        self._open[partition] = db
        while len(self._open) > self._open_limit:
            _, oldest = self._open.popitem(last=False)
            oldest.close()
        return db

    def append(self, when: datetime, doc: dict[str, Any]) -> int:
        """Store one document in its month; returns its id within that month."""
        month = self.partition_of(when)
        partition = self._current(month, 1)
        doc_id: int = self._db(partition).insert(doc)
        self._used(month, partition)
        return doc_id

    def append_many(self, docs: list[tuple[datetime, dict[str, Any]]]) -> dict[str, str]:
        """Store many documents with one write per month touched; returns month → the file used."""
        by_month: dict[str, list[dict[str, Any]]] = {}
        for when, doc in docs:
            by_month.setdefault(self.partition_of(when), []).append(doc)
        used = {}
        for month, month_docs in by_month.items():
            used[month] = self._current(month, len(month_docs))
            self._db(used[month]).insert_multiple(month_docs)
            self._used(month, used[month])
        return used

    def iter_docs(self, *, newest_first: bool = False) -> Iterator[dict[str, Any]]:
        months = self.partitions()
        if newest_first:
            months.reverse()
        for partition in months:
            docs = list(self._db(partition).all())
            if newest_first:
                docs.reverse()
            yield from (dict(doc) for doc in docs)

    def scan(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every document with its partition, read from the files themselves (a storage of its own, read-only,
        per file): no object the event loop uses is touched, so this may run in a worker thread while the
        loop writes (a line being appended is not whole yet, and is not read)."""
        for partition in self.partitions():
            path = self._dir / f"{partition}.json"
            if self._segmented is not None and partition not in self._segmented:
                try:  # a month with no journal: its snapshot alone, without listing the directory again
                    data = decode_snapshot(path.read_bytes() or b"{}")
                except FileNotFoundError:
                    data = JournalledStorage(path, writable=False).read() or {}  # compacted meanwhile
            else:
                data = JournalledStorage(path, writable=False).read() or {}
            yield from ((partition, doc) for doc in data.get("_default", {}).values())

    def docs_in(self, partition: str) -> list[dict[str, Any]]:
        """The documents of one month (as stored; do not modify)."""
        table = self._db(partition).table("_default")
        return [dict(doc) for doc in table.all()]

    def count(self) -> int:
        return sum(len(self._db(p)) for p in self.partitions())

    def storages(self) -> list[JournalledStorage]:
        """The partitions open now (the newest ones): what a background compaction looks at."""
        return [db.storage for db in self._open.values() if isinstance(db.storage, JournalledStorage)]

    def close(self) -> None:
        for db in self._open.values():
            db.close()
        self._open.clear()
