"""The composition root: every component of `rmo-bot run` built with its collaborators, then started
and stopped as one."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol

from bot.errors import ListenError, PlatformLoginError
from bot.limits import Throttle
from bot.link_state import LinkState
from bot.loop_watch import LoopWatch
from storage.errors import RmoBotError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from bot.config import Config
    from bot.core import Core
    from bot.mail.service import MailService
    from bot.shutdown import ShutdownDeadline
    from handlers.commands.proposals import ProposalCard

__all__ = ["Application", "Component", "HealthBoard", "build_components", "failure_line", "slack_half_configured"]

_log = logging.getLogger(__name__)
_HEALTHY = 60.0  # seconds a component must run before its next failure counts as a fresh one
_LOGIN_RETRY = 60.0  # seconds, at least, before credentials that were refused are tried again


class Component(Protocol):
    """One part of the running bot (a chat platform, the mail service, the HTTP server, the scheduler):
    runs until `stop` is set."""

    name: str

    async def run(self, stop: asyncio.Event) -> None: ...


class HealthBoard:
    """What each component is doing, and whether the store is still ours: what /healthz reports."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.states: dict[str, str] = {}
        self.loop = LoopWatch()
        self._links: dict[str, LinkState] = {}

    def link(self, name: str) -> LinkState:
        """The connection state chat platform `name` reports (instead of the supervisor's "running")."""
        return self._links.setdefault(name, LinkState())

    def report(self) -> dict[str, str]:
        """Each component's state, and the store's (its lock still held, its files readable); a chat platform's
        is its connection's: connecting, connected, retrying or failed."""
        store = self._core.store
        try:
            alive = store.writable and (store.directory / "meta.json").is_file()
        except OSError:
            alive = False
        states = dict(self.states)
        for name, link in self._links.items():
            if name not in states:
                continue
            supervised = states[name]
            if supervised.startswith("restarting") and not link.is_failed:
                states[name] = f"retrying: {supervised.removeprefix('restarting after ')}"
            elif supervised != "stopped":
                states[name] = link.state
        return {"store": "running" if alive else "unavailable", **states}

    def figures(self) -> dict[str, int | str | None]:
        """Measured figures beside the states: the event loop's longest stall, the deliveries waiting in the
        outbox, the mail held in quarantine, and the digest time the last digest run completed."""
        store = self._core.store
        try:
            state = json.loads((store.directory / "digest-state.json").read_text(encoding="utf-8"))
            last_digest = str(state.get("done_slot")) if isinstance(state, dict) and state.get("done_slot") else None
        except (OSError, ValueError):
            last_digest = None
        try:
            backlog: int | None = len(store.outbox.pending())
            quarantined: int | None = sum(1 for q in store.quarantine.list() if not q.released)
        except (OSError, ValueError):  # a store gone bad is reported as such above; /healthz still answers
            backlog = quarantined = None
        return {**self.loop.figures(), "outbox_backlog": backlog, "quarantined": quarantined,
                "digest_last_run": last_digest}  # fmt: skip


