"""A TinyDB storage whose write costs what changed: a snapshot (NAME.json) and a journal of commits beside it.

TinyDB hands its storage the whole database on every write, so the tables here are `JournalledTable`s:
they tell the storage which documents an operation touched, and a commit appends just those, as one line
(storage.journal_files has the format and its invariants). A batch is one line, so it lands whole or not
at all. The fsync runs on a thread of its own (`Syncer`): the caller's thread only does one write(2), which
a killed process keeps; `sync()` waits until it is durable, before a step that must not precede it.

Compaction folds the journal into a new snapshot once the journal outgrows it (so each byte of a change is
rewritten a bounded number of times). `compact_slices` does it without holding the event loop: it seals
the current segment, encodes the documents a slice at a time (each slice encodes the document as it is
then; a later change is in the newer segment, replayed over it), and leaves the writing to a thread.
A crash at any point leaves the old snapshot with every segment, or the new one with some of them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.atomic import FILE_MODE, BatchingStorage, atomic_write_bytes, fsync_dir
from storage.errors import StoreError
from storage.journal_files import (
    Loaded,
    Located,
    Syncer,
    encode_snapshot,
    list_segments,
    read_state,
    segment_path,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

__all__ = ["JournalledStorage"]

_log = logging.getLogger(__name__)

Tables = dict[str, dict[str, Any]]
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
MIN_COMPACT_BYTES = 256 * 1024  # a journal smaller than this is never worth a rewrite of the snapshot
_SLICE_DOCS = 500  # documents encoded per slice of a background compaction (about 1–3 ms)
_LOAD_ATTEMPTS = 5


Preloaded = tuple[tuple[int, int], Loaded]


class JournalledStorage(BatchingStorage):
    """TinyDB storage: a snapshot and a journal of commits, the state held in memory (one writer per data
    directory, see storage.lock). Readers in other processes load the snapshot and replay the journal."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        durable: bool = True,
        writable: bool = True,
        syncer: Syncer | None = None,
        unjournalled: bool = False,
    ) -> None:
        self._path = Path(path)
        self._unjournalled = unjournalled  # the caller knows there is no segment: the first load lists none
        self._durable = durable
        self._writable = writable
        self._syncer = syncer
        self._cache: Tables | None = None
        self._deferred = 0
        self._pending: dict[str, tuple[bool, set[str]]] = {}  # per table: cleared, touched ids
        self._whole = False  # a stock TinyDB call replaced everything: the next commit carries it all
        self._fd: int | None = None
        self._end = 0  # the current segment's length
        self._generation = 0
        self._journal_bytes = 0
        self._snapshot_bytes = 0
        self._compacting = False
        self._abandoned = False
        self._retry_at = 0  # after a failed compaction (a full disk): not before the journal is this long
        self._sealed: tuple[list[bytes], int, Located] | None = None
        # Tables whose documents' byte ranges in a new snapshot are handed to `on_compacted` (an index).
        self.locate: frozenset[str] = frozenset()
        self.on_compacted: Callable[[Located], None] | None = None
        self.compact_on_close = False  # fold any journal at close (events: the next command reads an index)
        self._reopen = False  # the next append goes to the last segment read (its torn tail cut off)
        self.background = False  # compactions are left to `compact_slices` (a running bot), not done inline
        self.writes = 0  # commits since the file was opened (tests and benches count them)
        self.forgotten = 0  # times the state in memory was dropped (an index built over it is then stale)

    @property
    def loaded(self) -> bool:
        return self._cache is not None

    @property
    def in_step(self) -> bool:
        """Whether the snapshot alone is the state in memory: loaded, no commit pending, no journal."""
        return self._cache is not None and not self._deferred and not self._pending and not self._journal_bytes

    @property
    def settled(self) -> bool:
        """Whether every change in memory is committed: loaded, no batch open, nothing pending."""
        return self._cache is not None and not self._deferred and not self._pending and not self._whole

    @property
    def needs_compaction(self) -> bool:
        return (
            self._writable
            and not self._compacting
            and self._journal_bytes >= max(MIN_COMPACT_BYTES, self._snapshot_bytes, self._retry_at)
        )

    # Reading -------------------------------------------------------------------------------------

    def read(self) -> Tables | None:
        if self._cache is None:
            self._cache = self._load()
        return self._cache

    def _load(self) -> Tables:
        unjournalled, self._unjournalled = self._unjournalled, False  # only ever for the first load
        return self._take(self._read_retrying(unjournalled))

    def _read_retrying(self, unjournalled: bool) -> Loaded:
        for _ in range(_LOAD_ATTEMPTS):
            with contextlib.suppress(FileNotFoundError):  # a writer's compaction removed a segment: again
                return self._read_state(unjournalled)
        msg = f"{self._path} kept changing while it was read; try again"
        raise StoreError(msg)

    def _snapshot_identity(self) -> tuple[int, int, int] | None:
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def _read_state(self, unjournalled: bool) -> Loaded:
        """The state on disk; changes nothing (any thread may call it, see `preload`)."""
        segments = [] if unjournalled else list_segments(self._path)
        identity = self._snapshot_identity()
        try:
            loaded = read_state(self._path, segments)
        except ValueError as exc:
            # Never the result of a crash (snapshots are replaced atomically): a disk fault or a hand edit.
            msg = f"{self._path} is not valid JSON ({exc}); restore it from a backup or an export"
            raise StoreError(msg) from None
        if not self._writable and (self._snapshot_identity() != identity or list_segments(self._path) != segments):
            # The writer compacted meanwhile: this mixes a newer snapshot with older segments. Read again.
            raise FileNotFoundError(self._path)
        return loaded

    def _take(self, loaded: Loaded) -> Tables:
        self._snapshot_bytes, self._journal_bytes = loaded.snapshot_bytes, loaded.journal_bytes
        if loaded.generation is not None:
            self._generation = loaded.generation
        if self._writable:
            for segment, length in loaded.torn:
                os.truncate(segment, length)  # drop a torn tail, so that the next commit starts a line
        # Appending to a segment a compaction under way will drop would lose the commit.
        self._reopen = self._writable and loaded.generation is not None and not self._compacting
        return loaded.tables

    def preload(self) -> Preloaded:
        """The state `read` would load, read and decoded in a worker thread while the event loop serves;
        `adopt` (on the loop) then takes it without reading the file there."""
        return (self.writes, self.forgotten), self._read_retrying(self._unjournalled)

    def adopt(self, preloaded: Preloaded) -> bool:
        """Take a `preload`'s state, unless the state was loaded (or written, which loads it) meanwhile."""
        marks, loaded = preloaded
        if self._cache is not None or marks != (self.writes, self.forgotten):
            return False
        self._unjournalled = False
        self._cache = self._take(loaded)
        return True

    # Writing -------------------------------------------------------------------------------------

    def write(self, data: Tables) -> None:
        """A stock TinyDB call (dropping tables) handing over the whole state: committed whole."""
        self._check_writable()
        self._cache = data
        self._whole = True
        self.commit()

    def touched(self, table: str, cleared: bool, ids: set[str]) -> None:
        """What a `JournalledTable` operation changed; committed now, or at the end of the batch."""
        self._check_writable()
        was_cleared, pending = self._pending.get(table, (False, set()))
        if cleared:
            pending = set()
        pending |= ids
        self._pending[table] = (was_cleared or cleared, pending)
        if not self._deferred:
            self.commit()

    def _check_writable(self) -> None:
        if not self._writable:
            self._forget()  # TinyDB changed the documents in memory before calling us
            msg = f"{self._path} is open read-only: another rmo-bot process writes this data directory"
            raise StoreError(msg)

    def _end_batch(self) -> None:
        self.commit()  # a batch is one commit

    def commit(self) -> None:
        """Append what changed since the last commit as one line."""
        if not (self._pending or self._whole):
            return
        tables = self._cache or {}
        if self._whole:
            ops: list[Any] = [["*", tables]]
        else:
            ops = []
            for name, (cleared, ids) in self._pending.items():
                table = tables.get(name, {})
                put = {k: table[k] for k in ids if k in table}
                ops.append([name, cleared, put, [k for k in ids if k not in table]])
        line = _encode(ops).encode() + b"\n"
        try:
            self._append(line)
        except BaseException:
            _log.exception("could not write to %s; keeping the previous state", self._path)
            self._forget()
            raise
        self._pending.clear()
        self._whole = False
        self.writes += 1
        if not self.background and self.needs_compaction:
            try:
                self.compact()
            except OSError as exc:  # the commit stands: the journal keeps it, and is folded another time
                self.compaction_failed(exc)

    def _append(self, line: bytes) -> None:
        if self._fd is None:
            self._generation += 0 if self._reopen else 1
            segment = segment_path(self._path, self._generation)
            self._fd = os.open(segment, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
            self._end = os.fstat(self._fd).st_size
            if self._durable and self._syncer is not None:  # its name, before anything in it is acknowledged
                self._syncer.request_dir(self._path.parent)
            elif self._durable:
                fsync_dir(self._path.parent)
        # Where the segment ends is kept here, not asked of the kernel: an lseek(SEEK_END) waits for the
        # inode while the syncer's fsync of the same file runs (tens of ms after a big commit).
        start = self._end
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view) :]
        except BaseException:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, start)  # take the torn line back
            raise
        self._end = start + len(line)
        self._journal_bytes += len(line)
        if self._durable:
            if self._syncer is not None:
                self._syncer.request(self._fd)
            else:
                os.fsync(self._fd)

    def sync(self) -> None:
        """Wait until every commit so far is on disk (the syncer's fsync)."""
        if self._syncer is not None:
            self._syncer.wait()

    # Compaction ----------------------------------------------------------------------------------

    def compact(self) -> None:
        """Write the state as the new snapshot and drop the journal, here and now."""
        if self._cache is None or not self._writable or self._deferred:
            return
        for _ in self._slices():
            pass
        try:
            written = self.write_compaction()
        except BaseException:
            self.end_compaction(None)
            raise
        self.end_compaction(written)

    def compaction_failed(self, exc: OSError) -> None:
        """Say so, and wait for the journal to grow by half again before the next try."""
        self._retry_at = self._journal_bytes * 3 // 2
        _log.warning("could not compact %s (its journal keeps every change): %s", self._path, exc)

    def _seal(self) -> None:
        """End the current segment: the next commit opens a new one."""
        self._reopen = False
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def compact_slices(self, *, force: bool = False) -> Iterator[None] | None:
        """A compaction in steps, for the caller to run between other work: each `next()` encodes a slice
        on the caller's thread; once exhausted, `write_compaction` writes (on another thread). None
        when there is nothing to compact (with `force`, whenever the journal holds anything)."""
        wanted = self.needs_compaction or (force and self._writable and not self._compacting and self._journal_bytes)
        if not wanted or self._cache is None or self._deferred:
            return None
        return self._slices()

    def _slices(self) -> Iterator[None]:
        self._compacting, self._abandoned = True, False
        try:
            self._seal()
            sealed = self._generation
            pieces: list[bytes] = []
            located: Located = {name: {} for name in self.locate}
            for _ in encode_snapshot(self._cache or {}, pieces, located, _SLICE_DOCS):
                yield
                if self._abandoned:
                    return
            self._sealed = (pieces, sealed, located)
        finally:
            if self._sealed is None:
                self._compacting = False

    def write_compaction(self) -> tuple[int, int]:
        """Write what `compact_slices` encoded (on another thread: nothing here touches the state in
        memory) and drop the segments it holds; returns what `end_compaction` needs."""
        if self._sealed is None or self._abandoned:
            return (-1, 0)
        pieces, sealed, _ = self._sealed
        return self._replace_snapshot(pieces, sealed)

    def end_compaction(self, written: tuple[int, int] | None) -> None:
        """Back on the caller's thread, after `write_compaction` (None if it raised): the new snapshot's
        byte ranges go to `on_compacted`."""
        located = self._sealed[2] if self._sealed is not None else {}
        self._sealed = None
        self._compacting = False
        if written is not None and written[0] >= 0:
            self._adopt(written)
            if self.on_compacted is not None:
                self.on_compacted(located)

    def _adopt(self, written: tuple[int, int]) -> None:
        self._snapshot_bytes, self._retry_at = written[0], 0
        self._journal_bytes = max(0, self._journal_bytes - written[1])

    def _replace_snapshot(self, pieces: Sequence[bytes], sealed: int) -> tuple[int, int]:
        atomic_write_bytes(self._path, pieces, durable=self._durable)
        dropped = 0
        for generation, segment in list_segments(self._path):
            if generation <= sealed:
                with contextlib.suppress(FileNotFoundError):
                    dropped += segment.stat().st_size
                    segment.unlink()
        if self._durable:
            fsync_dir(self._path.parent)
        return sum(len(p) for p in pieces), dropped

    # Lifecycle -----------------------------------------------------------------------------------

    def close(self) -> None:
        """Fold a journal grown past its snapshot (or any, with `compact_on_close`), let go."""
        wanted = self.needs_compaction or (self.compact_on_close and self._journal_bytes and self._writable)
        if self._cache is not None and wanted and not self._deferred and not self._compacting:
            try:
                self.compact()
            except OSError as exc:
                _log.warning("could not compact %s (its journal is replayed at the next start): %s", self._path, exc)
        self._seal()
        self._cache = None

    def forget(self) -> None:
        """Drop the state in memory and any commit pending: the next read loads what is on disk."""
        self._forget()

    def _forget(self) -> None:
        """Drop the state in memory (TinyDB changed it in place before a commit failed): read it again.
        A compaction under way encodes that memory, so it is abandoned."""
        self._abandoned = True
        self.forgotten += 1
        self._seal()
        self._cache = None
        self._pending.clear()
        self._whole = False
