"""Shows each new proposal (a meeting read from a post) to the secretariat on every chat platform, once.

Which platforms have shown a proposal is kept with it, so a platform that was down, or a proposal read
by `rmo-bot ingest` while the bot was off, is shown when the bot next can; nothing is shown twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from bot.core import Core
    from handlers.commands.proposals import ProposalCard

__all__ = ["ProposalNotifier"]

_log = logging.getLogger(__name__)
_AGAIN = 60.0  # seconds between looks when nothing wakes it (a platform that failed is tried again then)
# Seconds a wake-up waits before looking: the intake proposes a meeting while it stores the post, and the
# relay's lanes, woken in the same moment, post the announcement first; a burst of posts is shown in one look.
_SETTLE = 0.25


class ProposalNotifier:
    """A component: wakes on every new proposal (and every minute), shows what a platform has not shown."""

    name = "proposals"

    def __init__(
        self,
        core: Core,
        shows: dict[str, Callable[[ProposalCard], Awaitable[bool]]],
        *,
        settle: float = _SETTLE,
        ready: asyncio.Event | None = None,
    ) -> None:
        self._core = core
        # Set once the catch-up after start is done (bot.catch_up): a card names its post, whose look-up
        # before the announcements' keys are read would read every month's file on the event loop, and a
        # backlog of cards shown while the catch-up's worker threads decode files waits on them at each of
        # its system calls (measured: steps of 50-80 ms at 2,200 open proposals; about 1 ms after).
        self._ready = ready
        self._settle = settle
        self._shows = shows
        self._wake = asyncio.Event()
        self._failing: set[str] = set()
        core.proposal_listeners.append(lambda _: self._wake.set())

    async def run(self, stop: asyncio.Event) -> None:
        if self._ready is not None:
            await self._ready.wait()
        while not stop.is_set():
            self._wake.clear()  # before the look: a proposal made while it runs wakes the next one
            await self.show_pending()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=_AGAIN)
                await asyncio.sleep(self._settle)

    async def show_pending(self) -> int:
        """Show every open proposal on every platform that has not shown it; returns how many were shown."""
        commands, proposals = self._core.proposal_commands, self._core.store.proposals
        shown = 0
        for proposal in self._core.meetings.open():
            marked = False
            for platform, show in self._shows.items():
                if platform in proposal.notified:
                    continue
                marked = True
                try:
                    if await show(commands.card(proposal)):
                        shown += 1
                    proposals.mark_notified(proposal.id, platform)  # (also when the platform has nowhere to show it)
                    self._failing.discard(platform)
                except Exception as exc:  # noqa: BLE001 - the proposal stays open and is shown at the next look
                    if platform not in self._failing:
                        _log.warning("could not show proposal %s on %s (%s: %s); trying again in a minute",
                                     proposal.id, platform, type(exc).__name__, exc)  # fmt: skip
                    self._failing.add(platform)
            if marked:  # each mark is a write of the proposals: the intake and the lanes run between proposals
                await asyncio.sleep(0)
        return shown
