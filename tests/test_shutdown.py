"""SIGTERM ends `rmo-bot run` promptly whatever it was doing, and loses nothing it acknowledged (issue 15)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
from collections import Counter

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller

from bot.clock import SystemClock
from bot.mail.sending import _next
from storage.digest_journal import JOURNAL
from tests.botproc import BotProcess, free_port, write_config
from tests.fakes import FakeDiscord, FakeSlack
from tests.helpers import child_pythonpath
from tests.test_relay_e2e import post, until
from tests.test_scheduled_jobs import JST, SUBSCRIBERS, Mailbox, _prepare

HANG_GUARD = 120  # seconds: only so that a shutdown that never comes fails the test instead of hanging it

# A run whose one component holds the event loop in a synchronous step while a worker thread never returns:
# the two things a graceful stop cannot wait out.
_HELD = """
import asyncio, sys, threading, time
from pathlib import Path
from bot.app import Application
from bot.clock import SystemClock
from bot.mail.sending import _next
from bot.config import load_config
from bot.core import Core
from bot.shutdown import ShutdownDeadline
from zoneinfo import ZoneInfo

class Held:
    name = "held"
    async def run(self, stop):
        asyncio.get_running_loop().run_in_executor(None, threading.Event().wait)
        print("holding", flush=True)
        time.sleep(3600)

with Core.open(load_config(None, environ={}), Path(sys.argv[1]), SystemClock(ZoneInfo("Asia/Tokyo"))) as core:
    asyncio.run(Application(core, [Held()], deadline=ShutdownDeadline(grace=1)).run())
"""


def test_sigterm_exits_while_the_loop_is_held_and_a_worker_thread_is_stuck(tmp_path):
    """A run whose loop is held by a synchronous step and whose worker thread never returns still exits on
    SIGTERM, with exit code 0 and a line saying the stop was forced."""
    env = {"PYTHONPATH": child_pythonpath(), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [sys.executable, "-c", _HELD, str(tmp_path / "data")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "holding\n"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=HANG_GUARD)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert "exiting now, as a crash would" in err


def test_an_idle_bot_stops_gracefully_on_sigterm(tmp_path):
    """An idle bot stops on SIGTERM through its graceful path: exit code 0, no forced exit."""
    refused = f"http://127.0.0.1:{free_port()}/"
    config = write_config(tmp_path / "config.toml", slack_url=refused, discord_url=refused, port=free_port())
    bot = BotProcess(config, tmp_path / "data")
    bot.start()
    assert bot.stop() == 0
    assert "rmo-bot stopped" in bot.text()
    assert "exiting now" not in bot.text()


async def test_sigterm_during_a_hung_post_exits_and_the_post_is_delivered_after_restart(tmp_path):
    """A bot whose Slack post never answers exits on SIGTERM, and the mail it acknowledged is posted once the
    bot runs again against an answering Slack."""
    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    slack.faults.script = ["hang"]
    port = free_port()
    config = write_config(tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url, port=port)
    bot = BotProcess(config, tmp_path / "data")
    try:
        await asyncio.to_thread(bot.start)
        await aiosmtplib.send(post(1, "止まった投稿", "本文"), hostname="127.0.0.1", port=port, timeout=30)
        await until(lambda: discord.posted("900"), timeout=HANG_GUARD, what="the post on Discord")
        assert bot.proc is not None
        bot.proc.terminate()
        assert await asyncio.to_thread(bot.proc.wait, HANG_GUARD) == 0
        bot.stop()
        assert not slack.posted("C111")
        slack.faults.script = []
        await asyncio.to_thread(bot.start)
        await until(lambda: slack.posted("C111"), timeout=HANG_GUARD, what="the post on Slack after the restart")
    finally:
        await asyncio.to_thread(bot.stop)
        await slack.stop()
        await discord.stop()


@pytest.mark.slow
async def test_sigterm_during_a_digest_run_stops_gracefully_and_the_restarts_finish_it(tmp_path):
    """SIGTERM in the middle of a digest run, three times, stops the bot through its graceful path each time
    (no forced exit), and the resumed runs give every subscriber exactly one digest."""
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    now = SystemClock(JST).now()
    config = write_config(
        tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url,
        outbound=f'host = "127.0.0.1"\nport = {smtp.port}\nstarttls = false\n',
        extra=f"[digest]\nhour = {now.hour}\n", public_url="https://rmo.example.jp",
    )  # fmt: skip
    data = tmp_path / "data"
    _prepare(config, data, now)
    bot = BotProcess(config, data)
    try:
        for mark in (200, 700, 1200):
            await asyncio.to_thread(bot.start)
            await until(lambda m=mark: len(mailbox.kept) >= m, timeout=HANG_GUARD, what=f"{mark} digests kept")
            assert bot.proc is not None
            bot.proc.terminate()
            assert await asyncio.to_thread(bot.proc.wait, HANG_GUARD) == 0
            bot.stop()
            assert (data / JOURNAL).exists(), "the stop must land in the middle of the run"
        assert "exiting now" not in bot.text()
        await asyncio.to_thread(bot.start)
        await until(lambda: "digests: " in bot.text(), timeout=HANG_GUARD, what="the resumed run to finish")
    finally:
        bot.stop()
        smtp.stop()
        await slack.stop()
        await discord.stop()
    copies = Counter(rcpt for rcpt, _ in mailbox.kept)
    assert sorted(r for r, n in copies.items() if n > 1) == []
    assert len(copies) == SUBSCRIBERS


async def test_a_connection_worker_whose_cancellation_was_swallowed_waits_for_no_more_mail():
    """A digest connection's worker told to stop, whose cancellation a reply swallowed (Python 3.11's
    `wait_for`), raises CancelledError instead of waiting for mail that will never come."""
    queue: asyncio.Queue[tuple[str, bytes] | None] = asyncio.Queue()

    async def worker() -> tuple[str, bytes] | None:
        with contextlib.suppress(asyncio.CancelledError):  # as `wait_for` does when the reply comes with it
            await asyncio.sleep(3600)
        return await _next(queue)

    task = asyncio.create_task(worker())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
