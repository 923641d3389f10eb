"""What `rmo-bot run` does after it is listening, in the background: the work that grows with history.

The listeners come first; then, with its progress logged, the announcements' message keys are read (in a
worker thread, so the first mail after start need not read every month's file), the events file, the
subscribers and the proposals loaded (in a worker thread too, so that the first questions,
subscriptions and proposal cards do not load them on the loop), and every event's reminders planned (in
steps, the loop serving everything else in between). Meanwhile the garbage collector makes no full pass
(each would walk everything loaded so far, holding the loop and every thread: about 100 ms at 10,000
events); what was loaded is then frozen out of its full passes for good (`gc.freeze`), and the young
collections, which went on, find any cycle left meanwhile.
The scheduler's jobs start once it is done (`done`), so no reminder is sent from a plan older than the events;
the relay stores the spooled mail once the keys are read (`keys_read`), so that no mail reads them all on the
event loop.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from handlers.ports import Clock
    from handlers.reminders import ReminderService
    from storage.announcements import TinyAnnouncementRepository
    from storage.events import TinyEventRepository

__all__ = ["CatchUp"]

_log = logging.getLogger(__name__)
_PROGRESS_SECONDS = 2.0  # at most one progress line this often
_NO_FULL_PASS = 1 << 30  # young collections after which the collector makes a full pass: never, meanwhile


class CatchUp:
    """The catch-up after start, as a component: runs once, then reports itself stopped."""

    name = "catch-up"

    def __init__(
        self, reminders: ReminderService, announcements: TinyAnnouncementRepository, clock: Clock,
        events: TinyEventRepository | None = None, ahead: Sequence[Callable[[], object]] = (),
    ) -> None:  # fmt: skip
        self._reminders = reminders
        self._events = events
        # Other files to read in a worker thread, each a call that is safe there (e.g. the subscribers' `load`).
        self._ahead = ahead
        self._announcements = announcements
        self._clock = clock
        self.done = asyncio.Event()
        self.keys_read = asyncio.Event()  # set also when they could not be read (the first mail reads them then)

    async def run(self, stop: asyncio.Event) -> None:
        if self.done.is_set():
            self.keys_read.set()
            return
        await asyncio.sleep(0)  # the listeners' tasks, started before this one, bind their ports first
        thresholds = gc.get_threshold()
        gc.set_threshold(thresholds[0], thresholds[1], _NO_FULL_PASS)
        try:
            await self._catch_up(stop)
        finally:
            gc.freeze()
            gc.set_threshold(*thresholds)

    async def _catch_up(self, stop: asyncio.Event) -> None:
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
        if self._events is not None:
            await self._read_ahead(self._events)
        for read in self._ahead:
            try:
                await asyncio.to_thread(read)  # else on the loop, at its first use
            except Exception as exc:  # noqa: BLE001 - only a head start, as above
                _log.warning("catch-up: a file could not be read ahead (%s)", exc)
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

    async def _read_ahead(self, events: TinyEventRepository) -> None:
        started = time.monotonic()
        try:
            # Read already (a first start without a saved index counts the events before listening): a second
            # copy, not taken, would be let go on the loop, holding it 60-70 ms at 100,000 events.
            ahead = None if events.loaded else await asyncio.to_thread(events.read_ahead)
        except Exception as exc:  # noqa: BLE001 - only a head start: the first question reads them instead
            _log.warning("catch-up: the events could not be read ahead (%s); the first question reads them", exc)
            return
        if ahead is None:
            _log.info("catch-up in progress: %d events were read before listening", events.count())
            return
        taken = events.take_ahead(ahead)
        _log.info("catch-up in progress: %d events read%s in %.1f s", events.count(),
                  "" if taken else " (read on the loop meanwhile: not taken)", time.monotonic() - started)  # fmt: skip
