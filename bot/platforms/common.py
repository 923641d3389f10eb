"""What every rendering of an announcement shares: splitting long text and the header line."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from handlers.dates import format_datetime
from handlers.texts import say

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import tzinfo

    from handlers.attachments import FilePlan
    from storage.records import Announcement

__all__ = ["MAX_PARTS", "attachment_lines", "bounded_parts", "byline", "file_url", "split_text", "whole_post_link"]


MAX_PARTS = 10  # messages one post becomes in one channel at most: the rest is pointed to, not posted
_HEAD = MAX_PARTS * 8_000  # characters of a text a bounded split can show (10 parts of at most 4,096, and more)


def split_text(text: str, limit: int, measure: Callable[[str], int] = len, *, most: int | None = None) -> list[str]:
    """Pieces measuring at most `limit`, cut at paragraph ends, then line ends, then anywhere.
    Joined back with the separators they were cut at, they are the whole text: nothing is lost.
    `measure` is how the platform counts (e.g. after escaping); it never counts less than `len`, so a
    piece is at most `limit` characters and each cut looks at that window only: the work grows with the
    text (not with its square), and with `most` it stops after that many pieces (the last holds the rest)."""
    pieces: list[str] = []
    start, end = 0, len(text)
    while measure(text[start : start + limit + 1]) > limit or start + limit < end:
        if most is not None and len(pieces) == most - 1:
            break
        window_end = min(end, start + limit)
        low, high = 1, window_end - start
        while low < high:  # the longest prefix of the window that fits
            middle = (low + high + 1) // 2
            if measure(text[start : start + middle]) <= limit:
                low = middle
            else:
                high = middle - 1
        if start + low >= end:
            break
        window = text[start : start + low]
        cut, sep = window.rfind("\n\n"), 2
        if cut < low // 3:
            cut, sep = window.rfind("\n"), 1
        if cut < low // 3:
            cut, sep = low, 0
        pieces.append(text[start : start + cut])
        start += cut + sep
    pieces.append(text[start:])
    return pieces


class PieceCache:
    """The pieces of the last few announcements' texts, split once however many channels and retries render
    them; keyed by the announcement (not by its text, which may be megabytes long)."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._pieces: OrderedDict[tuple[str, int, bytes], tuple[str, ...]] = OrderedDict()
        self._lock = threading.Lock()  # big posts are rendered in threads, several channels at once

    def get(self, key: str, text: str, split: Callable[[str], list[str]]) -> list[str]:
        # Its length and a digest of its head (all a bounded split shows): two corrections of one post differ.
        slot = (key, len(text), hashlib.blake2b(text[:_HEAD].encode(), digest_size=16).digest())
        with self._lock:
            pieces = self._pieces.get(slot)
        if pieces is None:
            pieces = tuple(split(text))  # outside the lock: two channels splitting at once get the same pieces
            with self._lock:
                self._pieces[slot] = pieces
                while len(self._pieces) > self._size:
                    self._pieces.popitem(last=False)
        return list(pieces)


def bounded_parts(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """At most MAX_PARTS pieces of `text` (see split_text); when it is longer, the last piece is cut to
    make room for a note saying how much is shown and where the whole text is (in Japanese, the language
    of the posts themselves)."""
    # The pieces shown take at most MAX_PARTS * (limit + 2) characters (each with its separator): splitting a
    # head a little longer gives the same pieces, and does not copy a long post's megabytes of rest, twice.
    pieces = split_text(text[: MAX_PARTS * (limit + 2) + limit], limit, measure, most=MAX_PARTS)
    if len(pieces) < MAX_PARTS or (len(pieces[-1]) <= limit and measure(pieces[-1]) <= limit):
        return pieces
    shown = sum(len(p) for p in pieces[:-1])
    note = "\n\n" + say("post.cut", "ja", total=len(text), shown=shown + limit)
    room = limit - measure(note)
    last = split_text(pieces[-1], room, measure, most=2)[0]
    note = "\n\n" + say("post.cut", "ja", total=len(text), shown=shown + len(last))
    return [*pieces[:-1], last + note]


def byline(announcement: Announcement, tz: tzinfo) -> str:
    """「事務局 <jimukyoku@…> · 2026年11月25日（水）10:00」"""
    who = f"{announcement.sender_name} <{announcement.sender}>" if announcement.sender_name else announcement.sender
    when = format_datetime(announcement.sent_at or announcement.received_at, "ja", tz)
    return f"{who} · {when}"


def whole_post_link(announcement: Announcement, pages_url: str) -> str:
    """The post's public page, where the whole text is (none without a public address)."""
    return f"{pages_url.rstrip('/')}/announcements/{announcement.id}" if pages_url else ""


def file_url(pages_url: str, announcement_id: str, number: int) -> str:
    """Where the public page serves an announcement's `number`th attachment (from 1)."""
    return f"{pages_url}/announcements/{announcement_id}/files/{number}"


def attachment_lines(announcement: Announcement, plan: FilePlan | None = None, pages_url: str = "") -> list[str]:
    """One line per attachment; with the platform's `plan`, those not uploaded say why (in Japanese, the
    language of the posts), and one too large to upload links to the public page that serves it."""
    lines = []
    for index, a in enumerate(announcement.attachments):
        line = f"📎 {a.filename} ({a.content_type}, {_size(a.size)})"
        refusal = plan.refusal(index) if plan is not None else None
        if refusal is not None:
            line += " — " + say(f"files.{refusal}", "ja")
            if refusal == "size" and pages_url:
                line += "　" + say("files.download", "ja", url=file_url(pages_url, announcement.id, index + 1))
        lines.append(line)
    return lines


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"
