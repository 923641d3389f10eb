"""bench/relay.py's third part: big posts rendered, then relayed by `rmo-bot run` with the loop's longest stall
and the slowest /healthz answer meanwhile (run by `python bench/relay.py`, `--only-big` for this part alone)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import TYPE_CHECKING

import aiosmtplib

from bench.relay import JST, mail
from tests.botproc import BotProcess, write_config
from tests.fakes import FakeDiscord, FakeSlack

if TYPE_CHECKING:
    from pathlib import Path


def big_posts() -> None:
    from bot.platforms.discord.render import render_discord
    from bot.platforms.slack.render import render_slack
    from storage.records import Announcement

    paragraph = "近畿ブロック会議を下記のとおり開催します。&<>*_\n" * 20 + "\n"
    for megabytes in (1, 5, 10):
        size = megabytes * 1024 * 1024 // 3  # characters of three UTF-8 bytes each
        body = (paragraph * (size // len(paragraph) + 1))[:size]
        post = Announcement(id="big", message_id="big@x", subject="大きな投稿", body=body, sender="a@x.jp",
                            received_at=datetime.now(JST))  # fmt: skip
        started = time.perf_counter()
        slack = render_slack(post, "C1", JST, "d1")
        discord = render_discord(post, "900", JST, "d2")
        took = (time.perf_counter() - started) * 1000
        print(
            f"render a {megabytes} MB post: {took:.1f} ms for Slack + Discord ({len(slack)} + {len(discord)} messages)"
        )


async def big_post_live(tmp: Path, megabytes: int) -> None:
    import aiohttp

    paragraph = "近畿ブロック会議を下記のとおり開催します。日時：2027年1月20日（水）13:30～16:30\n" * 20 + "\n"
    slack, discord = FakeSlack(), FakeDiscord()
    for fake in (slack, discord):
        await fake.start()
    config = write_config(tmp / f"big{megabytes}.toml", slack_url=slack.base_url, discord_url=discord.base_url)
    config.write_text(config.read_text().replace("[mail.intake]\n", "[mail.intake]\nmax_size = 40000000\n"))
    bot = BotProcess(config, tmp / f"big{megabytes}-data")
    await asyncio.to_thread(bot.start)
    while not bot.http_port:
        await asyncio.sleep(0.05)
    slowest = 0.0
    polling = True
    async with aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{bot.http_port}/healthz"

        async def health() -> dict:
            async with session.get(url) as response:
                return await response.json()

        async def poll() -> None:
            nonlocal slowest
            while polling:
                started = time.perf_counter()
                await health()
                slowest = max(slowest, time.perf_counter() - started)
                await asyncio.sleep(0.02)

        at_start = (await health())["loop_stall_ms"]
        poller = asyncio.create_task(poll())
        message = mail(0, f"big{megabytes}")
        size = megabytes * 1024 * 1024 // 3
        message.set_content((paragraph * (size // len(paragraph) + 1))[:size])
        started = time.perf_counter()
        await aiosmtplib.send(message, hostname="127.0.0.1", port=bot.port, timeout=120)
        taken = time.perf_counter() - started
        while len(slack.calls) < 10 or len(discord.calls) < 10:
            await asyncio.sleep(0.05)
        relayed = time.perf_counter() - started
        for number in range(1, 4):
            await aiosmtplib.send(mail(number, f"after{megabytes}"), hostname="127.0.0.1", port=bot.port)
        while len(slack.calls) < 13 or len(discord.calls) < 13:
            await asyncio.sleep(0.05)
        polling = False
        await poller
        stall = (await health())["loop_stall_ms"]
    bot.stop()
    for fake in (slack, discord):
        await fake.stop()
    print(f"{megabytes:>2} MB post to rmo-bot run: taken in {taken * 1000:.0f} ms, relayed in {relayed * 1000:.0f} ms; "
          f"longest loop stall {stall} ms (at start {at_start} ms; target < 100 ms), "
          f"slowest /healthz {slowest * 1000:.0f} ms (target < 1 s)")  # fmt: skip
