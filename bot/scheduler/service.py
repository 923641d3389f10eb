"""The scheduler (APScheduler 3.x, AsyncIOScheduler in the bot's loop, Japan time).

Before its jobs start it catches up: every event's reminders are planned, in steps between which the
loop serves everything else (the listeners are already up), with its progress logged. It then holds two
jobs: a reminder tick and a digest tick, every minute. What is due lives in the store, not in APScheduler's
job store, so nothing is lost with a restart; every option below is set on purpose, not left to the
defaults (a 1-second misfire grace, and `replace_existing` dropping an overdue run, would lose reminders).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

if TYPE_CHECKING:
    from bot.mail.digest_run import DigestJob
    from handlers.ports import Clock
    from handlers.reminders import ReminderService

__all__ = ["TICK_SECONDS", "SchedulerService"]

_log = logging.getLogger(__name__)
TICK_SECONDS = 60
_PROGRESS_SECONDS = 2.0  # at most one progress line this often during the catch-up


class SchedulerService:
    name = "scheduler"

    def __init__(
        self,
        reminders: ReminderService,
        clock: Clock,
        digests: DigestJob | None = None,
    ) -> None:
        self._reminders = reminders
        self._clock = clock
        self._digests = digests
        self.scheduler: AsyncIOScheduler | None = None

    async def tick(self) -> None:
        # A coroutine, so APScheduler runs it in the bot's loop: a plain function would run in a worker
        # thread, beside the loop's own use of the store.
        try:
            self._reminders.tick(self._clock.now())  # what it queues wakes the outbox by itself
        except Exception:  # noqa: BLE001 - the next tick tries again; the store still knows what is due
            _log.exception("reminder tick failed")

    async def digest_tick(self) -> None:
        if self._digests is None:
            return
        try:
            self._digests.tick(self._clock.now())
        except Exception:  # noqa: BLE001 - the next tick tries again; the subscribers say who is due
            _log.exception("digest tick failed")

    def start(self) -> AsyncIOScheduler:
        now = self._clock.now()
        scheduler = AsyncIOScheduler(
            timezone=now.tzinfo,
            job_defaults={
                "coalesce": True,  # ticks missed while the loop was busy collapse into one
                "max_instances": 1,  # a slow tick is never run twice at once
                "misfire_grace_time": None,  # a late tick still runs, however late
            },
        )
        # One job under a fixed id: starting again replaces it, so a restart never doubles it; its first
        # run is now, so reminders due during a downtime go out at once.
        scheduler.add_job(self.tick, "interval", seconds=TICK_SECONDS, id="reminders", replace_existing=True,
                          next_run_time=now)  # fmt: skip
        # Digests the same way: the tick starts a run when someone is due (a run is a task of its own).
        scheduler.add_job(self.digest_tick, "interval", seconds=TICK_SECONDS, id="digests", replace_existing=True,
                          next_run_time=now)  # fmt: skip
        scheduler.start()
        self.scheduler = scheduler
        return scheduler

    async def catch_up(self, stop: asyncio.Event) -> None:
        """Plan every event's reminders (once after start), yielding to the loop between steps."""
        now, started = self._clock.now(), time.monotonic()
        shown, total = started, 0
        await asyncio.sleep(0)  # the listeners' tasks bind their ports first
        _log.info("catch-up started: planning every event's reminders in the background")
        for done, total in (steps := self._reminders.catch_up(now)):
            if time.monotonic() - shown >= _PROGRESS_SECONDS:
                _log.info("catch-up in progress: reminders of %d of %d events planned", done, total)
                shown = time.monotonic()
            await asyncio.sleep(0)
            if stop.is_set():
                steps.close()  # nothing written: the next start plans them all again
                return
        _log.info("catch-up done: reminders of %d events planned in %.1f s", total, time.monotonic() - started)

    async def run(self, stop: asyncio.Event) -> None:
        if not self._reminders.caught_up:
            await self.catch_up(stop)
            if stop.is_set():
                return
        scheduler = self.start()
        _log.info("scheduler running: reminder tick every %d s", TICK_SECONDS)
        try:
            await stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            if self._digests is not None:
                await self._digests.stop()
