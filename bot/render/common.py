"""What every rendering of an announcement shares: splitting long text and the header line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.dates import format_datetime

if TYPE_CHECKING:
    from datetime import tzinfo

    from storage.records import Announcement

__all__ = ["attachment_lines", "byline", "split_text"]


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph ends, then line ends, then anywhere.
    Joined back with the separators they were cut at, they are the whole text: nothing is lost."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = window.rfind("\n\n")
        sep = 2
        if cut < limit // 3:
            cut, sep = window.rfind("\n"), 1
        if cut < limit // 3:
            cut, sep = limit, 0
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
