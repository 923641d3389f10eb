"""The bot's HTTP server (aiohttp): Slack's HTTP mode, and /healthz. Loopback by default."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from bot.acceptor import Acceptor

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable, Mapping

__all__ = ["HttpService"]

_log = logging.getLogger(__name__)


class HttpService:
    """Serves `web_app` on `host:port` until the bot stops (port 0 picks a free one, logged)."""

    name = "http"

    def __init__(
        self,
        host: str,
        port: int,
        health: Callable[[], dict[str, str]],
        figures: Callable[[], Mapping[str, int | str | None]] = dict,
    ) -> None:
        self._health_report = health
        self._figures = figures
        self.web_app = web.Application()
        self.web_app.router.add_get("/healthz", self._health)
        self._host = host.strip("[]")
        self._port = port

    async def _health(self, request: web.Request) -> web.Response:
        """Whether the store, the scheduler and each platform are alive: 200 when all are, 503 when not (a chat
        platform retrying or refused); with the event loop's longest stall (`loop_stall_ms`), the outbox's
        backlog, the quarantine's count and the last digest run."""
        del request
        parts = self._health_report()
        # A console at end of input stops; a platform still making its first connection is not failing yet.
        ok = all(state in {"running", "stopped", "connected", "connecting"} for state in parts.values())
        return web.json_response({"ok": ok, **parts, **self._figures()}, status=200 if ok else 503)

    async def run(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(self.web_app, access_log=None)
        await runner.setup()
        assert runner.server is not None  # made by setup()
        # Our accept loop instead of aiohttp's TCPSite (asyncio's create_server): see bot/acceptor.py.
        acceptor = Acceptor(runner.server, "the http server", "[http] listen")
        try:
            await acceptor.start(self._host, self._port)
            _log.info("http server listening on %s:%d", self._host, acceptor.port)
            await stop.wait()
        finally:
            await acceptor.stop()
            await runner.cleanup()
