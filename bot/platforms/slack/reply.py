"""A neutral Reply as Slack shows it: Block Kit sections, escaped, nobody pinged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.platforms.common import split_text
from bot.platforms.slack.render import SECTION_LIMIT, escape_mrkdwn

if TYPE_CHECKING:
    from handlers.commands import Notice, Published
    from handlers.messages import Reply

__all__ = ["reply_for_slack"]


def reply_for_slack(reply: Reply | Notice | Published) -> dict[str, Any]:
    """`text` (the fallback, escaped) and `blocks` for chat.postMessage or a response_url."""
    sections = split_text(escape_mrkdwn(reply.text), SECTION_LIMIT)[:50]
    return {
        "text": escape_mrkdwn(reply.text)[:3900],
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": s, "verbatim": True}} for s in sections],
        "unfurl_links": False,
        "unfurl_media": False,
    }
