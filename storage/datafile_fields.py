"""Reading the data file's fields: text, lists, URLs and times, each error naming its line and field."""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, cast

from storage.errors import DataFileError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import tzinfo

__all__ = ["URL", "FieldReader", "short_times"]

URL = re.compile(r"^https?://\S+$")
_FIRST_YEAR, _LAST_YEAR = 2000, 2100
_EXAMPLE = "2027-01-20T13:30:00+09:00"
# `starts_at = 2027-02-01 13:00`: TOML wants the seconds, so this is a syntax error, and tomllib's message
# ("Expected newline or end of document") does not say what to write instead.
_SHORT_TIME = re.compile(
    r"^\s*(?P<key>[A-Za-z0-9_]+)\s*=\s*(?P<date>\d{4}-\d{2}-\d{2})[ Tt](?P<time>\d{1,2}:\d{2})\s*(?:#.*)?$"
)
_QUOTED_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ Tt]\d{1,2}:\d{2}(?::\d{2})?)?$")


def _hint(day: str, clock: str = "13:30") -> str:
    hours, minutes = clock.split(":")[:2]
    return f"{day}T{int(hours):02d}:{minutes}:00+09:00"


def short_times(text: str) -> list[tuple[int, str, str]]:
    """Every line that writes a time without seconds (`2027-02-01 13:00`): (line, key, what to write)."""
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        match = _SHORT_TIME.match(raw)
        if match:
            found.append((number, match.group("key"), _hint(match.group("date"), match.group("time"))))
    return found


class _Locator:
    """Finds the line of `[[table]]` number N and of a key inside it, for error messages."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?")

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()

    def line(self, table: str, index: int | None, key: str | None) -> int | None:
        seen = -1
        start: int | None = None
        for number, raw in enumerate(self._lines, start=1):
            match = self._HEADER.match(raw)
            if start is not None and match:
                break
            if match and match.group(1) == table:
                seen += 1
                if index is None or seen == index:
                    start = number
                    continue
            if start is not None and key and re.match(rf"^\s*{re.escape(key)}\s*=", raw):
                return number
        return start

    def entry(self, line: int, key: str) -> str:
        """The entry a line belongs to, as errors name it: `events[3].starts_at`."""
        counts: dict[str, int] = {}
        current = ""
        for raw in self._lines[:line]:
            match = self._HEADER.match(raw)
            if match:
                counts[match.group(1)] = counts.get(match.group(1), 0) + 1
                current = match.group(1)
        return f"{current}[{counts[current]}].{key}" if current else key


class FieldReader:
    """Reads one field of a parsed data file, or makes the DataFileError that names its line and field."""

    def __init__(self, path: str, text: str, default_tz: tzinfo) -> None:
        self.path = path
        self.text = text
        self.tz = default_tz
        self.locate = _Locator(text)
        self.errors: list[DataFileError] = []

    @contextlib.contextmanager
    def collecting(self) -> Iterator[None]:
        """Record a DataFileError raised inside instead of stopping, so one import reports every entry's."""
        try:
            yield
        except DataFileError as exc:
            self.errors.append(exc)

    def fail(
        self, table: str, index: int | None, key: str | None, problem: str, ident: str | None = None
    ) -> DataFileError:
        where = table if index is None else f"{table}[{index + 1}]"
        if key:
            where = f"{where}.{key}"
        if ident:
            where = f"{where} ({ident})"
        return DataFileError(self.path, self.locate.line(table, index, key), where, problem)

    def text_field(
        self, row: dict[str, Any], table: str, index: int | None, key: str, *, required: bool = True
    ) -> str | None:
        value = row.get(key)
        if value is None:
            if required:
                raise self.fail(table, index, None, f'"{key}" is required')
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(table, index, key, f"expected text, got {value!r}")
        # Store what an export writes back: no CRLF, and an empty optional text is no text.
        value = value.replace("\r\n", "\n")
        return value if value.strip() or required else None

    def text_list(self, row: dict[str, Any], table: str, index: int | None, key: str) -> tuple[str, ...]:
        value = row.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(table, index, key, f"expected a list of text, got {value!r}")
        return tuple(value)

    def url_field(self, row: dict[str, Any], table: str, index: int | None, key: str) -> str | None:
        value = self.text_field(row, table, index, key, required=False)
        if value is not None and not URL.match(value):
            raise self.fail(table, index, key, f"expected an http(s) URL, got {value!r}")
        return value

    def when(self, row: dict[str, Any], table: str, index: int | None, key: str, *, required: bool) -> datetime | None:
        value = row.get(key)
        if value is None:
            if required:
                raise self.fail(table, index, None, f'"{key}" is required')
            return None
        if not isinstance(value, datetime):
            raise self.fail(table, index, key, self._not_a_time(value))
        if not _FIRST_YEAR <= value.year <= _LAST_YEAR:
            raise self.fail(table, index, key, f"expected a year from {_FIRST_YEAR} to {_LAST_YEAR}, got {value.year}")
        # A time without an offset is Japan time: that is what the secretariat means when it writes one.
        return value if value.tzinfo else value.replace(tzinfo=self.tz)

    @staticmethod
    def _not_a_time(value: object) -> str:
        """What is wrong with a value that should be a date and time, and how to write it."""
        if isinstance(value, date):
            return f"{value.isoformat()} has a date but no time: write both, e.g. {_hint(value.isoformat())}"
        if isinstance(value, time):
            return f"{value.isoformat()} has a time but no date: write both, e.g. {_EXAMPLE}"
        if isinstance(value, str) and _QUOTED_TIME.match(value.strip()):
            day, _, clock = value.strip().replace("t", "T").replace(" ", "T").partition("T")
            example = _hint(day, clock or "13:30")
            return f'"{value}" is text in quotes: write the date and time without quotes, e.g. {example}'
        shown = f'"{value}"' if isinstance(value, str) else str(value)
        return f"expected a date and time like {_EXAMPLE}, got {shown}"

    def check_keys(self, row: object, table: str, index: int | None, allowed: Iterable[str]) -> dict[str, Any]:
        if not isinstance(row, dict):
            raise self.fail(table, index, None, f"expected a table, got {row!r}")
        unknown = sorted(set(row) - set(allowed))
        if unknown:
            raise self.fail(table, index, unknown[0], f"unknown field (allowed: {', '.join(sorted(allowed))})")
        return cast("dict[str, Any]", row)

    def rows(self, data: dict[str, Any], table: str) -> list[Any]:
        rows = data.get(table, [])
        if not isinstance(rows, list):
            raise self.fail(table, None, None, "expected an array of tables ([[" + table + "]])")
        return rows

    def unique(self, keys: Iterable[str], table: str, key: str) -> None:
        if self.errors:
            return  # entries were left out, so the indexes are not the file's: the next import checks this
        seen: dict[str, int] = {}
        for i, value in enumerate(keys):
            if value in seen:
                raise self.fail(table, i, key, f"{value!r} appears twice (also {table}[{seen[value] + 1}])")
            seen[value] = i
