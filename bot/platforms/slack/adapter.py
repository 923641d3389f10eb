"""The Slack app (slack-bolt AsyncApp): mentions, DMs and /rmo, in Socket Mode or over HTTP.

The adapter only translates: a Slack event becomes one neutral Incoming, the core answers, and the
neutral Reply is rendered back as Block Kit.
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.platforms.slack.modals import CONFIRM_VIEW, DRAFT_VIEW, draft_modal, draft_values, preview_modal
from bot.platforms.slack.reply import reply_for_slack
from bot.platforms.subscriptions import subscribe_from_chat, unsubscribe_from_chat
from handlers.answering import internal_error_reply
from handlers.messages import Incoming, Reply
from handlers.normalise import detect_language
from handlers.texts import say

if TYPE_CHECKING:
    import asyncio

    from aiohttp import web

    from bot.core import Core
    from storage.records import Announcement

__all__ = ["SlackPlatform"]

_log = logging.getLogger(__name__)
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_SEEN = 2000  # event ids remembered, so Slack's retries are answered once
_GROUP_TTL = 300.0
_ADDRESS = re.compile(r"\S+@\S+")
_DRAFTS = 100  # previewed announcements kept for their "post" button


class SlackPlatform:
    """Runs the Slack app in Socket Mode (`run`) or serves it on the bot's HTTP server (`route`)."""

    name = "slack"

    def __init__(self, core: Core) -> None:
        config = core.config
        self._core = core
        self.mode = config.slack.mode
        self._app_token = config.secrets.slack_app_token
        base_url = config.slack.api_base_url
        self.client = AsyncWebClient(
            token=config.secrets.slack_bot_token, base_url=base_url if base_url.endswith("/") else base_url + "/"
        )
        self.secretariat = frozenset(config.slack.secretariat_users)
        self._usergroup = config.slack.secretariat_usergroup
        self._group_members: tuple[float, frozenset[str]] = (0.0, frozenset())
        self._drafts: dict[str, Announcement] = {}
        self._seen: OrderedDict[str, None] = OrderedDict()
        self.app = AsyncApp(
            client=self.client,
            signing_secret=config.secrets.slack_signing_secret or "socket-mode-has-no-signing-secret",
            request_verification_enabled=self.mode == "http",
            raise_error_for_unhandled_request=False,
        )
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)
        self.app.command("/rmo")(self._on_command)
        self.app.view(DRAFT_VIEW)(self._on_draft)
        self.app.view(CONFIRM_VIEW)(self._on_confirm)
        self.app.event("app_home_opened")(self._on_home)

    async def is_secretariat(self, user: str) -> bool:
        """A configured secretariat user, or a member of the secretariat's user group (checked every 5 min)."""
        if user in self.secretariat:
            return True
        if not self._usergroup:
            return False
        fetched, members = self._group_members
        if time.monotonic() - fetched > _GROUP_TTL:
            try:
                response = await self.client.usergroups_users_list(usergroup=self._usergroup)
                members = frozenset(response.get("users") or [])
                self._group_members = (time.monotonic(), members)
            except Exception as exc:  # noqa: BLE001 - without the list, only the listed users may announce
                _log.warning("cannot read the secretariat's user group %s: %s", self._usergroup, exc)
                self._group_members = (time.monotonic() - _GROUP_TTL + 60, members)  # ask again in a minute
        return user in members

    # Translation ------------------------------------------------------------------------------------

    def _answer(self, text: str, user: str | None, channel: str | None) -> Reply:
        incoming = Incoming(text=text, platform=self.name, user=user, channel=channel)
        try:
            return self._core.answerer.answer(incoming)
        except Exception:  # noqa: BLE001 - a member sees an apology, the log gets the traceback
            _log.exception("could not answer %r", text)
            return internal_error_reply(text)

    def _first_time(self, body: dict[str, Any]) -> bool:
        event_id = body.get("event_id")
        if not event_id:
            return True
        if event_id in self._seen:
            _log.info("Slack retried event %s: already answered", event_id)
            return False
        self._seen[event_id] = None
        while len(self._seen) > _SEEN:
            self._seen.popitem(last=False)
        return True

    async def _on_mention(self, body: dict[str, Any], event: dict[str, Any], say: Any) -> None:  # noqa: ANN401
        if not self._first_time(body):
            return
        text = _MENTION.sub("", event.get("text", "")).strip()
        reply = self._answer(text, event.get("user"), event.get("channel"))
        await say(**reply_for_slack(reply), thread_ts=event.get("thread_ts") or event.get("ts"))

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any], say: Any) -> None:  # noqa: ANN401
        # Only direct messages from people: not the bot's own, not edits, not channel chatter.
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        if not self._first_time(body):
            return
        reply = self._answer(event.get("text", ""), event.get("user"), event.get("channel"))
        await say(**reply_for_slack(reply))

    async def _on_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:  # noqa: ANN401
        await ack()  # within Slack's 3 seconds, before any work
        text = (command.get("text") or "").strip()
        verb, _, rest = text.partition(" ")
        verb = verb.lower()
        user = str(command.get("user_id") or "")
        # The verb is English either way, and an address is no language: judge by the rest of the words.
        lang = detect_language(_ADDRESS.sub("", rest))
        if verb == "announce":
            if not await self.is_secretariat(user):
                _log.warning("announce refused for Slack user %s (not the secretariat)", user)
                await respond(text=say("announce.refused", lang), response_type="ephemeral")
                return
            view = draft_modal(self._core.store.knowledge.blocks())
            await self.client.views_open(trigger_id=command["trigger_id"], view=view)
            return
        if verb in {"subscribe", "unsubscribe"}:
            handler = subscribe_from_chat if verb == "subscribe" else unsubscribe_from_chat
            answer = await handler(self._core, rest, lang)
            if answer is not None:
                await respond(text=answer, response_type="ephemeral")
                return
        question = {
            "": "help", "help": "help", "join": "入会するには？", "trainings": "研修会の予定は？",
            "meetings": f"{rest} ブロック会議の予定は？" if rest else "ブロック会議の予定は？",
            "subscribe": "subscribe", "unsubscribe": "unsubscribe",
        }.get(verb, rest if verb == "ask" else text)  # fmt: skip
        if lang == "en" and verb in {"join", "trainings", "meetings"}:
            question = {"join": "How do we join?", "trainings": "upcoming trainings",
                        "meetings": f"upcoming block meetings {rest}"}[verb]  # fmt: skip
        reply = self._answer(question, user, command.get("channel_id"))
        await respond(**reply_for_slack(reply), response_type="ephemeral")

    # The secretariat's announcement: form → preview → post -----------------------------------------------

    def _draft(self, user: str, draft: tuple[str, str, list[str]]) -> Announcement:
        title, body, blocks = draft
        return self._core.intake.draft(title, body, f"slack:{user}", "事務局", blocks, self._core.clock.now())

    async def _on_draft(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:  # noqa: ANN401
        user = body.get("user", {}).get("id", "")
        if not await self.is_secretariat(user):
            _log.warning("announce form from Slack user %s refused (not the secretariat)", user)
            await ack(response_action="errors", errors={"title": say("announce.refused", "ja")})
            return
        announcement = self._draft(user, draft_values(view))
        self._drafts[announcement.id] = announcement
        while len(self._drafts) > _DRAFTS:
            self._drafts.pop(next(iter(self._drafts)))
        await ack(response_action="update", view=preview_modal(announcement, self._core.config.timezone))

    async def _on_confirm(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:  # noqa: ANN401
        await ack()
        user = body.get("user", {}).get("id", "")
        if not await self.is_secretariat(user):
            _log.warning("announce confirmation from Slack user %s refused (not the secretariat)", user)
            return
        # Taken, not read: a replayed "post" finds no draft and posts nothing twice.
        announcement = self._drafts.pop(view.get("private_metadata") or "", None)
        if announcement is None:
            _log.warning("announcement confirmation from %s names no pending draft; nothing posted", user)
            return
        deliveries = self._core.intake.publish(announcement)
        _log.info("announcement %s posted from Slack by %s to %d channels", announcement.id, user, len(deliveries))
        await self.client.chat_postMessage(channel=user, text=say("announce.done", "ja", count=len(deliveries)))

    async def _on_home(self, event: dict[str, Any]) -> None:
        """The App Home tab: what is coming up."""
        reply = self._answer("ブロック会議と研修会の予定", event.get("user"), None)
        trainings = self._answer("研修会の予定は？", event.get("user"), None)
        blocks = [{"type": "header", "text": {"type": "plain_text", "text": "今後の予定 / Upcoming"}}]
        blocks += reply_for_slack(reply)["blocks"] + [{"type": "divider"}] + reply_for_slack(trainings)["blocks"]
        await self.client.views_publish(user_id=event.get("user", ""), view={"type": "home", "blocks": blocks[:100]})

    # Transports -------------------------------------------------------------------------------------

    def route(self, web_app: web.Application) -> None:
        """Serve POST /slack/events on the bot's aiohttp server (HTTP mode; signatures are verified)."""

        async def events(request: web.Request) -> web.StreamResponse:
            bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(bolt_response)

        web_app.router.add_post("/slack/events", events)

    async def run(self, stop: asyncio.Event) -> None:
        """Socket Mode: connect out to Slack (no public URL needed) until stopped; reconnects by itself."""
        if self.mode != "socket":
            await stop.wait()
            return
        handler = AsyncSocketModeHandler(self.app, self._app_token, web_client=self.client)
        await handler.connect_async()  # type: ignore[no-untyped-call]
        try:
            await stop.wait()
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
