"""Announcements as Discord create-message payloads: embeds within Discord's limits, nobody pinged."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any, TypedDict

from bot.render.common import attachment_lines, byline, split_text

if TYPE_CHECKING:
    from datetime import tzinfo

    from storage.records import Announcement

__all__ = ["ALLOWED_MENTIONS_NONE", "DiscordMessage", "escape_markdown", "nonce_for", "render_discord"]

DESCRIPTION_LIMIT = 4096
TITLE_LIMIT = 256
FIELD_LIMIT = 1024
ALLOWED_MENTIONS_NONE: dict[str, list[str]] = {"parse": []}  # no @everyone, @here, role or user pings
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


def nonce_for(delivery_id: str, part: int) -> str:
    """Discord keeps a nonce for a few minutes: a re-sent part with the same nonce is not posted twice."""
    return hashlib.sha256(f"{delivery_id}#{part}".encode()).hexdigest()[:25]


def render_discord(announcement: Announcement, channel: str, tz: tzinfo, delivery_id: str = "") -> list[DiscordMessage]:
    """One payload per part; long text is split at paragraphs with (1/3) markers."""
    del channel  # the channel is in the URL, not the payload
    body = escape_markdown(announcement.body or "（本文なし）")
    parts = split_text(body, DESCRIPTION_LIMIT - 10)
    count = len(parts)
    messages: list[DiscordMessage] = []
    for number, part in enumerate(parts, start=1):
        marker = f" ({number}/{count})" if count > 1 else ""
        title = (announcement.subject or "（件名なし）") + marker
        if len(title) > TITLE_LIMIT:
            title = title[: TITLE_LIMIT - 1 - len(marker)] + "…" + marker
        embed: dict[str, Any] = {
            "title": title,
            "description": part,
            "footer": {"text": byline(announcement, tz)[:2048]},
            "color": 0x2E7D32,
        }
        if number == count and announcement.attachments:
            listing = "\n".join(attachment_lines(announcement))
            embed["fields"] = [{"name": "添付ファイル / Attachments", "value": listing[:FIELD_LIMIT], "inline": False}]
        messages.append(
            DiscordMessage(
                content="",
                embeds=[embed],
                allowed_mentions=ALLOWED_MENTIONS_NONE,
                nonce=nonce_for(delivery_id or announcement.id, number),
                enforce_nonce=True,
            )
        )
    return messages
