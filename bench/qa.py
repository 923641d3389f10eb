"""Question-answering speed: answers per second and p50/p99 latency at 1,000 and 10,000 stored items,
and the wall time of `rmo-bot ask` beside a bare `python -c pass`, all measured in this one run.

    python bench/qa.py [--sizes 1000,10000] [--rounds 3] [--cli-runs 10]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.clock import FrozenClock  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.core import Core  # noqa: E402
from handlers.messages import Incoming  # noqa: E402
from storage.datafile import BLOCK_KEYS, DataSet  # noqa: E402
from storage.records import Announcement, Event, Venue  # noqa: E402

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=JST)


def questions() -> list[str]:
    texts = []
    for path in sorted((ROOT / "tests").glob("questions*.toml")):
        texts += [q["text"] for q in tomllib.loads(path.read_text(encoding="utf-8"))["q"]]
    return texts


def fill(core: Core, size: int, rng: random.Random) -> None:
    """`size` events (half of them upcoming) and `size` archived announcements over three years."""
    events = []
    for i in range(size):
        training = i % 5 == 0
        block = None if training and i % 2 else BLOCK_KEYS[i % len(BLOCK_KEYS)]
        starts = NOW + timedelta(days=rng.uniform(-730, 730), hours=rng.randint(0, 8))
        events.append(
            Event(
                id=f"gen-{i}",
                kind="training" if training else "block_meeting",
                block=block,
                title=f"{'研修会' if training else 'ブロック会議'} {i}",
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                venue=Venue(description=f"会場 {i}", address="どこか"),
                registration_url=f"https://forms.example.org/{i}",
                registration_deadline=starts - timedelta(days=10),
                status="cancelled" if i % 20 == 0 else "scheduled",
            )
        )
    core.store.apply(DataSet(events=tuple(events)), now=core.clock.now())
    announcements = [
        Announcement(
            id=f"a{i}",
            message_id=f"<{i}@lists.example.org>",
            subject=f"【お知らせ】第{i}号",
            body="本文です。" * 80,
            sender="secretariat@example.org",
            received_at=NOW - timedelta(days=rng.uniform(0, 3 * 365)),
        )
        for i in range(size)
    ]
    core.store.announcements.add_many(announcements)


def measure(core: Core, texts: list[str], rounds: int) -> dict[str, float]:
    answerer = core.answerer
    # Each question from one of 200 members in one channel, as on Slack: every answer keeps that
    # conversation's subject for follow-ups, so the conversation store's cost is in the figures.
    asked = [Incoming(text, "bench", user=f"U{i % 200}", channel="C1") for i, text in enumerate(texts)]
    for incoming in asked:  # warm-up: regexes compiled, indexes built, files cached
        answerer.answer(incoming)
    known: list[float] = []
    unknown: list[float] = []
    # The CPU time of each answer too: on a shared machine the wall time's tail is mostly other processes.
    cpu: list[float] = []
    started = time.perf_counter()
    for _ in range(rounds):
        for incoming in asked:
            t0, c0 = time.perf_counter(), time.thread_time()
            reply = answerer.answer(incoming)
            cpu.append(time.thread_time() - c0)
            (unknown if reply.intent == "unknown" else known).append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    every = sorted(known + unknown)
    known.sort()
    cpu.sort()

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(len(values) * q))] * 1000

    return {
        "answers": len(every),
        "per_second": len(every) / elapsed,
        "p50": pct(every, 0.50),
        "p99": pct(every, 0.99),
        "max": every[-1] * 1000,
        "known_p99": pct(known, 0.99),
        "cpu_p99": pct(cpu, 0.99),
        "unknown_share": len(unknown) / len(every),
    }


def wall(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cli-runs", type=int, default=10)
    args = parser.parse_args()
    texts = questions()
    config = load_config(None, environ={})
    rng = random.Random(7)
    print(f"questions: {len(texts)} distinct texts x {args.rounds} rounds, clock frozen at {NOW.isoformat()}")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            data_dir = Path(tmp) / f"store-{size}"
            with Core.open(config, data_dir, FrozenClock(NOW)) as core:
                t0 = time.perf_counter()
                fill(core, size, rng)
                filled = time.perf_counter() - t0
                count = (core.store.events.count(), core.store.announcements.count())
            with Core.open(config, data_dir, FrozenClock(NOW)) as core:
                r = measure(core, texts, args.rounds)
            results[size] = (r, data_dir)
            print(
                f"{size:>6} events + {count[1]} announcements (filled in {filled:.1f} s): "
                f"{r['per_second']:,.0f} answers/s, p50 {r['p50']:.2f} ms, p99 {r['p99']:.2f} ms, "
                f"max {r['max']:.2f} ms; p99 CPU time {r['cpu_p99']:.2f} ms; "
                f"p99 without unknown questions {r['known_p99']:.2f} ms "
                f"({r['unknown_share']:.0%} unknown, each one recorded for the secretariat)"
            )
        sizes = sorted(results)
        if len(sizes) >= 2:
            small, large = results[sizes[0]][0], results[sizes[-1]][0]
            print(f"p99 ratio {sizes[-1]} / {sizes[0]}: {large['p99'] / small['p99']:.2f}x (target <= 2x, and < 5 ms)")

        bare = wall([sys.executable, "-c", "pass"], args.cli_runs)
        print(f"python -c pass: {bare * 1000:.0f} ms (median of {args.cli_runs})")
        question = "次の近畿ブロック会議はいつですか？"
        stores = [("bundled data only", Path(tmp) / "fresh")] + [(f"{size} events", results[size][1]) for size in sizes]
        for label, data_dir in stores:
            command = [sys.executable, "-m", "bot", "ask", question, "--data-dir", str(data_dir)]
            subprocess.run(command, check=True, capture_output=True)  # first run creates and seeds the store
            ask = wall(command, args.cli_runs)
            print(
                f"rmo-bot ask ({label}): {ask * 1000:.0f} ms (median of {args.cli_runs}), "
                f"{(ask - bare) * 1000:.0f} ms over the bare interpreter (target < 300 ms)"
            )


if __name__ == "__main__":
    main()
