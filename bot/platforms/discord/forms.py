"""The secretariat's announcement form, its preview and its "post" button, as Discord components."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.platforms.common import split_text
from bot.platforms.discord.render import embed_title, escape_markdown, escaped_length
from bot.platforms.preview import preview_of
from handlers.commands import BODY_LIMIT, TITLE_LIMIT, DraftForm
from handlers.texts import say

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from datetime import tzinfo

    from handlers.commands import AnnouncePreview
    from handlers.messages import Lang

__all__ = ["AnnounceModal", "ConfirmView", "preview_content", "preview_embeds"]

_EMBEDS_LIMIT = 6000  # characters of embeds in one message
_EMBEDS = 10  # embeds in one message


class AnnounceModal(discord.ui.Modal):
    """Title, body and target blocks of an announcement from the secretariat, handed to `submit`."""

    def __init__(
        self, custom_id: str, submit: Callable[[discord.Interaction, DraftForm], Awaitable[None]], lang: Lang = "ja"
    ) -> None:
        # One form per interaction: discord.py keys open forms by custom_id alone.
        super().__init__(title=say("form.announce.title", lang), custom_id=custom_id)
        self.title_input: discord.ui.TextInput[AnnounceModal] = discord.ui.TextInput(
            label=say("form.field.title", lang), max_length=TITLE_LIMIT, custom_id="rmo-title"
        )
        self.body_input: discord.ui.TextInput[AnnounceModal] = discord.ui.TextInput(
            label=say("form.field.body", lang), style=discord.TextStyle.paragraph, max_length=BODY_LIMIT,
            custom_id="rmo-body",
        )  # fmt: skip
        self.blocks_input: discord.ui.TextInput[AnnounceModal] = discord.ui.TextInput(
            label=say("form.field.blocks_typed", lang), required=False, custom_id="rmo-blocks"
        )
        for field in (self.title_input, self.body_input, self.blocks_input):
            self.add_item(field)
        self._submit = submit

    async def on_submit(self, interaction: discord.Interaction) -> None:
        # A text field, not a menu: the names are split here and checked by the dispatcher.
        names = (self.blocks_input.value or "").replace("、", ",").split(",")
        form = DraftForm(self.title_input.value, self.body_input.value, tuple(n.strip() for n in names if n.strip()))
        await self._submit(interaction, form)


class ConfirmView(discord.ui.View):
    """The preview's "post" button; `post` gets the draft's id."""

    def __init__(
        self, draft_id: str, post: Callable[[discord.Interaction, str], Awaitable[None]], lang: Lang = "ja"
    ) -> None:
        super().__init__(timeout=None)
        self._draft_id = draft_id
        self._post_draft = post
        button: discord.ui.Button[ConfirmView] = discord.ui.Button(
            label=say("form.post", lang), style=discord.ButtonStyle.primary, custom_id=f"rmo-confirm:{draft_id}"
        )
        button.callback = self._post  # type: ignore[method-assign]
        self.add_item(button)

    async def _post(self, interaction: discord.Interaction) -> None:
        await self._post_draft(interaction, self._draft_id)


def preview_content(preview: AnnouncePreview, tz: tzinfo) -> str:
    """The preview's sentence, and how many messages the post becomes on each platform."""
    return f"{preview.text}\n{preview_of(preview.draft, tz).split_note(preview.lang)}"


def preview_embeds(preview: AnnouncePreview, tz: tzinfo) -> list[discord.Embed]:
    """The draft's own Discord embeds, then its Slack and e-mail text (shown as written), within one message's
    limits."""
    shown = preview_of(preview.draft, tz)
    embeds = [discord.Embed.from_dict(dict(m["embeds"][0])) for m in shown.discord][: _EMBEDS - 2]
    # Discord takes 6,000 characters of embeds per message: the other views share what is left.
    room = max(0, (_EMBEDS_LIMIT - sum(len(e) for e in embeds) - 100) // 2)
    for label, text in (("Slack", shown.slack_text), (say("form.email", preview.lang), shown.email_text)):
        cut = escape_markdown(text)
        if len(cut) > room:
            cut = escape_markdown(split_text(text, max(1, room - 1), escaped_length, most=2)[0]) + "…"
        embeds.append(discord.Embed(title=embed_title(label), description=cut if room else "…"))
    return embeds
