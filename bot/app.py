"""The composition root: the core and the platforms, started and stopped as one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.core import Core

__all__ = ["Application", "Platform"]

_log = logging.getLogger(__name__)


class Platform(Protocol):
    """A chat platform adapter: runs until `stop` is set."""

    name: str

    async def run(self, stop: asyncio.Event) -> None: ...


class Application:
    """Runs every platform in one event loop until SIGINT/SIGTERM or a platform asks to stop."""

    def __init__(self, core: Core, platforms: list[Platform]) -> None:
        self.core = core
        self.platforms = platforms
        self.stop = asyncio.Event()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stop.set)
        names = ", ".join(p.name for p in self.platforms) or "none"
        _log.info("rmo-bot running (platforms: %s; data: %s)", names, self.core.store.directory)
        tasks = [asyncio.create_task(self._supervise(p), name=p.name) for p in self.platforms]
        try:
            await self.stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            _log.info("rmo-bot stopped")

    async def _supervise(self, platform: Platform) -> None:
        # One platform failing must not take the others down: log it and let the rest run.
        try:
            await platform.run(self.stop)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - any failure of one platform is logged, the rest keep running
            _log.exception("platform %s failed", platform.name)
