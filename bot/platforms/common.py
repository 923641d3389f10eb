"""What every rendering of an announcement shares: splitting long text and the header line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.dates import format_datetime

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import tzinfo

    from storage.records import Announcement

__all__ = ["attachment_lines", "byline", "split_text"]


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Pieces measuring at most `limit`, cut at paragraph ends, then line ends, then anywhere.
    Joined back with the separators they were cut at, they are the whole text: nothing is lost.
    `measure` is how the platform counts (e.g. after escaping)."""
    if measure(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while measure(rest) > limit:
        low, high = 1, len(rest)
        while low < high:  # the longest prefix that fits
            middle = (low + high + 1) // 2
            if measure(rest[:middle]) <= limit:
                low = middle
            else:
                high = middle - 1
        window = rest[:low]
        cut, sep = window.rfind("\n\n"), 2
        if cut < low // 3:
            cut, sep = window.rfind("\n"), 1
        if cut < low // 3:
            cut, sep = low, 0
        pieces.append(rest[:cut])
        rest = rest[cut + sep :]
    pieces.append(rest)
    return pieces


def byline(announcement: Announcement, tz: tzinfo) -> str:
    """「事務局 <jimukyoku@…> · 2026年11月25日（水）10:00」"""
    who = f"{announcement.sender_name} <{announcement.sender}>" if announcement.sender_name else announcement.sender
    when = format_datetime(announcement.sent_at or announcement.received_at, "ja", tz)
    return f"{who} · {when}"


def attachment_lines(announcement: Announcement) -> list[str]:
    return [f"📎 {a.filename} ({a.content_type}, {_size(a.size)})" for a in announcement.attachments]


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"
