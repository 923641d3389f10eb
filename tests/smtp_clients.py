"""Clients of the intake for its limit tests: a small message, and a connection that only reads the greeting."""

from __future__ import annotations

import asyncio
import contextlib
from email.message import EmailMessage
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

WAIT = 30.0  # generous: how long a test waits for an event it expects


async def until(condition: Callable[[], object], what: str) -> None:
    """Wait for `condition` (at most WAIT seconds), or fail saying `what` did not happen."""
    for _ in range(int(WAIT / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(what)


def small_message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "jimukyoku@rmo-network.example.jp"
    message["To"] = "rmo-bot@rmo-network.example.jp"
    message["Subject"] = "テスト"
    message.set_content("本文です。")
    return message


class Idle:
    """A client that connects from `source`, reads the greeting and then says nothing."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, greeting: bytes) -> None:
        self.reader, self.writer, self.greeting = reader, writer, greeting

    @classmethod
    async def open(cls, port: int, source: str) -> Idle:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
        return cls(reader, writer, await asyncio.wait_for(reader.readline(), WAIT))

    async def closed_by_server(self) -> bool:
        return await asyncio.wait_for(self.reader.read(), WAIT) == b""

    async def close(self) -> None:
        if not self.writer.is_closing():
            self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()
