"""bench/scale.py's rows measured on a running `rmo-bot run` over the big store: the relay's latency from the
SMTP 250 to the fake Slack API, the intake flood against a bare aiosmtpd listener, and Slack's reply p99."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from bench.relay import (
    _Timestamped,
    arrival_times,
    bare_flood,
    bot_flood,
    caught_up,
    intake_only,
    loop_stall,
    paced,
    pct,
)
from tests.botproc import BotProcess, write_config
from tests.fakes import FakeDiscord, FakeSlack

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

__all__ = ["relay_rows", "slack_row"]


async def relay_p99(data: Path, tmp: Path, mails: int) -> tuple[float, float, int, int]:
    """bench/relay.py's latency trip into `rmo-bot run` on this store, once its catch-up is done: `mails` posts
    at 20 a second, from each SMTP 250 to the fake Slack API receiving it; (p50, p99) in ms, how many arrived, and the loop's
    longest stall (ms, the bot's /healthz figure) by then."""
    slack, discord = FakeSlack(), FakeDiscord()
    for fake in (slack, discord):
        await fake.start()
        fake.calls = _Timestamped()
    bot = BotProcess(write_config(tmp / "relay.toml", slack_url=slack.base_url, discord_url=discord.base_url), data)
    try:
        await asyncio.to_thread(bot.start, 300)
        await caught_up(bot)  # the steady state: the first mail after start has a row of its own
        sent = await paced(bot.port, mails, 20.0, "scale")
        deadline = time.monotonic() + 60
        while len(arrival_times(slack, "slack")) < mails and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        stall = await asyncio.to_thread(loop_stall, bot)
    finally:
        bot.stop()
        for fake in (slack, discord):
            await fake.stop()
    arrived = arrival_times(slack, "slack")
    delays = [arrived[s] - t for s, t in sent.items() if s in arrived]
    if not delays:
        print("  no posts arrived; the bot's log ends:\n" + "".join(bot.log[-15:]))
        return float("nan"), float("nan"), 0, stall
    return pct(delays, 0.5), pct(delays, 0.99), len(delays), stall


async def flood_ratio(data: Path, tmp: Path, mails: int) -> tuple[float, float, int]:
    """bench/relay.py's intake flood (8 connections, no channels) into `rmo-bot run` on this store (once its
    catch-up is done), then
    into the bare aiosmtpd + fsync listener: (the bot's mails/s, the bare one's, the bot's longest stall)."""
    config = write_config(tmp / "flood.toml", slack_url="http://127.0.0.1:9/api/", discord_url="http://127.0.0.1:9")
    rate, _, stall = await bot_flood(intake_only(config), data, mails, "flood", settle=True)
    return rate, await bare_flood(tmp, mails), stall


def relay_rows(big: Path, tmp: Path, args: argparse.Namespace, events: int) -> list[tuple[str, str, str]]:
    """The relay's latency trip and the intake flood on the big store, each printed, as the table's rows."""
    p50, p99, arrived, stall = asyncio.run(relay_p99(big, tmp, args.relay_mails))
    relay = (f"p99 {p99:,.1f} ms (p50 {p50:,.1f} ms; {arrived}/{args.relay_mails} mails at 20/s, "
             f"{events:,} events, {args.announcements:,} announcements; longest loop stall {stall:,} ms)")  # fmt: skip
    print(f"  relay 250 → Slack: {relay}")
    rate, bare, stall = asyncio.run(flood_ratio(big, tmp, args.flood_mails))
    flood = (f"{rate / bare:.2f}× ({rate:,.0f} mails/s vs bare aiosmtpd + fsync {bare:,.0f} mails/s, "
             f"{args.flood_mails:,} mails over 8 connections; longest loop stall {stall:,} ms)")  # fmt: skip
    print(f"  intake flood: {flood}")
    return [
        ("intake flood vs bare aiosmtpd + fsync listener, same run", flood, "≥ 0.8×"),
        ("relay p99 SMTP 250 → Slack API (bench/relay.py's trip)", relay, "< 20 ms"),
    ]


def slack_row(data: Path, tmp: Path, seconds: float, events: int) -> tuple[str, str, str]:
    """bench/chat.py's Slack measurement on this store: signed app_mentions at 50 a second for `seconds` into
    `rmo-bot run`, from once its scheduler runs (so its minute ticks fall inside); print it, return its row."""
    from bench.chat import bot_run
    from bench.chat import questions as chat_questions

    slack, _, health = asyncio.run(bot_run(tmp, data, chat_questions(), seconds, 50.0, discord_too=False))
    measured = (
        f"p99 {pct(slack.delays, 0.99):,.1f} ms (p50 {pct(slack.delays, 0.5):,.1f} ms, max "
        f"{pct(slack.delays, 1.0):,.0f} ms; {len(slack.delays):,}/{slack.sent:,} answered, 50/s for {seconds:.0f} s; "
        f"loop stall {health.at_end:,} ms, {health.at_start:,} ms before the run)"
    )
    print(f"  Slack reply: {measured}")
    return (f"Slack reply p99, {events:,} events (bench/chat.py's path)", measured, "< 250 ms")
