"""A TinyDB storage whose every write is atomic and durable, and whose reads come from memory.

TinyDB's JSONStorage truncates the file and rewrites it in place, so a crash mid-write leaves a broken
file. Here a write goes to a temporary file in the same directory, is fsynced, renamed over the old
one and the directory fsynced: after a crash at any instant the file holds the old or the new state.

Only one process writes a data directory (see `storage.lock`), so the parsed contents can stay in
memory and TinyDB's read-before-every-operation costs nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb.storages import Storage

from storage.errors import StoreError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = [
    "FILE_MODE",
    "AtomicJSONStorage",
    "BatchingStorage",
    "atomic_write_bytes",
    "fsync_dir",
    "remove_stale_temporaries",
]

_log = logging.getLogger(__name__)

FILE_MODE = 0o600
_TMP_SUFFIX = ".tmp"


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, payload: bytes | Sequence[bytes], *, durable: bool = True) -> None:
    """Replace `path` with `payload` (or its pieces one after another, not copied into one) so that a crash
    leaves either the old or the new file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}{_TMP_SUFFIX}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        for piece in (payload,) if isinstance(payload, bytes) else payload:
            view = memoryview(piece)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        if durable:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    os.close(fd)
    os.replace(tmp, path)
    if durable:
        fsync_dir(path.parent)


def remove_stale_temporaries(directory: Path) -> int:
    """Delete temporaries a killed writer left behind; they never hold the only copy of anything."""
    removed = 0
    for tmp in directory.rglob(f".*{_TMP_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
            removed += 1
    return removed


class BatchingStorage(Storage):
    """A TinyDB storage whose writes `batch()` groups: the outermost batch ends with `_end_batch()` (one
    write), or, if the block raises, with `_forget()` (the state in memory dropped, the disk's kept)."""

    _deferred = 0
    _path: Path
    _writable: bool

    @property
    def path(self) -> Path:
        return self._path

    @property
    def writable(self) -> bool:
        return self._writable

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group many TinyDB operations into one write (or none, if the block raises)."""
        self._deferred += 1
        try:
            yield
        except BaseException:
            self._deferred -= 1
            if not self._deferred:
                self._forget()
            raise
        self._deferred -= 1
        if not self._deferred:
            self._end_batch()

    def _end_batch(self) -> None:
        raise NotImplementedError

    def _forget(self) -> None:
        raise NotImplementedError


class AtomicJSONStorage(BatchingStorage):
    """TinyDB storage: JSON on disk, replaced atomically on every write, cached in memory."""

    def __init__(self, path: str | os.PathLike[str], *, durable: bool = True, writable: bool = True) -> None:
        self._path = Path(path)
        self._durable = durable
        self._writable = writable
        self._cache: dict[str, dict[str, Any]] | None = None
        self._loaded = False
        self._deferred = 0
        self._dirty = False
        self.writes = 0  # how many times the file was replaced since it was opened (tests and benches count)

    @property
    def loaded(self) -> bool:
        """Whether the file's contents are in memory (read, or written since it was opened)."""
        return self._loaded

    @property
    def in_step(self) -> bool:
        """Whether the contents in memory are the file's: loaded, and no write deferred by a batch."""
        return self._loaded and not self._deferred and not self._dirty

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self._loaded:
            self._cache = self._load()
            self._loaded = True
        return self._cache

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if not self._writable:
            self._forget()  # TinyDB changed the cached documents before calling us
            msg = f"{self._path} is open read-only: another rmo-bot process writes this data directory"
            raise StoreError(msg)
        self._cache = data
        self._loaded = True
        if self._deferred:
            self._dirty = True
            return
        self._flush()

    def _end_batch(self) -> None:
        if self._dirty:
            self._flush()

    def close(self) -> None:
        self._forget()

    def _forget(self) -> None:
        self._cache = None
        self._loaded = False
        self._dirty = False

    def _load(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw:
            return None
        try:
            data: dict[str, dict[str, Any]] = json.loads(raw)
        except ValueError as exc:
            # Never the result of a crash (writes are atomic): a disk fault or a hand edit.
            msg = f"{self._path} is not valid JSON ({exc}); restore it from a backup or an export"
            raise StoreError(msg) from None
        return data

    def _flush(self) -> None:
        payload = json.dumps(self._cache, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            atomic_write_bytes(self._path, payload, durable=self._durable)
        except BaseException:
            # TinyDB mutated the cached documents in place; the disk still has the truth.
            _log.exception("could not write %s; keeping the previous state", self._path)
            self._forget()
            raise
        self._dirty = False
        self.writes += 1
