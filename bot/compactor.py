"""The store's compactions while `rmo-bot run` runs: a journal grown past its snapshot is folded into it in
the background (storage.journalled), a slice at a time, so that no write waits for a whole file."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.store import Store

__all__ = ["Compactor"]

_log = logging.getLogger(__name__)
INTERVAL = 2.0  # seconds between looks at the journals' sizes


class Compactor:
    """A component: from its start the store leaves compactions to it; it looks every `interval` seconds."""

    name = "compactor"

    def __init__(self, store: Store, *, interval: float = INTERVAL) -> None:
        self._store = store
        self._interval = interval
        self.compactions = 0

    async def run(self, stop: asyncio.Event) -> None:
        self._store.compact_in_background()
        while not stop.is_set():
            started = time.monotonic()
            done = await self._store.compact()
            if done:
                self.compactions += done
                _log.info("compacted %d store file(s) in %.2f s", done, time.monotonic() - started)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval)
