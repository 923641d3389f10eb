"""Ports the handlers need from the application."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["Clock"]


class Clock(Protocol):
    """Where every "now" comes from, so tests and `--now` can freeze time."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...
