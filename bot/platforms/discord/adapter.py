"""The Discord bot (discord.py 2.x): mentions, DMs and the /rmo slash commands.

Started with `start()` inside the bot's event loop; everything it sends pings nobody. The adapter only
translates: a message or interaction becomes one neutral Incoming, the reply is rendered as embeds.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.http import Route

from bot.mail.render import render_email
from bot.platforms.discord.render import render_discord
from bot.platforms.discord.reply import reply_for_discord
from bot.platforms.slack.render import render_slack
from bot.platforms.subscriptions import subscribe_from_chat, unsubscribe_from_chat
from handlers.answering import internal_error_reply
from handlers.messages import Incoming, Lang, Reply
from handlers.texts import say
from storage.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from datetime import tzinfo
    from pathlib import Path

    from bot.core import Core
    from storage.records import Announcement

__all__ = ["DiscordPlatform", "invite_url"]

_log = logging.getLogger(__name__)
NO_PINGS = discord.AllowedMentions.none()
_EMBEDS_LIMIT = 6000
# Send Messages, Embed Links, Read Message History, Use Application Commands — nothing more.
PERMISSIONS = discord.Permissions(send_messages=True, embed_links=True, read_message_history=True,
                                  use_application_commands=True)  # fmt: skip


def invite_url(application_id: int | str) -> str:
    """The link that adds the bot to a server with exactly the permissions it needs."""
    return discord.utils.oauth_url(
        int(application_id), permissions=PERMISSIONS, scopes=("bot", "applications.commands")
    )


def _lang(interaction: discord.Interaction) -> Lang:
    """Discord tells the member's client language; the bot answers in English only to English clients."""
    return "en" if str(interaction.locale).startswith("en") else "ja"


def _embeds(reply: Reply, tz: tzinfo) -> list[discord.Embed]:
    return [discord.Embed.from_dict(e) for e in reply_for_discord(reply, tz)["embeds"]]


