"""`rmo-bot run` under a tight open-files limit: it raises the soft limit to the hard one, a flood of idle SMTP
connections meets the intake's caps before the limit, and running out of descriptors is reported once a
minute and recovered from (child processes started under the limit, real sockets on loopback)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp
import aiosmtplib
import pytest

from tests.botproc import BotProcess, write_config
from tests.smtp_clients import WAIT, small_message, until

pytestmark = pytest.mark.slow
NO_API = "http://127.0.0.1:9/"  # no chat platform runs: both tokens are unset
SHORT = "cannot accept connections, out of file descriptors"


@pytest.fixture
def start_bot(tmp_path):
    started: list[BotProcess] = []

    def start(open_files: tuple[int, int]) -> BotProcess:
        config = write_config(tmp_path / "config.toml", slack_url=NO_API, discord_url=NO_API)
        bot = BotProcess(config, tmp_path / "data", env={"SLACK_BOT_TOKEN": "", "DISCORD_TOKEN": ""},
                         open_files=open_files)  # fmt: skip
        bot.start()
        started.append(bot)
        return bot

    yield start
    for bot in started:
        bot.stop()


async def _healthz(bot: BotProcess) -> int:
    await until(lambda: bot.http_port, "the HTTP server's port is logged")
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{bot.http_port}/healthz") as page:
        return page.status


def _flood_lines(lines: list[str]) -> list[str]:
    """The log lines a flood may have caused: not the scheduler's ticks, not a delivery's verdict."""
    unrelated = (" apscheduler.", " bot.scheduler.", " bot.relay:")
    return [line for line in lines if not any(name in line for name in unrelated)]


async def _connect(port: int, source: str) -> asyncio.StreamWriter:
    """A connection that does not wait for the greeting (none comes while the bot is out of descriptors)."""
    _, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    return writer


async def _until_logged(bot: BotProcess, text: str) -> None:
    await until(lambda: text in bot.text(), f"{text!r} is logged")


@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="reads the limit from /proc")
def test_the_soft_open_files_limit_is_raised_to_the_hard_one_at_start(start_bot):
    """Started with a soft limit of 128 under a hard one of 4096, the running bot's soft limit is 4096."""
    bot = start_bot((128, 4096))
    assert bot.proc is not None
    limits = Path(f"/proc/{bot.proc.pid}/limits").read_text()
    assert re.search(r"^Max open files\s+4096\s+4096\s", limits, re.MULTILINE), limits
    assert "open-files limit raised from 128 to 4096" in bot.text()


async def test_300_idle_connections_from_one_address_leave_mail_and_healthz_working(start_bot, idle):
    """Under a 256-descriptor limit, 300 idle connections from one address: 20 are held and the rest get 421,
    with one log line for all of them; /healthz answers and another sender delivers."""
    bot = start_bot((256, 256))
    assert await _healthz(bot) == 200
    before = len(bot.log)
    flood = [await idle(bot.port, "127.0.0.2") for _ in range(300)]
    assert sum(c.greeting.startswith(b"220 ") for c in flood) == 20
    assert sum(c.greeting.startswith(b"421 ") for c in flood) == 280
    assert await _healthz(bot) == 200
    errors, _ = await aiosmtplib.send(small_message(), hostname="127.0.0.1", port=bot.port, timeout=WAIT)
    assert errors == {}
    await _until_logged(bot, "refusing connections")
    flood_lines = _flood_lines(bot.log[before:])
    assert len(flood_lines) <= 3, "".join(flood_lines)


async def test_running_out_of_descriptors_is_logged_once_and_the_bot_recovers(start_bot):
    """Under a 64-descriptor limit (below the intake's cap), 100 connections use every descriptor: the failure
    to accept is logged once, however long it lasts, and once they close mail and /healthz work again."""
    bot = start_bot((64, 64))
    flood = [await _connect(bot.port, f"127.0.0.{2 + n // 10}") for n in range(100)]
    try:
        await _until_logged(bot, SHORT)
        before = len(bot.log)
        await asyncio.sleep(4)  # the shortage lasts: accepting is tried again and again meanwhile
        assert bot.text().count(SHORT) == 1, bot.text()
        assert "socket.accept() out of system resource" not in bot.text()  # asyncio's own loop, spinning
        assert _flood_lines(bot.log[before:]) == []
    finally:
        for writer in flood:
            writer.close()
    errors, _ = await aiosmtplib.send(small_message(), hostname="127.0.0.1", port=bot.port, timeout=WAIT)
    assert errors == {}
    assert await _healthz(bot) == 200
