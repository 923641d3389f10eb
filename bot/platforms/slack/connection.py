"""The Slack app's connection: the tokens checked once (a refused one is one clear line, not a retry loop),
then Socket Mode kept up, or, in HTTP mode, nothing to keep; `/healthz` reads how it stands from `link`."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, NoReturn

import aiohttp
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.errors import PlatformLoginError

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.link_state import LinkState

__all__ = ["run_connection"]

_RECHECK = 60.0  # seconds between tries while Slack cannot be reached
_POLL = 5.0  # seconds between looks at the Socket Mode connection
# Slack's answers to a token that is wrong, revoked or not for this use: trying again will not help.
_REFUSED = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                      "not_allowed_token_type", "missing_scope"})  # fmt: skip
_BOT_FIX = "set the app's Bot User OAuth Token (xoxb-…, OAuth & Permissions) in the environment and restart"
_APP_FIX = ("set an app-level token (xapp-…, Basic Information → App-Level Tokens, scope connections:write) "
                  'with Socket Mode on, or use [slack] mode = "http" with SLACK_SIGNING_SECRET')  # fmt: skip


def _error(exc: SlackApiError) -> str:
    return str(exc.response.get("error", "")) if isinstance(exc.response.data, dict) else ""


def _refused(link: LinkState, which: str, variable: str, error: str, fix: str) -> NoReturn:
    link.failed(f"Slack refused the {which} token ({error})")
    msg = f"Slack refused {variable} ({error}): {fix}"
    raise PlatformLoginError(msg) from None


async def _signed_in(client: AsyncWebClient, link: LinkState, stop: asyncio.Event) -> bool:
    """Whether Slack accepts the bot token (auth.test); until it answers, tried again each minute. A refused
    token is `failed` and raised (the supervisor says so in one line and tries again in a minute: the Socket
    Mode client would retry it every ten seconds, with a traceback each time)."""
    while not stop.is_set():
        try:
            await client.auth_test()
        except SlackApiError as exc:
            error = _error(exc)
            if error in _REFUSED:
                _refused(link, "bot", "SLACK_BOT_TOKEN", error, _BOT_FIX)
            link.retrying(f"Slack answered {error or exc.response.status_code}")
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            link.retrying(f"cannot reach Slack: {type(exc).__name__}")
        else:
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=_RECHECK)
    return False


async def run_connection(
    app: AsyncApp, client: AsyncWebClient, app_token: str, mode: str, link: LinkState, stop: asyncio.Event
) -> None:
    """Until `stop`: the bot token checked, then (Socket Mode) the app token and the socket kept up."""
    if not await _signed_in(client, link, stop):
        return  # stopped before Slack answered
    if mode != "socket":
        link.connected()
        await stop.wait()
        return
    try:  # the app-level token tried once before Socket Mode starts (which would retry a refused one forever)
        await client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        if (error := _error(exc)) in _REFUSED:
            _refused(link, "app", "SLACK_APP_TOKEN", error, _APP_FIX)
        raise
    handler = AsyncSocketModeHandler(app, app_token, web_client=client)
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
    except SlackApiError as exc:
        if (error := _error(exc)) in _REFUSED:
            _refused(link, "app", "SLACK_APP_TOKEN", error, _APP_FIX)
        raise
    try:
        while not stop.is_set():
            # slack_sdk reconnects a dropped socket by itself: look how it stands now and then.
            if await handler.client.is_connected():
                link.connected()
            else:
                link.retrying("the Socket Mode connection dropped; reconnecting")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=_POLL)
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
