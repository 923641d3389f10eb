"""What the running bot may take from the machine: its open-files limit, connections counted per client,
a shortage reported once a minute rather than once per failed attempt, and how long a worker thread may keep
the event loop's thread from running.

The intake's caps (`bot/mail/listener.py`) keep a flood of connections well inside the open-files limit;
should the process run short of descriptors all the same, the accept loops (`bot/acceptor.py`) wait and
report once a minute instead of spinning.
"""

from __future__ import annotations

import ipaddress
import logging
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Throttle", "client_key", "raise_open_files_limit", "share_the_interpreter"]

_log = logging.getLogger(__name__)
_REPORT_EVERY = 60.0
# Descriptors the bot needs beside the intake's connections: the store, outbound mail, HTTP, the platforms.
_RESERVE = 128
# Seconds a thread that wants the interpreter waits before the running one is made to give it up (CPython's
# default is 5 ms). See `share_the_interpreter`.
_SWITCH_INTERVAL = 0.0005


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


def share_the_interpreter() -> None:
    """Let the event loop's thread take the interpreter back from a busy worker thread within 0.5 ms, not 5.

    The loop's thread lets go of the interpreter at every system call (each entry of a directory listing,
    each write to a socket or a journal) and then waits for it again; while a worker thread decodes a big
    file or encodes a compaction, each such wait lasts the whole switch interval. A thousand-entry listing on
    the loop then froze it for half a second at the default 5 ms (measured: a 10,000-event store's start-up,
    loop stall 525-753 ms; 81-87 ms at 0.5 ms). The workers pay a few more switches for it."""
    sys.setswitchinterval(_SWITCH_INTERVAL)


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
