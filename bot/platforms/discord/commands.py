"""The Discord slash commands: `/rmo …` for every member; `/rmo-announce`, `/rmo-event`, `/rmo-withdraw` and
`/rmo-correct` for the secretariat.

Each description is English by default with a Japanese localisation (every text from `handlers.texts`); the
secretariat's commands carry default permissions (Manage Server), so members never see them in the picker.
Who may announce is still decided by the dispatcher: the permission only hides the commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from handlers.texts import say

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from handlers.commands import Verb
    from storage.records import Block

__all__ = ["SECRETARIAT_PERMISSIONS", "CommandTexts", "build_commands", "localised"]

SECRETARIAT_PERMISSIONS = discord.Permissions(manage_guild=True)


def localised(key: str) -> app_commands.locale_str:
    """The English text of `key`, carrying its Japanese for the translator."""
    return app_commands.locale_str(say(key, "en"), ja=say(key, "ja"))


class CommandTexts(app_commands.Translator):
    """Gives Discord the Japanese of every description and choice (each locale_str carries its own)."""

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        del context
        if locale is discord.Locale.japanese:
            japanese = string.extras.get("ja")
            return str(japanese) if japanese else None
        return None


def _block_choices(blocks: Sequence[Block]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=app_commands.locale_str(b.name_en, ja=b.name), value=b.key) for b in blocks[:25]]


def build_commands(
    run: Callable[[discord.Interaction, Verb, str | None], Awaitable[None]], blocks: Sequence[Block]
) -> list[app_commands.Group | app_commands.Command[Any, ..., None]]:
    """The command tree's top-level commands; `run(interaction, verb, text)` is what each one does."""
    names = {b.key: (b.name, b.name_en) for b in blocks}
    choices = _block_choices(blocks)

    def where(interaction: discord.Interaction, block: str | None, place: str | None) -> str | None:
        """The chosen block by name (in the client's language), then the place typed."""
        name = None
        if block in names:
            ja, en = names[block]
            name = en if str(interaction.locale).startswith("en") else ja
        return " ".join(x for x in (name, place) if x) or None

    group = app_commands.Group(name="rmo", description=localised("cmd.rmo"))

    @group.command(name="ask", description=localised("cmd.ask"))
    @app_commands.describe(question=localised("cmd.ask.question"))
    async def ask(interaction: discord.Interaction, question: str) -> None:
        await run(interaction, "ask", question)

    @group.command(name="join", description=localised("cmd.join"))
    async def join(interaction: discord.Interaction) -> None:
        await run(interaction, "join", None)

    @group.command(name="meetings", description=localised("cmd.meetings"))
    @app_commands.describe(block=localised("cmd.option.block"), place=localised("cmd.option.place"))
    @app_commands.choices(block=choices)
    async def meetings(interaction: discord.Interaction, block: str | None = None, place: str | None = None) -> None:
        await run(interaction, "meetings", where(interaction, block, place))

    @group.command(name="trainings", description=localised("cmd.trainings"))
    @app_commands.describe(block=localised("cmd.option.block"))
    @app_commands.choices(block=choices)
    async def trainings(interaction: discord.Interaction, block: str | None = None) -> None:
        await run(interaction, "trainings", where(interaction, block, None))

    @group.command(name="subscribe", description=localised("cmd.subscribe"))
    @app_commands.describe(email=localised("cmd.option.email"))
    async def subscribe(interaction: discord.Interaction, email: str | None = None) -> None:
        await run(interaction, "subscribe", email)

    @group.command(name="unsubscribe", description=localised("cmd.unsubscribe"))
    @app_commands.describe(email=localised("cmd.option.email"))
    async def unsubscribe(interaction: discord.Interaction, email: str | None = None) -> None:
        await run(interaction, "unsubscribe", email)

    @group.command(name="help", description=localised("cmd.help"))
    async def help_(interaction: discord.Interaction) -> None:
        await run(interaction, "help", None)

    @app_commands.command(name="rmo-announce", description=localised("cmd.announce"))
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def announce(interaction: discord.Interaction) -> None:
        await run(interaction, "announce", None)

    @app_commands.command(name="rmo-event", description=localised("cmd.event"))
    @app_commands.describe(text=localised("cmd.event.text"))
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def event(interaction: discord.Interaction, text: str | None = None) -> None:
        await run(interaction, "event", text)

    @app_commands.command(name="rmo-withdraw", description=localised("cmd.withdraw"))
    @app_commands.describe(post=localised("cmd.option.post"))
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def withdraw(interaction: discord.Interaction, post: str) -> None:
        await run(interaction, "withdraw", post)

    @app_commands.command(name="rmo-correct", description=localised("cmd.correct"))
    @app_commands.describe(post=localised("cmd.option.post"), text=localised("cmd.correct.text"))
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def correct(interaction: discord.Interaction, post: str, text: str) -> None:
        await run(interaction, "correct", f"{post} {text}")

    return [group, announce, event, withdraw, correct]
