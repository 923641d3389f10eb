"""Big posts are read in a worker process, so reading one never holds up the event loop.

A worker thread is not enough: parsing a post of several megabytes spends most of its time in C code
(regular expressions, base64) that holds the interpreter's lock for tens of milliseconds at a time, and
the event loop waits for the lock as long. A process has a lock of its own. Small posts, nearly all of
them, are read in a thread as before: a process round trip is not worth it for them.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from handlers.intake import IntakeResult, MailText, read_text

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["BIG_POST", "TextReader"]

_log = logging.getLogger(__name__)

BIG_POST = 512 * 1024  # bytes: a message this big is read in the worker process


def _started_pool() -> ProcessPoolExecutor:
    # "spawn": a fresh interpreter, not a fork of this one with its threads and sockets.
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    pool.submit(int).result()  # the worker process and the pool's manager thread, up and running
    return pool


class TextReader:
    """Reads the text of big messages in one worker process, started when the first one comes."""

    def __init__(self, big: int = BIG_POST) -> None:
        self._big = big
        self._pool: ProcessPoolExecutor | None = None

    def reads(self, raw: bytes) -> bool:
        """Whether `texts` reads this message in the worker process (it is big)."""
        return len(raw) >= self._big

    async def texts(self, raws: Sequence[bytes]) -> list[MailText | IntakeResult | None]:
        """Each big message's text; None for the others (and for one the worker could not read: the
        caller reads those itself)."""
        return [await self._read(raw) if self.reads(raw) else None for raw in raws]

    async def _read(self, raw: bytes) -> MailText | IntakeResult | None:
        try:
            if self._pool is None:
                # Started in a thread: starting its manager thread and process would hold up the loop.
                self._pool = await asyncio.to_thread(_started_pool)
            return await asyncio.get_running_loop().run_in_executor(self._pool, read_text, raw)
        except (BrokenProcessPool, OSError) as exc:
            _log.warning("the worker process for big posts failed (%s: %s); reading this one here",
                         type(exc).__name__, exc)  # fmt: skip
            self.close()
            return None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
