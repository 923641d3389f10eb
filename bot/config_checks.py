"""The checks of configuration values: each returns what is wrong with a value, or None."""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.attachments import FILE_TYPES, NEVER_ALLOWED
from storage.datafile import BLOCK_KEYS

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "Check", "address", "api_url", "block_map", "days", "digest_links", "digits", "emails", "file_types", "host",
    "hour", "ids", "listen", "networks", "one_of", "port", "positive", "timezone", "url",
]  # fmt: skip

_LISTEN = re.compile(r"^(?P<host>\[[0-9a-fA-F:]+\]|[A-Za-z0-9.\-]+):(?P<port>\d{1,5})$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_HOST = re.compile(r"^[A-Za-z0-9.\-]+$|^\[[0-9a-fA-F:]+\]$")
_FROM = re.compile(r"^(?:[^<>]*<[^@\s<>]+@[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+)$")

Check = "Callable[[Any], str | None]"  # for annotations only


def listen(value: str) -> str | None:
    match = _LISTEN.match(value)
    if not match or not 0 <= int(match.group("port")) <= 65535:
        return f'expected "HOST:PORT" such as "127.0.0.1:8025", got {value!r}'
    return None


def url(value: str) -> str | None:
    return None if value == "" or _URL.match(value) else f"expected an http(s) URL, got {value!r}"


def api_url(value: str) -> str | None:
    return None if _URL.match(value) else f"expected an http(s) URL, got {value!r}"


def one_of(*allowed: str) -> Callable[[Any], str | None]:
    def check(value: str) -> str | None:
        return None if value in allowed else f"expected one of {', '.join(map(repr, allowed))}, got {value!r}"

    return check


def timezone(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return f'unknown time zone {value!r} (use an IANA name such as "Asia/Tokyo")'
    return None


def emails(values: list[str]) -> str | None:
    bad = [v for v in values if not _EMAIL.match(v)]
    return f"not e-mail addresses: {', '.join(map(repr, bad))}" if bad else None


def block_map(values: dict[str, str]) -> str | None:
    bad = sorted(set(values) - set(BLOCK_KEYS))
    if bad:
        return f"unknown block {bad[0]!r} (blocks: {' '.join(BLOCK_KEYS)})"
    empty = sorted(k for k, v in values.items() if not v.strip())
    return f"empty channel id for {empty[0]!r}" if empty else None


def digits(value: str) -> str | None:
    return None if value == "" or (value.isascii() and value.isdigit()) else f"expected a numeric id, got {value!r}"


def ids(values: list[str]) -> str | None:
    return "an empty id in the list" if any(not v.strip() for v in values) else None


def networks(values: list[str]) -> str | None:
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            return f'expected addresses or networks such as "127.0.0.1" or "10.0.0.0/8", got {value!r}'
    return None


def host(value: str) -> str | None:
    if value and not _HOST.match(value):
        return f"expected a host name only (the port is [mail.outbound] port), got {value!r}"
    return None


def address(value: str) -> str | None:
    if value and not _FROM.match(value):
        return f'expected an address such as "rmo-bot <rmo-bot@example.org>", got {value!r}'
    return None


def days(values: list[int]) -> str | None:
    return None if all(0 < v <= 60 for v in values) else f"expected days from 1 to 60, got {values}"


def hour(value: int) -> str | None:
    return None if 0 <= value <= 23 else f"expected an hour from 0 to 23, got {value}"


def port(value: int) -> str | None:
    return None if 0 < value <= 65535 else f"expected a port number from 1 to 65535, got {value}"


def positive(value: int) -> str | None:
    return None if value > 0 else f"expected a positive number, got {value}"


def digest_links(public_url: str) -> str | None:
    """Why digests cannot be sent with this `[http] public_url`, or None: without it every link in a digest
    (unsubscribe, settings, each post) would point at the server's loopback address."""
    if public_url.strip():
        return None
    return (
        "[http] public_url is empty: digests are not sent, because their unsubscribe and settings links would "
        "point at this machine's loopback address. Set it to the address members reach the bot at, such as "
        '"https://rmo.example.jp"'
    )


def file_types(values: list[str]) -> str | None:
    for value in values:
        extension = value.strip().lstrip(".").lower()
        if extension in NEVER_ALLOWED:
            return f"{value!r} can carry a program or a script and is never relayed; remove it"
        if extension not in FILE_TYPES:
            return f"unknown file type {value!r} (known: {' '.join(FILE_TYPES)})"
    return None
