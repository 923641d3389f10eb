"""What the running bot may take from the machine: its open-files limit, and reporting a shortage once a
minute rather than once per failed attempt.

When the process runs out of file descriptors, asyncio's accept loop logs "socket.accept() out of system
resource" and tries again a second later, for every listening socket that has a connection waiting, for as
long as the shortage lasts (a flood of idle connections once wrote 52,279 lines). asyncio recovers by itself
once descriptors are free again; what needs bounding is the log, and, first of all, the number of
connections the intake holds (`bot/mail/listener.py`).
"""

from __future__ import annotations

import ipaddress
import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ResourceLogFilter", "Throttle", "client_key", "limit_resource_logging", "raise_open_files_limit"]

_log = logging.getLogger(__name__)
_REPORT_EVERY = 60.0
# Descriptors the bot needs beside the intake's connections: the store, outbound mail, HTTP, the platforms.
_RESERVE = 128


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


class ResourceLogFilter(logging.Filter):
    """On asyncio's logger: one "out of system resource" record a minute, saying how many were held back;
    every other record passes untouched."""

    _MARK = "out of system resource"

    def __init__(self, throttle: Throttle | None = None) -> None:
        super().__init__()
        self._throttle = throttle or Throttle()

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        first, newline, rest = message.partition("\n")
        if self._MARK not in first:
            return True
        held = self._throttle.ready()
        if held is None:
            return False
        note = f" ({held} more since the last report)" if held else ""
        record.msg = f"{first}{note}; reported at most once a minute while it lasts{newline}{rest}"
        return True


def limit_resource_logging() -> None:
    """Install the filter on asyncio's logger, once."""
    logger = logging.getLogger("asyncio")
    if not any(isinstance(f, ResourceLogFilter) for f in logger.filters):
        logger.addFilter(ResourceLogFilter())


def raise_open_files_limit(needed: int) -> int | None:
    """Raise the soft open-files limit to the hard one and warn when the result leaves too little room for
    `needed` connections; returns the limit in force (None where the system has none to set)."""
    try:
        import resource  # noqa: PLC0415 - POSIX only
    except ImportError:  # pragma: no cover - Windows
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = soft
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError) as exc:  # e.g. macOS, whose hard limit "unlimited" cannot be the soft one
            _log.warning("could not raise the open-files limit from %d to the hard limit: %s", soft, exc)
        else:
            limit = hard
            _log.info("open-files limit raised from %d to %d (the hard limit)", soft, hard)
    if limit != resource.RLIM_INFINITY and limit < needed + _RESERVE:
        _log.warning(
            "the open-files limit (%d) leaves little room beside the intake's %d connections: raise the hard "
            "limit (systemd: LimitNOFILE=) or lower [mail.intake] max_connections", limit, needed,
        )  # fmt: skip
    return limit


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
