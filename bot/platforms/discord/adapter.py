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

from bot.platforms.discord.forms import AnnounceModal, ConfirmView, preview_embeds
from bot.platforms.discord.proposals import (
    EventModal,
    ProposalModal,
    proposal_button_type,
    proposal_embed,
    proposal_view,
)
from bot.platforms.discord.reply import reply_for_discord
from handlers.commands import AnnounceForm, AnnouncePreview, Asker, Command, EventEdit, EventForm, Notice, locale_hint
from handlers.messages import Reply
from storage.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from pathlib import Path

    from bot.core import Core
    from handlers.commands import CommandReply, DraftForm, EventDraft, ProposalCorrection, Verb
    from handlers.commands.proposals import ProposalCard

__all__ = ["DiscordPlatform", "invite_url"]

_log = logging.getLogger(__name__)
NO_PINGS = discord.AllowedMentions.none()
# Send Messages, Embed Links, Attach Files (a post's attachments), Read Message History (also: is an upload
# already there after a crash), Use Application Commands — nothing more.
PERMISSIONS = discord.Permissions(send_messages=True, embed_links=True, attach_files=True,
                                  read_message_history=True, use_application_commands=True)  # fmt: skip


def invite_url(application_id: int | str) -> str:
    """The link that adds the bot to a server with exactly the permissions it needs."""
    return discord.utils.oauth_url(
        int(application_id), permissions=PERMISSIONS, scopes=("bot", "applications.commands")
    )