class Application:
    """Runs every component in one event loop until SIGINT/SIGTERM or a component asks to stop."""

    def __init__(
        self, core: Core, components: list[Component], health: HealthBoard | None = None,
        deadline: ShutdownDeadline | None = None,
    ) -> None:  # fmt: skip
        self.core = core
        self.deadline = deadline
        self.components = components
        self.stop = asyncio.Event()
        self.health = health or HealthBoard(core)
        self.health.states.update({c.name: "starting" for c in components})
        # What ended the run for good: a component that cannot start at all (its port is taken).
        self.fatal: RmoBotError | None = None

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(_started_executor())  # before anything runs in it
        if self.deadline is not None:
            self.deadline.install(loop, self.stop)
        else:  # embedded (tests): the loop's own handlers, no forced exit
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(sig, self.stop.set)
        names = ", ".join(c.name for c in self.components) or "none"
        _log.info("rmo-bot running (components: %s; data: %s)", names, self.core.store.directory)
        tasks = [asyncio.create_task(self._supervise(c), name=c.name) for c in self.components]
        try:
            await self.stop.wait()
        finally:
            if self.deadline is not None:
                self.deadline.arm()  # from here on, neither a stuck task nor a stuck worker thread holds the exit
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.core.link_mailer.drain()  # a confirmation on its way is finished, not cut off
            _log.info("rmo-bot stopped")
        if self.fatal is not None:
            raise self.fatal

    async def _supervise(self, component: Component) -> None:
        # One component failing must not take the others down: say why in one line, wait, start it again.
        # At most one line a minute per component (the traceback only at DEBUG level); a listener whose
        # address is taken at start stops the bot instead, so a service manager or a person sees it at once.
        states = self.health.states
        delay, first, report = 1.0, True, Throttle()
        while not self.stop.is_set():
            started = time.monotonic()
            states[component.name] = "running"
            try:
                await component.run(self.stop)
            except asyncio.CancelledError:
                raise
            except ListenError as exc:
                if first:
                    self.fatal = exc
                    self.stop.set()
                    return
                self._failed(component, exc, delay, report)
            except PlatformLoginError as exc:
                delay = max(delay, _LOGIN_RETRY)  # a wrong token stays wrong until someone changes it
                self._failed(component, exc, delay, report)
            except Exception as exc:  # noqa: BLE001 - any failure of one component is logged, the rest keep running
                self._failed(component, exc, delay, report)
            else:
                states[component.name] = "stopped"
                return
            first = False
            if time.monotonic() - started > _HEALTHY:
                delay = 1.0  # it ran well for a while: this failure starts the back-off afresh
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=delay)
            delay = min(delay * 2, 300.0)

    def _failed(self, component: Component, exc: Exception, delay: float, report: Throttle) -> None:
        self.health.states[component.name] = f"restarting after {type(exc).__name__}"
        _log.debug("%s failed", component.name, exc_info=exc)
        held = report.ready()
        if held is None:
            return
        again = f" ({held} more failures since the last report)" if held else ""
        _log.error("%s failed: %s; starting it again in %.0f s%s", component.name, failure_line(exc), delay, again)


def failure_line(exc: BaseException) -> str:
    """One line that names what went wrong: our own errors say it; others give their type and first line."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, RmoBotError):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__ + ' (log_level = "DEBUG" shows more)'


def _started_executor(workers: int = min(32, (os.cpu_count() or 1) + 4)) -> ThreadPoolExecutor:
    """The loop's worker threads (asyncio's default number), all started now. Left to asyncio, each starts on
    first use, and starting one waits until the new thread holds the interpreter lock: under load, with a big
    post being read and rendered in the others, that held the event loop for up to 80 ms."""
    executor = ThreadPoolExecutor(workers, thread_name_prefix="rmo-bot-worker")
    started = threading.Barrier(workers + 1)
    for _ in range(workers):
        executor.submit(started.wait)  # each keeps its thread until all have started, so each submit starts one
    with contextlib.suppress(threading.BrokenBarrierError):
        started.wait(timeout=10)  # they start on demand after all, if this machine cannot start them now
    return executor


def _imap_intake(core: Core, mail: MailService, health: HealthBoard) -> Component:
    """The IMAP intake, spooling into the SMTP listener's spool and waking the same relay."""
    from bot.mail.imap import ImapIntake

    settings, secrets = core.config.mail.imap, core.config.secrets
    secret = secrets.imap_oauth2_token if settings.auth == "xoauth2" else secrets.imap_password
    if not secret and not (settings.auth == "xoauth2" and settings.token_command):
        needed = "IMAP_OAUTH2_TOKEN (or [mail.imap] token_command)" if settings.auth == "xoauth2" else "IMAP_PASSWORD"
        _log.warning("%s is not set: the IMAP login to %s will be refused", needed, settings.host)
    state = core.store.directory / "imap-state.json"
    intake = core.config.mail.intake
    return ImapIntake(
        settings, secret, core.store.spool, mail.relay.spooled, health.states, state,
        max_size=intake.max_size, keep_refused=intake.keep_refused_bytes,
    )  # fmt: skip


