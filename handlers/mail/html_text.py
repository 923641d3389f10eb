"""HTML mail as plain text: the words and their links, without tags, styles or scripts."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

__all__ = ["html_to_text", "meta_charset", "strip_tags"]

_BLOCK = frozenset({
    "p", "div", "section", "article", "header", "footer", "blockquote", "pre", "table", "tr", "ul", "ol",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address", "center", "dl", "dt", "dd", "form", "fieldset",
})  # fmt: skip
_SKIP = frozenset({"script", "style", "head", "title", "noscript", "template", "svg", "object", "iframe"})
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# The charset an HTML document names in its <meta> (HTML5's prescan looks at the first 1024 bytes; Word
# writes long style blocks first, so look further).
_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:+-]+)""", re.IGNORECASE)
_META_SCAN = 8192
_HIDDEN = re.compile(r"<(script|style|head|title)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BREAKS = re.compile(r"<(?:br|/p|/div|/tr|/h[1-6]|/li)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>|<!--.*?-->", re.DOTALL)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._links: list[tuple[str, int]] = []
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n・")
        elif tag in {"td", "th"}:
            self.parts.append(" ")
        elif tag in _BLOCK:
            self.parts.append("\n")
            self._pre += tag == "pre"
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._links.append((href.strip(), len(self.parts)))
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")
            self._pre -= tag == "pre" and self._pre > 0
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            text = "".join(self.parts[start:]).strip()
            if href.startswith(("http://", "https://", "mailto:")):
                target = href.removeprefix("mailto:")
                if not text:
                    self.parts.append(target)
                elif text not in {href, target}:
                    self.parts.append(f" ({target})")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data if self._pre else _SPACES.sub(" ", data.replace("\r", "").replace("\n", " ")))


def html_to_text(markup: str) -> str:
    """The readable text of an HTML part: block elements and <br> as line breaks, links as text (URL)."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def meta_charset(data: bytes) -> str | None:
    """The charset an HTML part's <meta> tag names, for a part whose MIME header names none."""
    found = _META_CHARSET.search(data[:_META_SCAN])
    if found is None:
        return None
    label = found.group(1).decode("ascii").lower()
    return "utf-8" if label.startswith("utf-16") else label  # bytes that reached here are not UTF-16 (HTML5)


def strip_tags(markup: str) -> str:
    """The text of HTML the parser cannot read: tags dropped, line breaks kept, entities decoded."""
    text = _BREAKS.sub("\n", _HIDDEN.sub("", markup))
    text = html.unescape(_TAG.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
