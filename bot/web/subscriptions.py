"""Subscription pages on the bot's HTTP server: subscribe, confirm and unsubscribe.

GET only shows a page with a button; only POST changes anything, so mail scanners that open every
link unsubscribe nobody. POST /unsubscribe also takes RFC 8058's one-click body.

The form is rate-limited per client (behind `[http] trusted_proxies`, the client they name), never per
address named: a stranger naming someone's address must not lock its owner out of the form. Mail to one
address is bounded by the digests' mail budget, shared by every way in, and whether a mail went or not the
page says the same; the links already sent keep working, whoever asked for them.
"""

from __future__ import annotations

import asyncio
import logging
from html import escape
from typing import TYPE_CHECKING

from aiohttp import web

from bot.mail.compose import confirmation_mail
from bot.mail.sending import sender_for
from bot.web.clients import RateLimiter, client_of, networks

if TYPE_CHECKING:
    from bot.core import Core

__all__ = ["add_subscription_routes"]

_log = logging.getLogger(__name__)
_PER_CLIENT = 20  # subscribe requests an hour
_CHECK_MAIL = "<p>確認メールのリンクを開くと登録が完了します。/ Open the link in the mail we sent.</p>"


def _page(title: str, body: str, status: int = 200) -> web.Response:
    html = (f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f"<body><h1>{escape(title)}</h1>{body}</body></html>")  # fmt: skip
    return web.Response(text=html, content_type="text/html", status=status)


def _button(action: str, token: str, label: str) -> str:
    return (f'<form method="post" action="/{action}"><input type="hidden" name="token" value="{escape(token)}">'
            f'<button type="submit">{escape(label)}</button></form>')  # fmt: skip


_FINISH = 30


def _log_failure(task: asyncio.Task[dict[str, str]]) -> None:
    if not task.cancelled() and task.exception() is not None:
        _log.warning("a confirmation mail could not be sent: %s", task.exception())


def add_subscription_routes(app: web.Application, core: Core) -> None:
    by_client = RateLimiter(_PER_CLIENT)
    trusted = networks(core.config.http.trusted_proxies)
    sending: set[asyncio.Task[dict[str, str]]] = set()

    async def finish_sending(_app: web.Application) -> None:
        """On shutdown, confirmation mail already on its way is finished, not cut off."""
        if sending:
            await asyncio.wait(sending, timeout=_FINISH)

    app.on_cleanup.append(finish_sending)

    async def token_of(request: web.Request) -> str:
        if request.method == "POST":
            form = await request.post()
            token = form.get("token")
            if isinstance(token, str) and token:
                return token
        return request.query.get("token", "")

    async def unsubscribe_page(request: web.Request) -> web.Response:
        token = request.query.get("token", "")
        intro = "<p>下のボタンで配信を停止します。/ Press the button to unsubscribe.</p>"
        return _page("配信停止 / Unsubscribe", intro + _button("unsubscribe", token, "配信を停止する / Unsubscribe"))

    async def unsubscribe(request: web.Request) -> web.Response:
        if core.digests.unsubscribe(await token_of(request), core.clock.now()):
            return _page("配信を停止しました / Unsubscribed", "<p>今後、お知らせメールは届きません。</p>")
        return _page("リンクが無効です / Invalid link", "<p>このリンクは無効か期限切れです。</p>", status=400)

    async def confirm_page(request: web.Request) -> web.Response:
        token = request.query.get("token", "")
        return _page("配信登録の確認 / Confirm", _button("confirm", token, "登録する / Subscribe"))

    async def confirm(request: web.Request) -> web.Response:
        if core.digests.confirm(await token_of(request), core.clock.now()):
            return _page("登録しました / Subscribed", "<p>お知らせメールの配信を開始します。</p>")
        return _page("リンクが無効です / Invalid link", "<p>このリンクは無効か期限切れです。</p>", status=400)

    async def subscribe(request: web.Request) -> web.Response:
        form = await request.post()
        email = str(form.get("email") or "").strip().lower()
        lang = "en" if form.get("lang") == "en" else "ja"
        same = _page("確認メールを送りました / Check your mail", _CHECK_MAIL)
        if not by_client.allow(client_of(request, trusted)):
            return _page("しばらくしてからお試しください / Too many requests", "", status=429)
        now = core.clock.now()
        token = core.digests.request(email, now, lang=lang, frequency=str(form.get("frequency") or "weekly"))
        if token is not None:
            mail = confirmation_mail(email, token, lang, core.config, now)
            task = asyncio.create_task(sender_for(core).send([mail]))
            sending.add(task)
            task.add_done_callback(sending.discard)
            task.add_done_callback(_log_failure)
        return same  # the same answer whether or not the address was subscribed, or even valid

    app.router.add_get("/unsubscribe", unsubscribe_page)
    app.router.add_post("/unsubscribe", unsubscribe)
    app.router.add_get("/confirm", confirm_page)
    app.router.add_post("/confirm", confirm)
    app.router.add_post("/subscribe", subscribe)
