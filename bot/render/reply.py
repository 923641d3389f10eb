"""A neutral Reply as each chat platform shows it: Block Kit for Slack, embeds for Discord."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.render.common import split_text
from bot.render.discord import ALLOWED_MENTIONS_NONE, escape_markdown
from bot.render.slack import SECTION_LIMIT, escape_mrkdwn

if TYPE_CHECKING:
    from handlers.messages import Reply

__all__ = ["reply_for_discord", "reply_for_slack"]


def reply_for_slack(reply: Reply) -> dict[str, Any]:
    """`text` (the fallback, escaped) and `blocks` for chat.postMessage or a response_url."""
    sections = split_text(escape_mrkdwn(reply.text), SECTION_LIMIT)[:50]
    return {
        "text": escape_mrkdwn(reply.text)[:3900],
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": s, "verbatim": True}} for s in sections],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def reply_for_discord(reply: Reply) -> dict[str, Any]:
    """A create-message (or interaction response) payload that pings nobody."""
    pieces = split_text(escape_markdown(reply.text), 4000)
    return {
        "content": "",
        "embeds": [{"description": p, "color": 0x2E7D32} for p in pieces[:10]],
        "allowed_mentions": ALLOWED_MENTIONS_NONE,
    }
