"""The scheduler (APScheduler 3.x, AsyncIOScheduler in the bot's loop, Japan time).

It holds two jobs, started once the catch-up after start is done (bot/catch_up.py): a reminder tick and a
digest tick, every minute. What is due lives in the store, not in APScheduler's
job store, so nothing is lost with a restart; every option below is set on purpose, not left to the
defaults (a 1-second misfire grace, and `replace_existing` dropping an overdue run, would lose reminders).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

if TYPE_CHECKING:
    from bot.mail.digest_run import DigestJob
    from handlers.ports import Clock
    from handlers.reminders import ReminderService

__all__ = ["TICK_SECONDS", "SchedulerService"]

_log = logging.getLogger(__name__)
TICK_SECONDS = 60


class SchedulerService:
    name = "scheduler"

    def __init__(
        self,
        reminders: ReminderService,
        clock: Clock,
        digests: DigestJob | None = None,
        ready: asyncio.Event | None = None,
    ) -> None:
        self._reminders = reminders
        self._clock = clock
        self._digests = digests
        self._ready = ready  # set once the catch-up planned every event's reminders (bot/catch_up.py)
        self.scheduler: AsyncIOScheduler | None = None

    async def tick(self) -> None:
        # A coroutine, so APScheduler runs it in the bot's loop: a plain function would run in a worker
        # thread, beside the loop's own use of the store.
        try:
            for _ in self._reminders.tick_steps(self._clock.now()):  # what it queues wakes the outbox itself
                await asyncio.sleep(0)  # the loop serves everything else between two slices
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

    async def run(self, stop: asyncio.Event) -> None:
        if self._ready is not None:
            ready = asyncio.create_task(self._ready.wait())
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({ready, stopping}, return_when=asyncio.FIRST_COMPLETED)
            ready.cancel()
            stopping.cancel()
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
