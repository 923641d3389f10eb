"""The intake's spool: each raw message as its own file, durable before the SMTP 250 is sent.

One small file per message costs the same whatever the archive holds; the processor reads the spool
in arrival order, stores what it finds, and only then removes each file, so a crash anywhere loses
nothing (a message processed twice is caught by de-duplication).
"""

from __future__ import annotations

import itertools
import os
import time
from typing import TYPE_CHECKING

from storage.atomic import atomic_write_bytes, fsync_dir

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["Spool"]

_DIR_MODE = 0o700


class Spool:
    """`DATA/spool/<nanoseconds>-<pid>-<n>.eml`, oldest first."""

    def __init__(self, directory: Path, *, durable: bool = True) -> None:
        self._dir = directory
        self._durable = durable
        self._counter = itertools.count()
        if not directory.is_dir():
            directory.mkdir(mode=_DIR_MODE)
            fsync_dir(directory.parent)

    def put(self, raw: bytes) -> str:
        """Store one message durably; returns its spool name."""
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(self._counter):06d}.eml"
        atomic_write_bytes(self._dir / name, raw, durable=self._durable)
        return name

    def pending(self) -> list[str]:
        """Names waiting to be processed, oldest first."""
        return sorted(p.name for p in self._dir.iterdir() if p.suffix == ".eml" and not p.name.startswith("."))

    def read(self, name: str) -> bytes:
        return (self._dir / name).read_bytes()

    def remove(self, names: list[str]) -> None:
        for name in names:
            (self._dir / name).unlink(missing_ok=True)
        if names and self._durable:
            fsync_dir(self._dir)
