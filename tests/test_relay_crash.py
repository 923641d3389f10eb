"""SIGKILL during a burst of 200 posts, five times: nothing is lost, and nothing is posted twice."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import aiosmtplib
import pytest

from tests.botproc import BotProcess, free_port, write_config
from tests.fakes import FakeDiscord, FakeSlack
from tests.test_relay_e2e import post, until

POSTS = 200
KILLS = 5


@pytest.mark.slow
async def test_sigkill_during_a_burst_loses_nothing_and_duplicates_nothing(tmp_path):
    """Every post of the burst reaches both platforms once, though the bot was killed five times mid-burst."""
    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    port = free_port()
    config = write_config(tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url, port=port)
    bot = BotProcess(config, tmp_path / "data")
    await asyncio.to_thread(bot.start)
    sent = 0
    resends = 0

    async def send_all() -> None:
        nonlocal sent, resends
        for number in range(POSTS):
            while True:  # like an MTA: no 250, no delivery; try again
                try:
                    await aiosmtplib.send(post(number, f"連続投稿 {number}", f"本文 {number}"), hostname="127.0.0.1",
                                          port=port, timeout=10)  # fmt: skip
                    break
                except (aiosmtplib.SMTPException, OSError):
                    resends += 1
                    await asyncio.sleep(0.05)
            sent += 1
            await asyncio.sleep(0.005)

    rng = random.Random(5)
    marks = sorted(rng.sample(range(10, POSTS - 10), KILLS))
    sender = asyncio.create_task(send_all())
    try:
        for mark in marks:
            await until(lambda m=mark: sent >= m, timeout=120, what=f"{mark} posts sent")
            await asyncio.sleep(rng.uniform(0, 0.05))
            await asyncio.to_thread(bot.kill)
            await asyncio.to_thread(bot.start)
        await sender
        try:
            await until(
                lambda: (
                    len({c["metadata"]["event_payload"]["delivery"] for c in slack.posted("C111")}) >= POSTS
                    and len(discord.posted("900")) >= POSTS
                ),
                timeout=180,
                what="every post at both fakes",
            )
        except AssertionError:
            print(len(slack.posted("C111")), len(discord.posted("900")), "".join(bot.log[-40:]))
            raise
        await asyncio.sleep(1)
    finally:
        bot.stop()
        await slack.stop()
        await discord.stop()
    slack_counts = Counter(c["metadata"]["event_payload"]["delivery"] for c in slack.posted("C111"))
    discord_counts = Counter(c["embeds"][0]["title"] for c in discord.posted("900"))
    assert len(slack_counts) == POSTS
    assert len(discord_counts) == POSTS
    assert max(discord_counts.values()) == 1, "Discord's enforced nonce must make a re-sent part harmless"
    assert max(slack_counts.values()) == 1, "Slack's history must be checked before re-posting"
    print(f"\n{KILLS} kills, {resends} SMTP re-sends, 0 duplicates")
