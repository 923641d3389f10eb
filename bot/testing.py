"""An in-process bot on a real store, so a whole conversation reads as one line in a test.

chat = ChatHarness.open(tmp_path, now=datetime(2026, 11, 25, 10, tzinfo=JST))
assert "郵送" in chat.say("入会するには？")
assert (await chat.send("/rmo join")).intent == "join"
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from bot.clock import FrozenClock
from bot.config import Config, load_config
from bot.core import Core
from bot.platforms.console.adapter import ConsolePlatform
from storage.closing import ClosesOnExit

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from handlers.commands import CommandReply
    from handlers.messages import Reply

__all__ = ["ChatHarness"]


class ChatHarness(ClosesOnExit):
    """The console platform over a real data directory, with a frozen clock."""

    def __init__(self, core: Core, clock: FrozenClock) -> None:
        self.core = core
        self.clock = clock
        self.platform = ConsolePlatform(core.commands, user="test")

    @classmethod
    def open(
        cls, data_dir: Path, *, now: datetime, config: Config | None = None, data_files: tuple[Path, ...] = ()
    ) -> Self:
        clock = FrozenClock(now)
        core = Core.open(config or load_config(None, environ={}), data_dir, clock)
        for path in data_files:
            core.store.apply(core.load_data_file(path), now=core.clock.now())
        return cls(core, clock)

    def ask(self, text: str) -> Reply:
        """The neutral reply to one question."""
        return self.platform.respond(text)

    def say(self, text: str) -> str:
        """What the member sees."""
        return self.platform.render(self.ask(text))

    async def send(self, line: str) -> CommandReply:
        """The neutral reply to one console line: a question, or a `/rmo …` command."""
        return await self.platform.handle(line)

    async def mail_sent(self) -> None:
        """Wait until the mail the conversation queued (confirmations, unsubscribe links) is sent."""
        await self.core.link_mailer.drain()

    def close(self) -> None:
        self.core.close()
