"""The intake's spool: raw messages on disk, durable before the SMTP 250 is sent.

Messages that arrive together are written together (group commit): one file and one fsync for a
batch, so durability costs the same whatever the archive holds and little per message under load.
The processor reads the spool in arrival order, stores what it finds, and only then removes each
file, so a crash anywhere loses nothing (a message processed twice is caught by de-duplication).
"""

from __future__ import annotations

import itertools
import os
import struct
import time
from typing import TYPE_CHECKING

from storage.atomic import atomic_write_bytes, fsync_dir

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

__all__ = ["OVERSIZE", "OVERSIZE_REASON", "Spool"]

_DIR_MODE = 0o700
_LENGTH = struct.Struct(">Q")
_MAGIC = b"RMOSPOOL1\n"
OVERSIZE = ".oversize"  # in a spool name: its messages are the starts of mail over the size limit
# The reason such a start is refused and kept with (it can never be released: the rest was never read).
OVERSIZE_REASON = "larger than [mail.intake] max_size (read from the mailbox: only its start is kept)"


class Spool:
    """`DATA/spool/<nanoseconds>-<pid>-<n>.spool`, each holding one or more messages, oldest first."""

    def __init__(self, directory: Path, *, durable: bool = True) -> None:
        self._dir = directory
        self._durable = durable
        self._counter = itertools.count()
        if not directory.is_dir():
            directory.mkdir(mode=_DIR_MODE)
            fsync_dir(directory.parent)

    def put(self, raw: bytes) -> str:
        """Store one message durably; returns its spool name."""
        return self.put_many([raw])

    def put_many(self, raws: Sequence[bytes | Sequence[bytes]], *, oversize: bool = False) -> str:
        """Store several messages durably in one write; returns the spool name. A message may come in pieces
        (an envelope header, the message): they are written one after another, not copied into one.
        `oversize`: each is only the start of a message over the intake's size limit, kept to be refused with
        its reason (IMAP)."""
        tag = OVERSIZE if oversize else ""
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(self._counter):06d}{tag}.spool"
        payload = [_MAGIC]
        for raw in raws:
            pieces = (raw,) if isinstance(raw, bytes) else raw
            payload += [_LENGTH.pack(sum(map(len, pieces))), *pieces]
        atomic_write_bytes(self._dir / name, payload, durable=self._durable)
        return name

    def pending(self) -> list[str]:
        """Names waiting to be processed, oldest first."""
        return sorted(p.name for p in self._dir.iterdir() if p.suffix == ".spool" and not p.name.startswith("."))

    def read(self, name: str) -> list[bytes]:
        """The messages of one spool file."""
        data = (self._dir / name).read_bytes()
        if not data.startswith(_MAGIC):
            return [data]  # written by hand or by an older version: one raw message
        raws = []
        offset = len(_MAGIC)
        while offset + _LENGTH.size <= len(data):
            (length,) = _LENGTH.unpack_from(data, offset)
            offset += _LENGTH.size
            raws.append(data[offset : offset + length])
            offset += length
        return raws

    def remove(self, names: list[str]) -> None:
        for name in names:
            (self._dir / name).unlink(missing_ok=True)
        if names and self._durable:
            fsync_dir(self._dir)
