"""Who an HTTP request comes from, and how often each client may ask.

Behind a reverse proxy every request's peer is the proxy. When the peer is one of `[http] trusted_proxies`,
the client is the rightmost X-Forwarded-For hop that is not itself a trusted proxy: each proxy appends the
peer it saw, and whatever stands left of the first untrusted hop was written by the client and proves
nothing. From any other peer the header is ignored.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict, deque
from typing import TYPE_CHECKING

from bot.limits import client_key

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from aiohttp import web

__all__ = ["Networks", "RateLimiter", "client_of", "networks"]

Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def networks(values: Iterable[str]) -> Networks:
    """Addresses and CIDR networks, as `[http] trusted_proxies` lists them (checked when it was loaded)."""
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def _host(hop: str) -> str:
    """One X-Forwarded-For entry without a port some proxies add ("[2001:db8::1]:443", "192.0.2.1:80")."""
    hop = hop.strip().strip('"')
    if hop.startswith("["):
        return hop[1:].partition("]")[0]
    return hop.partition(":")[0] if hop.count(":") == 1 else hop


def _trusted(host: str, trusted: Networks) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in trusted)


def client_of(request: web.Request, trusted: Networks) -> str:
    """The key of the client a request comes from (see the module's docstring)."""
    host = request.remote or "?"
    if not _trusted(host, trusted):
        return client_key(host)
    hops = [_host(hop) for value in request.headers.getall("X-Forwarded-For", ()) for hop in value.split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        host = hop
        if not _trusted(hop, trusted):
            break
    return client_key(host)  # every hop trusted: the leftmost one is the client


class RateLimiter:
    """At most `limit` requests per key in `window` seconds, in bounded memory: a key whose requests have
    all expired is forgotten, and beyond `keys` keys the one idle longest is."""

    def __init__(
        self, limit: int, window: float = 3600.0, *, keys: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = window
        self._keys = keys
        self._clock = clock
        # Ordered by each key's latest allowed request, oldest first: expired keys are at the front.
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def allow(self, key: str) -> bool:
        """Whether one more request from `key` may go now (counting it if so)."""
        now = self._clock()
        while self._seen:
            oldest, times = next(iter(self._seen.items()))
            if now - times[-1] < self._window:
                break
            del self._seen[oldest]
        times = self._seen.get(key, deque())
        while times and now - times[0] >= self._window:
            times.popleft()
        if len(times) >= self._limit:
            return False
        times.append(now)
        self._seen[key] = times
        self._seen.move_to_end(key)
        while len(self._seen) > self._keys:
            self._seen.popitem(last=False)
        return True
