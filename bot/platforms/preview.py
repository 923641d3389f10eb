"""A draft announcement as every place will show it, for the secretariat's preview on any platform."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.mail.render import render_email
from bot.platforms.discord.render import render_discord
from bot.platforms.slack.render import render_slack
from handlers.texts import say

if TYPE_CHECKING:
    from datetime import tzinfo

    from bot.platforms.discord.render import DiscordMessage
    from bot.platforms.slack.render import SlackMessage
    from handlers.messages import Lang
    from storage.records import Announcement

__all__ = ["Preview", "preview_of"]

_CHANNEL = "preview"  # no channel is posted to: a preview is rendered for a placeholder
# A backslash before punctuation is Discord's escape: the client shows the punctuation alone.
_DISCORD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(frozen=True, slots=True)
class Preview:
    """The payloads Slack and Discord would get and the e-mail's text; each platform shows its own
    payloads natively and the others as text."""

    slack: list[SlackMessage]
    discord: list[DiscordMessage]
    email_text: str

    @property
    def slack_text(self) -> str:
        """What the Slack messages' text blocks show (their rich_text, as plain text)."""
        return "\n".join(
            "".join(e["text"] for s in b["elements"] for e in s["elements"])
            for m in self.slack
            for b in m["blocks"]
            if b["type"] == "rich_text"
        )

    @property
    def discord_text(self) -> str:
        """What the Discord messages' embed descriptions show: the text as written, without the escaping
        backslashes a reader would never see."""
        return "\n".join(_DISCORD_ESCAPE.sub(r"\1", m["embeds"][0].get("description", "")) for m in self.discord)

    @property
    def discord_shown(self) -> str:
        """The Discord messages' text as a Discord reader sees it (as `discord_text`)."""
        return self.discord_text

    def split_note(self, lang: Lang) -> str:
        """How many messages the post becomes on each platform, and where they go."""
        return say("post.split", lang, slack=len(self.slack), discord=len(self.discord))


def preview_of(draft: Announcement, tz: tzinfo) -> Preview:
    """`draft` rendered exactly as the relay will post and mail it."""
    return Preview(
        render_slack(draft, _CHANNEL, tz), render_discord(draft, _CHANNEL, tz), render_email(draft, tz)["text"]
    )
