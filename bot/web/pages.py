"""What every page of the bot shares: the one set of autoescaped templates (bot/web/templates), the one
stylesheet (served here, so no page needs anything from elsewhere), the header and footer that say whose
page it is (the network, its mailing list, a contact), and the bot's own 404 page for any unknown path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from aiohttp import web

from handlers.texts import say

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from bot.core import Core
    from handlers.messages import Lang

__all__ = ["Pages", "add_site"]

_HERE = Path(__file__).parent
_CSS = (_HERE / "static" / "rmo.css").read_text(encoding="utf-8")


def language(request: web.Request) -> Lang:
    """The page's language: English when asked for (`?lang=en`), else Japanese."""
    return "en" if request.query.get("lang") == "en" else "ja"


class Pages:
    """Renders the templates with what every page shows."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(_HERE / "templates"), autoescape=True, trim_blocks=True,
            lstrip_blocks=True, undefined=jinja2.StrictUndefined,
        )  # fmt: skip

    def network(self, lang: Lang) -> str:
        return self._core.network_name(lang) or "rmo-bot"

    def _base(self, request: web.Request, lang: Lang, other_url: str | None) -> dict[str, Any]:
        other: Lang = "en" if lang == "ja" else "ja"
        path = request.path
        if other_url is None:
            other_url = f"{path}?lang=en" if other == "en" else path
        lists = ", ".join(self._core.config.mail.intake.list_ids)
        return {
            "lang": lang, "network": self.network(lang), "t": lambda key, **values: say(key, lang, **values),
            "t_en": lambda key, **values: say(key, "en", **values),
            "home_url": "/?lang=en" if lang == "en" else "/",
            "other_lang": other, "other_label": "English" if other == "en" else "日本語", "other_url": other_url,
            "contact_email": self._core.config.contact.secretariat_email,
            "lists": say("web.footer_list", lang, lists=lists) if lists else "",
        }  # fmt: skip

    def render(
        self,
        template: str,
        request: web.Request,
        lang: Lang,
        status: int = 200,
        *,
        other_url: str | None = None,
        **values: Any,  # noqa: ANN401 - whatever the template shows
    ) -> web.Response:
        """`template` in `lang`; `other_url` is the same page in the other language ("" for none)."""
        html = self._env.get_template(template).render(**self._base(request, lang, other_url), **values)
        return web.Response(
            text=html, content_type="text/html", charset="utf-8", status=status,
            headers={"Content-Language": lang, "X-Content-Type-Options": "nosniff"},
        )  # fmt: skip


def add_site(app: web.Application, core: Core) -> Pages:
    """The stylesheet and the 404 page, for every page of the bot (public ones or not)."""
    pages = Pages(core)

    async def stylesheet(request: web.Request) -> web.Response:
        del request
        return web.Response(text=_CSS, content_type="text/css", charset="utf-8",
                            headers={"Cache-Control": "max-age=3600"})  # fmt: skip

    @web.middleware
    async def not_found(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return pages.render("not_found.html", request, language(request), status=404)

    app.router.add_get("/static/rmo.css", stylesheet)
    app.middlewares.append(not_found)
    return pages
