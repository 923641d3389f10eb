"""Chat latency at 50 questions per second on each platform, with 10,000 events stored, for 90 s.

One `rmo-bot run` (a child process, Slack in HTTP mode, Discord through the fake gateway) answers both at
once, from once its scheduler runs: its minute ticks (reminders, digests) fall inside the run. Slack: signed
app_mention requests; p50/p99 from sending the request to the answer reaching the fake Slack Web API.
Discord: MESSAGE_CREATE dispatched by the fake gateway, spread over 50 channels; p50/p99 from the dispatch
to the answer reaching the fake Discord API. Also the bot's longest loop stall (its `/healthz` figure, before and after the run) and the
slowest `/healthz` answer meanwhile.

The baseline, in the same run with the same load: a bare responder (bench/chat_floor.py) that checks the
signature, takes the gateway's dispatch and posts a fixed answer, with nothing in between.

    python bench/chat.py [--seconds 90] [--events 10000] [--rate 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Self
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bench.chat_floor import Floor, discord_message, slack_mention  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.core import Core  # noqa: E402
from storage.datafile import BLOCK_KEYS, DataSet  # noqa: E402
from storage.records import Event, Venue  # noqa: E402
from tests.botproc import BotProcess, write_config  # noqa: E402
from tests.fakes import FakeDiscord, FakeSlack  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable

JST = ZoneInfo("Asia/Tokyo")
SECRET = "bench-secret"
WARMUP = 10
# Discord takes 5 messages per 5 s in a channel, and discord.py, given no rate-limit headers (the fake sends
# none), sends one request at a time per channel: 50 questions a second in one channel would measure that queue.
DISCORD_CHANNELS = 50
BOT_USER = {"id": "1001", "username": "rmo-bot", "discriminator": "0", "avatar": None, "bot": True}


def questions() -> list[str]:
    texts = []
    for path in sorted((ROOT / "tests").glob("questions*.toml")):
        texts += [q["text"] for q in tomllib.loads(path.read_text(encoding="utf-8"))["q"]]
    return texts


def fill(data_dir: Path, count: int) -> None:
    now = datetime.now(JST)
    rng = random.Random(3)
    events = tuple(
        Event(
            id=f"gen-{i}", kind="training" if i % 5 == 0 else "block_meeting",
            block=None if i % 10 == 0 else BLOCK_KEYS[i % 10], title=f"会議 {i}",
            starts_at=now + timedelta(days=rng.uniform(-700, 700)), venue=Venue(description=f"会場 {i}"),
        )
        for i in range(count)
    )  # fmt: skip
    with Core.open(load_config(None, environ={}), data_dir, SystemClock(JST)) as core:
        core.store.apply(DataSet(events=events), now=core.clock.now())


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


class _Stamped(list):  # type: ignore[type-arg]
    def append(self, item: dict) -> None:  # type: ignore[override]
        item["_t"] = time.monotonic()
        super().append(item)


@dataclass
class Figures:
    """One platform's delays (seconds), of `sent` questions."""

    delays: list[float]
    sent: int
    asked: list[float]  # when each answered question was asked, in seconds from the run's start

    def line(self) -> str:
        return (f"{len(self.delays)}/{self.sent} answered, p50 {pct(self.delays, 0.5):.1f} ms, "
                f"p99 {pct(self.delays, 0.99):.1f} ms, max {pct(self.delays, 1.0):.1f} ms")  # fmt: skip

    def slow(self, over: float = 0.25) -> str:
        """When the answers slower than `over` seconds were asked: the run's seconds they fall in."""
        seconds = sorted({int(t) for t, d in zip(self.asked, self.delays, strict=True) if d > over})
        if not seconds:
            return f"none over {over * 1000:.0f} ms"
        spans: list[list[int]] = []
        for second in seconds:
            if spans and second <= spans[-1][1] + 1:
                spans[-1][1] = second
            else:
                spans.append([second, second])
        shown = ", ".join(f"{a}–{b + 1} s" if b > a else f"{a}–{a + 1} s" for a, b in spans[:8])
        return f"those over {over * 1000:.0f} ms were asked at {shown}" + (" …" if len(spans) > 8 else "")


