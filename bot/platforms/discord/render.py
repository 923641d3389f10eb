"""Announcements as Discord create-message payloads: embeds within Discord's limits, nobody pinged."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any, TypedDict

import discord.utils

from bot.platforms.common import PieceCache, attachment_lines, bounded_parts, byline, split_text, whole_post_link
from handlers.texts import say

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import tzinfo

    from storage.records import Announcement

__all__ = ["ALLOWED_MENTIONS_NONE", "DiscordMessage", "embed_title", "escape_markdown", "nonce_for", "render_discord"]

DESCRIPTION_LIMIT = 4096
TITLE_LIMIT = 256
FIELD_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_LIMIT = 6000
MAX_FIELDS = 25
COLOR = 0x2E7D32
ATTACHMENTS = "添付ファイル / Attachments"
ALLOWED_MENTIONS_NONE: dict[str, list[str]] = {"parse": []}  # no @everyone, @here, role or user pings
_MENTION = re.compile(r"@(?=everyone\b|here\b)|<(?=@|#)")


class DiscordMessage(TypedDict):
    content: str
    embeds: list[dict[str, Any]]
    allowed_mentions: dict[str, list[str]]
    nonce: str
    enforce_nonce: bool


def escape_markdown(text: str) -> str:
    """Plain text shown as written: Discord markdown escaped as discord.py escapes it (URLs left alone, so
    `…/kinki_2nd_meeting` stays a working link), and mentions broken with a zero-width space, so even where
    allowed_mentions did not apply nobody could be pinged."""
    return _MENTION.sub(lambda m: m.group(0) + "\u200b", discord.utils.escape_markdown(text))


def escaped_length(text: str) -> int:
    """len(escape_markdown(text)): what a piece measures once escaped."""
    return len(escape_markdown(text))


def embed_title(text: str, suffix: str = "") -> str:
    """`text` escaped like a description, with `suffix` (e.g. a part marker), cut with "…" to TITLE_LIMIT."""
    title = escape_markdown(text) + suffix
    if len(title) <= TITLE_LIMIT:
        return title
    low, high = 0, len(text)  # the longest prefix whose escaped form fits with "…" and the suffix
    while low < high:
        middle = (low + high + 1) // 2
        if len(escape_markdown(text[:middle])) + 1 + len(suffix) <= TITLE_LIMIT:
            low = middle
        else:
            high = middle - 1
    return escape_markdown(text[:low]) + "…" + suffix


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
    announcement: Announcement,
    channel: str,
    tz: tzinfo,
    delivery_id: str = "",
    *,
    pages_url: str = "",
    listing: Sequence[str] | None = None,
) -> list[DiscordMessage]:
    """One payload per part; long text is split at paragraphs with (1/3) markers; every attachment is listed
    (`listing`: the lines to show, by default each attachment plainly). The relay posts the first part in
    the channel and the rest in a thread started from it (the post's files too); the first links to the
    whole post on the public page when the pages have a public address (`pages_url`)."""
    del channel  # the channel is in the URL, not the payload
    body = announcement.body or "（本文なし）"
    # Split once per announcement (and correction), not per channel.
    parts = _PIECES.get(f"{announcement.id}@{announcement.corrected_at}", body, _split)
    footer = {"text": byline(announcement, tz)[:FOOTER_LIMIT]}
    subject = announcement.subject or "（件名なし）"
    embeds: list[dict[str, Any]] = []
    for number, part in enumerate(parts, start=1):
        marker = f" ({number}/{len(parts)})" if len(parts) > 1 else ""
        embeds.append({"title": embed_title(subject, marker), "description": part, "footer": footer, "color": COLOR})
    link = whole_post_link(announcement, pages_url) if len(parts) > 1 else ""
    if link:
        embeds[0]["url"] = link
        embeds[0]["fields"] = [{"name": say("post.whole", "ja", parts=len(parts)), "value": link, "inline": False}]
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
                target = {"title": embed_title(subject, f" — {ATTACHMENTS}"), "footer": footer, "color": COLOR}
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
