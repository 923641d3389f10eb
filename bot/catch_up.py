"""What `rmo-bot run` does after it is listening, in the background: the work that grows with history.

The listeners come first; then, with its progress logged, the announcements' message keys are read (in a
worker thread, so the first mail after start need not read every month's file) and every event's
reminders planned (in steps, the loop serving everything else in between). The scheduler's jobs start
once it is done (`done`), so no reminder is sent from a plan older than the events; the relay stores the
spooled mail once the keys are read (`keys_read`), so that no mail reads them all on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.ports import Clock
    from handlers.reminders import ReminderService
    from storage.announcements import TinyAnnouncementRepository

__all__ = ["CatchUp"]

_log = logging.getLogger(__name__)
_PROGRESS_SECONDS = 2.0  # at most one progress line this often


class CatchUp:
    """The catch-up after start, as a component: runs once, then reports itself stopped."""

    name = "catch-up"

    def __init__(self, reminders: ReminderService, announcements: TinyAnnouncementRepository, clock: Clock) -> None:
        self._reminders = reminders
        self._announcements = announcements
        self._clock = clock
        self.done = asyncio.Event()
        self.keys_read = asyncio.Event()  # set also when they could not be read (the first mail reads them then)

    async def run(self, stop: asyncio.Event) -> None:
        if self.done.is_set():
            self.keys_read.set()
            return
        await asyncio.sleep(0)  # the listeners' tasks, started before this one, bind their ports first
        started = time.monotonic()
        _log.info("catch-up started: reading the announcements' keys, then planning every event's reminders")
        try:
            found = await asyncio.to_thread(self._announcements.read_keys)
        except Exception as exc:  # noqa: BLE001 - the reminders must not wait on it: the first mail reads them instead
            _log.warning("catch-up: the announcements' keys could not be read ahead (%s); the first mail reads them",
                         exc)  # fmt: skip
        else:
            self._announcements.adopt_keys(found)
            _log.info("catch-up in progress: %d announcements' keys read in %.1f s", len(found[0]),
                      time.monotonic() - started)  # fmt: skip
        finally:
            self.keys_read.set()
        now, shown, total = self._clock.now(), time.monotonic(), 0
        steps = self._reminders.catch_up(now)
        for done, total in steps:
            if time.monotonic() - shown >= _PROGRESS_SECONDS:
                _log.info("catch-up in progress: reminders of %d of %d events planned", done, total)
                shown = time.monotonic()
            await asyncio.sleep(0)
            if stop.is_set():
                steps.close()  # nothing written: the next start plans them all again
                return
        _log.info("catch-up done in %.1f s: reminders of %d events planned", time.monotonic() - started, total)
        self.done.set()
