"""The store: a private data directory of TinyDB files, one writer at a time, with a schema version.

Layout (one file per concern, so a write rewrites only what it touches):
    meta.json            schema version
    network.json         network, blocks, officers, members, faq
    events.json          block meetings and trainings
    events.index.json    their index (storage.event_index), rebuilt from events.json whenever not in step
    unanswered/YYYY-MM.json, unanswered.journal   by month, and the latest ones not yet folded into them
    announcements/YYYY-MM.json
    spool/*.eml          mail received, durable before the SMTP 250, until processed
    conversations.json, conversations.journal   each conversation's last subject, and the changes since
    outbox.json          deliveries waiting to be posted
    posted.json          which chat messages each delivered announcement became (threads, edits)
    revisions.json       the secretariat's corrections and withdrawals of announcements
    reminders.json       each event's reminders: pending, sent, skipped or obsolete
    subscribers.json     digest subscribers; secret.key signs their links
    quarantine.json, quarantine/*.eml   mail kept but not relayed, with the reason

The files that grow with the network (`JOURNALLED`) are snapshots with a journal beside them,
NAME.json.N.journal (storage.journalled): a write appends what changed, the background folds it in.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import stat
from typing import TYPE_CHECKING

from tinydb import TinyDB

from storage.archive import MonthlyArchive
from storage.atomic import FILE_MODE, AtomicJSONStorage, atomic_write_bytes, remove_stale_temporaries
from storage.closing import ClosesOnExit
from storage.conversations import TinyConversationRepository
from storage.datafile import DataSet
from storage.errors import SchemaError, StoreError
from storage.events import TinyEventRepository
from storage.journal import Journal
from storage.journal_files import Syncer
from storage.journalled import JournalledStorage
from storage.journalled_table import JournalledTinyDB
from storage.knowledge import TinyKnowledgeRepository
from storage.lock import DataDirLock
from storage.store_upkeep import StoreUpkeep
from storage.unanswered import TinyUnansweredRepository

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from datetime import datetime
    from pathlib import Path

    from storage.announcements import TinyAnnouncementRepository
    from storage.outbox import Outbox
    from storage.posted import PostedMessages
    from storage.proposals import TinyProposalRepository
    from storage.quarantine import Quarantine
    from storage.reminders import Reminders
    from storage.revisions import Revisions
    from storage.spool import Spool
    from storage.subscribers import Subscribers

__all__ = ["SCHEMA_VERSION", "Store"]

_log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DIR_MODE = 0o700
# The files that grow with the network's history: a snapshot and a journal (storage.journalled), so that a
# write costs what changed. The others are small and rewritten whole (storage.atomic).
JOURNALLED = frozenset(
    {"events", "subscribers", "reminders", "outbox", "posted", "proposals", "revisions", "quarantine"}
)


def _migrate_0_to_1(store: Store) -> None:
    """An empty directory: nothing to convert; the files appear on first write."""
    del store


# MIGRATIONS[n] brings a store at version n to n + 1. Each runs once, then the version is recorded.
MIGRATIONS: dict[int, Callable[[Store], None]] = {0: _migrate_0_to_1}


def _private_dir(path: Path) -> None:
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode != DIR_MODE:
        _log.warning("data directory %s had mode %o; setting it to %o", path, mode, DIR_MODE)
        os.chmod(path, DIR_MODE)


def _private_files(path: Path) -> None:
    for entry in path.rglob("*"):
        wanted = DIR_MODE if entry.is_dir() else FILE_MODE
        if not entry.is_symlink() and stat.S_IMODE(entry.stat().st_mode) != wanted:
            os.chmod(entry, wanted)


class Store(StoreUpkeep, ClosesOnExit):
    """All repositories over one data directory. Open with `Store.open(...)`; close when done."""

    def __init__(self, directory: Path, *, writable: bool, durable: bool) -> None:
        self.directory = directory
        self.writable = writable
        self._durable = durable
        self._lock = DataDirLock(directory)
        self._dbs: dict[str, TinyDB] = {}
        self._archives: list[MonthlyArchive] = []
        self._journalled: list[TinyConversationRepository | TinyUnansweredRepository] = []
        self._syncer = Syncer()
        self._background = False

    @classmethod
    def open(cls, directory: Path, *, writable: bool = True, durable: bool = True) -> Store:
        """Open (creating if needed) a data directory; a writable store holds its lock until closed."""
        if not writable and not directory.is_dir():
            msg = f"there is no data directory at {directory}"
            raise StoreError(msg)
        store = cls(directory, writable=writable, durable=durable)
        try:
            if writable:
                _private_dir(directory)
                store._lock.acquire()
                remove_stale_temporaries(directory)
                _private_files(directory)
            store._check_schema()
        except StoreError:
            store.close()
            raise
        except OSError as exc:
            store.close()
            msg = f"cannot use the data directory {directory}: {exc.strerror or exc}"
            raise StoreError(msg) from exc
        except BaseException:
            store.close()
            raise
        return store

    def _db(self, name: str) -> TinyDB:
        db = self._dbs.get(name)
        if db is None:
            path = self.directory / f"{name}.json"
            if name in JOURNALLED:
                db = JournalledTinyDB(
                    path, storage=JournalledStorage, durable=self._durable, writable=self.writable, syncer=self._syncer
                )
                storage = db.storage
                assert isinstance(storage, JournalledStorage)
                storage.background = self._background
            else:
                db = TinyDB(path, storage=AtomicJSONStorage, durable=self._durable, writable=self.writable)
            self._dbs[name] = db
        return db

    def _storage(self, name: str) -> AtomicJSONStorage | JournalledStorage:
        storage = self._db(name).storage
        assert isinstance(storage, AtomicJSONStorage | JournalledStorage)
        return storage

    def _atomic(self, name: str) -> AtomicJSONStorage:
        storage = self._db(name).storage
        assert isinstance(storage, AtomicJSONStorage)
        return storage

    def _journal(self, name: str) -> JournalledStorage:
        storage = self._db(name).storage
        assert isinstance(storage, JournalledStorage)
        return storage

    def _archive(self, name: str) -> MonthlyArchive:
        archive = MonthlyArchive(
            self.directory / name, durable=self._durable, writable=self.writable, syncer=self._syncer
        )
        archive.background = self._background
        self._archives.append(archive)
        return archive

    @property
    def schema_version(self) -> int:
        docs = self._db("meta").table("meta").all()
        return int(docs[0]["schema"]) if docs else 0

    def _check_schema(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            msg = (
                f"the data directory {self.directory} has schema version {version}, but this rmo-bot "
                f"understands up to {SCHEMA_VERSION}: upgrade rmo-bot"
            )
            raise SchemaError(msg)
        if version == SCHEMA_VERSION:
            return
        if not self.writable:
            msg = f"the data directory {self.directory} needs a migration; run any writing command first"
            raise SchemaError(msg)
        while version < SCHEMA_VERSION:
            if version:
                _log.info("migrating %s from schema %d to %d", self.directory, version, version + 1)
            else:
                _log.info("initialising the data directory %s (schema %d)", self.directory, SCHEMA_VERSION)
            MIGRATIONS[version](self)
            version += 1
            meta = self._db("meta").table("meta")
            with self._storage("meta").batch():
                meta.truncate()
                meta.insert({"schema": version})

    # Repositories ------------------------------------------------------------------------------
    # Those that not every command needs are imported on first use: `rmo-bot ask` needs no mail store.

    @functools.cached_property
    def knowledge(self) -> TinyKnowledgeRepository:
        return TinyKnowledgeRepository(self._db("network"))

    @functools.cached_property
    def events(self) -> TinyEventRepository:
        return TinyEventRepository(self._db("events"), self._journal("events"))

    @functools.cached_property
    def announcements(self) -> TinyAnnouncementRepository:
        from storage.announcements import TinyAnnouncementRepository  # noqa: PLC0415 - see above

        return TinyAnnouncementRepository(self._archive("announcements"), self.revisions)

    @functools.cached_property
    def revisions(self) -> Revisions:
        from storage.revisions import Revisions  # noqa: PLC0415

        return Revisions(self._db("revisions"), self._journal("revisions"))

    @functools.cached_property
    def posted(self) -> PostedMessages:
        from storage.posted import PostedMessages  # noqa: PLC0415

        return PostedMessages(self._db("posted"))

    @functools.cached_property
    def conversations(self) -> TinyConversationRepository:
        repository = TinyConversationRepository(self._db("conversations"), self._atomic("conversations"))
        self._journalled.append(repository)
        return repository

    @functools.cached_property
    def proposals(self) -> TinyProposalRepository:
        from storage.proposals import TinyProposalRepository  # noqa: PLC0415

        return TinyProposalRepository(self._db("proposals"))

    @functools.cached_property
    def outbox(self) -> Outbox:
        from storage.outbox import Outbox  # noqa: PLC0415

        return Outbox(self._db("outbox"))

    @functools.cached_property
    def quarantine(self) -> Quarantine:
        from storage.quarantine import Quarantine  # noqa: PLC0415

        return Quarantine(self._db("quarantine"), self.directory / "quarantine", durable=self._durable)

    @functools.cached_property
    def spool(self) -> Spool:
        from storage.spool import Spool  # noqa: PLC0415

        return Spool(self.directory / "spool", durable=self._durable)

    def release_spooled(self, names: list[str]) -> None:
        """Remove processed spool files, once what they became (announcements, deliveries, quarantine) is on
        disk: the syncer's fsyncs first (a thread's call: both wait for the disk)."""
        self.sync()
        self.spool.remove(names)

    @contextlib.contextmanager
    def mail_batch(self) -> Iterator[None]:
        """Group the intake's and the relay's writes: the outbox, the quarantine index and the posted
        messages are each written once; the posted messages first (a batch ends innermost first), so a
        delivery's refs are on record before the outbox lets the delivery go."""
        with self._storage("outbox").batch(), self._storage("quarantine").batch(), self._storage("posted").batch():
            yield

    def secret(self) -> bytes:
        """The key that signs subscribers' links: made once, kept private in the data directory."""
        path = self.directory / "secret.key"
        if not path.exists():
            if not self.writable:
                return b""  # a read-only view signs nothing
            atomic_write_bytes(path, os.urandom(32))
        return path.read_bytes()

    @functools.cached_property
    def subscribers(self) -> Subscribers:
        from storage.subscribers import Subscribers  # noqa: PLC0415

        return Subscribers(self._db("subscribers"))

    @contextlib.contextmanager
    def subscriber_batch(self) -> Iterator[None]:
        with self._storage("subscribers").batch():
            yield

    @functools.cached_property
    def reminders(self) -> Reminders:
        from storage.reminders import Reminders  # noqa: PLC0415

        return Reminders(self._db("reminders"))

    def file_writes(self, name: str) -> int:
        """How many times `NAME.json` was written since the store opened (what a change costs, in writes)."""
        return self._storage(name).writes

    @functools.cached_property
    def unanswered(self) -> TinyUnansweredRepository:
        journal = Journal(self.directory / "unanswered.journal", writable=self.writable)
        repository = TinyUnansweredRepository(self._archive("unanswered"), journal)
        self._journalled.append(repository)
        return repository

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group writes: each file is written once, atomically, at the end (or not at all on error)."""
        with contextlib.ExitStack() as stack:
            for name in ("network", "events"):
                stack.enter_context(self._storage(name).batch())
            yield

    # Data files ----------------------------------------------------------------------------------

    def apply(self, data: DataSet, *, now: datetime) -> dict[str, int]:
        """Upsert a validated data file; returns how many records changed per section. A meeting it
        moves, re-sites or cancels is recorded as changed at `now`, the caller's clock (the digests report it)."""
        try:
            return self._apply(data, now)
        except StoreError:
            raise
        except OSError as exc:
            # Each file is written whole or not at all; re-importing the same file completes the rest.
            msg = f"could not write to {self.directory}: {exc.strerror or exc}; re-import the file once fixed"
            raise StoreError(msg) from exc

    def _apply(self, data: DataSet, now: datetime) -> dict[str, int]:
        changed: dict[str, int] = {}
        knowledge = self.knowledge
        with self.batch():
            if data.network is not None:
                changed["network"] = knowledge.replace_network(data.network)
            if data.blocks is not None:
                changed["blocks"] = knowledge.upsert_blocks(data.blocks)
            if data.officers is not None:
                changed["officers"] = knowledge.replace_officers(data.officers)
            if data.members is not None:
                changed["members"] = knowledge.upsert_members(data.members)
            if data.faq is not None:
                changed["faq"] = knowledge.upsert_faq(data.faq)
            if data.events is not None:
                changed["events"] = self.events.upsert_many(data.events, at=now)
        if changed.get("events"):
            self.events.save_index()  # the batch wrote the file only now
        return changed

    def export(self) -> DataSet:
        """Everything the data file format carries, as a data set."""
        knowledge = self.knowledge
        return DataSet(
            network=knowledge.network(),
            blocks=knowledge.blocks(),
            officers=knowledge.officers(),
            members=knowledge.members(),
            faq=knowledge.faq(),
            events=tuple(self.events.all()),
        )

    # Lifecycle ---------------------------------------------------------------------------------

    def close(self) -> None:
        for repository in self._journalled:  # before their files close: each folds its journal into them
            repository.close()
        self._journalled.clear()
        for db in self._dbs.values():
            db.close()
        self._dbs.clear()
        for archive in self._archives:
            archive.close()
        self._syncer.close()  # every commit on disk before the lock goes
        self._lock.release()
