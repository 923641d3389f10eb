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
    from collections.abc import Callable

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
        # Log lines reach the terminal through `show_log_line`: held while a question is being answered,
        # printed above the prompt otherwise (bot/logs.py sends them here).
        self._lock = threading.Lock()
        self._answering = False
        self._prompting = False
        self._held: list[str] = []

    def add_notice(self, text: str) -> None:
        """One more thing said at the start (e.g. where the log is written)."""
        self._notice = f"{self._notice}\n{text}" if self._notice else text

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
                self._answered("")
                continue
            if text.lower() in _QUIT:
                self._answered("")  # nothing to answer: what was held back is shown, and what comes later
                stop.set()
                return
            try:
                answer = self.render(await self.handle(text)) + "\n\n"
            except BaseException:
                self._answered("")
                raise
            self._answered(answer)
        if interactive or self._stop_at_eof:
            stop.set()

    def show_log_line(self, line: str) -> None:
        """Print a log line where it breaks no conversation: above the prompt, or after the answer being
        written (never between a question and its answer). Safe from any thread."""
        with self._lock:
            if self._answering:
                self._held.append(line)
            elif self._prompting:
                self._raw_write(f"\r\x1b[K{line}\n> ")  # the prompt line cleared, the line, the prompt again
            else:
                self._raw_write(line + "\n")

    def _lines(self, interactive: bool) -> _LineIterator:
        return _LineIterator(self._stdin, self._prompt if interactive else None, self._received)

    def _prompt(self) -> None:
        with self._lock:
            self._prompting = True
            self._raw_write("> ")

    def _received(self) -> None:
        with self._lock:
            self._prompting = False
            self._answering = True

    def _answered(self, answer: str) -> None:
        with self._lock:
            held, self._held, self._answering = self._held, [], False
            self._raw_write(answer + "".join(f"{line}\n" for line in held))

    def _write(self, text: str) -> None:
        with self._lock:
            self._raw_write(text)

    def _raw_write(self, text: str) -> None:
        if text:
            self._stdout.write(text)
            self._stdout.flush()


class _LineIterator:
    """Lines from a blocking stream, read on a daemon thread so shutdown never waits for input."""

    def __init__(
        self, stream: TextIO, prompt: Callable[[], None] | None, received: Callable[[], None] | None = None
    ) -> None:
        self._stream = stream
        self._prompt = prompt
        self._received = received
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
        if self._prompt is not None:
            self._prompt()
        line = await self._queue.get()
        if line is None:
            raise StopAsyncIteration
        if self._received is not None:
            self._received()
        return line
