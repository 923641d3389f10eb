"""The Slack app (slack-bolt AsyncApp): mentions, DMs and /rmo, in Socket Mode or over HTTP.

The adapter only translates: a mention or DM is a question, `/rmo …` a neutral Command, the modals' submissions
a draft or a confirmation; the dispatcher decides, and its neutral reply is rendered back as Block Kit.
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.link_state import LinkState
from bot.platforms.slack.connection import run_connection
from bot.platforms.slack.metadata import view_language
from bot.platforms.slack.modals import (
    CONFIRM_VIEW,
    DRAFT_VIEW,
    POST_FIX_VIEW,
    draft_modal,
    draft_values,
    notice_modal,
    post_fix_modal,
    post_fix_values,
    preview_modal,
)
from bot.platforms.slack.proposals import (
    ACCEPT,
    ADD_VIEW,
    EDIT,
    EDIT_VIEW,
    FIX_VIEW,
    REJECT,
    correction_modal,
    correction_values,
    edit_modal,
    edit_values,
    event_modal,
    event_values,
    proposal_message,
)
from bot.platforms.slack.reply import reply_for_slack
from bot.platforms.slack.text import plain
from handlers.commands import (
    AnnounceForm,
    AnnouncePreview,
    Asker,
    CorrectionForm,
    EventEdit,
    EventForm,
    Notice,
    Published,
    parse_command,
)
from handlers.texts import say

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable

    from bot.core import Core
    from handlers.commands.proposals import ProposalCard

__all__ = ["SlackPlatform"]

_log = logging.getLogger(__name__)
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_SEEN = 2000  # event ids remembered, so Slack's retries are answered once
_GROUP_TTL = 300.0
_REPLAY_WINDOW = 330.0  # Slack's signatures are good for five minutes; a little more for clock skew


def _name(body: dict[str, Any]) -> str:
    """Who pressed a button, by name: a mention would ping them (and is escaped in a card anyway)."""
    user = body.get("user") or {}
    return str(user.get("name") or user.get("username") or user.get("id") or "")


class SlackPlatform:
    """Runs the Slack app in Socket Mode (`run`) or serves it on the bot's HTTP server (`route`)."""

    name = "slack"

    def __init__(
        self, core: Core, *, monotonic: Callable[[], float] = time.monotonic, link: LinkState | None = None
    ) -> None:
        config = core.config
        self.link = link or LinkState()
        self._monotonic = monotonic
        self._commands = core.commands
        self._tz = config.timezone
        self.mode = config.slack.mode
        self._app_token = config.secrets.slack_app_token
        base_url = config.slack.api_base_url
        self.client = AsyncWebClient(
            token=config.secrets.slack_bot_token, base_url=base_url if base_url.endswith("/") else base_url + "/"
        )
        self.secretariat = frozenset(config.slack.secretariat_users)
        self._usergroup = config.slack.secretariat_usergroup
        # When the user group was last read (None: never; monotonic time starts near 0 at boot, so no
        # number can stand for "never").
        self._group_members: tuple[float | None, frozenset[str]] = (None, frozenset())
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._signatures: OrderedDict[str, float] = OrderedDict()
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
        self._proposals = core.proposal_commands
        self._proposal_channel = config.slack.secretariat_channel
        self.app.action(ACCEPT)(self._on_proposal_button)
        self.app.action(REJECT)(self._on_proposal_button)
        self.app.action(EDIT)(self._on_proposal_edit)
        self.app.view(FIX_VIEW)(self._on_proposal_fix)
        self.app.view(ADD_VIEW)(self._on_event_add)
        self.app.view(EDIT_VIEW)(self._on_event_edit)
        self.app.view(POST_FIX_VIEW)(self._on_post_fix)
        self._event_commands = core.event_commands

    async def is_secretariat(self, user: str) -> bool:
        """A configured secretariat user, or a member of the secretariat's user group (checked every 5 min)."""
        if user in self.secretariat:
            return True
        if not self._usergroup:
            return False
        fetched, members = self._group_members
        now = self._monotonic()
        if fetched is None or now - fetched > _GROUP_TTL:
            try:
                response = await self.client.usergroups_users_list(usergroup=self._usergroup)
                members = frozenset(response.get("users") or [])
                self._group_members = (self._monotonic(), members)
            except Exception as exc:  # noqa: BLE001 - without the list, only the listed users may announce
                _log.warning("cannot read the secretariat's user group %s: %s", self._usergroup, exc)
                self._group_members = (now - _GROUP_TTL + 60, members)  # ask again in a minute
        return user in members

    # Translation ------------------------------------------------------------------------------------

    async def _asker(self, user: str | None) -> Asker:
        return Asker(self.name, user, await self.is_secretariat(user) if user else False)

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
        reply = self._commands.answer(await self._asker(event.get("user")), text, event.get("channel"))
        await say(**reply_for_slack(reply), thread_ts=event.get("thread_ts") or event.get("ts"))

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any], say: Any) -> None:  # noqa: ANN401
        # Only direct messages from people: not the bot's own, not edits, not channel chatter.
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        if not self._first_time(body):
            return
        reply = self._commands.answer(await self._asker(event.get("user")), event.get("text", ""), event.get("channel"))
        await say(**reply_for_slack(reply))

    async def _on_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:  # noqa: ANN401
        await ack()  # within Slack's 3 seconds, before any work
        asker = await self._asker(str(command.get("user_id") or ""))
        text = command.get("text") or ""
        reply = await self._commands.dispatch(parse_command(text, asker, channel=command.get("channel_id")))
        if isinstance(reply, AnnounceForm):
            await self.client.views_open(trigger_id=command["trigger_id"], view=draft_modal(reply))
        elif isinstance(reply, EventForm):
            await self.client.views_open(trigger_id=command["trigger_id"], view=event_modal(reply))
        elif isinstance(reply, EventEdit):
            await self.client.views_open(trigger_id=command["trigger_id"], view=edit_modal(reply))
        elif isinstance(reply, CorrectionForm):
            await self.client.views_open(trigger_id=command["trigger_id"], view=post_fix_modal(reply))
        else:
            await respond(**reply_for_slack(reply), response_type="ephemeral")

    # The secretariat's announcement: form → preview → post -----------------------------------------------

    async def _on_draft(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:  # noqa: ANN401
        asker = await self._asker(body.get("user", {}).get("id", ""))
        reply = self._commands.draft(asker, draft_values(view))
        if isinstance(reply, AnnouncePreview):
            await ack(response_action="update", view=preview_modal(reply, self._tz))
        else:  # shown under the field it is about; a refusal under the title
            await ack(response_action="errors", errors={reply.field or "title": reply.text})

    async def _on_confirm(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:  # noqa: ANN401
        asker = await self._asker(body.get("user", {}).get("id", ""))
        # Acknowledged after the work, because the outcome decides how the modal closes; a role check and
        # one store write fit well within Slack's 3 seconds.
        reply = self._commands.confirm(asker, view.get("private_metadata") or "")
        if not isinstance(reply, Published):
            await ack(response_action="update", view=notice_modal(reply.text, reply.lang))
            return
        await ack()
        await self.client.chat_postMessage(channel=asker.user or "", **reply_for_slack(reply))

    # Meetings read from posts: the secretariat decides on a card -----------------------------------------

    async def show_proposal(self, card: ProposalCard) -> bool:
        """Post the card to the secretariat: its channel, or else a DM to each secretariat user."""
        destinations = [self._proposal_channel] if self._proposal_channel else sorted(self.secretariat)
        for destination in destinations:
            await self.client.chat_postMessage(channel=destination, **proposal_message(card))
        return bool(destinations)

    async def _on_proposal_button(self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:  # noqa: ANN401
        await ack()
        user = body.get("user", {}).get("id", "")
        asker, proposal_id = await self._asker(user), str(action.get("value"))
        if action.get("action_id") == ACCEPT:
            card = self._proposals.decide(asker, proposal_id, "accept", who=_name(body))
        else:
            card = self._proposals.decide(asker, proposal_id, "reject", who=_name(body))
        if isinstance(card, Notice):
            await respond(**reply_for_slack(card), response_type="ephemeral", replace_original=False)
        else:
            await respond(**proposal_message(card), replace_original=True)

    async def _on_proposal_edit(self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:  # noqa: ANN401
        await ack()
        proposal_id = str(action.get("value"))
        values = self._proposals.correction_of(await self._asker(body.get("user", {}).get("id", "")), proposal_id)
        if isinstance(values, Notice):
            await respond(**reply_for_slack(values), response_type="ephemeral", replace_original=False)
            return
        view = correction_modal(proposal_id, values, body.get("response_url", ""), "ja")
        await self.client.views_open(trigger_id=body.get("trigger_id", ""), view=view)

    async def _on_proposal_fix(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:  # noqa: ANN401
        user = body.get("user", {}).get("id", "")
        proposal_id, response_url, form = correction_values(view)
        card = self._proposals.correct(await self._asker(user), proposal_id, form, view_language(view), who=_name(body))
        if isinstance(card, Notice):
            field = card.key.removeprefix("proposal.invalid.") if card.key.startswith("proposal.invalid.") else "title"
            await ack(response_action="errors", errors={field: card.text})
            return
        await ack()
        if response_url:
            await AsyncWebhookClient(response_url).send_dict({**proposal_message(card), "replace_original": True})

    async def _on_event_add(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:  # noqa: ANN401
        user = body.get("user", {}).get("id", "")
        outcome = self._event_commands.add_form(await self._asker(user), event_values(view), view_language(view))
        if outcome.key != "event.added":
            await ack(response_action="errors", errors={outcome.field or "title": outcome.text})
            return
        await ack()
        await self.client.chat_postMessage(channel=user, **reply_for_slack(outcome))

    async def _on_event_edit(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:  # noqa: ANN401
        user = body.get("user", {}).get("id", "")
        event_id, form = edit_values(view)
        outcome = self._event_commands.edit_form(await self._asker(user), event_id, form, view_language(view))
        if outcome.key != "event.edited":
            await ack(response_action="errors", errors={outcome.field or "title": outcome.text})
            return
        await ack()
        await self.client.chat_postMessage(channel=user, **reply_for_slack(outcome))

    async def _on_post_fix(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:  # noqa: ANN401
        user = body.get("user", {}).get("id", "")
        announcement_id, subject, text = post_fix_values(view)
        outcome = self._commands.correct(await self._asker(user), announcement_id, subject, text, view_language(view))
        if outcome.key != "revise.corrected":
            await ack(response_action="errors", errors={outcome.field or "body": outcome.text})
            return
        await ack()
        await self.client.chat_postMessage(channel=user, **reply_for_slack(outcome))

    async def _on_home(self, event: dict[str, Any]) -> None:
        """The App Home tab: what is coming up (the event also comes for the Messages tab: nothing to draw)."""
        if event.get("tab") != "home":
            return
        replies = self._commands.upcoming(await self._asker(event.get("user")))
        blocks = [{"type": "header", "text": plain(say("home.header", replies[0].lang), 150)}]
        for number, reply in enumerate(replies):
            blocks += ([{"type": "divider"}] if number else []) + reply_for_slack(reply)["blocks"]
        await self.client.views_publish(user_id=event.get("user", ""), view={"type": "home", "blocks": blocks[:100]})

    # Transports -------------------------------------------------------------------------------------

    def route(self, web_app: web.Application) -> None:
        """Serve POST /slack/events on the bot's aiohttp server (HTTP mode; signatures are verified)."""

        async def events(request: web.Request) -> web.StreamResponse:
            # slack_sdk's verifier raises on a timestamp that is not a number: that is an unsigned request.
            stamp = request.headers.get("X-Slack-Request-Timestamp", "")
            if not (stamp.isascii() and stamp.isdigit()):
                return web.Response(status=401, text="invalid request")
            if self._replayed(request.headers.get("X-Slack-Signature", "")):
                # Slack signs each delivery afresh (its retries too): the same signature twice is a replay.
                _log.warning("a replayed Slack request (same signature) was ignored")
                return web.Response(status=200)
            bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(bolt_response)

        web_app.router.add_post("/slack/events", events)

    def _replayed(self, signature: str) -> bool:
        """Whether this signature was seen within Slack's five-minute window (and remember it)."""
        now = self._monotonic()
        while self._signatures and next(iter(self._signatures.values())) < now - _REPLAY_WINDOW:
            self._signatures.popitem(last=False)
        if not signature:
            return False
        if signature in self._signatures:
            return True
        self._signatures[signature] = now
        while len(self._signatures) > _SEEN * 5:
            self._signatures.popitem(last=False)
        return False

    async def run(self, stop: asyncio.Event) -> None:
        """Socket Mode: connect out to Slack (no public URL needed) until stopped; reconnects by itself. HTTP
        mode: Slack calls the bot's server; the token is checked, so /healthz can say whether Slack is reachable."""
        await run_connection(self.app, self.client, self._app_token, self.mode, self.link, stop)
