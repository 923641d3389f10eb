"""The event loop's longest stall (`/healthz` `loop_stall_ms`) while `rmo-bot run` checks whether any of
50,000 subscribers is due a digest (none is: each was sent one at this digest time), against the same bot
with no subscriber; the check runs at the scheduler's first tick, a few seconds after start.

`python bench/digest_tick.py [--root DIR] [--subscribers N]`: DIR is the checkout whose code runs."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale import NOW, build  # noqa: E402
from storage.subscribers import Subscriber  # noqa: E402
from tests.botproc import BotProcess, free_port, write_config  # noqa: E402


def _stall(port: int) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as reply:
            data = json.loads(reply.read())
    except urllib.error.HTTPError as error:  # 503: Discord, pointed nowhere, is "retrying"; the figures still come
        data = json.loads(error.read())
    return int(data.get("loop_stall_ms", -1)), str(data.get("digest_last_run"))


# One digest tick under a loop watched every millisecond (the bot's LoopWatch samples every 50 ms and so
# misses a stall shorter than that), in `code`'s checkout; prints the longest stall in ms.
_TICK = """
import asyncio, sys
from datetime import datetime
from pathlib import Path
from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from bot.loop_watch import LoopWatch
from bot.mail.digest_run import DigestJob

now = datetime.fromisoformat(sys.argv[2])
with Core.open(load_config(Path(sys.argv[3]), environ={}), Path(sys.argv[1]), FrozenClock(now)) as core:
    core.digests  # loaded before the loop, as `rmo-bot run` does

    async def tick():
        watch, stop = LoopWatch(interval=0.001), asyncio.Event()
        watching = asyncio.create_task(watch.run(stop))
        await asyncio.sleep(0.2)
        watch.longest = 0.0
        job = DigestJob(core)
        job.tick(now)
        if job._task is not None:
            await job._task
        await asyncio.sleep(0.01)
        stop.set()
        await watching
        print(round(watch.longest * 1000, 1))

    asyncio.run(tick())
"""


def fine_stall(data: Path, config: Path, code: Path) -> str:
    """The longest stall of a loop watched every millisecond during one digest tick."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-c", _TICK, str(data), NOW.isoformat(), str(config)],
        capture_output=True, text=True, env=env, cwd=code, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def stall_after_first_tick(tmp: Path, code: Path, subscribers: int) -> tuple[int, str]:
    """The bot's longest loop stall 5 s after it listens, its first digest tick done by then; and one tick's
    stall watched finely."""
    folder = tmp / f"subs-{subscribers}"
    folder.mkdir()
    data = folder / "data"
    build(data, events=0, announcements=0, subscribers=0)
    subs = {
        str(i + 1): Subscriber(f"member{i}@example.jp", confirmed=True, frequency="daily",
                               created_at=NOW.replace(year=NOW.year - 1), last_digest_at=NOW).to_doc()
        for i in range(subscribers)
    }  # fmt: skip
    (data / "subscribers.json").write_text(json.dumps({"subscribers": subs}), encoding="utf-8")
    refused = f"http://127.0.0.1:{free_port()}/"
    config = write_config(
        folder / "config.toml", slack_url=refused, discord_url=refused, port=free_port(), http_port=free_port(),
        public_url="https://rmo.example.jp", extra=f"[digest]\nhour = {NOW.hour}\n",
        outbound=f'host = "127.0.0.1"\nport = {free_port()}\nstarttls = false\n',
    )  # fmt: skip
    pythonpath = os.pathsep.join((str(code), str(ROOT / "tests" / "offline")))
    bot = BotProcess(config, data, env={"PYTHONPATH": pythonpath})
    bot.start(timeout=120)
    try:
        time.sleep(5)
        stall, _ = _stall(bot.http_port)
    finally:
        bot.stop()
    return stall, fine_stall(data, config, code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose `rmo-bot run` is measured")
    parser.add_argument("--subscribers", type=int, default=50_000)
    args = parser.parse_args()
    os.chdir(args.root)  # `python -m bot` puts its working directory first on sys.path: this checkout's code runs
    with tempfile.TemporaryDirectory(prefix="rmo-digest-tick-") as name:
        tmp = Path(name)
        none = stall_after_first_tick(tmp, args.root.resolve(), 0)
        many = stall_after_first_tick(tmp, args.root.resolve(), args.subscribers)
    print(f"\nloop's longest stall around the first digest tick ({args.root.resolve()})")
    print("| subscribers | /healthz loop_stall_ms | one tick, loop watched every 1 ms |\n|---|---|---|")
    print(f"| 0 | {none[0]} | {none[1]} ms |\n| {args.subscribers:,} (none due) | {many[0]} | {many[1]} ms |")


if __name__ == "__main__":
    main()
