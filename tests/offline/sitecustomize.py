"""Loaded by every Python the tests start (the bot's processes too: their PYTHONPATH names this folder),
so nothing a test runs can reach past loopback, whatever the code under test tries."""

from __future__ import annotations

import socket

_real_connect = socket.socket.connect


def _loopback(host: object) -> bool:
    return isinstance(host, str) and (host.startswith("127.") or host in {"::1", "localhost"})


def guarded(self: socket.socket, address: object) -> object:
    """socket.connect, for loopback and Unix sockets only."""
    host = address[0] if isinstance(address, tuple) else address
    if self.family != socket.AF_UNIX and not _loopback(host):
        msg = f"tests must not reach the network ({address!r})"
        raise OSError(msg)
    return _real_connect(self, address)


socket.socket.connect = guarded  # type: ignore[method-assign]
