"""What a digest says, in text and in HTML: each post's subject, date, sender, an excerpt, its attachments and
a link to its page; the meetings changed and coming. The parts every subscriber of a composition shares; the
link to their own preferences and the footer naming their address are the renderer's (bot/mail/compose.py).

Size is bounded whatever is posted: the posts' excerpts share a budget of characters, and when the two parts
would still be larger than `MOST_BYTES` (subjects, file names and senders are anybody's), fewer posts are
shown, down to none but a count and a link: a digest stays under the ~102 KB at which Gmail clips it.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from handlers.dates import format_datetime, format_span
from handlers.texts import say

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import tzinfo

    from handlers.messages import Lang
    from handlers.ports import EventRepository
    from storage.records import Announcement, Event, EventChange

__all__ = ["MOST_BYTES", "DigestWriter", "excerpt", "linkify"]

MOST_BYTES = 64_000  # of text and HTML together, in UTF-8: in base64 with the headers, under 90 KB
# (posts shown, characters of excerpt they share), tried in turn until the digest fits in MOST_BYTES
_PLANS = ((30, 6_000), (20, 4_000), (10, 2_000), (5, 1_000), (0, 0))
_LONGEST, _SHORTEST = 1_200, 100  # one post's excerpt
_SUBJECT, _SENDER, _LINE = 120, 60, 160  # characters (each may be anything a sender or the data file wrote)
_MOST_FILES = 5
_FILENAME = 60
_MOST_CHANGES, _MOST_EVENTS = 10, 10
_SEP = {"ja": "　", "en": " — "}  # between a line's parts: an ideographic space reads as a gap in Japanese only
# A URL is ASCII: in a Japanese post it often runs straight into the text after it (…/applyからお申し込み).
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%]+")


def excerpt(body: str, limit: int) -> tuple[str, bool]:
    """The beginning of `body`, at most `limit` characters, cut at a line break near the end when there is
    one; and whether anything was left out."""
    text = body.strip()
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    newline = cut.rfind("\n")
    if newline > limit * 2 // 3:
        cut = cut[:newline]
    return cut.rstrip(), True


def linkify(text: str, *, breaks: bool = True) -> str:
    """`text` as HTML: escaped, every http(s) URL a link, line breaks as <br> (`breaks`) or as they are."""
    parts: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?)")
        parts.append(escape(text[last : match.start()]))
        parts.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        last = match.start() + len(url)
    parts.append(escape(text[last:]))
    html = "".join(parts)
    return html.replace("\n", "<br>\n") if breaks else html


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(1, round(size / 1024))} KB"


class DigestWriter:
    """The shared text and HTML of a digest in one language."""

    def __init__(self, events: EventRepository, tz: tzinfo, pages: str) -> None:
        self._events = events
        self._tz = tz
        self._pages = pages.rstrip("/")  # where each post has a page of its own ("" for none)

    def _page(self, announcement: Announcement, lang: Lang) -> str:
        if not self._pages:
            return ""
        return f"{self._pages}/announcements/{announcement.id}" + ("?lang=en" if lang == "en" else "")

    def _byline(self, announcement: Announcement, lang: Lang) -> str:
        when = format_datetime(announcement.sent_at or announcement.received_at, lang, self._tz)
        sender = _short(announcement.sender_name or announcement.sender, _SENDER)
        return f"{when}{_SEP[lang]}{sender}" if sender else when

    def _files(self, announcement: Announcement, lang: Lang) -> str:
        files = announcement.attachments
        if not files:
            return ""
        sized = "{name}（{size}）" if lang == "ja" else "{name} ({size})"
        named = [sized.format(name=_short(a.filename, _FILENAME), size=_size(a.size)) for a in files[:_MOST_FILES]]
        more = say("digest.more_files", lang, count=len(files) - _MOST_FILES) if len(files) > _MOST_FILES else ""
        return say("digest.attachments", lang, files=say("list.sep", lang).join(named) + more)

    def event_line(self, event: Event, lang: Lang) -> str:
        when = format_span(event.starts_at, event.ends_at, lang, self._tz)
        where = event.venue.description if event.venue and event.venue.description else ""
        title = event.title_en if lang == "en" and event.title_en else event.title
        sep = _SEP[lang]
        return _short(f"・{title}{sep}{when}" + (f"{sep}{where}" if where else ""), _LINE)

    def change_line(self, change: EventChange, lang: Lang) -> str:
        return _short(self._change_line(change, lang), _LINE)

    def _change_line(self, change: EventChange, lang: Lang) -> str:
        before, current = change.before, self._events.get(change.event_id) or change.before
        was = format_span(before.starts_at, before.ends_at, lang, self._tz)
        now_on = format_span(current.starts_at, current.ends_at, lang, self._tz)
        old_venue = before.venue.description if before.venue and before.venue.description else "—"
        new_venue = current.venue.description if current.venue and current.venue.description else "—"
        if lang == "ja":
            if change.kind == "cancelled":
                return f"・【中止】{before.title}（{was}に予定していました）"
            if change.kind == "moved":
                return f"・【日程変更】{current.title}　{now_on}（変更前：{was}）"
            return f"・【会場変更】{current.title}　{now_on}　{new_venue}（変更前：{old_venue}）"
        title = current.title_en or current.title
        if change.kind == "cancelled":
            return f"・Cancelled: {title} (was {was})"
        if change.kind == "moved":
            return f"・Moved: {title} — now {now_on} (was {was})"
        return f"・New venue: {title} — {now_on}, {new_venue} (was {old_venue})"

    def write(
        self, lang: Lang, news: Sequence[Announcement], changes: Sequence[EventChange], events: Sequence[Event]
    ) -> tuple[str, str]:
        """The text and the HTML body of a digest: as many posts, with as long excerpts, as fit."""
        changes, events = changes[:_MOST_CHANGES], events[:_MOST_EVENTS]
        for most, budget in _PLANS:
            shown = news[:most]
            limit = max(_SHORTEST, min(_LONGEST, budget // max(1, len(shown))))
            text = self._text(lang, news, shown, limit, changes, events)
            html = self._html(lang, news, shown, limit, changes, events)
            if len(text.encode()) + len(html.encode()) <= MOST_BYTES:
                break
        return text, html

    def _more(self, lang: Lang, count: int) -> str:
        return say("digest.more_posts", lang, count=count, url=self._pages + "/" if self._pages else "")

    def _text(
        self, lang: Lang, news: Sequence[Announcement], shown: Sequence[Announcement], limit: int,
        changes: Sequence[EventChange], events: Sequence[Event],
    ) -> str:  # fmt: skip
        lines: list[str] = []
        if news:
            lines.append(say("digest.news", lang))
        for a in shown:
            body, cut = excerpt(a.body, limit)
            page = self._page(a, lang)
            lines += ["", f"◆ {_short(a.subject, _SUBJECT)}", self._byline(a, lang), "", body]
            if cut:
                lines.append(say("digest.read_more", lang, url=page) if page else "…")
            if files := self._files(a, lang):
                lines.append(files)
            if page and not cut:
                lines.append(page)
        if len(news) > len(shown):
            lines += ["", self._more(lang, len(news) - len(shown))]
        if changes:
            lines += ["", say("digest.changes", lang), *(self.change_line(c, lang) for c in changes)]
        if events:
            lines += ["", say("digest.coming", lang), *(self.event_line(e, lang) for e in events)]
        return "\n".join(lines).strip() + "\n"

    def _html(
        self, lang: Lang, news: Sequence[Announcement], shown: Sequence[Announcement], limit: int,
        changes: Sequence[EventChange], events: Sequence[Event],
    ) -> str:  # fmt: skip
        """The HTML part's body content (the renderer wraps it in the document and adds the footer)."""
        parts: list[str] = []
        if news:
            parts.append(f"<h2>{escape(say('digest.news', lang)[2:])}</h2>")
        for a in shown:
            body, cut = excerpt(a.body, limit)
            page = self._page(a, lang)
            title = escape(_short(a.subject, _SUBJECT))
            if page:
                title = f'<a href="{escape(page)}">{title}</a>'
            parts.append(f'<h3>{title}</h3>\n<p style="color:#59636e">{escape(self._byline(a, lang))}</p>')
            parts.append(f"<p>{linkify(body)}</p>")
            if files := self._files(a, lang):
                parts.append(f"<p>{escape(files)}</p>")
            if cut and page:
                parts.append(f'<p><a href="{escape(page)}">{escape(say("digest.read_more_link", lang))}</a></p>')
        if len(news) > len(shown):
            parts.append(f"<p>{linkify(self._more(lang, len(news) - len(shown)))}</p>")
        for heading, lines in (
            ("digest.changes", [self.change_line(c, lang) for c in changes]),
            ("digest.coming", [self.event_line(e, lang) for e in events]),
        ):
            if lines:
                parts.append(f"<h2>{escape(say(heading, lang)[2:])}</h2>\n<ul>")
                parts += [f"<li>{escape(line[1:])}</li>" for line in lines]
                parts.append("</ul>")
        return "\n".join(parts) + "\n"
