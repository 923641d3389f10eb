"""Text as Slack shows it literally: rich_text blocks of plain text elements, with every URL a real link.

Slack's mrkdwn has no backslash escape: 「*重要*」, 「_注意_」, 「~取消~」, 「`コード`」 and lines starting with
"> " are formatted however they are written, and an underscore inside a URL italicises part of it. A rich_text
block's `text` elements are never read as mrkdwn (their style is a separate object), so what was written is what
is shown, and URLs become `link` elements, which stay clickable. Text elements are not parsed for mentions
either; a word joiner after "<" of "<!channel>" or "<@U…>" and after "@" of @everyone / @here / @channel keeps
even a client that did parse them from pinging anyone. Where only mrkdwn is possible (the `text` fallback
that notifications show), `escape_mrkdwn` escapes Slack's three control characters, so nothing pings there.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["escape_mrkdwn", "plain", "plain_context", "rich_text", "rich_text_elements"]

WORD_JOINER = "\u2060"
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_TRAILING = ".,;:!?'"  # sentence punctuation after a URL is not part of it
_MENTION = re.compile(r"<(?=[!@#])|@(?=(?:everyone|here|channel)\b)", re.IGNORECASE)
_PLAIN_LIMIT = 3000  # a text object's length (context elements, plain_text)


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters; with them escaped no <!channel> or <@U…> can ping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _url_end(url: str) -> str:
    """The URL without what follows it in a sentence: a closing bracket it did not open, a full stop."""
    while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count(")") > url.count("("))):
        url = url[:-1]
    return url


def _literal(text: str) -> dict[str, Any]:
    return {"type": "text", "text": _MENTION.sub(lambda m: m.group(0) + WORD_JOINER, text)}


def rich_text_elements(text: str) -> list[dict[str, Any]]:
    """`text` as rich_text_section elements: plain text, and a link element for each URL."""
    elements: list[dict[str, Any]] = []
    position = 0
    for match in _URL.finditer(text):
        url = _url_end(match.group(0))
        if len(url) <= len("https://"):
            continue
        if match.start() > position:
            elements.append(_literal(text[position : match.start()]))
        elements.append({"type": "link", "url": url, "text": url})
        position = match.start() + len(url)
    if position < len(text) or not elements:
        elements.append(_literal(text[position:] or " "))
    return elements


def rich_text(text: str) -> dict[str, Any]:
    """One rich_text block showing `text` exactly as written (line breaks kept), its URLs clickable."""
    return {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": rich_text_elements(text)}]}


def plain(text: str, limit: int = _PLAIN_LIMIT) -> dict[str, Any]:
    """A plain_text object (never formatted, never pings), cut to `limit` characters."""
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": cut or " ", "emoji": False}


def plain_context(text: str) -> dict[str, Any]:
    """A context block of one plain_text element."""
    return {"type": "context", "elements": [plain(text)]}
