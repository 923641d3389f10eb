"""The outbox's doorbell: whoever queues deliveries rings it, and the running relay opens their lanes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Sequence

    from storage.records import Delivery

__all__ = ["OutboxSignal"]


class OutboxSignal:
    """The outbox's doorbell (an OutboxWatcher): whoever queues deliveries rings it, and the relay opens
    their lanes. Rung with no loop running (a command), it only remembers the lanes; nothing waits."""

    def __init__(self) -> None:
        self._lanes: dict[tuple[str, str], None] = {}
        self._rung: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def queued(self, deliveries: Sequence[Delivery]) -> None:
        for delivery in deliveries:
            self._lanes[(delivery.platform, delivery.channel)] = None
        if deliveries and self._rung is not None:
            self._rung.set()

    async def wait(self) -> list[tuple[str, str]]:
        """The lanes rung since the last call (waiting until there is one)."""
        import asyncio  # noqa: PLC0415 - only the running bot waits: `rmo-bot ask` never pays for asyncio

        loop = asyncio.get_running_loop()
        if self._rung is None or self._loop is not loop:  # an event belongs to the loop that waits on it
            self._rung, self._loop = asyncio.Event(), loop
        if not self._lanes:
            self._rung.clear()
            await self._rung.wait()
        lanes = list(self._lanes)
        self._lanes.clear()
        return lanes
