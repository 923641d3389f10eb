"""The flood gate holds the relay back only while mail arrives as a flood, and never for longer than its limit."""

from __future__ import annotations

import asyncio

from bot.flood_gate import FloodGate


def test_an_ordinary_pace_is_no_flood():
    """Mail a few at a time, or one every few tens of milliseconds, does not hold anything back."""
    gate = FloodGate(window=0.1, threshold=8)
    for _ in range(7):
        gate.arrived()
    assert not gate.flooding


async def test_a_burst_holds_the_relay_until_it_is_over():
    """Eight arrivals at once are a flood; `settled` returns once the window has passed with no more."""
    gate = FloodGate(window=0.05, threshold=8, max_defer=10.0)
    for _ in range(8):
        gate.arrived()
    assert gate.flooding
    await gate.settled()
    assert not gate.flooding
    assert gate.held > 0


async def test_a_flood_that_never_ends_is_held_back_at_most_max_defer_at_a_time():
    """While arrivals keep coming, `settled` still returns (after `max_defer`), so the mail is stored meanwhile."""
    gate = FloodGate(window=0.05, threshold=4, max_defer=0.2)
    stop = asyncio.Event()

    async def keep_arriving() -> None:
        while not stop.is_set():
            gate.arrived()
            await asyncio.sleep(0.001)

    flooding = asyncio.create_task(keep_arriving())
    await asyncio.sleep(0.01)
    await gate.settled()
    assert gate.flooding  # still a flood: it returned because of the limit
    stop.set()
    await flooding
