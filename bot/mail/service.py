"""The mail service of the running bot: the SMTP/LMTP listener and the relay behind it, as one component."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.mail.listener import MailListener
from bot.platforms.discord.poster import DiscordPoster
from bot.platforms.facebook.poster import FacebookPoster
from bot.platforms.slack.poster import SlackPoster
from bot.relay import RelayService

if TYPE_CHECKING:
    import asyncio

    from bot.core import Core
    from bot.poster import Poster
    from bot.relay_files import Uploader

__all__ = ["MailService"]


class MailService:
    """Listens for the list's mail and relays what it spools, until the bot stops."""

    name = "mail"

    def __init__(self, core: Core, *, ready: asyncio.Event | None = None) -> None:
        """`ready`: set once the spooled mail may be stored (the catch-up has read the announcements' keys)."""
        config = core.config
        posters: dict[str, Poster] = {}
        uploaders: dict[str, Uploader] = {}
        if config.secrets.slack_bot_token:
            posters["slack"] = uploaders["slack"] = SlackPoster(
                config.secrets.slack_bot_token, config.slack.api_base_url
            )
        if config.secrets.discord_token:
            posters["discord"] = uploaders["discord"] = DiscordPoster(
                config.secrets.discord_token, config.discord.api_base_url
            )
        if config.facebook_configured:
            posters["facebook"] = FacebookPoster(config.secrets.facebook_page_token, config.facebook.api_base_url)
        self.relay = RelayService(
            core.store, core.intake, core.outbox_signal, posters, config.timezone, pages_url=core.pages_url,
            files=core.file_steps, uploaders=uploaders, ready=ready,
        )  # fmt: skip
        intake = config.mail.intake
        host, port = intake.listen.rsplit(":", 1)
        self.listener = MailListener(
            core.store.spool,
            host,
            int(port),
            protocol=intake.protocol,
            addresses=frozenset(a.lower() for a in intake.addresses),
            max_size=intake.max_size,
            on_spooled=self.relay.spooled,
            max_connections=intake.max_connections,
            max_per_client=intake.max_connections_per_client,
            idle_timeout=intake.idle_timeout,
        )

    async def run(self, stop: asyncio.Event) -> None:
        await self.listener.start()
        try:
            await self.relay.run(stop)
        finally:
            await self.listener.stop()
