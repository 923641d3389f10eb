"""The Discord bot (discord.py 2.x): mentions, DMs and the /rmo slash commands.

Started with `start()` inside the bot's event loop; everything it sends pings nobody. The adapter only
translates: a mention or DM is a question, a /rmo sub-command a neutral Command, the form and the button a
draft and a confirmation; the dispatcher decides, and its neutral reply is rendered as embeds.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.errors import PlatformLoginError
from bot.link_state import LinkState
from bot.platforms.discord.commands import CommandTexts, build_commands
from bot.platforms.discord.forms import AnnounceModal, ConfirmView, preview_content, preview_embeds
from bot.platforms.discord.proposals import (
    EventModal,
    ProposalModal,
    proposal_button_type,
    proposal_embed,
    proposal_view,
)
from bot.platforms.discord.render import escape_markdown
from bot.platforms.discord.reply import reply_for_discord
from handlers.commands import AnnounceForm, AnnouncePreview, Asker, Command, EventEdit, EventForm, Notice, locale_hint
from handlers.messages import Reply
from storage.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from pathlib import Path

    from bot.core import Core
    from handlers.commands import CommandReply, DraftForm, EventDraft, ProposalCorrection, Verb
    from handlers.commands.proposals import ProposalCard
    from handlers.messages import Lang

__all__ = ["DiscordPlatform", "invite_url"]

_log = logging.getLogger(__name__)
NO_PINGS = discord.AllowedMentions.none()
_CONTENT_LIMIT = 2000
# View Channel (without it nothing else works in a channel), Send Messages, Embed Links, Attach Files (a post's
# attachments), Read Message History (also: is an upload already there after a crash) — nothing more. Threads:
# a long post's later parts, its files and the list's replies go into a thread started from the first post.
# Use Application Commands is the members' permission to run commands, not the bot's.
PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True, attach_files=True,
                                  read_message_history=True, create_public_threads=True,
                                  send_messages_in_threads=True)  # fmt: skip


def _content(text: str) -> str:
    """A notice as message content: shown as written, nobody pinged, within Discord's 2,000 characters."""
    shown = escape_markdown(text)
    return shown if len(shown) <= _CONTENT_LIMIT else shown[: _CONTENT_LIMIT - 1].rstrip("\\") + "…"


def invite_url(application_id: int | str) -> str:
    """The link that adds the bot to a server with exactly the permissions it needs."""
    return discord.utils.oauth_url(
        int(application_id), permissions=PERMISSIONS, scopes=("bot", "applications.commands")
    )


