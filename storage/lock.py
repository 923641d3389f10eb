"""One process per data directory: an advisory lock the kernel releases when the holder dies."""

from __future__ import annotations

import contextlib
import fcntl
import os
from typing import TYPE_CHECKING

from storage.atomic import FILE_MODE
from storage.errors import StoreLockedError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["DataDirLock"]

LOCK_NAME = ".lock"


class DataDirLock:
    """An exclusive `flock` on `DATA_DIR/.lock`, holding the owner's pid for the refusal message."""

    def __init__(self, directory: Path) -> None:
        self._path = directory / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            msg = (
                f"the data directory {self._path.parent} is in use by another rmo-bot process "
                f"(pid {owner}); only one process may write to a data directory at a time. "
                "Stop that process, or give this one its own --data-dir."
            )
            raise StoreLockedError(msg) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing drops the flock
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None
