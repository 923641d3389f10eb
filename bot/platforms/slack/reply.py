"""A neutral Reply as Slack shows it: rich_text blocks, shown as written, links clickable, nobody pinged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.platforms.common import split_text
from bot.platforms.slack.render import SECTION_LIMIT
from bot.platforms.slack.text import escape_mrkdwn, rich_text

if TYPE_CHECKING:
    from handlers.commands import Notice, Published
    from handlers.messages import Reply

__all__ = ["reply_for_slack", "text_blocks"]


def text_blocks(text: str, most: int = 50) -> list[dict[str, Any]]:
    """`text` as rich_text blocks of at most SECTION_LIMIT characters each, at most `most` of them."""
    return [rich_text(piece) for piece in split_text(text, SECTION_LIMIT)[:most]]


def reply_for_slack(reply: Reply | Notice | Published) -> dict[str, Any]:
    """`text` (the fallback notifications show, escaped) and `blocks` for chat.postMessage or a response_url."""
    return {
        "text": escape_mrkdwn(reply.text)[:3900],
        "blocks": text_blocks(reply.text),
        "unfurl_links": False,
        "unfurl_media": False,
    }