class DiscordPlatform:
    """One discord.Client with a CommandTree; `run` logs in and keeps the gateway connection."""

    name = "discord"

    def __init__(self, core: Core, *, sync_state: Path | None = None, link: LinkState | None = None) -> None:
        config = core.config
        self.link = link or LinkState()
        self._commands = core.commands
        self._tz = config.timezone
        self._token = config.secrets.discord_token
        self._guilds = [discord.Object(id=int(g)) for g in config.discord.guild_ids]
        self.secretariat_roles = frozenset(int(r) for r in config.discord.secretariat_roles)
        self._sync_state = sync_state
        self._proposals = core.proposal_commands
        self._event_commands = core.event_commands
        self._proposal_channel = config.discord.secretariat_channel
        self._proposal_button = proposal_button_type(self._on_proposal_button)
        self._blocks = core.store.knowledge.blocks()
        Route.BASE = config.discord.api_base_url.rstrip("/")  # tests and proxies point it elsewhere
        self._build_client()

    def _build_client(self) -> None:
        """A new client: a closed discord.Client cannot log in again, so every (re)start gets its own."""
        intents = discord.Intents.default()  # mentions and DMs carry their text without the privileged intent
        self.client = discord.Client(intents=intents, allowed_mentions=NO_PINGS)
        self.tree = app_commands.CommandTree(self.client)
        for command in build_commands(self._run, self._blocks):
            self.tree.add_command(command)
        self.client.event(self.on_message)
        self.client.event(self.on_ready)
        self.client.event(self.on_resumed)
        self.client.event(self.on_disconnect)
        self.client.setup_hook = self._setup  # type: ignore[method-assign]
        self.client.add_dynamic_items(self._proposal_button)  # the cards' buttons, whenever they were posted

    # Translation ------------------------------------------------------------------------------------

    def _asker(self, user: discord.User | discord.Member) -> Asker:
        # The secretariat: a member of the server holding one of its roles (a DM's author holds none).
        secretariat = isinstance(user, discord.Member) and any(r.id in self.secretariat_roles for r in user.roles)
        return Asker(self.name, str(user.id), secretariat)

    async def on_ready(self) -> None:
        """The gateway session is up: connected, for /healthz."""
        self.link.connected()

    async def on_resumed(self) -> None:
        self.link.connected()

    async def on_disconnect(self) -> None:
        """The gateway dropped; discord.py reconnects by itself."""
        self.link.retrying("the gateway connection dropped; reconnecting")

    async def on_message(self, message: discord.Message) -> None:
        """A DM, or a message that mentions the bot, is a question."""
        me = self.client.user
        if message.author.bot or me is None:
            return
        direct = isinstance(message.channel, discord.DMChannel)
        if not direct and me not in message.mentions:
            return
        text = message.content.replace(f"<@{me.id}>", "").replace(f"<@!{me.id}>", "").strip()
        reply = self._commands.answer(self._asker(message.author), text, str(message.channel.id))
        await message.reply(**self._embeds(reply), mention_author=False)

    def _embeds(self, reply: Reply) -> dict[str, Any]:
        embeds = [discord.Embed.from_dict(e) for e in reply_for_discord(reply, self._tz)["embeds"]]
        return {"embeds": embeds, "allowed_mentions": NO_PINGS}

    async def _run(self, interaction: discord.Interaction, verb: Verb, text: str | None = None) -> None:
        hint = locale_hint(str(interaction.locale))
        command = Command(verb, text or "", self._asker(interaction.user), hint, str(interaction.channel_id))
        await self._show(interaction, await self._commands.dispatch(command))

    async def _submit(self, interaction: discord.Interaction, form: DraftForm) -> None:
        reply = self._commands.draft(self._asker(interaction.user), form, locale_hint(str(interaction.locale)))
        await self._show(interaction, reply)

    async def _confirm(self, interaction: discord.Interaction, draft_id: str) -> None:
        reply = self._commands.confirm(self._asker(interaction.user), draft_id, locale_hint(str(interaction.locale)))
        await self._show(interaction, reply)

    async def _show(self, interaction: discord.Interaction, reply: CommandReply) -> None:
        """A neutral reply, for the asker's eyes only: an answer as embeds, the form as a modal, the preview
        with its button, anything else as its text."""
        send = interaction.response.send_message
        match reply:
            case Reply():
                await send(**self._embeds(reply), ephemeral=True)
            case AnnounceForm():
                await interaction.response.send_modal(
                    AnnounceModal(f"rmo-announce:{interaction.id}", self._submit, reply.lang)
                )
            case EventForm():
                await interaction.response.send_modal(
                    EventModal(f"rmo-event:{interaction.id}", self._add_event, reply.lang)
                )
            case EventEdit():
                modal = ProposalModal(
                    reply.event_id, reply.values, self._edit_event, reply.lang, title_key="event.edit.title"
                )
                await interaction.response.send_modal(modal)
            case AnnouncePreview():
                view = ConfirmView(reply.draft.id, self._confirm, reply.lang)
                self.client.add_view(view)  # the button works whatever message carries it
                embeds = preview_embeds(reply, self._tz)
                await send(
                    _content(preview_content(reply, self._tz)),
                    embeds=embeds,
                    view=view,
                    ephemeral=True,
                    allowed_mentions=NO_PINGS,
                )
            case _:
                await send(_content(reply.text), ephemeral=True, allowed_mentions=NO_PINGS)

    # Meetings read from posts: the secretariat decides on a card -----------------------------------------

    async def show_proposal(self, card: ProposalCard) -> bool:
        """Post the card in the secretariat's channel (False: none is configured)."""
        if not self._proposal_channel:
            return False
        channel_id = int(self._proposal_channel)
        channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
        view = proposal_view(card, self._proposal_button)
        embed = proposal_embed(card)
        await channel.send(embed=embed, view=view or discord.utils.MISSING, allowed_mentions=NO_PINGS)  # type: ignore[union-attr]
        return True

    async def _on_proposal_button(self, interaction: discord.Interaction, verb: str, proposal_id: str) -> None:
        asker, who = self._asker(interaction.user), interaction.user.display_name
        if verb == "edit":
            values = self._proposals.correction_of(asker, proposal_id)
            if isinstance(values, Notice):
                await interaction.response.send_message(
                    _content(values.text), ephemeral=True, allowed_mentions=NO_PINGS
                )
            else:
                await interaction.response.send_modal(ProposalModal(proposal_id, values, self._on_proposal_fix))
            return
        card = self._proposals.decide(asker, proposal_id, "accept" if verb == "accept" else "reject", who=who)
        await self._show_decision(interaction, card)

    async def _on_proposal_fix(
        self, interaction: discord.Interaction, proposal_id: str, form: ProposalCorrection, lang: Lang
    ) -> None:
        who = interaction.user.display_name
        card = self._proposals.correct(self._asker(interaction.user), proposal_id, form, lang, who=who)
        await self._show_decision(interaction, card)

    async def _add_event(self, interaction: discord.Interaction, draft: EventDraft, lang: Lang) -> None:
        outcome = self._event_commands.add_form(self._asker(interaction.user), draft, lang)
        await interaction.response.send_message(_content(outcome.text), ephemeral=True, allowed_mentions=NO_PINGS)

    async def _edit_event(
        self, interaction: discord.Interaction, event_id: str, form: ProposalCorrection, lang: Lang
    ) -> None:
        outcome = self._event_commands.edit_form(self._asker(interaction.user), event_id, form, lang)
        await interaction.response.send_message(_content(outcome.text), ephemeral=True, allowed_mentions=NO_PINGS)

    async def _show_decision(self, interaction: discord.Interaction, card: ProposalCard | Notice) -> None:
        if isinstance(card, Notice):
            await interaction.response.send_message(_content(card.text), ephemeral=True, allowed_mentions=NO_PINGS)
        else:
            await interaction.response.edit_message(embed=proposal_embed(card), view=None)

    # Lifecycle --------------------------------------------------------------------------------------

    async def command_digest(self) -> str:
        """A fingerprint of the commands (with their translations) and where they go: synced only when it
        changes."""
        translator = self.tree.translator
        commands = [
            await c.get_translated_payload(self.tree, translator) if translator else c.to_dict(self.tree)
            for c in self.tree.get_commands()
        ]
        payload = json.dumps(
            {"application": self.client.application_id, "guilds": sorted(g.id for g in self._guilds),
             "commands": commands},
            sort_keys=True,
        )  # fmt: skip
        return hashlib.sha256(payload.encode()).hexdigest()

    async def _setup(self) -> None:
        if self.client.application_id:
            _log.info("invite the bot with: %s", invite_url(self.client.application_id))
        if self.tree.translator is None:
            await self.tree.set_translator(CommandTexts())
        digest = await self.command_digest()
        if self._sync_state is not None and self._sync_state.is_file() and self._sync_state.read_text() == digest:
            _log.info("Discord commands unchanged: not syncing")
            return
        for guild in self._guilds:
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)  # guild commands appear at once
        if not self._guilds:
            await self.tree.sync()
        if self._sync_state is not None:
            atomic_write_bytes(self._sync_state, digest.encode())

    async def run(self, stop: asyncio.Event) -> None:
        """Log in and keep the gateway connection (discord.py reconnects by itself) until stopped."""
        if self.client.is_closed():
            self._build_client()
        try:
            async with self.client:
                try:
                    await self.client.login(self._token)
                except discord.LoginFailure:
                    self.link.failed("Discord refused the bot token")
                    msg = (
                        "Discord refused DISCORD_TOKEN (401): reset the bot's token in the Developer Portal "
                        "(Applications → your app → Bot → Reset Token), set it in the environment and restart"
                    )
                    raise PlatformLoginError(msg) from None
                # discord.py dials Discord's own gateway whatever API it was given: ask the configured API instead.
                _, gateway, _ = await self.client.http.get_bot_gateway()
                DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
                connection = asyncio.create_task(self.client.connect(reconnect=True))
                stopping = asyncio.create_task(stop.wait())
                await asyncio.wait({connection, stopping}, return_when=asyncio.FIRST_COMPLETED)
                stopping.cancel()
                if connection.done() and not stop.is_set():
                    failure = connection.exception()
                    if isinstance(failure, AttributeError) and self.client.ws is None:
                        # discord.py trips over its own missing socket when the first connection fails.
                        raise ConnectionError(f"could not connect to the Discord gateway at {gateway}") from failure
                    connection.result()  # a failure: the supervisor restarts the platform
                elif connection.done() and not connection.cancelled() and connection.exception() is not None:
                    # Stopping while the gateway was failing: discord.py can end with its own error then.
                    _log.debug("Discord connection ended while stopping: %r", connection.exception())
        finally:
            # Closing dispatched `disconnect` to a task of its own: let it run before the loop may end.
            await asyncio.sleep(0)

    def parse(self, event: str, payload: dict[str, Any]) -> None:
        """Feed one gateway dispatch (e.g. MESSAGE_CREATE, INTERACTION_CREATE), as the gateway would."""
        getattr(self.client._connection, f"parse_{event.lower()}")(payload)  # noqa: SLF001 - the gateway's entry point
