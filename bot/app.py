"""The composition root: the store, the handlers and the platforms, wired and started as one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, Self

from handlers.answering import Answerer
from handlers.messages import INTENTS
from storage.datafile import DataSet, load_dataset
from storage.errors import StoreLockedError
from storage.store import Store

if TYPE_CHECKING:
    from types import TracebackType

    from bot.config import Config
    from handlers.ports import Clock

__all__ = ["BUNDLED_DATA", "Application", "Core", "Platform"]

_log = logging.getLogger(__name__)

BUNDLED_DATA = Path(__file__).parent / "data" / "network.toml"


class Platform(Protocol):
    """A chat platform adapter: runs until `stop` is set."""

    name: str

    async def run(self, stop: asyncio.Event) -> None: ...


class Core:
    """The store and the handlers over it: everything a command needs, with no event loop."""

    def __init__(self, config: Config, store: Store, clock: Clock) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.answerer = Answerer(
            store.knowledge, store.events, store.unanswered, clock, config.timezone, config.contact
        )

    @classmethod
    def open(cls, config: Config, data_dir: Path, clock: Clock, *, read_only_fallback: bool = False) -> Core:
        """Open the data directory (seeding it with the bundled data on first use).

        With `read_only_fallback`, a directory another process holds is opened read-only instead of
        refused: its files are only ever replaced whole, so reading them is safe.
        """
        try:
            store = Store.open(data_dir)
        except StoreLockedError:
            if not read_only_fallback:
                raise
            store = Store.open(data_dir, writable=False)
        try:
            if store.writable and store.knowledge.network() is None:
                changed = store.apply(load_bundled(config))
                _log.info("seeded %s with the bundled network data (%s)", data_dir, changed)
        except BaseException:
            store.close()
            raise
        return cls(config, store, clock)

    def load_data_file(self, path: Path) -> DataSet:
        """Parse and validate a data file against this store's blocks."""
        blocks = [b.key for b in self.store.knowledge.blocks()]
        return load_dataset(path, default_tz=self.config.timezone, intents=INTENTS, known_blocks=blocks)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def load_bundled(config: Config) -> DataSet:
    """The network's built-in knowledge, from the seed description."""
    return load_dataset(BUNDLED_DATA, default_tz=config.timezone, intents=INTENTS)


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
