"""Clocks: the real one, a frozen one for tests and `--now`, and a shifted one for `rmo-bot run --now`."""

from __future__ import annotations

from datetime import datetime, tzinfo

__all__ = ["FrozenClock", "ShiftedClock", "SystemClock", "parse_instant"]


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


class ShiftedClock:
    """The wall clock started at another instant: time runs, from there (a rehearsal, or a test of the
    running bot on a fixed calendar)."""

    def __init__(self, start: datetime, tz: tzinfo) -> None:
        self._tz = tz
        self._offset = start - datetime.now(tz)

    def now(self) -> datetime:
        return datetime.now(self._tz) + self._offset


def parse_instant(text: str, tz: tzinfo) -> datetime:
    """An ISO-8601 instant; one without an offset is taken in the bot's time zone."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)
