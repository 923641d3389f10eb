"""A neutral Reply as Discord shows it: the answer's text, then one embed per event; nobody pinged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.platforms.common import split_text
from bot.platforms.discord.render import ALLOWED_MENTIONS_NONE, escape_markdown
from handlers.dates import format_span

if TYPE_CHECKING:
    from datetime import tzinfo

    from handlers.messages import Reply

__all__ = ["reply_for_discord"]


def reply_for_discord(reply: Reply, tz: tzinfo) -> dict[str, Any]:
    """A create-message (or interaction response) payload that pings nobody; events listed in the
    reply become one embed each (title, date, venue, registration) after the answer's text."""
    pieces = split_text(escape_markdown(reply.text), 4000)
    embeds: list[dict[str, Any]] = [{"description": p, "color": 0x2E7D32} for p in pieces[:5]]
    for event in reply.events[:5]:
        title = event.title_en if reply.lang == "en" and event.title_en else event.title
        fields = [{"name": "日時 / When" if reply.lang == "ja" else "When",
                   "value": format_span(event.starts_at, event.ends_at, reply.lang, tz), "inline": False}]  # fmt: skip
        venue = event.venue
        if venue and (venue.description or venue.address):
            where = " ".join(x for x in (venue.description, venue.address) if x)
            fields.append(
                {"name": "会場 / Where" if reply.lang == "ja" else "Where", "value": escape_markdown(where)[:1024]}
            )
        if venue and venue.online_url:
            fields.append({"name": "オンライン / Online", "value": venue.online_url[:1024]})
        if event.registration_url:
            fields.append({"name": "申込 / Register", "value": event.registration_url[:1024]})
        embeds.append({"title": escape_markdown(title)[:256], "fields": fields, "color": 0x1565C0})
    return {"content": "", "embeds": embeds[:10], "allowed_mentions": ALLOWED_MENTIONS_NONE}