class DiscordPlatform:
    """One discord.Client with a CommandTree; `run` logs in and keeps the gateway connection."""

    name = "discord"

    def __init__(self, core: Core, *, sync_state: Path | None = None) -> None:
        config = core.config
        self._core = core
        self._token = config.secrets.discord_token
        self._guilds = [discord.Object(id=int(g)) for g in config.discord.guild_ids]
        self.secretariat_roles = frozenset(int(r) for r in config.discord.secretariat_roles)
        self._sync_state = sync_state
        Route.BASE = config.discord.api_base_url.rstrip("/")  # tests and proxies point it elsewhere
        self._drafts: dict[str, Announcement] = {}
        self._build_client()

    def _build_client(self) -> None:
        """A new client: a closed discord.Client cannot log in again, so every (re)start gets its own."""
        intents = discord.Intents.default()  # mentions and DMs carry their text without the privileged intent
        self.client = discord.Client(intents=intents, allowed_mentions=NO_PINGS)
        self.tree = app_commands.CommandTree(self.client)
        self.tree.add_command(self._commands())
        self.client.event(self.on_message)
        self.client.setup_hook = self._setup  # type: ignore[method-assign]

    # Translation ------------------------------------------------------------------------------------

    def answer(self, text: str, user: str | None, channel: str | None) -> Reply:
        try:
            return self._core.answerer.answer(Incoming(text=text, platform=self.name, user=user, channel=channel))
        except Exception:  # noqa: BLE001 - a member sees an apology, the log gets the traceback
            _log.exception("could not answer %r", text)
            return internal_error_reply(text)

    async def on_message(self, message: discord.Message) -> None:
        """A DM, or a message that mentions the bot, is a question."""
        me = self.client.user
        if message.author.bot or me is None:
            return
        direct = isinstance(message.channel, discord.DMChannel)
        if not direct and me not in message.mentions:
            return
        text = message.content.replace(f"<@{me.id}>", "").replace(f"<@!{me.id}>", "").strip()
        reply = self.answer(text, str(message.author.id), str(message.channel.id))
        await message.reply(
            embeds=_embeds(reply, self._core.config.timezone), mention_author=False, allowed_mentions=NO_PINGS
        )

    def _commands(self) -> app_commands.Group:
        group = app_commands.Group(name="rmo", description="小規模多機能自治推進ネットワーク会議のボット / network bot")

        async def respond(interaction: discord.Interaction, question: str) -> None:
            reply = self.answer(question, str(interaction.user.id), str(interaction.channel_id))
            await interaction.response.send_message(
                embeds=_embeds(reply, self._core.config.timezone), ephemeral=True, allowed_mentions=NO_PINGS
            )

        @group.command(name="ask", description="質問する / ask a question")
        async def ask(interaction: discord.Interaction, question: str) -> None:
            await respond(interaction, question)

        @group.command(name="join", description="入会方法 / how to join")
        async def join(interaction: discord.Interaction) -> None:
            await respond(interaction, "入会するには？")

        @group.command(name="meetings", description="ブロック会議の予定 / block meetings")
        async def meetings(interaction: discord.Interaction, place: str | None = None) -> None:
            await respond(interaction, f"{place or ''} ブロック会議の予定は？".strip())

        @group.command(name="trainings", description="研修会の予定 / trainings")
        async def trainings(interaction: discord.Interaction) -> None:
            await respond(interaction, "研修会の予定は？")

        async def by_mail(
            interaction: discord.Interaction,
            email: str | None,
            start: Callable[[Core, str, Lang], Awaitable[str | None]],
            explain: str,
        ) -> None:
            answer = await start(self._core, email or "", _lang(interaction))
            if answer is None:  # no address given: explain instead
                await respond(interaction, explain)
            else:
                await interaction.response.send_message(answer, ephemeral=True)

        @group.command(name="subscribe", description="メールで受け取る / get the e-mail digest")
        async def subscribe(interaction: discord.Interaction, email: str | None = None) -> None:
            await by_mail(interaction, email, subscribe_from_chat, "お知らせをメールで受け取るには？")

        @group.command(name="unsubscribe", description="メールの配信停止 / stop the e-mail digest")
        async def unsubscribe(interaction: discord.Interaction, email: str | None = None) -> None:
            await by_mail(interaction, email, unsubscribe_from_chat, "メールの配信を停止するには？")

        @group.command(name="help", description="使い方 / help")
        async def help_(interaction: discord.Interaction) -> None:
            await respond(interaction, "ヘルプ")

        @group.command(name="announce", description="お知らせを投稿（事務局） / announce (secretariat)")
        async def announce(interaction: discord.Interaction) -> None:
            if not await self.is_secretariat(interaction):
                return
            await interaction.response.send_modal(AnnounceForm(self, f"rmo-announce:{interaction.id}"))

        return group

    async def is_secretariat(self, interaction: discord.Interaction) -> bool:
        roles = {r.id for r in getattr(interaction.user, "roles", [])}
        if roles & self.secretariat_roles:
            return True
        lang = _lang(interaction)
        _log.warning("announce refused for Discord user %s (not the secretariat)", interaction.user.id)
        await interaction.response.send_message(say("announce.refused", lang), ephemeral=True)
        return False

    async def preview(self, interaction: discord.Interaction, title: str, body: str, blocks: list[str]) -> None:
        """Show the draft as Discord, Slack and e-mail will have it, with a button that posts it."""
        draft = self._core.intake.draft(
            title, body, f"discord:{interaction.user.id}", "事務局", blocks, self._core.clock.now()
        )
        draft_id = draft.id
        self._drafts[draft_id] = draft
        tz = self._core.config.timezone
        slack_text = "\n".join(
            b["text"]["text"] for m in render_slack(draft, "preview", tz) for b in m["blocks"] if b["type"] == "section"
        )
        embeds = [discord.Embed.from_dict(dict(m["embeds"][0])) for m in render_discord(draft, "preview", tz)][:8]
        # Discord takes 6,000 characters of embeds per message: the other views share what is left.
        room = max(0, (_EMBEDS_LIMIT - sum(len(e) for e in embeds) - 100) // 2)
        for label, text in (("Slack", slack_text), ("メール / E-mail", render_email(draft, tz)["text"])):
            shown = text if len(text) <= room else text[: max(0, room - 1)] + "…"
            embeds.append(discord.Embed(title=label, description=shown or "…"))
        view = ConfirmView(self, draft_id)
        self.client.add_view(view)  # the button works whatever message carries it
        await interaction.response.send_message(
            "プレビュー / Preview", embeds=embeds[:10], view=view, ephemeral=True, allowed_mentions=NO_PINGS
        )

    async def confirm(self, interaction: discord.Interaction, draft_id: str) -> None:
        if not await self.is_secretariat(interaction):
            return
        draft = self._drafts.pop(draft_id, None)
        if draft is None:
            await interaction.response.send_message("この下書きはもうありません。/ This draft is gone.", ephemeral=True)
            return
        deliveries = self._core.intake.publish(draft)
        _log.info("announcement %s posted from Discord by %s to %d channels", draft.id, interaction.user.id,
                  len(deliveries))  # fmt: skip
        await interaction.response.send_message(say("announce.done", "ja", count=len(deliveries)), ephemeral=True)

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
            connection = asyncio.create_task(self.client.connect(reconnect=True))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({connection, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if connection.done() and not stop.is_set():
                connection.result()  # a failure: the supervisor restarts the platform
            elif connection.done() and not connection.cancelled() and connection.exception() is not None:
                # Stopping while the gateway was failing: discord.py can end with its own error then.
                _log.debug("Discord connection ended while stopping: %r", connection.exception())

    def parse(self, event: str, payload: dict[str, Any]) -> None:
        """Feed one gateway dispatch (e.g. MESSAGE_CREATE, INTERACTION_CREATE), as the gateway would."""
        getattr(self.client._connection, f"parse_{event.lower()}")(payload)  # noqa: SLF001 - the gateway's entry point


class AnnounceForm(discord.ui.Modal):
    """Title, body and target blocks of an announcement from the secretariat."""

    title_input: discord.ui.TextInput[AnnounceForm] = discord.ui.TextInput(
        label="件名 / Title", max_length=150, custom_id="rmo-title"
    )
    body_input: discord.ui.TextInput[AnnounceForm] = discord.ui.TextInput(
        label="本文 / Body", style=discord.TextStyle.paragraph, max_length=3000, custom_id="rmo-body"
    )
    blocks_input: discord.ui.TextInput[AnnounceForm] = discord.ui.TextInput(
        label="対象ブロック / Blocks (kinki, kyushu …)", required=False, custom_id="rmo-blocks"
    )

    def __init__(self, platform: DiscordPlatform, custom_id: str) -> None:
        # One form per interaction: discord.py keys open forms by custom_id alone.
        super().__init__(title="お知らせの作成 / New announcement", custom_id=custom_id)
        self._platform = platform

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if not await self._platform.is_secretariat(interaction):
            return
        blocks = [b.strip().lower() for b in (self.blocks_input.value or "").replace("、", ",").split(",") if b.strip()]
        await self._platform.preview(interaction, self.title_input.value, self.body_input.value, blocks)


class ConfirmView(discord.ui.View):
    """The preview's "post" button."""

    def __init__(self, platform: DiscordPlatform, draft_id: str) -> None:
        super().__init__(timeout=None)
        self._platform = platform
        self._draft_id = draft_id
        button: discord.ui.Button[ConfirmView] = discord.ui.Button(
            label="投稿する / Post", style=discord.ButtonStyle.primary, custom_id=f"rmo-confirm:{draft_id}"
        )
        button.callback = self._post  # type: ignore[method-assign]
        self.add_item(button)

    async def _post(self, interaction: discord.Interaction) -> None:
        await self._platform.confirm(interaction, self._draft_id)