class DiscordPlatform:
    """One discord.Client with a CommandTree; `run` logs in and keeps the gateway connection."""

    name = "discord"

    def __init__(self, core: Core, *, sync_state: Path | None = None) -> None:
        config = core.config
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
        Route.BASE = config.discord.api_base_url.rstrip("/")  # tests and proxies point it elsewhere
        self._build_client()

    def _build_client(self) -> None:
        """A new client: a closed discord.Client cannot log in again, so every (re)start gets its own."""
        intents = discord.Intents.default()  # mentions and DMs carry their text without the privileged intent
        self.client = discord.Client(intents=intents, allowed_mentions=NO_PINGS)
        self.tree = app_commands.CommandTree(self.client)
        self.tree.add_command(self._commands_group())
        self.client.event(self.on_message)
        self.client.setup_hook = self._setup  # type: ignore[method-assign]
        self.client.add_dynamic_items(self._proposal_button)  # the cards' buttons, whenever they were posted

    # Translation ------------------------------------------------------------------------------------

    def _asker(self, user: discord.User | discord.Member) -> Asker:
        # The secretariat: a member of the server holding one of its roles (a DM's author holds none).
        secretariat = isinstance(user, discord.Member) and any(r.id in self.secretariat_roles for r in user.roles)
        return Asker(self.name, str(user.id), secretariat)

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
                await interaction.response.send_modal(AnnounceModal(f"rmo-announce:{interaction.id}", self._submit))
            case EventForm():
                await interaction.response.send_modal(EventModal(f"rmo-event:{interaction.id}", self._add_event))
            case EventEdit():
                await interaction.response.send_modal(ProposalModal(reply.event_id, reply.values, self._edit_event))
            case AnnouncePreview():
                view = ConfirmView(reply.draft.id, self._confirm)
                self.client.add_view(view)  # the button works whatever message carries it
                embeds = preview_embeds(reply, self._tz)
                await send(reply.text, embeds=embeds, view=view, ephemeral=True, allowed_mentions=NO_PINGS)
            case _:
                await send(reply.text, ephemeral=True, allowed_mentions=NO_PINGS)

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
                await interaction.response.send_message(values.text, ephemeral=True, allowed_mentions=NO_PINGS)
            else:
                await interaction.response.send_modal(ProposalModal(proposal_id, values, self._on_proposal_fix))
            return
        card = self._proposals.decide(asker, proposal_id, "accept" if verb == "accept" else "reject", who=who)
        await self._show_decision(interaction, card)

    async def _on_proposal_fix(
        self, interaction: discord.Interaction, proposal_id: str, form: ProposalCorrection
    ) -> None:
        who = interaction.user.display_name
        card = self._proposals.correct(self._asker(interaction.user), proposal_id, form, who=who)
        await self._show_decision(interaction, card)

    async def _add_event(self, interaction: discord.Interaction, draft: EventDraft) -> None:
        outcome = self._event_commands.add_form(self._asker(interaction.user), draft)
        await interaction.response.send_message(outcome.text, ephemeral=True, allowed_mentions=NO_PINGS)

    async def _edit_event(self, interaction: discord.Interaction, event_id: str, form: ProposalCorrection) -> None:
        outcome = self._event_commands.edit_form(self._asker(interaction.user), event_id, form)
        await interaction.response.send_message(outcome.text, ephemeral=True, allowed_mentions=NO_PINGS)

    async def _show_decision(self, interaction: discord.Interaction, card: ProposalCard | Notice) -> None:
        if isinstance(card, Notice):
            await interaction.response.send_message(card.text, ephemeral=True, allowed_mentions=NO_PINGS)
        else:
            await interaction.response.edit_message(embed=proposal_embed(card), view=None)

    def _commands_group(self) -> app_commands.Group:
        group = app_commands.Group(name="rmo", description="小規模多機能自治推進ネットワーク会議のボット / network bot")

        @group.command(name="ask", description="質問する / ask a question")
        async def ask(interaction: discord.Interaction, question: str) -> None:
            await self._run(interaction, "ask", question)

        @group.command(name="join", description="入会方法 / how to join")
        async def join(interaction: discord.Interaction) -> None:
            await self._run(interaction, "join")

        @group.command(name="meetings", description="ブロック会議の予定 / block meetings")
        async def meetings(interaction: discord.Interaction, place: str | None = None) -> None:
            await self._run(interaction, "meetings", place)

        @group.command(name="trainings", description="研修会の予定 / trainings")
        async def trainings(interaction: discord.Interaction) -> None:
            await self._run(interaction, "trainings")

        @group.command(name="subscribe", description="メールで受け取る / get the e-mail digest")
        async def subscribe(interaction: discord.Interaction, email: str | None = None) -> None:
            await self._run(interaction, "subscribe", email)

        @group.command(name="unsubscribe", description="メールの配信停止 / stop the e-mail digest")
        async def unsubscribe(interaction: discord.Interaction, email: str | None = None) -> None:
            await self._run(interaction, "unsubscribe", email)

        @group.command(name="help", description="使い方 / help")
        async def help_(interaction: discord.Interaction) -> None:
            await self._run(interaction, "help")

        @group.command(name="announce", description="お知らせを投稿（事務局） / announce (secretariat)")
        async def announce(interaction: discord.Interaction) -> None:
            await self._run(interaction, "announce")

        @group.command(name="event", description="カレンダーの予定（事務局）: list / add / move / cancel / proposals")
        async def event(interaction: discord.Interaction, text: str | None = None) -> None:
            await self._run(interaction, "event", text)

        return group

    # Lifecycle --------------------------------------------------------------------------------------

    def command_digest(self) -> str:
        """A fingerprint of the commands and where they go: synced only when it changes."""
        payload = json.dumps(
            {
                "application": self.client.application_id,
                "guilds": sorted(g.id for g in self._guilds),
                "commands": [c.to_dict(self.tree) for c in self.tree.get_commands()],
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    async def _setup(self) -> None:
        if self.client.application_id:
            _log.info("invite the bot with: %s", invite_url(self.client.application_id))
        digest = self.command_digest()
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
        async with self.client:
            await self.client.login(self._token)
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

    def parse(self, event: str, payload: dict[str, Any]) -> None:
        """Feed one gateway dispatch (e.g. MESSAGE_CREATE, INTERACTION_CREATE), as the gateway would."""
        getattr(self.client._connection, f"parse_{event.lower()}")(payload)  # noqa: SLF001 - the gateway's entry point
