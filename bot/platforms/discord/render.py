"""Announcements as Discord create-message payloads: embeds within Discord's limits, nobody pinged."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any, TypedDict

from bot.platforms.common import PieceCache, attachment_lines, bounded_parts, byline, split_text

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import tzinfo

    from storage.records import Announcement

__all__ = ["ALLOWED_MENTIONS_NONE", "DiscordMessage", "escape_markdown", "nonce_for", "render_discord"]

DESCRIPTION_LIMIT = 4096
TITLE_LIMIT = 256
FIELD_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_LIMIT = 6000
MAX_FIELDS = 25
COLOR = 0x2E7D32
ATTACHMENTS = "添付ファイル / Attachments"
ALLOWED_MENTIONS_NONE: dict[str, list[str]] = {"parse": []}  # no @everyone, @here, role or user pings
_MARKDOWN_CHARACTERS = "\\*_`~|[]"
_MARKDOWN = re.compile(r"([\\*_`~|\[\]])")
_LINE_START = re.compile(r"^(\s*)([>#-])", re.MULTILINE)


class DiscordMessage(TypedDict):
    content: str
    embeds: list[dict[str, Any]]
    allowed_mentions: dict[str, list[str]]
    nonce: str
    enforce_nonce: bool


def escape_markdown(text: str) -> str:
    """Plain text shown as written: Discord markdown characters escaped."""
    return _LINE_START.sub(r"\1\\\2", _MARKDOWN.sub(r"\\\1", text))


def escaped_length(text: str) -> int:
    """len(escape_markdown(text)), counted without building the escaped text."""
    return len(text) + sum(map(text.count, _MARKDOWN_CHARACTERS)) + len(_LINE_START.findall(text))


def nonce_for(delivery_id: str, part: int) -> str:
    """Discord keeps a nonce for a few minutes: a re-sent part with the same nonce is not posted twice."""
    return hashlib.sha256(f"{delivery_id}#{part}".encode()).hexdigest()[:25]


def _size(embed: dict[str, Any]) -> int:
    fields = embed.get("fields", [])
    return (
        len(embed.get("title", "")) + len(embed.get("description", "")) + len(embed["footer"]["text"])
        + sum(len(f["name"]) + len(f["value"]) for f in fields)
    )  # fmt: skip


_PIECES = PieceCache()


def _split(body: str) -> list[str]:
    return [escape_markdown(p) for p in bounded_parts(body, DESCRIPTION_LIMIT - 10, escaped_length)]


def render_discord(
    announcement: Announcement, channel: str, tz: tzinfo, delivery_id: str = "", *, listing: Sequence[str] | None = None
) -> list[DiscordMessage]:
    """One payload per part; long text is split at paragraphs with (1/3) markers; every attachment is listed
    (`listing`: the lines to show, by default each attachment plainly)."""
    del channel  # the channel is in the URL, not the payload
    body = announcement.body or "（本文なし）"
    parts = _PIECES.get(announcement.id, body, _split)  # split once per announcement, not per channel
    footer = {"text": byline(announcement, tz)[:FOOTER_LIMIT]}
    subject = announcement.subject or "（件名なし）"
    embeds: list[dict[str, Any]] = []
    for number, part in enumerate(parts, start=1):
        marker = f" ({number}/{len(parts)})" if len(parts) > 1 else ""
        title = subject + marker
        if len(title) > TITLE_LIMIT:
            title = title[: TITLE_LIMIT - 1 - len(marker)] + "…" + marker
        embeds.append({"title": title, "description": part, "footer": footer, "color": COLOR})
    if announcement.attachments:
        lines = attachment_lines(announcement) if listing is None else listing
        escaped = escape_markdown("\n".join(lines))
        fields: list[dict[str, Any]] = [
            {"name": ATTACHMENTS, "value": chunk, "inline": False} for chunk in split_text(escaped, FIELD_LIMIT)
        ]
        target = embeds[-1]
        for field in fields:
            present: list[dict[str, Any]] = target.get("fields", [])
            if len(present) >= MAX_FIELDS or _size(target) + len(ATTACHMENTS) + len(field["value"]) > EMBED_LIMIT:
                # No room left beside the text: the list continues in a message of its own.
                target = {"title": f"{subject[:200]} — {ATTACHMENTS}", "footer": footer, "color": COLOR}
                embeds.append(target)
            target.setdefault("fields", []).append(field)
    nonce_base = delivery_id or announcement.id
    return [
        DiscordMessage(
            content="",
            embeds=[embed],
            allowed_mentions=ALLOWED_MENTIONS_NONE,
            nonce=nonce_for(nonce_base, number),
            enforce_nonce=True,
        )
        for number, embed in enumerate(embeds, start=1)
    ]