def slack_half_configured(config: Config) -> str:
    """What a Slack bot token without its mode's second credential means, and what to set."""
    if config.slack.mode == "http":
        missing, fix = "SLACK_SIGNING_SECRET", "set it (the app's Basic Information → Signing Secret)"
    else:
        missing = "SLACK_APP_TOKEN"
        fix = 'set it (an app-level token, xapp-…) or use [slack] mode = "http" with SLACK_SIGNING_SECRET'
    where = "the console answers instead" if config.console_enabled else "nothing answers questions on Slack"
    return f"{missing} is not set: Slack is posted to but hears no questions ({where}); {fix}"


def build_components(core: Core, health: HealthBoard) -> list[Component]:
    """The components `rmo-bot run` starts beside the console: mail, HTTP, scheduler and chat platforms."""
    from bot.catch_up import CatchUp
    from bot.compactor import Compactor
    from bot.mail.digest_run import DigestJob
    from bot.mail.service import MailService
    from bot.scheduler.service import SchedulerService
    from bot.web.calendar_feed import add_calendar_routes
    from bot.web.pages import add_site
    from bot.web.public import add_public_routes
    from bot.web.server import HttpService
    from bot.web.subscriptions import add_subscription_routes

    config = core.config
    host, port = config.http.listen.rsplit(":", 1)
    http = HttpService(host, int(port), health.report, health.figures)
    pages = add_site(http.web_app, core)
    add_subscription_routes(http.web_app, core, pages)
    if config.web.public:
        add_calendar_routes(http.web_app, core)
        add_public_routes(http.web_app, core, pages)
    # Listening first: the catch-up comes after the listeners, and the scheduler's jobs after the catch-up. The
    # mail is taken at once; it is stored once the catch-up has read the announcements' keys.
    # Read ahead too: the subscribers (else at the first subscription) and the proposals (the notifier's first
    # look: 290 ms at 6,200). The proposals are a cached property: opened in a worker thread, a use on the loop
    # meanwhile waits for it rather than opening a second.
    store = core.store
    catch_up = CatchUp(core.reminders, store.announcements, core.clock, store.events,
                       ahead=(store.subscribers.load, lambda: store.proposals))  # fmt: skip
    mail = MailService(core, ready=catch_up.keys_read)
    scheduler = SchedulerService(core.reminders, core.clock, DigestJob(core), ready=catch_up.done)
    components: list[Component] = [health.loop, mail, http, catch_up, scheduler, Compactor(core.store)]
    if config.mail.imap.host:
        components.append(_imap_intake(core, mail, health))
    shows: dict[str, Callable[[ProposalCard], Awaitable[bool]]] = {}  # where the secretariat sees proposals
    mode = config.slack.mode
    secret = config.secrets.slack_signing_secret if mode == "http" else config.secrets.slack_app_token
    if config.slack_configured and not secret:
        _log.warning("%s", slack_half_configured(config))
    elif config.slack_configured:
        from bot.platforms.slack.adapter import SlackPlatform

        slack = SlackPlatform(core, link=health.link("slack"))
        if slack.mode == "http":
            slack.route(http.web_app)
        components.append(slack)
        shows["slack"] = slack.show_proposal
    if config.discord_configured:
        from bot.platforms.discord.adapter import DiscordPlatform

        discord = DiscordPlatform(
            core, sync_state=core.store.directory / "discord-commands.sha256", link=health.link("discord")
        )
        components.append(discord)
        shows["discord"] = discord.show_proposal
    if config.facebook.page_id and not config.facebook_configured:
        _log.warning("FACEBOOK_PAGE_TOKEN is not set: posts for the Facebook page wait in the outbox")
    if shows:
        from bot.proposal_notifier import ProposalNotifier

        components.append(ProposalNotifier(core, shows, ready=catch_up.done))
    return components
