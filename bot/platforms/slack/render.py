"""Announcements as Slack `chat.postMessage` payloads: Block Kit within Slack's limits, shown as written (see
`text.py`), nobody pinged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from bot.platforms.common import PieceCache, attachment_lines, bounded_parts, byline, split_text, whole_post_link
from bot.platforms.slack.text import escape_mrkdwn, plain_context, rich_text
from handlers.texts import say

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


_PIECES = PieceCache()


def _fit(body: str, key: str = "") -> list[str]:
    """Pieces whose *escaped* text fits a section (escaping makes "&" five characters long); split once per
    announcement (`key`), whatever number of channels and retries render it."""

    def split(text: str) -> list[str]:
        return bounded_parts(text, SECTION_LIMIT - 20, lambda piece: len(escape_mrkdwn(piece)))

    return _PIECES.get(key, body, split) if key else split(body)


def render_slack(
    announcement: Announcement,
    channel: str,
    tz: tzinfo,
    delivery_id: str = "",
    *,
    pages_url: str = "",
    listing: Sequence[str] | None = None,
) -> list[SlackMessage]:
    """One payload per part; a long announcement is split at paragraphs with (1/3) markers. `listing` are the
    attachment lines to show (default: every attachment, plainly). The relay posts the first part in the
    channel and the rest in its thread (the post's files too); the first links to the whole post on the
    public page when the pages have a public address (`pages_url`)."""
    body = announcement.body or "（本文なし）"
    parts = _fit(body, f"{announcement.id}@{announcement.corrected_at}")
    count = len(parts)
    link = whole_post_link(announcement, pages_url) if count > 1 else ""
    messages: list[SlackMessage] = []
    for number, part in enumerate(parts, start=1):
        marker = f" ({number}/{count})" if count > 1 else ""
        subject = (announcement.subject or "（件名なし）") + marker
        header = subject if len(subject) <= HEADER_LIMIT else subject[: HEADER_LIMIT - 1 - len(marker)] + "…" + marker
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": False}},
            plain_context(byline(announcement, tz)),
            rich_text(part),
        ]
        if number == 1 and link:
            text = f"<{link}|{escape_mrkdwn(say('post.whole', 'ja', parts=count))}>"
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": text}]})
        if number == count and announcement.attachments:
            lines = attachment_lines(announcement) if listing is None else listing
            blocks.extend(rich_text(x) for x in split_text("\n".join(lines), SECTION_LIMIT))
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
