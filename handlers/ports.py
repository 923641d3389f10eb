"""Ports the handlers need from the application."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from storage.records import Delivery

__all__ = ["Clock", "OutboxWatcher"]


class Clock(Protocol):
    """Where every "now" comes from, so tests and `--now` can freeze time."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class OutboxWatcher(Protocol):
    """Told of every delivery put in the outbox, so whoever posts the outbox starts on it at once."""

    def queued(self, deliveries: Sequence[Delivery]) -> None:
        """`deliveries` are durably in the outbox."""
        ...
