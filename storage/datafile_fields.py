"""Reading the data file's fields: text, lists, URLs and times, each error naming its line and field."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from storage.errors import DataFileError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import tzinfo

__all__ = ["URL", "FieldReader"]

URL = re.compile(r"^https?://\S+$")
_FIRST_YEAR, _LAST_YEAR = 2000, 2100


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


class FieldReader:
    """Reads one field of a parsed data file, or makes the DataFileError that names its line and field."""

    def __init__(self, path: str, text: str, default_tz: tzinfo) -> None:
        self.path = path
        self.text = text
        self.tz = default_tz
        self.locate = _Locator(text)

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
            raise self.fail(
                table, index, key, f"expected a date and time like 2027-01-20T13:30:00+09:00, got {value!r}"
            )
        if not _FIRST_YEAR <= value.year <= _LAST_YEAR:
            raise self.fail(table, index, key, f"expected a year from {_FIRST_YEAR} to {_LAST_YEAR}, got {value.year}")
        # A time without an offset is Japan time: that is what the secretariat means when it writes one.
        return value if value.tzinfo else value.replace(tzinfo=self.tz)

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
        seen: dict[str, int] = {}
        for i, value in enumerate(keys):
            if value in seen:
                raise self.fail(table, i, key, f"{value!r} appears twice (also {table}[{seen[value] + 1}])")
            seen[value] = i
