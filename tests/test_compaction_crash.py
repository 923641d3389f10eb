"""The store killed with SIGKILL while its journal is being folded into a new snapshot loses nothing and mixes nothing."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import time

from storage.journal_files import list_segments
from storage.store import Store
from storage.subscribers import Subscriber
from tests.botproc import BotProcess, write_config
from tests.crash_compactor import BASE
from tests.fakes import FakeDiscord, FakeSlack
from tests.helpers import ROOT

KILLS = 30


def test_sigkill_during_compaction_leaves_the_last_or_the_next_round(tmp_path):
    """30 times: kill the writer at a random instant; the store opens with exactly the rounds acknowledged, or one more."""
    data_dir = tmp_path / "data"
    rng = random.Random(20261203)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    during_compaction = 0
    for _ in range(KILLS):
        with subprocess.Popen(
            [sys.executable, "-m", "tests.crash_compactor", str(data_dir)],
            stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        ) as child:  # fmt: skip
            assert child.stdout is not None
            start_line = child.stdout.readline().split()
            assert start_line[0] == "start", start_line
            time.sleep(rng.uniform(0.2, 1.2))
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            lines = child.stdout.read().splitlines()
        done = [int(line.split()[1]) for line in lines if line.startswith("done")]
        last_done = done[-1] if done else int(start_line[1])
        marks = [line for line in lines if line.startswith("compact")]
        during_compaction += bool(marks) and marks[-1] == "compacting"
        with Store.open(data_dir) as store:
            everyone = {s.email: s for s in store.subscribers.all()}
        rounds = sorted(int(e[5:].split("@")[0]) for e in everyone if e.startswith("round"))
        assert len(everyone) == BASE + len(rounds)
        assert rounds in (list(range(1, last_done + 1)), list(range(1, last_done + 2))), (rounds[-3:], last_done)
        for n in range(BASE):  # each base subscriber holds the last round that touched it
            touched = [r for r in rounds if r % BASE == n]
            assert everyone[f"m{n}@example.jp"].bounces == (touched[-1] if touched else 0)
    # Enough kills must land inside a compaction, or the test proves little.
    assert during_compaction >= KILLS // 4, during_compaction
    # Compactions happened and dropped the segments they folded.
    snapshot = (data_dir / "subscribers.json").stat().st_size
    journal = sum(p.stat().st_size for _, p in list_segments(data_dir / "subscribers.json"))
    assert journal < snapshot, (journal, snapshot)


def _until_logged(bot: BotProcess, text: str) -> None:
    """Wait for the bot to log `text` (a hang guard, not a speed limit: it fails only if that never comes)."""
    given_up = time.monotonic() + 120
    while text not in bot.text():
        assert bot.proc is not None
        assert bot.proc.poll() is None, "the bot stopped: " + bot.text()[-2000:]
        assert time.monotonic() < given_up, "no compaction: " + bot.text()[-2000:]
        time.sleep(0.002)


async def test_the_running_bot_killed_while_it_compacts_keeps_every_subscriber(tmp_path):
    """`rmo-bot run` starts, folds a 20,000-subscriber journal in the background and is killed at random instants of it: each time, every subscriber is there as written."""
    template = tmp_path / "template"
    with Store.open(template) as store:  # a bot that wrote them and then died: a journal, no snapshot
        store.compact_in_background()
        for start in range(0, 20_000, 2_000):
            store.subscribers.save(
                Subscriber(f"s{n}@example.jp", blocks=("kinki",), confirmed=True, bounces=n % 7)
                for n in range(start, start + 2_000)
            )
        shutil.copytree(template, tmp_path / "crashed", ignore=shutil.ignore_patterns(".lock"))
    assert not (tmp_path / "crashed" / "subscribers.json").exists()
    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    rng = random.Random(15)
    mid_compaction = 0
    try:
        for round_ in range(4):
            data = tmp_path / f"run{round_}"
            shutil.copytree(tmp_path / "crashed", data)
            config = write_config(
                tmp_path / f"run{round_}.toml", slack_url=slack.base_url, discord_url=discord.base_url
            )
            bot = BotProcess(config, data)
            await asyncio.to_thread(bot.start)
            await asyncio.to_thread(_until_logged, bot, "compacting subscribers.json")
            await asyncio.sleep(rng.uniform(0, 0.1))
            bot.kill()
            mid_compaction += not (data / "subscribers.json").exists()  # before the new snapshot was in place
            with Store.open(data) as store:
                found = {s.email: s.bounces for s in store.subscribers.all()}
            assert found == {f"s{n}@example.jp": n % 7 for n in range(20_000)}
            assert not [p for p in data.iterdir() if p.name.endswith(".tmp")]
    finally:
        await slack.stop()
        await discord.stop()
    assert mid_compaction >= 2, mid_compaction  # enough kills landed inside the compaction
