"""The loopback server every fake API builds on, and the faults a test scripts for it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["FakeAPI", "Faults"]


@dataclass
class Faults:
    """What the fake does to the next requests: a list of "429", "500", "hang", "refuse" consumed in order (any
    other entry, e.g. "ok", lets one request through)."""

    script: list[str] = field(default_factory=list)
    retry_after: float = 1.0
    down_until: float = 0.0  # monotonic time before which the server is stopped (connections refused)

    def next(self) -> str | None:
        return self.script.pop(0) if self.script else None


class FakeAPI:
    """An aiohttp server on 127.0.0.1 with a random port; `start()` / `stop()` / `restart()`."""

    def __init__(self) -> None:
        self.app = web.Application(middlewares=[self._note_peer])
        self.calls: list[dict[str, Any]] = []
        # (path, the client's address) of every request: the same address again is a reused connection.
        self.connections: list[tuple[str, object]] = []
        self.faults = Faults()
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.port = 0
        self.received_at: dict[str, float] = {}
        self._release = asyncio.Event()

    @web.middleware
    async def _note_peer(self, request: web.Request, handler: Any) -> web.StreamResponse:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.connections.append((request.path, peer))
        response: web.StreamResponse = await handler(request)
        return response

    def peers_of(self, path_part: str) -> list[object]:
        """The client address of each request whose path contains `path_part`, in order."""
        return [peer for path, peer in self.connections if path_part in path]

    async def start(self) -> None:
        self._release = asyncio.Event()
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await self._site.start()
        sockets = self._site._server.sockets  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._release.set()  # hung requests end now, so the server can close at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def refuse_for(self, seconds: float) -> None:
        """Close the listening socket for a while: connections are refused, then it comes back."""
        await self.stop()
        await asyncio.sleep(seconds)
        await self.start()

    async def hang(self) -> None:
        """Wait until the server stops (a request that is never answered)."""
        await self._release.wait()

    async def _fault(self) -> web.Response | None:
        fault = self.faults.next()
        if fault == "429":
            return web.json_response(
                {"ok": False, "error": "ratelimited", "retry_after": self.faults.retry_after},
                status=429,
                headers={"Retry-After": str(self.faults.retry_after)},
            )
        if fault == "500":
            return web.json_response({"ok": False, "error": "internal_error"}, status=500)
        if fault == "refuse":  # Slack's answer for good: the bot was taken out of the channel
            return web.json_response({"ok": False, "error": "not_in_channel"})
        if fault == "hang":
            await self._release.wait()
            return web.json_response({"ok": False, "error": "shutting down"}, status=503)
        return None
