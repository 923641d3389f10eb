"""Announcements as Slack `chat.postMessage` payloads: Block Kit within Slack's limits, nobody pinged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from bot.platforms.common import PieceCache, attachment_lines, bounded_parts, byline, split_text

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import tzinfo

    from storage.records import Announcement

__all__ = ["SlackMessage", "escape_mrkdwn", "render_slack"]

SECTION_LIMIT = 3000  # a section's text
HEADER_LIMIT = 150  # a header's plain text
MAX_BLOCKS = 50
EVENT_TYPE = "rmo_announcement"


class SlackMessage(TypedDict):
    channel: str
    text: str
    blocks: list[dict[str, Any]]
    unfurl_links: bool
    unfurl_media: bool
    metadata: dict[str, Any]


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters; with them escaped no <!channel> or <@U…> can ping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_PIECES = PieceCache()


def _fit(body: str, key: str = "") -> list[str]:
    """Pieces whose *escaped* text fits a section (escaping makes "&" five characters long); split once per
    announcement (`key`), whatever number of channels and retries render it."""

    def split(text: str) -> list[str]:
        return bounded_parts(text, SECTION_LIMIT - 20, lambda piece: len(escape_mrkdwn(piece)))

    return _PIECES.get(key, body, split) if key else split(body)


def render_slack(
    announcement: Announcement, channel: str, tz: tzinfo, delivery_id: str = "", *, listing: Sequence[str] | None = None
) -> list[SlackMessage]:
    """One payload per part; a long announcement is split at paragraphs with (1/3) markers. `listing` are the
    attachment lines to show (default: every attachment, plainly)."""
    body = announcement.body or "（本文なし）"
    parts = _fit(body, announcement.id)
    count = len(parts)
    messages: list[SlackMessage] = []
    for number, part in enumerate(parts, start=1):
        marker = f" ({number}/{count})" if count > 1 else ""
        subject = (announcement.subject or "（件名なし）") + marker
        header = subject if len(subject) <= HEADER_LIMIT else subject[: HEADER_LIMIT - 1 - len(marker)] + "…" + marker
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": False}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": escape_mrkdwn(byline(announcement, tz))}]},
            {"type": "section", "text": {"type": "mrkdwn", "text": escape_mrkdwn(part), "verbatim": True}},
        ]
        if number == count and announcement.attachments:
            lines = attachment_lines(announcement) if listing is None else listing
            listings = split_text(escape_mrkdwn("\n".join(lines)), SECTION_LIMIT)
            blocks.extend(
                {"type": "section", "text": {"type": "mrkdwn", "text": x, "verbatim": True}} for x in listings
            )
            del blocks[MAX_BLOCKS:]
        fallback = escape_mrkdwn(f"{subject}\n{part}")
        messages.append(
            SlackMessage(
                channel=channel,
                text=fallback,
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
                metadata={
                    "event_type": EVENT_TYPE,
                    "event_payload": {"announcement": announcement.id, "delivery": delivery_id, "part": number},
                },
            )
        )
    return messages