class _Discord(FakeDiscord):
    """The fake Discord API, answering a new message with the whole message object, as Discord does: the fake's
    own answer lacks the fields discord.py builds its `Message` from, which sends `reply()` down its error path
    (a logged exception per answer) after the answer has arrived."""

    async def create_message(self, request: web.Request) -> web.Response:
        response = await super().create_message(request)
        if response.status != 200 or not isinstance(response.body, bytes):
            return response
        message = json.loads(response.body)
        whole = discord_message(message["id"], "", message["channel_id"]) | message
        whole |= {"author": BOT_USER, "type": 19, "content": message.get("content") or ""}
        limits = {k: v for k, v in response.headers.items() if k.lower().startswith("x-ratelimit")}
        # "application/json" with no charset: discord.py takes anything else for text, not a message.
        return web.Response(body=json.dumps(whole).encode(), content_type="application/json", headers=limits)


def _figures(sent: dict[str, float], arrived: dict[str, float], start: float) -> Figures:
    answered = [k for k in sent if k in arrived]
    return Figures([arrived[k] - sent[k] for k in answered], len(sent), [sent[k] - start for k in answered])


async def _until(ready: Callable[[], object], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not ready() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return bool(ready())


async def ask_slack(slack: FakeSlack, url: str, texts: list[str], seconds: float, rate: float) -> Figures:
    """Signed app_mention requests at `rate` a second for `seconds`; each answer's delay at the fake API."""
    count = int(seconds * rate)
    sent: dict[str, float] = {}
    async with aiohttp.ClientSession() as session:
        start = time.monotonic()
        pending = []
        for n in range(count):
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            ts = f"1700000000.{n:06d}"
            body, headers = slack_mention(n, ts, texts[n % len(texts)], SECRET)
            if n >= WARMUP:  # the first few pay for connecting and building indexes
                sent[ts] = time.monotonic()
            pending.append(asyncio.create_task(session.post(url, data=body, headers=headers)))
        for task in pending:
            (await task).release()
        await _until(lambda: len(slack.posted("C9")) >= count, 30)
    arrived: dict[str, float] = {}
    for call in slack.posted("C9"):
        arrived.setdefault(call["thread_ts"], call["_t"])
    return _figures(sent, arrived, start)


async def ask_discord(discord: FakeDiscord, texts: list[str], seconds: float, rate: float) -> Figures:
    """MESSAGE_CREATE dispatches at `rate` a second for `seconds`; each answer's delay at the fake API."""
    count = int(seconds * rate)
    sent: dict[str, float] = {}
    start = time.monotonic()
    for n in range(count):
        await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
        message_id = str(10_000 + n)
        if n >= WARMUP:
            sent[message_id] = time.monotonic()
        channel = str(950 + n % DISCORD_CHANNELS)
        await discord.dispatch("MESSAGE_CREATE", discord_message(message_id, texts[n % len(texts)], channel))
    await _until(lambda: len(discord.posted()) >= count, 30)
    arrived: dict[str, float] = {}
    for call in discord.posted():
        if call.get("message_reference"):
            arrived.setdefault(str(call["message_reference"]["message_id"]), call["_t"])
    return _figures(sent, arrived, start)


class HealthWatch:
    """Polls `/healthz` every 20 ms: the slowest answer, and the bot's own `loop_stall_ms` at start and end."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.slowest = 0.0
        self.at_start = self.at_end = -1
        self._polling = True
        self._task: asyncio.Task[None] | None = None
        self.warnings: list[str] = []  # the bot's own warnings and errors, from its log

    async def _stall(self, session: aiohttp.ClientSession) -> int:
        started = time.perf_counter()
        async with session.get(self.url) as response:
            figure = int((await response.json()).get("loop_stall_ms", -1))
        self.slowest = max(self.slowest, time.perf_counter() - started)
        return figure

    async def __aenter__(self) -> Self:
        self._session = aiohttp.ClientSession()
        self.at_start = await self._stall(self._session)

        async def poll() -> None:
            while self._polling:
                await self._stall(self._session)
                await asyncio.sleep(0.02)

        self._task = asyncio.create_task(poll())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._polling = False
        if self._task is not None:
            await self._task
        self.at_end = await self._stall(self._session)
        await self._session.close()

    def line(self) -> str:
        return (f"the bot's longest loop stall (/healthz loop_stall_ms) {self.at_end} ms after the run "
                f"({self.at_start} ms before it; target < 50 ms), slowest /healthz {self.slowest * 1000:.0f} ms")  # fmt: skip


def _bot(tmp: Path, data_dir: Path, slack: FakeSlack, discord: FakeDiscord) -> BotProcess:
    config = write_config(tmp / "chat.toml", slack_url=slack.base_url, discord_url=discord.base_url)
    config.write_text(config.read_text().replace("[slack]\n", '[slack]\nmode = "http"\n'))
    return BotProcess(config, data_dir, env={"SLACK_SIGNING_SECRET": SECRET})


async def bot_run(tmp: Path, data_dir: Path, texts: list[str], seconds: float, rate: float, *,
                  discord_too: bool = True) -> tuple[Figures, Figures | None, HealthWatch]:  # fmt: skip
    """Both platforms (or Slack alone) asked at once for `seconds`, from once the bot's scheduler runs."""
    slack, discord = FakeSlack(), _Discord()
    discord.serve_gateway = discord_too
    for fake in (slack, discord):
        await fake.start()
        fake.calls = _Stamped()
    # The questions were never posted to the fake, so their threads are unknown to it: answers in them are
    # taken as Slack takes them (not refused with thread_not_found, which would send the bot down its error path).
    slack.threads.reply_posted = lambda channel, message: None  # type: ignore[method-assign]
    bot = _bot(tmp, data_dir, slack, discord)
    try:
        await asyncio.to_thread(bot.start, 300)
        ready = await _until(lambda: bot.http_port and "scheduler running" in bot.text()
                             and (discord.connected or not discord_too), 300)  # fmt: skip
        if not ready:
            raise RuntimeError("the bot's scheduler or gateway never came up:\n" + "".join(bot.log[-15:]))
        url = f"http://127.0.0.1:{bot.http_port}"
        async with HealthWatch(url + "/healthz") as health:
            asks = [ask_slack(slack, url + "/slack/events", texts, seconds, rate)]
            if discord_too:
                asks.append(ask_discord(discord, texts, seconds, rate))
            figures = await asyncio.gather(*asks)
    finally:
        bot.stop()
        for fake in (slack, discord):
            await fake.stop()
    health.warnings = [line.strip() for line in bot.log if " WARNING " in line or " ERROR " in line]
    return figures[0], (figures[1] if discord_too else None), health


async def floor_run(texts: list[str], seconds: float, rate: float) -> tuple[Figures, Figures]:
    slack, discord = FakeSlack(), _Discord()
    discord.serve_gateway = True
    for fake in (slack, discord):
        await fake.start()
        fake.calls = _Stamped()
    floor = await asyncio.to_thread(Floor, slack.base_url, discord.base_url, SECRET)  # it asks the fakes
    try:
        await _until(lambda: discord.connected, 30)
        url = f"http://127.0.0.1:{floor.port}/slack/events"
        slack_figures, discord_figures = await asyncio.gather(
            ask_slack(slack, url, texts, seconds, rate), ask_discord(discord, texts, seconds, rate)
        )
    finally:
        floor.stop()
        for fake in (slack, discord):
            await fake.stop()
    return slack_figures, discord_figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=90.0, help="how long each side is asked (>= 90 s: ticks)")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0, help="questions per second on each platform")
    args = parser.parse_args()
    texts = questions()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        fill(base / "data", args.events)
        print(f"{args.events:,} events stored; {args.rate:.0f} questions a second on Slack and on Discord at once, "
              f"for {args.seconds:.0f} s each side")  # fmt: skip
        slack, discord, health = asyncio.run(bot_run(base, base / "data", texts, args.seconds, args.rate))
        floor_slack, floor_discord = asyncio.run(floor_run(texts, args.seconds, args.rate))
    assert discord is not None
    print(f"rmo-bot Slack   signed request → answer at the API: {slack.line()} (target p99 < 250 ms)")
    print(f"floor   Slack   signed request → answer at the API: {floor_slack.line()}")
    print(f"rmo-bot Discord gateway dispatch → answer at the API: {discord.line()} (target p99 < 250 ms)")
    print(f"floor   Discord gateway dispatch → answer at the API: {floor_discord.line()}")
    print(f"rmo-bot: {health.line()}")
    print(f"rmo-bot Slack: {slack.slow()}; Discord: {discord.slow()}")
    for line in health.warnings[:10]:
        print(f"  the bot logged: {line}")
    print(f"load average (1 min) at start {load:.1f}, at end {os.getloadavg()[0]:.1f}, on {os.cpu_count()} CPUs "
          "(anything else running on this machine is in these figures)")  # fmt: skip


if __name__ == "__main__":
    main()
