"""A neutral Reply as Discord shows it: the answer's text, then a card (embed) per event it lists; escaped,
nobody pinged.

Each event is shown once: its lines leave the text and become its card — the title, then the rest of its
lines (date, venue, online link, registration link and deadline) exactly as the answer words them, so a card
is in the asker's language only. When the cards would not fit one message, the events stay in the text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.platforms.common import split_text
from bot.platforms.discord.render import (
    ALLOWED_MENTIONS_NONE,
    COLOR,
    DESCRIPTION_LIMIT,
    EMBED_LIMIT,
    embed_title,
    escape_markdown,
    escaped_length,
)

if TYPE_CHECKING:
    from datetime import tzinfo

    from handlers.messages import Reply

__all__ = ["reply_for_discord"]

_ROOM = EMBED_LIMIT - 100  # all embeds of one message together
_EMBEDS = 10
_CARD_COLOR = 0x1565C0
_BULLET = re.compile(r"^(?:■|•)\s*")
_INDENT = re.compile(r"^[\u3000 ]+", re.MULTILINE)


def _card(listing: str) -> dict[str, Any]:
    title, _, rest = listing.partition("\n")
    card: dict[str, Any] = {"title": embed_title(_BULLET.sub("", title)), "color": _CARD_COLOR}
    if rest.strip():
        card["description"] = escape_markdown(_INDENT.sub("", rest))[:DESCRIPTION_LIMIT]
    return card


def _text_embeds(text: str, room: int) -> list[dict[str, Any]]:
    """`text` in embeds of at most 4,096 characters and `room` in all (a longer text is cut with "…")."""
    embeds: list[dict[str, Any]] = []
    used = 0
    for piece in split_text(text, DESCRIPTION_LIMIT - 96, escaped_length):
        shown = escape_markdown(piece)
        if used + len(shown) > room:
            rest = split_text(piece, max(1, room - used - 1), escaped_length, most=2)[0]
            if rest:
                embeds.append({"description": escape_markdown(rest) + "…", "color": COLOR})
            break
        embeds.append({"description": shown, "color": COLOR})
        used += len(shown)
    return embeds


def _size(embed: dict[str, Any]) -> int:
    return len(embed.get("title", "")) + len(embed.get("description", ""))


def _without(text: str, listings: tuple[str, ...]) -> str:
    """`text` with each listing taken out (with the line break before it)."""
    for listing in listings:
        text = text.replace("\n" + listing, "", 1) if "\n" + listing in text else text.replace(listing, "", 1)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def reply_for_discord(reply: Reply, tz: tzinfo) -> dict[str, Any]:
    """A create-message (or interaction response) payload that pings nobody, within Discord's limits."""
    del tz  # the dates are in the text, in Japan time
    if reply.listings and all(listing in reply.text for listing in reply.listings):
        cards = [_card(listing) for listing in reply.listings]
        rest = _without(reply.text, reply.listings)
        room = _ROOM - sum(map(_size, cards))
        text = _text_embeds(rest, room) if rest else []
        if len(text) + len(cards) <= _EMBEDS and room > 0 and sum(map(_size, text)) <= room:
            return {"content": "", "embeds": [*text, *cards], "allowed_mentions": ALLOWED_MENTIONS_NONE}
    embeds = _text_embeds(reply.text, _ROOM)[:_EMBEDS]
    return {"content": "", "embeds": embeds, "allowed_mentions": ALLOWED_MENTIONS_NONE}
