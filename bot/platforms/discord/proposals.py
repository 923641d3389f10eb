"""A meeting read from a post, as the secretariat sees it on Discord: an embed with 登録 / 修正 / 登録しない
buttons (dynamic items, so they work after a restart) and the correction form (a modal)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.platforms.common import split_text
from bot.platforms.discord.render import embed_title, escape_markdown, escaped_length
from handlers.commands import EventDraft, ProposalCorrection
from handlers.texts import say

if TYPE_CHECKING:
    import re
    from collections.abc import Awaitable, Callable

    from handlers.commands.proposals import ProposalCard
    from handlers.messages import Lang

__all__ = ["EventModal", "ProposalModal", "proposal_button_type", "proposal_embed", "proposal_view"]

_DESCRIPTION = 4096
_STYLES = {"accept": discord.ButtonStyle.success, "edit": discord.ButtonStyle.secondary,
           "reject": discord.ButtonStyle.danger}  # fmt: skip


def proposal_embed(card: ProposalCard) -> discord.Embed:
    """The card: what was read (and what is in doubt, and who decided), within Discord's embed limits."""
    parts = list(card.lines)
    if card.doubts:
        parts += ["", *(f"⚠️ {d}" for d in card.doubts)]
    if card.decided:
        parts += ["", card.decided]
    description = split_text("\n".join(parts), _DESCRIPTION, escaped_length, most=2)[0]
    return discord.Embed(title=embed_title(card.heading), description=escape_markdown(description))


def proposal_button_type(press: Callable[[discord.Interaction, str, str], Awaitable[None]]) -> type[Any]:
    """The buttons' class, calling `press(interaction, verb, proposal_id)`; registered once with the client."""

    class ProposalButton(
        discord.ui.DynamicItem[discord.ui.Button[Any]],
        template=r"rmo-proposal:(?P<verb>accept|edit|reject):(?P<id>p[0-9a-f]{10})",
    ):
        def __init__(self, verb: str, proposal_id: str, label: str = "") -> None:
            self.verb, self.proposal_id = verb, proposal_id
            button: discord.ui.Button[Any] = discord.ui.Button(
                label=label or verb, style=_STYLES[verb], custom_id=f"rmo-proposal:{verb}:{proposal_id}"
            )
            super().__init__(button)

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
        ) -> ProposalButton:
            del interaction, item
            return cls(match["verb"], match["id"])

        async def callback(self, interaction: discord.Interaction) -> None:
            await press(interaction, self.verb, self.proposal_id)

    return ProposalButton


def proposal_view(card: ProposalCard, button_type: type[Any]) -> discord.ui.View | None:
    """The three buttons of an open proposal (none once it is decided)."""
    if card.decided:
        return None
    view = discord.ui.View(timeout=None)
    for verb in ("accept", "edit", "reject"):
        view.add_item(button_type(verb, card.proposal.id, say(f"proposal.button.{verb}", card.lang)))
    return view


class ProposalModal(discord.ui.Modal):
    """The correction form, filled in with what was read (Discord allows five fields: these are the five).
    It keeps its language, so what a submission is told is in the language of the form that was shown."""

    def __init__(
        self,
        proposal_id: str,
        values: ProposalCorrection,
        submit: Callable[[discord.Interaction, str, ProposalCorrection, Lang], Awaitable[None]],
        lang: Lang = "ja",
        *,
        title_key: str = "proposal.form.title",
    ) -> None:
        super().__init__(title=say(title_key, lang)[:45], custom_id=f"rmo-proposal-fix:{proposal_id}")
        self.lang: Lang = lang
        self._proposal_id = proposal_id
        self._submit = submit
        self._inputs: dict[str, discord.ui.TextInput[ProposalModal]] = {}
        for name, value, required in (
            ("title", values.title, True), ("when", values.when, True), ("venue", values.venue, False),
            ("registration_url", values.registration_url, False), ("deadline", values.deadline, False),
        ):  # fmt: skip
            field: discord.ui.TextInput[ProposalModal] = discord.ui.TextInput(
                label=say(f"proposal.field.{name}", lang)[:45], default=value[:300] or None, required=required,
                max_length=300, custom_id=f"rmo-proposal-{name}",
            )  # fmt: skip
            self._inputs[name] = field
            self.add_item(field)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        typed = {name: field.value or "" for name, field in self._inputs.items()}
        await self._submit(interaction, self._proposal_id, ProposalCorrection(**typed), self.lang)


class EventModal(discord.ui.Modal):
    """The form that adds an event (`/rmo event add`): title, date and time, block, venue, registration URL.
    It keeps its language, so what a submission is told is in the language of the form that was shown."""

    def __init__(
        self,
        custom_id: str,
        submit: Callable[[discord.Interaction, EventDraft, Lang], Awaitable[None]],
        lang: Lang = "ja",
    ) -> None:
        super().__init__(title=say("event.form.title", lang), custom_id=custom_id)
        self.lang: Lang = lang
        self._submit = submit
        self._inputs: dict[str, discord.ui.TextInput[EventModal]] = {}
        for name, required in (("title", True), ("when", True), ("block", True), ("venue", False),
                               ("registration_url", False)):  # fmt: skip
            field: discord.ui.TextInput[EventModal] = discord.ui.TextInput(
                label=say(f"proposal.field.{name}", lang)[:45], required=required, max_length=300,
                custom_id=f"rmo-event-{name}",
            )  # fmt: skip
            self._inputs[name] = field
            self.add_item(field)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        draft = EventDraft(**{name: f.value or "" for name, f in self._inputs.items()})
        await self._submit(interaction, draft, self.lang)
