"""The console platform: a chat in the terminal, and the neutral path the tests drive.

A line is a question, or a `/rmo …` command as on Slack. Whoever sits at the console is never the
secretariat: `/rmo announce` is refused as it is to any member (announcements come from Slack, Discord
or the mailing list, where who posted is known).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from typing import TYPE_CHECKING, TextIO

from handlers.commands import Asker, parse_command

if TYPE_CHECKING:
    from handlers.commands import CommandDispatcher, CommandReply
    from handlers.messages import Reply

__all__ = ["ConsolePlatform"]

_log = logging.getLogger(__name__)

_QUIT = frozenset({"/quit", "/exit", "quit", "exit", "終了"})
_COMMAND = "/rmo"


class ConsolePlatform:
    """Reads questions and `/rmo` commands line by line and prints the replies as plain text."""

    name = "console"

    def __init__(
        self,
        commands: CommandDispatcher,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        user: str = "console",
        stop_at_eof: bool = False,
        notice: str = "",
        secretariat: bool = False,
    ) -> None:
        self._stop_at_eof = stop_at_eof
        self._notice = notice  # said once at the start, e.g. that the calendar is empty and how to fill it
        self._commands = commands
        # `rmo-bot console --secretariat`: whoever runs it at the machine keeps the calendar (/rmo event …).
        self._asker = Asker(self.name, user, secretariat)
        self._stdin = stdin or sys.stdin
        self._stdout = stdout or sys.stdout

    def respond(self, text: str) -> Reply:
        """One question in, one neutral reply out: exactly what the terminal shows."""
        return self._commands.answer(self._asker, text)

    async def handle(self, line: str) -> CommandReply:
        """One line: a `/rmo …` command, or else a question."""
        words = line.split(maxsplit=1)
        if not words or words[0].lower() != _COMMAND:
            return self.respond(line)
        return await self._commands.dispatch(parse_command(words[1] if len(words) > 1 else "", self._asker))

    def render(self, reply: CommandReply) -> str:
        # Every neutral reply is complete as plain text, so a terminal shows each kind as it is.
        return reply.text

    async def run(self, stop: asyncio.Event) -> None:
        """Answer lines from stdin until EOF.

        EOF at a terminal (Ctrl-D) stops the bot; EOF of a pipe or /dev/null only ends the console, so
        `rmo-bot run` under a service manager keeps serving its other platforms.
        """
        interactive = self._stdin.isatty()
        if interactive:
            self._write("rmo-bot コンソール — 質問をどうぞ（終了: Ctrl-D）/ Ask a question (Ctrl-D quits)\n")
            if self._notice:
                self._write(self._notice + "\n")
        async for line in self._lines(interactive):
            text = line.strip()
            if not text:
                continue
            if text.lower() in _QUIT:
                stop.set()
                return
            self._write(self.render(await self.handle(text)) + "\n\n")
        if interactive or self._stop_at_eof:
            stop.set()

    def _lines(self, interactive: bool) -> _LineIterator:
        return _LineIterator(self._stdin, self._stdout if interactive else None)

    def _write(self, text: str) -> None:
        self._stdout.write(text)
        self._stdout.flush()


class _LineIterator:
    """Lines from a blocking stream, read on a daemon thread so shutdown never waits for input."""

    def __init__(self, stream: TextIO, prompt_to: TextIO | None) -> None:
        self._stream = stream
        self._prompt_to = prompt_to
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._thread: threading.Thread | None = None

    def __aiter__(self) -> _LineIterator:
        loop = asyncio.get_running_loop()

        def pump() -> None:
            try:
                for line in iter(self._stream.readline, ""):
                    loop.call_soon_threadsafe(self._queue.put_nowait, line)
                loop.call_soon_threadsafe(self._queue.put_nowait, None)
            except (RuntimeError, ValueError, OSError):
                return  # the loop or the stream closed while we waited: the bot is shutting down

        self._thread = threading.Thread(target=pump, name="console-stdin", daemon=True)
        self._thread.start()
        return self

    async def __anext__(self) -> str:
        if self._prompt_to is not None:
            self._prompt_to.write("> ")
            self._prompt_to.flush()
        line = await self._queue.get()
        if line is None:
            raise StopAsyncIteration
        return line
