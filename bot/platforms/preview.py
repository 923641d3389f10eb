"""A draft announcement as every place will show it, for the secretariat's preview on any platform."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.mail.render import render_email
from bot.platforms.discord.render import render_discord
from bot.platforms.slack.render import render_slack

if TYPE_CHECKING:
    from datetime import tzinfo

    from bot.platforms.discord.render import DiscordMessage
    from bot.platforms.slack.render import SlackMessage
    from storage.records import Announcement

__all__ = ["EMAIL_LABEL", "Preview", "preview_of"]

EMAIL_LABEL = "メール / E-mail"
_CHANNEL = "preview"  # no channel is posted to: a preview is rendered for a placeholder


@dataclass(frozen=True, slots=True)
class Preview:
    """The payloads Slack and Discord would get and the e-mail's text; each platform shows its own
    payloads natively and the others as text."""

    slack: list[SlackMessage]
    discord: list[DiscordMessage]
    email_text: str

    @property
    def slack_text(self) -> str:
        """The Slack messages' sections (Slack mrkdwn, escaped)."""
        return "\n".join(b["text"]["text"] for m in self.slack for b in m["blocks"] if b["type"] == "section")

    @property
    def discord_text(self) -> str:
        """The Discord messages' embed descriptions (Discord markdown, escaped)."""
        return "\n".join(m["embeds"][0].get("description", "") for m in self.discord)


def preview_of(draft: Announcement, tz: tzinfo) -> Preview:
    """`draft` rendered exactly as the relay will post and mail it."""
    return Preview(
        render_slack(draft, _CHANNEL, tz), render_discord(draft, _CHANNEL, tz), render_email(draft, tz)["text"]
    )
