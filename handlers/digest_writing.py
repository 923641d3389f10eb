"""What a digest says, in text and in HTML: each post's subject, date, sender, an excerpt, its attachments and
a link to its page; the meetings changed and coming. The parts every subscriber of a composition shares; the
link to their own preferences and the footer naming their address are the renderer's (bot/mail/compose.py).

Size is bounded whatever is posted: however many posts and however long, the excerpts share a fixed budget of
characters and at most `MOST_POSTS` are shown, so a digest stays well under the ~102 KB at which Gmail clips.
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

__all__ = ["MOST_POSTS", "DigestWriter", "excerpt", "linkify"]

MOST_POSTS = 30  # posts shown with an excerpt; the rest are counted, with a link to the front page
_BUDGET = 6_000  # characters of excerpts in one digest, shared by its posts
_LONGEST, _SHORTEST = 1_200, 160  # one post's excerpt
_SUBJECT = 160  # a subject's characters (a subject line may be anything a sender wrote)
_MOST_FILES = 10
_FILENAME = 80
_MOST_CHANGES = 20
# A URL ends at white space or at the Japanese punctuation that usually follows one in a post.
_URL = re.compile(r"https?://[^\s<>\"'（）「」『』【】、。，．！？]+")


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


def linkify(text: str) -> str:
    """`text` as HTML: escaped, line breaks kept, every http(s) URL a link."""
    parts: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?)")
        parts.append(escape(text[last : match.start()]))
        parts.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        last = match.start() + len(url)
    parts.append(escape(text[last:]))
    return "".join(parts).replace("\n", "<br>\n")


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
        sender = announcement.sender_name or announcement.sender
        return f"{when}　{sender}" if sender else when

    def _files(self, announcement: Announcement, lang: Lang) -> str:
        files = announcement.attachments
        if not files:
            return ""
        named = [f"{_short(a.filename, _FILENAME)}（{_size(a.size)}）" for a in files[:_MOST_FILES]]
        more = say("digest.more_files", lang, count=len(files) - _MOST_FILES) if len(files) > _MOST_FILES else ""
        return say("digest.attachments", lang, files=say("list.sep", lang).join(named) + more)

    def event_line(self, event: Event, lang: Lang) -> str:
        when = format_span(event.starts_at, event.ends_at, lang, self._tz)
        where = event.venue.description if event.venue and event.venue.description else ""
        title = event.title_en if lang == "en" and event.title_en else event.title
        return f"・{title}　{when}" + (f"　{where}" if where else "")

    def change_line(self, change: EventChange, lang: Lang) -> str:
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

    def _posts(self, news: Sequence[Announcement]) -> tuple[Sequence[Announcement], int, int]:
        """The posts shown, how many more there are, and each one's excerpt length."""
        shown = news[:MOST_POSTS]
        limit = max(_SHORTEST, min(_LONGEST, _BUDGET // max(1, len(shown))))
        return shown, len(news) - len(shown), limit

    def text(
        self, lang: Lang, news: Sequence[Announcement], changes: Sequence[EventChange], events: Sequence[Event]
    ) -> str:
        lines: list[str] = []
        shown, more, limit = self._posts(news)
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
        if more:
            lines += ["", say("digest.more_posts", lang, count=more, url=self._pages + "/" if self._pages else "")]
        if changes:
            lines += ["", say("digest.changes", lang), *(self.change_line(c, lang) for c in changes[:_MOST_CHANGES])]
        if events:
            lines += ["", say("digest.coming", lang), *(self.event_line(e, lang) for e in events)]
        return "\n".join(lines).strip() + "\n"

    def html(
        self, lang: Lang, news: Sequence[Announcement], changes: Sequence[EventChange], events: Sequence[Event]
    ) -> str:
        """The HTML part's body content (the renderer wraps it in the document and adds the footer)."""
        parts: list[str] = []
        shown, more, limit = self._posts(news)
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
        if more:
            text = say("digest.more_posts", lang, count=more, url=self._pages + "/" if self._pages else "")
            parts.append(f"<p>{linkify(text)}</p>")
        for heading, lines in (
            ("digest.changes", [self.change_line(c, lang) for c in changes[:_MOST_CHANGES]]),
            ("digest.coming", [self.event_line(e, lang) for e in events]),
        ):
            if lines:
                parts.append(f"<h2>{escape(say(heading, lang)[2:])}</h2>\n<ul>")
                parts += [f"<li>{escape(line[1:])}</li>" for line in lines]
                parts.append("</ul>")
        return "\n".join(parts) + "\n"
