"""Announcements as posts to a Facebook Page's feed: plain text (the feed shows no markdown), nobody tagged,
a link to the post's public page, and a last line that says which announcement it is.

That last line is how the relay knows, after a timeout, whether the post landed: the Graph API has no
idempotency key, so the poster reads the Page's recent feed for a message ending with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NotRequired, TypedDict

from bot.platforms.common import attachment_lines, split_text
from handlers.dates import format_datetime
from handlers.texts import say

if TYPE_CHECKING:
    from datetime import tzinfo

    from storage.records import Announcement

__all__ = ["TEXT_LIMIT", "FacebookPost", "reference", "render_facebook"]

# Facebook takes 63,206 characters, but a Page post is read in a feed: past a few screens the reader
# wants the public page, which the link (and a note) point to.
TEXT_LIMIT = 8000
SUBJECT_LIMIT = 500


class FacebookPost(TypedDict):
    message: str
    link: NotRequired[str]


def reference(delivery_id: str) -> str:
    """The post's last line: the announcement it carries (delivery ids are `{announcement}.{platform}.{channel}`)."""
    return f"[rmo {delivery_id.partition('.')[0]}]"


def _untagged(text: str) -> str:
    """The Graph API turns `@[page-id]` into a tag that notifies that page: written so, it stays text."""
    return text.replace("@[", "@ [")


def render_facebook(
    announcement: Announcement, channel: str, tz: tzinfo, delivery_id: str = "", *, pages_url: str = ""
) -> list[FacebookPost]:
    """One feed post: subject, body, attachments listed, who and when, the reference line; `link` is the
    post's public page when the pages have a public address (`pages_url`)."""
    del channel  # the Page is the channel; its id is in the request's path, not the payload
    link = f"{pages_url}/announcements/{announcement.id}" if pages_url else ""
    subject = (announcement.subject or "（件名なし）")[:SUBJECT_LIMIT]
    when = format_datetime(announcement.sent_at or announcement.received_at, "ja", tz)
    tail = [*attachment_lines(announcement), ""] if announcement.attachments else []
    tail += [f"{announcement.sender_name} · {when}" if announcement.sender_name else when]
    tail += [reference(delivery_id or announcement.id)]
    ending = "\n\n" + "\n".join(tail)
    body = announcement.body or "（本文なし）"
    room = TEXT_LIMIT - len(subject) - len(ending) - 2
    if len(body) > room:
        more = f"\n全文 / Full text: {link}" if link else ""
        reserve = len("\n\n" + say("post.cut", "ja", total=len(body), shown=len(body)) + more)
        shown = split_text(body, room - reserve, most=2)[0]
        body = shown + "\n\n" + say("post.cut", "ja", total=len(body), shown=len(shown)) + more
    post = FacebookPost(message=_untagged(f"{subject}\n\n{body}{ending}"))
    if link:
        post["link"] = link
    return [post]
