"""The composition root: the core and the platforms, started and stopped as one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.core import Core

__all__ = ["Application", "IntakeService", "Platform", "build_services"]

_log = logging.getLogger(__name__)
_HEALTHY = 60.0  # seconds a platform must run before its next failure counts as a fresh one


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
        self.states: dict[str, str] = {p.name: "starting" for p in platforms}
        for platform in platforms:
            if hasattr(platform, "health"):
                platform.health = self.health

    def health(self) -> dict[str, str]:
        """Each component's state, and the store's (its lock still held, its files readable)."""
        store = self.core.store
        try:
            alive = store.writable and (store.directory / "meta.json").is_file()
        except OSError:
            alive = False
        return {"store": "running" if alive else "unavailable", **self.states}

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
        # One platform failing must not take the others down: log it, wait, and start it again.
        delay = 1.0
        while not self.stop.is_set():
            started = time.monotonic()
            self.states[platform.name] = "running"
            try:
                await platform.run(self.stop)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure of one platform is logged, the rest keep running
                self.states[platform.name] = f"restarting after {type(exc).__name__}"
                _log.exception("platform %s failed; starting it again in %.0f s", platform.name, delay)
            else:
                self.states[platform.name] = "stopped"
                return
            if time.monotonic() - started > _HEALTHY:
                delay = 1.0  # it ran well for a while: this failure starts the back-off afresh
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=delay)
            delay = min(delay * 2, 300.0)


class IntakeService:
    """The mail listener and the relay behind it, as one component of the application."""

    name = "mail"

    def __init__(self, core: Core) -> None:
        from bot.mail.listener import IntakeServer
        from bot.platforms.posters import DiscordPoster, SlackPoster
        from bot.relay import Poster, RelayService

        config = core.config
        posters: dict[str, Poster] = {}
        if config.secrets.slack_bot_token:
            posters["slack"] = SlackPoster(config.secrets.slack_bot_token, config.slack.api_base_url)
        if config.secrets.discord_token:
            posters["discord"] = DiscordPoster(config.secrets.discord_token, config.discord.api_base_url)
        self.relay = RelayService(core.store, core.intake, posters, config.timezone)
        host, port = config.mail.intake.listen.rsplit(":", 1)
        self.server = IntakeServer(
            core.store.spool,
            host,
            int(port),
            protocol=config.mail.intake.protocol,
            addresses=frozenset(a.lower() for a in config.mail.intake.addresses),
            max_size=config.mail.intake.max_size,
            on_spooled=self.relay.spooled,
        )

    async def run(self, stop: asyncio.Event) -> None:
        await self.server.start()
        try:
            await self.relay.run(stop)
        finally:
            await self.server.stop()


def build_services(core: Core) -> list[Platform]:
    """The components `rmo-bot run` starts beside the console: mail, HTTP, scheduler and chat platforms."""
    from bot.mail.digest_run import DigestJob
    from bot.scheduler.service import SchedulerService
    from bot.web.server import HttpService
    from bot.web.subscriptions import add_subscription_routes

    config = core.config
    host, port = config.http.listen.rsplit(":", 1)
    http = HttpService(host, int(port))
    add_subscription_routes(http.web_app, core)
    mail = IntakeService(core)
    scheduler = SchedulerService(core.reminders, core.clock, mail.relay.queued, DigestJob(core))
    services: list[Platform] = [mail, http, scheduler]
    mode = config.slack.mode
    secret = config.secrets.slack_signing_secret if mode == "http" else config.secrets.slack_app_token
    if config.slack_configured and not secret:
        needed = "SLACK_SIGNING_SECRET" if mode == "http" else "SLACK_APP_TOKEN"
        _log.warning("%s is not set: Slack answers no questions (announcements are still posted)", needed)
    elif config.slack_configured:
        from bot.platforms.slack.adapter import SlackPlatform

        slack = SlackPlatform(core)
        slack.published = mail.relay.queued
        if slack.mode == "http":
            slack.route(http.web_app)
        services.append(slack)
    if config.discord_configured:
        from bot.platforms.discord.adapter import DiscordPlatform

        discord_platform = DiscordPlatform(core, sync_state=core.store.directory / "discord-commands.sha256")
        discord_platform.published = mail.relay.queued
        services.append(discord_platform)
    return services
