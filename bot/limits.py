"""What the running bot may take from the machine: connections counted per client, and a shortage
reported once a minute rather than once per failed attempt."""

from __future__ import annotations

import ipaddress
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Throttle", "client_key"]

_REPORT_EVERY = 60.0


class Throttle:
    """Lets one report through per `interval` seconds, counting the ones held back meanwhile."""

    def __init__(self, interval: float = _REPORT_EVERY, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._last: float | None = None
        self._held = 0

    def ready(self) -> int | None:
        """None to hold this report back; otherwise how many were held back since the last one."""
        now = self._clock()
        if self._last is not None and now - self._last < self._interval:
            self._held += 1
            return None
        self._last, held, self._held = now, self._held, 0
        return held


def client_key(host: str) -> str:
    """The key one client's connections and requests are counted under: its address, an IPv6 client's /64
    network (one subscriber line holds a whole /64), anything unreadable as it is."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
