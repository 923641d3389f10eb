"""Subscription pages on the bot's HTTP server: the form, confirm, unsubscribe and a subscriber's settings.

GET only shows a page with a button; only POST changes anything, so mail scanners that open every
link unsubscribe nobody. POST /unsubscribe also takes RFC 8058's one-click body. A link that is forged,
expired or names nobody gets an error page at once, never a button that fails after the click. A page
reached with a link is in its subscriber's language and names the address it concerns.

The form is rate-limited per client (behind `[http] trusted_proxies`, the client they name), never per
address named: a stranger naming someone's address must not lock its owner out of the form. Mail to one
address is bounded by the digests' mail budget, shared by every way in, and whether a mail went or not the
page says the same; the links already sent keep working, whoever asked for them. An address that is not
one at all (or none) gets a page saying so: that tells nothing about anybody.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from bot.mail.compose import confirmation_mail
from bot.mail.sending import sender_for
from bot.web.clients import RateLimiter, client_of, networks
from bot.web.pages import Pages, language
from handlers.digests import is_address
from handlers.texts import say

if TYPE_CHECKING:
    from aiohttp import web

    from bot.core import Core
    from handlers.digest_tokens import TokenAction
    from handlers.messages import Lang
    from storage.subscribers import Subscriber

__all__ = ["add_subscription_routes"]

_log = logging.getLogger(__name__)
_PER_CLIENT = 20  # subscribe requests an hour
_FINISH = 30
_LONGEST_SHOWN = 254  # characters of a typed address repeated on a page


def _log_failure(task: asyncio.Task[dict[str, str]]) -> None:
    if not task.cancelled() and task.exception() is not None:
        _log.warning("a confirmation mail could not be sent: %s", task.exception())


def _lang(value: object) -> Lang:
    return "en" if value == "en" else "ja"


def add_subscription_routes(app: web.Application, core: Core, pages: Pages | None = None) -> None:
    pages = pages or Pages(core)
    by_client = RateLimiter(_PER_CLIENT)
    trusted = networks(core.config.http.trusted_proxies)
    sending: set[asyncio.Task[dict[str, str]]] = set()

    async def finish_sending(_app: web.Application) -> None:
        """On shutdown, confirmation mail already on its way is finished, not cut off."""
        if sending:
            await asyncio.wait(sending, timeout=_FINISH)

    app.on_cleanup.append(finish_sending)

    def message(
        request: web.Request, lang: Lang, key: str, status: int = 200, *, lines: tuple[str, ...] = (),
        **values: Any,  # noqa: ANN401 - a template's values
    ) -> web.Response:  # fmt: skip
        title = say(f"{key}.title", lang)
        return pages.render("message.html", request, lang, status, other_url="", title=title,
                            lines=lines or (say(f"{key}.body", lang, **values),), button=None, links=())  # fmt: skip

    def bad_link(request: web.Request, lang: Lang) -> web.Response:
        links = ({"url": "/subscribe" + ("?lang=en" if lang == "en" else ""), "label": say("web.form.again", lang)},)
        return pages.render("message.html", request, lang, 400, title=say("web.bad_link.title", lang),
                            lines=(say("web.bad_link.body", lang),), button=None, links=links)  # fmt: skip

    def frequency(subscriber: Subscriber) -> str:
        return say(f"digest.frequency.{subscriber.frequency}", _lang(subscriber.lang))

    def blocks(lang: Lang) -> list[dict[str, str]]:
        return [{"key": b.key, "name": say("web.block", lang, name=b.name if lang == "ja" else b.name_en)}
                for b in core.store.knowledge.blocks()]  # fmt: skip

    async def token_of(request: web.Request) -> str:
        if request.method == "POST":
            form = await request.post()
            token = form.get("token")
            if isinstance(token, str) and token:
                return token
        return request.query.get("token", "")

    def button_page(request: web.Request, action: TokenAction, label: str) -> web.Response:
        """A link's page: its subscriber and a button, or the error page before any button."""
        token = request.query.get("token", "")
        holder = core.digests.holder(token, action, core.clock.now())
        if holder is None:
            return bad_link(request, language(request))
        lang = _lang(holder.lang)
        key = "web.confirm" if action == "confirm" else "web.unsubscribe"
        button = {"action": f"/{action}", "token": token, "label": say(label, lang)}
        return pages.render("message.html", request, lang, other_url="", title=say(f"{key}.title", lang),
                            lines=(say(f"{key}.body", lang, email=holder.email),), button=button, links=())  # fmt: skip

    async def unsubscribe_page(request: web.Request) -> web.Response:
        return button_page(request, "unsubscribe", "web.unsubscribe.button")

    async def confirm_page(request: web.Request) -> web.Response:
        return button_page(request, "confirm", "web.confirm.button")

    async def unsubscribe(request: web.Request) -> web.Response:
        token, now = await token_of(request), core.clock.now()
        holder = core.digests.holder(token, "unsubscribe", now)
        if holder is None or not core.digests.unsubscribe(token, now):
            return bad_link(request, language(request))
        return message(request, _lang(holder.lang), "web.unsubscribed", email=holder.email)

    async def confirm(request: web.Request) -> web.Response:
        token, now = await token_of(request), core.clock.now()
        holder = core.digests.holder(token, "confirm", now)
        if holder is None or not core.digests.confirm(token, now):
            return bad_link(request, language(request))
        return message(request, _lang(holder.lang), "web.confirmed", email=holder.email, frequency=frequency(holder))

    def form(request: web.Request, lang: Lang, **values: Any) -> web.Response:  # noqa: ANN401 - a template's values
        defaults = {"email": "", "token": "", "typed": "", "frequency": "weekly", "chosen_lang": lang,
                    "chosen_blocks": (), "unsubscribe_url": "", "action": "/subscribe",
                    "title": say("web.subscribe", lang), "button": say("web.form.send", lang)}  # fmt: skip
        return pages.render("subscribe.html", request, lang, blocks=blocks(lang), **{**defaults, **values})

    async def subscribe_form(request: web.Request) -> web.Response:
        return form(request, language(request))

    async def subscribe(request: web.Request) -> web.Response:
        posted = await request.post()
        email = str(posted.get("email") or "").strip().lower()
        lang = _lang(posted.get("lang"))
        page_lang = _lang(posted.get("page_lang") or lang)
        if not by_client.allow(client_of(request, trusted)):
            return message(request, page_lang, "web.too_many", status=429)
        if not email:
            return message(request, page_lang, "web.bad_address", 400, lines=(say("web.no_address.body", page_lang),))
        if not is_address(email):
            return message(request, page_lang, "web.bad_address", 400, email=email[:_LONGEST_SHOWN])
        now = core.clock.now()
        chosen = [str(b) for b in posted.getall("blocks", [])]
        token = core.digests.request(
            email, now, lang=lang, frequency=str(posted.get("frequency") or "weekly"), blocks=chosen
        )
        if token is not None:
            mail = confirmation_mail(email, token, lang, core.config, now)
            task = asyncio.create_task(sender_for(core).send([mail]))
            sending.add(task)
            task.add_done_callback(sending.discard)
            task.add_done_callback(_log_failure)
        # The same answer whether or not the address was subscribed or has had its mails for the hour.
        return message(request, page_lang, "web.sent", email=email)

    async def manage_page(request: web.Request) -> web.Response:
        token, now = request.query.get("token", ""), core.clock.now()
        holder = core.digests.holder(token, "manage", now)
        if holder is None:
            return bad_link(request, language(request))
        lang = _lang(request.query.get("lang") or holder.lang)
        unsubscribe = f"/unsubscribe?token={core.digests.unsubscribe_token(holder.email, now)}"
        return form(
            request, lang, email=holder.email, token=token, frequency=holder.frequency, chosen_lang=holder.lang,
            chosen_blocks=holder.blocks, unsubscribe_url=unsubscribe, action="/manage",
            title=say("web.manage.title", lang), button=say("web.manage.save", lang),
        )  # fmt: skip

    async def manage(request: web.Request) -> web.Response:
        posted = await request.post()
        token, now = str(posted.get("token") or ""), core.clock.now()
        chosen = [str(b) for b in posted.getall("blocks", [])]
        updated = core.digests.change(token, now, lang=str(posted.get("lang") or "ja"),
                                      frequency=str(posted.get("frequency") or "weekly"), blocks=chosen)  # fmt: skip
        if updated is None:
            return bad_link(request, _lang(posted.get("page_lang")))
        lang = _lang(updated.lang)
        return message(request, lang, "web.manage.saved", email=updated.email, frequency=frequency(updated))

    app.router.add_get("/subscribe", subscribe_form)
    app.router.add_post("/subscribe", subscribe)
    app.router.add_get("/unsubscribe", unsubscribe_page)
    app.router.add_post("/unsubscribe", unsubscribe)
    app.router.add_get("/confirm", confirm_page)
    app.router.add_post("/confirm", confirm)
    app.router.add_get("/manage", manage_page)
    app.router.add_post("/manage", manage)
