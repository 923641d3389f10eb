"""The network's public pages on the bot's HTTP server: `GET /` (coming meetings by block, recent
announcements, how to join, how to subscribe), `GET /announcements/{id}`, `GET /feed.atom`, `GET /subscribe`
(the form), a post's attachments (`bot/web/files.py`), in Japanese (`?lang=en`: in English), with the one
stylesheet the bot serves.

Public means public: only what members of the list were sent and the calendar are shown; never a
subscriber, a draft, a quarantined mail or an address. `[web] public = false` serves none of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

from aiohttp import web
from markupsafe import Markup

from bot.web.files import add_file_routes, served
from bot.web.pages import language
from handlers.commands import Asker
from handlers.dates import format_datetime, format_span
from handlers.digest_writing import linkify
from handlers.texts import say
from storage.datafile import BLOCK_KEYS

if TYPE_CHECKING:
    from bot.core import Core
    from bot.web.pages import Pages
    from handlers.messages import Lang
    from storage.records import Announcement, Event

__all__ = ["add_public_routes"]

_RECENT = 10
_FEED = 30
_COMING = 50


class _Pages:
    def __init__(self, core: Core, pages: Pages) -> None:
        self._core = core
        self._public_url = core.config.http.public_url.rstrip("/")
        self._render = pages.render
        self._lang = language

    def _host(self, request: web.Request) -> str:
        return urlsplit(self._public_url).netloc if self._public_url else request.host

    def _event_view(self, event: Event, lang: Lang) -> dict[str, str | None]:
        tz = self._core.config.timezone
        venue = event.venue
        where = None
        if venue and (venue.description or venue.address):
            where = "　".join(p for p in (venue.description, venue.address) if p)
        elif venue and venue.online_url:
            where = say("web.online", lang)
        title = event.title_en if lang == "en" and event.title_en else event.title
        page = f"/announcements/{event.announcement_id}" if event.announcement_id else None
        return {"title": title, "when": format_span(event.starts_at, event.ends_at, lang, tz), "where": where,
                "page": page + ("?lang=en" if lang == "en" else "") if page else None}  # fmt: skip

    def _posts(self, limit: int) -> list[Announcement]:
        recent = self._core.store.announcements.recent(limit * 3)
        return [a for a in recent if a.source != "reminder"][:limit]

    async def index(self, request: web.Request) -> web.Response:
        lang = self._lang(request)
        core = self._core
        now = core.clock.now()
        events = core.store.events.upcoming(after=now, limit=_COMING)
        names = {b.key: say("web.block", lang, name=b.name if lang == "ja" else b.name_en)
                 for b in core.store.knowledge.blocks()}  # fmt: skip
        groups = []
        host = self._host(request)
        for key in (None, *BLOCK_KEYS):
            chosen = [self._event_view(e, lang) for e in events if e.block == key]
            if chosen:
                name = names.get(key, key) if key else say("web.national", lang)
                webcal = f"webcal://{host}/calendar/{key}.ics" if key else None
                groups.append({"name": name, "events": chosen, "webcal": webcal})
        tz = core.config.timezone
        suffix = "?lang=en" if lang == "en" else ""
        posts = [
            {"subject": a.subject, "url": f"/announcements/{a.id}{suffix}",
             "when": format_datetime(a.sent_at or a.received_at, lang, tz)}
            for a in self._posts(_RECENT)
        ]  # fmt: skip
        join = core.commands.answer(Asker("web", None), say("question.join", lang)).text
        return self._render(
            "index.html", request, lang, groups=groups, posts=posts, join_text=join,
            webcal_all=f"webcal://{host}/calendar.ics", subscribe_url=f"/subscribe{suffix}",
        )  # fmt: skip

    async def announcement(self, request: web.Request) -> web.Response:
        lang = self._lang(request)
        post = self._core.store.announcements.get(request.match_info["id"])
        if post is None or post.source == "reminder":
            return self._render("not_found.html", request, lang, status=404)
        tz = self._core.config.timezone
        view = {
            "subject": post.subject, "body": Markup(linkify(post.body, breaks=False)),  # noqa: S704 - escaped there
            "when": format_datetime(post.sent_at or post.received_at, lang, tz),
            "sender": post.sender_name or None,
            "attachments": [
                {"label": f"{a.filename}（{a.size:,} bytes）",
                 "url": f"/announcements/{post.id}/files/{n}" if served(self._core, a) else None}
                for n, a in enumerate(post.attachments, start=1)
            ],
        }  # fmt: skip
        return self._render("announcement.html", request, lang, post=view)

    async def feed(self, request: web.Request) -> web.Response:
        base = self._public_url or f"{request.scheme}://{request.host}"
        posts = self._posts(_FEED)
        info = self._core.store.knowledge.network()
        title = info.name if info else "rmo-bot"
        updated = max((a.received_at for a in posts), default=self._core.clock.now())
        entries = "".join(
            f"<entry><id>{xml_escape(base)}/announcements/{a.id}</id><title>{xml_escape(a.subject)}</title>"
            f'<link rel="alternate" href="{xml_escape(base)}/announcements/{a.id}"/>'
            f"<updated>{(a.sent_at or a.received_at).isoformat()}</updated>"
            f"<author><name>{xml_escape(a.sender_name or title)}</name></author>"
            f'<content type="text">{xml_escape(a.body[:20000])}</content></entry>'
            for a in posts
        )
        home = xml_escape(base)
        xml = (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">'
               f"<id>{home}/feed.atom</id><title>{xml_escape(title)}</title>"
               f'<link rel="self" href="{home}/feed.atom"/><link rel="alternate" href="{home}/"/>'
               f"<updated>{updated.isoformat()}</updated>{entries}</feed>")  # fmt: skip
        return web.Response(text=xml, content_type="application/atom+xml", charset="utf-8")


def add_public_routes(app: web.Application, core: Core, site: Pages) -> None:
    pages = _Pages(core, site)
    app.router.add_get("/", pages.index)
    app.router.add_get("/announcements/{id}", pages.announcement)
    add_file_routes(app, core)
    app.router.add_get("/feed.atom", pages.feed)
