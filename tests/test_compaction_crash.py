"""The store killed with SIGKILL while its journal is being folded into a new snapshot loses nothing and mixes nothing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from storage.journal_files import list_segments
from storage.store import Store
from tests.crash_compactor import BASE
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
