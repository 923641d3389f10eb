"""Clocks: the real one, and a frozen one for tests and `--now`."""

from __future__ import annotations

from datetime import datetime, tzinfo

__all__ = ["FrozenClock", "SystemClock", "parse_instant"]


class SystemClock:
    """The wall clock, in the bot's time zone."""

    def __init__(self, tz: tzinfo) -> None:
        self._tz = tz

    def now(self) -> datetime:
        return datetime.now(self._tz)


class FrozenClock:
    """Always the same instant (movable by tests)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def parse_instant(text: str, tz: tzinfo) -> datetime:
    """An ISO-8601 instant; one without an offset is taken in the bot's time zone."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)
