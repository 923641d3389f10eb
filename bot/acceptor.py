"""Accepting connections for the intake and the HTTP server, with a bounded cost when descriptors run out.

asyncio's own server (`loop.create_server`) handles a shortage of file descriptors badly on the Pythons this
project supports: on EMFILE its accept loop logs "socket.accept() out of system resource" and schedules a
retry, then goes on trying the same socket up to the backlog's length, so each attempt multiplies the retries
(CPython issue 151615). A flood of idle connections once wrote 52,279 lines that way; under a 64-descriptor
limit it wrote 8,474 records (50,851 lines) in ten seconds while its CPU use climbed to a whole core. This
loop accepts one connection at a time with the loop's public `sock_accept` and `connect_accepted_socket`;
short of descriptors it reports once a minute and tries again a moment later, so it costs next to nothing
meanwhile and serves again as soon as descriptors are free.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
from typing import TYPE_CHECKING

from bot.errors import ListenError
from bot.limits import Throttle

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Acceptor"]

_log = logging.getLogger(__name__)
_SHORTAGE = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
_RETRY = 0.25  # seconds between attempts while the process is short of descriptors
_BACKLOG = 128


class Acceptor:
    """Listens on `host:port` (port 0 picks a free one; `port` tells which) and hands every connection to a
    protocol made by `factory`, until `stop`."""

    def __init__(self, factory: Callable[[], asyncio.BaseProtocol], name: str, setting: str = "") -> None:
        self._factory = factory
        self._name = name
        self._setting = setting  # the configuration key that chose the address, named when it cannot be used
        self._sockets: list[socket.socket] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._report = Throttle()

    @property
    def port(self) -> int:
        return int(self._sockets[0].getsockname()[1])

    async def start(self, host: str, port: int) -> None:
        """Bind every address `host` names (as `loop.create_server` does) and start accepting."""
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        try:
            for family, kind, proto, _, address in dict.fromkeys(infos):
                listening = socket.socket(family, kind, proto)
                self._sockets.append(listening)
                listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    listening.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                listening.bind(address)
                listening.listen(_BACKLOG)
                listening.setblocking(False)  # noqa: FBT003 - the socket API's own flag
        except OSError as exc:
            self._close()
            raise self._cannot_listen(host, port, exc) from exc
        self._tasks = [asyncio.create_task(self._accept(s), name=f"{self._name} accept") for s in self._sockets]

    def _cannot_listen(self, host: str, port: int, exc: OSError) -> ListenError:
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        change = f"change {self._setting} in the configuration" if self._setting else "choose another address"
        if exc.errno == errno.EADDRINUSE:
            cause = f"{where} is already in use (another program, or another rmo-bot, listens there)"
            fix = f"stop that program or {change}"
        elif exc.errno == errno.EACCES:
            cause = f"{where} may not be used by this user (ports below 1024 need privileges)"
            fix = f"{change} to a port above 1024 (a proxy or the MTA can forward to it)"
        elif exc.errno == errno.EADDRNOTAVAIL:
            cause = f"{host} is no address of this machine"
            fix = change
        else:
            cause = f"cannot listen on {where}: {exc.strerror or exc}"
            fix = change
        error = ListenError(f"{self._name}: {cause}; {fix}")
        error.errno = exc.errno
        return error

    async def stop(self) -> None:
        """Stop accepting (connections already made run on)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        self._close()

    def _close(self) -> None:
        for listening in self._sockets:
            listening.close()
        self._sockets = []

    async def _accept(self, listening: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                connection, _ = await loop.sock_accept(listening)
            except ConnectionAbortedError:
                continue  # the client gave up before we got to it
            except OSError as exc:
                held = self._report.ready()
                if held is not None:
                    short = "out of file descriptors" if exc.errno in _SHORTAGE else "failing"
                    more = f" ({held} more since the last report)" if held else ""
                    _log.error(
                        "%s cannot accept connections, %s: %s; trying again every %.2f s, reported once a minute%s",
                        self._name, short, exc, _RETRY, more,
                    )  # fmt: skip
                await asyncio.sleep(_RETRY)
                continue
            try:
                await loop.connect_accepted_socket(self._factory, connection)
            except Exception:  # noqa: BLE001 - one connection's failure must not stop the accepting
                _log.warning("%s: a connection could not be set up", self._name, exc_info=True)
                with contextlib.suppress(OSError):
                    connection.close()
