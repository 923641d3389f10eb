"""The console platform: a chat in the terminal, and the neutral path the tests drive."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from typing import TYPE_CHECKING, TextIO

from handlers.answering import internal_error_reply
from handlers.messages import Incoming, Reply

if TYPE_CHECKING:
    from handlers.answering import Answerer

__all__ = ["ConsolePlatform"]

_log = logging.getLogger(__name__)

_QUIT = frozenset({"/quit", "/exit", "quit", "exit", "終了"})


class ConsolePlatform:
    """Reads questions line by line and prints the answers as plain text."""

    name = "console"

    def __init__(
        self,
        answerer: Answerer,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        user: str = "console",
        stop_at_eof: bool = False,
    ) -> None:
        self._stop_at_eof = stop_at_eof
        self._answerer = answerer
        self._stdin = stdin or sys.stdin
        self._stdout = stdout or sys.stdout
        self._user = user

    def respond(self, text: str) -> Reply:
        """One question in, one neutral reply out: exactly what the terminal shows."""
        incoming = Incoming(text=text, platform=self.name, user=self._user)
        try:
            return self._answerer.answer(incoming)
        except Exception:  # noqa: BLE001 - a member sees an apology, the log gets the traceback
            _log.exception("could not answer %r", text)
            return internal_error_reply(text)

    def render(self, reply: Reply) -> str:
        return reply.text

    async def run(self, stop: asyncio.Event) -> None:
        """Answer lines from stdin until EOF.

        EOF at a terminal (Ctrl-D) stops the bot; EOF of a pipe or /dev/null only ends the console, so
        `rmo-bot run` under a service manager keeps serving its other platforms.
        """
        interactive = self._stdin.isatty()
        if interactive:
            self._write("rmo-bot コンソール — 質問をどうぞ（終了: Ctrl-D）/ Ask a question (Ctrl-D quits)\n")
        async for line in self._lines(interactive):
            text = line.strip()
            if not text:
                continue
            if text.lower() in _QUIT:
                stop.set()
                return
            self._write(self.render(self.respond(text)) + "\n\n")
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
