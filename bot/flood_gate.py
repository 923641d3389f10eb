"""Whether mail is arriving as a flood, so that the relay answers the senders first.

Each message's SMTP 250 waits for its spool write only; storing it (reading it, finding its meeting,
queueing its deliveries) is the relay's work after the 250, in the same process. Under a flood — many
mails within a fraction of a second — that work would take the CPU the listener needs to answer, and
senders would wait. So the relay holds it back while the flood lasts (at
most `max_defer` seconds at a time), then stores everything spooled meanwhile in big batches. At an
ordinary pace (a list sends a few mails a day; the bench paces 20 a second) nothing is held back.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

__all__ = ["FloodGate"]


class FloodGate:
    """Told of each arrival; `settled()` returns once there is no flood, or `max_defer` has passed. A flood
    is `threshold` arrivals or more within the last `window` seconds (80 a second, by default)."""

    def __init__(self, *, window: float = 0.1, threshold: int = 8, max_defer: float = 5.0) -> None:
        self._window = window
        self._max_defer = max_defer
        self._arrivals: deque[float] = deque(maxlen=threshold)
        self.held = 0.0  # seconds the relay was held back in all (benches report it)

    def arrived(self) -> None:
        self._arrivals.append(time.monotonic())

    @property
    def flooding(self) -> bool:
        full = len(self._arrivals) == self._arrivals.maxlen
        return full and time.monotonic() - self._arrivals[0] < self._window

    async def settled(self) -> None:
        started = time.monotonic()
        while self.flooding and time.monotonic() - started < self._max_defer:  # noqa: ASYNC110 - it waits on time
            await asyncio.sleep(self._window / 5)
        self.held += time.monotonic() - started
