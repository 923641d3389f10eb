"""Shared fixtures: real data directories in tmp_path, a frozen clock, and no network."""

from __future__ import annotations

import asyncio
import socket
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.testing import ChatHarness

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=JST)
TESTS = Path(__file__).parent
CALENDAR = TESTS / "data" / "calendar.toml"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests may talk to loopback only; anything else is a bug in the test or the code. The processes the
    tests start are guarded the same way (tests/offline/sitecustomize.py, on their PYTHONPATH)."""
    from tests.offline.sitecustomize import guarded

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
async def idle():
    """Opens idle SMTP clients (tests/smtp_clients.py) and closes whatever is left of them afterwards."""
    from tests.smtp_clients import Idle

    opened: list[Idle] = []

    async def open_one(port: int, source: str) -> Idle:
        client = await Idle.open(port, source)
        opened.append(client)
        return client

    yield open_one
    for client in opened:
        await client.close()


@pytest.fixture
def chat(tmp_path: Path):
    """A bot over a fresh data directory holding the bundled data and the test calendar."""
    with ChatHarness.open(tmp_path / "data", now=NOW, data_files=(CALENDAR,)) as harness:
        yield harness


@pytest.fixture
async def slack_bot(tmp_path):
    """The bot in Slack HTTP mode as a child process, against fake Slack and Discord APIs."""
    from tests.botproc import BotProcess, write_config
    from tests.fakes import FakeDiscord, FakeSlack
    from tests.test_slack_http import SECRET

    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    config = write_config(tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url)
    text = config.read_text().replace(
        "[slack]\n", '[slack]\nmode = "http"\nsecretariat_users = ["USEC"]\nsecretariat_usergroup = "S1"\n'
    )
    config.write_text(text)
    bot = BotProcess(config, tmp_path / "data", env={"SLACK_SIGNING_SECRET": SECRET})
    bot.start()
    for _ in range(100):
        if bot.http_port:
            break
        await asyncio.sleep(0.05)
    yield bot, slack
    bot.stop()
    await slack.stop()
    await discord.stop()


@pytest.fixture
async def fake_discord():
    """The fake Discord REST API on loopback."""
    from tests.fakes import FakeDiscord

    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def discord_core(tmp_path, fake_discord):
    """The core the Discord platform runs on: a real data directory with the test calendar, a frozen clock."""
    from bot.clock import FrozenClock
    from bot.config import load_config
    from bot.core import Core
    from tests.test_discord import GUILD, SECRETARIAT_ROLE

    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[discord]\napi_base_url = "{fake_discord.base_url}"\nsecretariat_roles = ["{SECRETARIAT_ROLE}"]\n'
        f'default_channels = ["900"]\nguild_ids = ["{GUILD}"]\n',
        encoding="utf-8",
    )
    config = load_config(config_file, environ={"DISCORD_TOKEN": "discord-test-token"})
    with Core.open(config, tmp_path / "d", FrozenClock(NOW)) as core:
        core.store.apply(core.load_data_file(CALENDAR), now=core.clock.now())
        yield core


@pytest.fixture
async def discord_bot(tmp_path, fake_discord, discord_core):
    """The Discord platform in this process, logged in to the fake Discord API, the test calendar loaded."""
    from bot.platforms.discord.adapter import DiscordPlatform
    from tests.test_discord import _guild

    platform = DiscordPlatform(discord_core, sync_state=tmp_path / "d" / "discord-commands.sha256")
    async with platform.client:
        await platform.client.login("discord-test-token")
        platform.parse("GUILD_CREATE", _guild())
        yield platform, fake_discord
    await asyncio.sleep(0)  # closing dispatched `disconnect` to a task: let it run before the loop ends


@pytest.fixture
async def fakes():
    """Fake Slack and Discord APIs on loopback, for a bot process to relay to."""
    from tests.fakes import FakeDiscord, FakeSlack

    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    yield slack, discord
    await slack.stop()
    await discord.stop()


@pytest.fixture
async def slack():
    """A fake Slack API and a Slack poster pointed at it."""
    from bot.platforms.slack.poster import SlackPoster
    from tests.fakes import FakeSlack

    fake = FakeSlack()
    await fake.start()
    poster = SlackPoster("xoxb-test-token", fake.base_url)
    yield fake, poster
    await poster.close()
    await fake.stop()


@pytest.fixture
async def discord():
    """A fake Discord API and a Discord poster pointed at it."""
    from bot.platforms.discord.poster import DiscordPoster
    from tests.fakes import FakeDiscord

    fake = FakeDiscord()
    await fake.start()
    poster = DiscordPoster("discord-test-token", fake.base_url)
    yield fake, poster
    await poster.close()
    await fake.stop()
