"""Failures are told in one line that names the cause and what to do, never as repeated tracebacks."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket

import pytest
from aiohttp import web

from bot.app import Application, HealthBoard
from bot.clock import SystemClock
from bot.config import load_config
from bot.core import Core
from bot.logs import remove_handlers, setup_logging
from bot.platforms.discord.adapter import DiscordPlatform
from bot.platforms.slack.adapter import SlackPlatform
from tests.botproc import BotProcess, free_port
from tests.helpers import rmo_bot
from tests.test_relay_e2e import until


@pytest.mark.parametrize(("section", "name"), [("http", "the http server"), ("mail.intake", "the mail intake")])
def test_a_port_in_use_at_start_is_one_line_and_exit_code_1(tmp_path, section, name):
    """`rmo-bot run` whose HTTP or SMTP port is taken says so in one line, naming the setting, and exits 1."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    ports = {"http": free_port(), "mail.intake": free_port(), section: port}
    config = tmp_path / "config.toml"
    config.write_text(
        f'[console]\nenabled = "off"\n[http]\nlisten = "127.0.0.1:{ports["http"]}"\n'
        'public_url = "https://rmo.example.jp"\n'
        f'[mail.intake]\nlisten = "127.0.0.1:{ports["mail.intake"]}"\n'
    )
    try:
        result = rmo_bot("run", "--config", config, "--data-dir", tmp_path / "d")
    finally:
        taken.close()
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("rmo-bot: error:")]
    expected = (
        f"rmo-bot: error: {name}: 127.0.0.1:{port} is already in use (another program, or another rmo-bot, "
        f"listens there); stop that program or change [{section}] listen in the configuration"
    )
    assert errors == [expected]
    assert "Traceback" not in result.stderr
    assert " ERROR bot.app" not in result.stderr  # said once, as the exit's reason, not as a component's failure


async def _refusing_slack() -> tuple[web.AppRunner, str, list[str]]:
    calls: list[str] = []

    async def refuse(request: web.Request) -> web.Response:
        calls.append(request.path)
        return web.json_response({"ok": False, "error": "invalid_auth"})

    app = web.Application()
    app.router.add_route("*", "/api/{method}", refuse)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/api/", calls


async def test_a_refused_slack_token_is_one_line_naming_the_variable(tmp_path, caplog):
    """A Slack bot token Slack refuses is reported once, without a traceback, naming SLACK_BOT_TOKEN and
    where to find the right one; the next attempt waits at least a minute."""
    runner, url, calls = await _refusing_slack()
    path = tmp_path / "config.toml"
    path.write_text(f'[slack]\napi_base_url = "{url}"\n')
    config = load_config(path, environ={"SLACK_BOT_TOKEN": "xoxb-wrong", "SLACK_APP_TOKEN": "xapp-wrong"})
    core = Core.open(config, tmp_path / "d", SystemClock(config.timezone))
    caplog.set_level(logging.INFO)
    try:
        with core:
            health = HealthBoard(core)
            application = Application(core, [SlackPlatform(core)], health)
            running = asyncio.create_task(application.run())
            await until(lambda: health.states.get("slack") == "restarting after PlatformLoginError", what="a failure")
            application.stop.set()
            await running
    finally:
        await runner.cleanup()
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1
    line = failures[0].getMessage()
    assert line.startswith("slack failed: Slack refused SLACK_BOT_TOKEN (invalid_auth): set the app's Bot User")
    assert "starting it again in 60 s" in line
    assert failures[0].exc_info is None
    assert calls == ["/api/auth.test"]  # the Socket Mode client never started to retry on its own


