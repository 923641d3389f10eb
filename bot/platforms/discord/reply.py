"""A neutral Reply as Discord shows it: the answer's text in embeds, escaped, nobody pinged.

The answer's text already lists each event in full, in the asker's language (title, date, venue, online
link, registration link and deadline), so the events are not drawn a second time as cards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.platforms.common import split_text
from bot.platforms.discord.render import (
    ALLOWED_MENTIONS_NONE,
    COLOR,
    DESCRIPTION_LIMIT,
    EMBED_LIMIT,
    escape_markdown,
    escaped_length,
)

if TYPE_CHECKING:
    from datetime import tzinfo

    from handlers.messages import Reply

__all__ = ["reply_for_discord"]

_ROOM = EMBED_LIMIT - 100  # all embeds of one message together


def reply_for_discord(reply: Reply, tz: tzinfo) -> dict[str, Any]:
    """A create-message (or interaction response) payload that pings nobody, within Discord's limits: the
    text in embeds of at most 4,096 characters, 6,000 in all (a longer answer is cut with "…")."""
    del tz  # the dates are in the text, in Japan time
    embeds: list[dict[str, Any]] = []
    used = 0
    for piece in split_text(reply.text, DESCRIPTION_LIMIT - 96, escaped_length):
        shown = escape_markdown(piece)
        if used + len(shown) > _ROOM:
            rest = split_text(piece, max(1, _ROOM - used - 1), escaped_length, most=2)[0]
            if rest:
                embeds.append({"description": escape_markdown(rest) + "…", "color": COLOR})
            break
        embeds.append({"description": shown, "color": COLOR})
        used += len(shown)
    return {"content": "", "embeds": embeds[:10], "allowed_mentions": ALLOWED_MENTIONS_NONE}
