"""Chat latency at 50 questions per second with 10,000 events stored.

Slack: signed app_mention requests to `rmo-bot run` (HTTP mode, a child process); p50/p99 from sending the
request to the answer reaching the fake Slack Web API. Discord: MESSAGE_CREATE gateway payloads fed to the
Discord platform; p50/p99 from the payload to the answer reaching the fake Discord API.

    python bench/chat.py [--questions 500] [--events 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import random
import sys
import tempfile
import time
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bot.clock import FrozenClock, SystemClock  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.core import Core  # noqa: E402
from storage.datafile import BLOCK_KEYS, DataSet  # noqa: E402
from storage.records import Event, Venue  # noqa: E402
from tests.botproc import BotProcess, write_config  # noqa: E402
from tests.fakes import FakeDiscord, FakeSlack  # noqa: E402

JST = ZoneInfo("Asia/Tokyo")
SECRET = "bench-secret"
RATE = 50.0
WARMUP = 10


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
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": "application/json"}


class _Stamped(list):  # type: ignore[type-arg]
    def append(self, item: dict) -> None:  # type: ignore[override]
        item["_t"] = time.monotonic()
        super().append(item)


async def slack_latency(texts: list[str], count: int, tmp: Path) -> None:
    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    slack.calls = _Stamped()
    config = write_config(tmp / "slack.toml", slack_url=slack.base_url, discord_url=discord.base_url)
    config.write_text(config.read_text().replace("[slack]\n", '[slack]\nmode = "http"\n'))
    bot = BotProcess(config, tmp / "slack-data", env={"SLACK_SIGNING_SECRET": SECRET})
    await asyncio.to_thread(bot.start)
    while not bot.http_port:
        await asyncio.sleep(0.05)
    http_port = bot.http_port
    sent: dict[str, float] = {}
    async with aiohttp.ClientSession() as session:
        start = time.monotonic()
        pending = []
        for n in range(count):
            await asyncio.sleep(max(0.0, start + n / RATE - time.monotonic()))
            ts = f"1700000000.{n:06d}"
            body = json.dumps({
                "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": f"Ev{n}",
                "event_time": int(time.time()), "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
                "event": {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {texts[n % len(texts)]}", "ts": ts,
                          "channel": "C9", "event_ts": ts},
            }, ensure_ascii=False)  # fmt: skip
            if n >= WARMUP:  # the first few pay for connecting and building indexes
                sent[ts] = time.monotonic()
            pending.append(asyncio.create_task(session.post(f"http://127.0.0.1:{http_port}/slack/events",
                                                            data=body.encode(), headers=signed(body))))  # fmt: skip
        for task in pending:
            (await task).release()
        deadline = time.monotonic() + 30
        while len(slack.posted("C9")) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    bot.stop()
    arrived = {c["thread_ts"]: c["_t"] for c in slack.posted("C9")}
    delays = [arrived[ts] - t for ts, t in sent.items() if ts in arrived]
    print(f"Slack   signed request → answer at the API: {len(delays)}/{len(sent)}, p50 {pct(delays, 0.5):.1f} ms, "
          f"p99 {pct(delays, 0.99):.1f} ms (target p99 < 50 ms)")  # fmt: skip
    await slack.stop()
    await discord.stop()


async def discord_latency(texts: list[str], count: int, tmp: Path, data_dir: Path) -> None:
    from bot.platforms.discord.adapter import DiscordPlatform

    fake = FakeDiscord()
    await fake.start()
    fake.calls = _Stamped()
    config_file = tmp / "discord.toml"
    config_file.write_text(f'[discord]\napi_base_url = "{fake.base_url}"\n', encoding="utf-8")
    config = load_config(config_file, environ={"DISCORD_TOKEN": "t"})
    user = {"id": "2002", "username": "member", "discriminator": "0", "avatar": None}
    sent: dict[str, float] = {}
    with Core.open(config, data_dir, FrozenClock(datetime.now(JST))) as core:
        platform = DiscordPlatform(core)
        async with platform.client:
            await platform.client.login("t")
            start = time.monotonic()
            for n in range(count):
                await asyncio.sleep(max(0.0, start + n / RATE - time.monotonic()))
                message_id = str(10_000 + n)
                payload = {
                    "id": message_id, "channel_id": "950", "author": user, "content": texts[n % len(texts)],
                    "timestamp": "2026-11-25T01:00:00.000000+00:00", "edited_timestamp": None, "tts": False,
                    "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
                    "pinned": False, "type": 0,
                }  # fmt: skip
                if n >= WARMUP:
                    sent[message_id] = time.monotonic()
                platform.parse("MESSAGE_CREATE", payload)
            deadline = time.monotonic() + 30
            while len(fake.posted("950")) < count and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
    arrived = {
        str(c["message_reference"]["message_id"]): c["_t"] for c in fake.posted("950") if c.get("message_reference")
    }
    delays = [arrived[m] - t for m, t in sent.items() if m in arrived]
    print(f"Discord gateway payload → answer at the API: {len(delays)}/{len(sent)}, p50 {pct(delays, 0.5):.1f} ms, "
          f"p99 {pct(delays, 0.99):.1f} ms (target p99 < 50 ms)")  # fmt: skip
    await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    texts = questions()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        fill(base / "slack-data", args.events)
        fill(base / "discord-data", args.events)
        print(f"{args.events:,} events stored; {args.questions} questions at {RATE:.0f} per second")
        asyncio.run(slack_latency(texts, args.questions, base))
        asyncio.run(discord_latency(texts, args.questions, base, base / "discord-data"))


if __name__ == "__main__":
    main()
