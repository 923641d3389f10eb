"""A journal of small records beside a TinyDB file, for writes on the answer path that must not wait for a disk.

Invariants:
- each record is one JSON line, appended with one write(2) and no fsync: a killed or restarted process keeps
  it (the kernel has it), only a power cut may lose the lines since the last fold;
- the owner folds the lines into its durable TinyDB file (an atomic, fsynced write), then empties the journal;
  a crash between the two leaves lines the file already has, so replaying them must change nothing;
- a line torn by a crash mid-write is skipped when the journal is read.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from typing import TYPE_CHECKING, Any

from storage.atomic import FILE_MODE
from storage.errors import StoreError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

__all__ = ["Journal"]

_log = logging.getLogger(__name__)


class Journal:
    """Records appended to one file, read back in order, emptied after a fold."""

    def __init__(self, path: Path, *, writable: bool) -> None:
        self._path = path
        self._writable = writable
        self._fd: int | None = None
        self.records = self._read()  # what the journal holds, in order (oldest first)

    @property
    def writable(self) -> bool:
        return self._writable

    def _read(self) -> list[dict[str, Any]]:
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            return []
        records = []
        for line in raw.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # torn by a crash mid-write
            if isinstance(record, dict):
                records.append(record)
        return records

    def append(self, record: dict[str, Any]) -> None:
        """Add one record (no fsync: see the module's invariants)."""
        if not self._writable:
            msg = f"{self._path} is open read-only: another rmo-bot process writes this data directory"
            raise StoreError(msg)
        if self._fd is None:
            self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        # One write(2) of one short line: appended whole, so no two records ever interleave.
        os.write(self._fd, json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        self.records.append(record)

    def clear(self) -> None:
        """Empty the journal, once its records are durably elsewhere."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.truncate(self._path, 0)
        self.records = []

    def close_folded(self, fold: Callable[[], None], what: str) -> None:
        """Fold (when there is anything to fold) and let go of the file; a fold that fails is logged: its
        lines stay, and are folded at the next start."""
        try:
            if self.records and self.writable:
                fold()
        except OSError as exc:
            _log.warning("could not fold the %s journal (it is folded at the next start): %s", what, exc)
        finally:
            self.close()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