async def test_a_refused_discord_token_is_one_line_naming_the_variable(tmp_path, caplog):
    """A Discord token Discord refuses (401) is reported once, without a traceback, naming DISCORD_TOKEN and
    where to reset it; the next attempt waits at least a minute."""

    async def unauthorized(request: web.Request) -> web.Response:
        del request
        return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)

    app = web.Application()
    app.router.add_route("*", "/api/v10/{tail:.*}", unauthorized)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    path = tmp_path / "config.toml"
    path.write_text(f'[discord]\napi_base_url = "http://127.0.0.1:{runner.addresses[0][1]}/api/v10"\n')
    config = load_config(path, environ={"DISCORD_TOKEN": "wrong"})
    core = Core.open(config, tmp_path / "d", SystemClock(config.timezone))
    caplog.set_level(logging.INFO)
    try:
        with core:
            health = HealthBoard(core)
            application = Application(core, [DiscordPlatform(core)], health)
            running = asyncio.create_task(application.run())
            await until(lambda: health.states.get("discord") == "restarting after PlatformLoginError", what="a failure")
            application.stop.set()
            await running
    finally:
        await runner.cleanup()
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in failures] == [
        (
            "discord failed: Discord refused DISCORD_TOKEN (401): reset the bot's token in the Developer Portal "
            "(Applications → your app → Bot → Reset Token), set it in the environment and restart; starting it again "
            "in 60 s"
        )
    ]
    assert failures[0].exc_info is None


class _Failing:
    """A component that fails at once, every time (what a broken platform looks like to the supervisor)."""

    name = "broken"

    def __init__(self) -> None:
        self.attempts = 0

    async def run(self, stop: asyncio.Event) -> None:
        del stop
        self.attempts += 1
        msg = "line one of a long story\nline two\nline three"
        raise RuntimeError(msg)


async def test_repeated_failures_are_reported_at_most_once_a_minute(tmp_path, caplog):
    """A component that fails again and again is restarted with back-off but reported once a minute at most,
    in one line (the first line of its error), without a traceback."""
    config = load_config(None, environ={})
    core = Core.open(config, tmp_path / "d", SystemClock(config.timezone))
    caplog.set_level(logging.INFO)
    broken = _Failing()
    with core:
        application = Application(core, [broken])
        running = asyncio.create_task(application.run())
        await until(lambda: broken.attempts >= 2, what="a second attempt")
        application.stop.set()
        await running
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in failures] == [
        "broken failed: RuntimeError: line one of a long story; starting it again in 1 s"
    ]
    assert failures[0].exc_info is None


def test_a_retrying_library_s_tracebacks_are_kept_to_one_line_a_minute(capsys):
    """Errors Slack's Socket Mode client logs on each of its own retries reach the log once a minute, as the
    first line of the message, without the traceback."""
    setup_logging(logging.INFO)
    try:
        library = logging.getLogger("slack_sdk.socket_mode.aiohttp")
        failure = ConnectionError("Cannot connect to host slack.com:443")
        for _ in range(5):
            library.error(
                "Failed to retrieve WSS URL: invalid_auth\nThe server responded with: {...}", exc_info=failure
            )
        logging.getLogger("bot.test").error("our own error, told as it is")
    finally:
        remove_handlers()
    err = capsys.readouterr().err
    assert err.count("Failed to retrieve WSS URL: invalid_auth") == 1
    assert "The server responded with" not in err
    assert "Cannot connect to host" not in err  # the exception (and its traceback) are left out
    assert "our own error, told as it is" in err


def test_a_bot_that_does_not_start_in_time_is_not_left_running(tmp_path):
    """The test harness kills a bot whose start timed out, so no child outlives its test."""
    config = tmp_path / "config.toml"
    config.write_text('[mail.intake]\nlisten = "127.0.0.1:0"\n[http]\nlisten = "127.0.0.1:0"\n', encoding="utf-8")
    bot = BotProcess(config, tmp_path / "d")
    with pytest.raises(RuntimeError, match="did not start"):
        bot.start(timeout=0)
    assert bot.proc is not None
    assert bot.proc.poll() is not None
    assert bot.proc.returncode == -signal.SIGKILL  # killed by the harness, not a child that gave up by itself
