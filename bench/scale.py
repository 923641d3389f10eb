"""Issue 15's table at scale: a 10k-event / 100k-announcement / 50k-subscriber store, and the rows measured on it.

The store is written straight to disk in the store's own format (TinyDB documents from the records' own
`to_doc`, the announcements through `MonthlyArchive`'s month-and-chunk partitioning), so building it takes
seconds, not the hours the bot's own writes would.

    python bench/scale.py [--events 1000,3000,10000] [--announcements 100000] [--subscribers 50000] [--skip-run]
                          [--ask-events 100000] [--ask-runs 5] [--qa-rounds 3] [--relay-mails 200] [--only-answers]
                          [--flood-mails 2000] [--only-relay] [--slack-seconds 90]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.qa import measure, questions  # noqa: E402
from bench.scale_rows import relay_rows, slack_row  # noqa: E402
from bench.store_writes import measure as measure_writes  # noqa: E402
from bench.store_writes import row as writes_row  # noqa: E402
from bot.clock import FrozenClock  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.core import Core  # noqa: E402
from storage.archive import CHUNK, MonthlyArchive  # noqa: E402
from storage.records import Announcement, Event, Venue  # noqa: E402
from storage.subscribers import Subscriber  # noqa: E402

JST = ZoneInfo("Asia/Tokyo")
# Real time, as `rmo-bot run` keeps it: its scheduler plans its ticks on the wall clock, whatever `--now` says.
NOW = datetime.now(JST).replace(microsecond=0)
BLOCKS = ("hokkaido", "tohoku", "kanto", "chubu", "kinki", "chugoku", "shikoku", "kyushu", None)
BODY = "近畿ブロック会議を下記のとおり開催します。\n日時：2027年1月20日（水）13:30～16:30\n会場：東近江市役所\n" * 4


def _write(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.chmod(path, 0o600)


def build(data_dir: Path, *, events: int, announcements: int, subscribers: int) -> None:
    """A store of this size: seeded by the bot itself, then its growing files written directly."""
    config = load_config(None, environ={})
    with Core.open(config, data_dir, FrozenClock(NOW)):
        pass  # meta.json, network.json and the bundled data, as the bot writes them
    rng = random.Random(15)
    docs = {}
    for i in range(events):
        starts = NOW + timedelta(days=rng.uniform(-700, 700), minutes=rng.randrange(0, 600, 30))
        deadline = starts - timedelta(days=10) if i % 3 == 0 else None
        event = Event(
            id=f"gen-{i}", kind="training" if i % 5 == 0 else "block_meeting", block=BLOCKS[i % len(BLOCKS)],
            title=f"会議 {i}", starts_at=starts, ends_at=starts + timedelta(hours=3),
            venue=Venue(description=f"会場 {i}"), registration_deadline=deadline,
            status="cancelled" if i % 40 == 0 else "scheduled",
        )  # fmt: skip
        docs[str(i + 1)] = event.to_doc()
    _write(data_dir / "events.json", {"events": docs, "changes": {}})
    folder = data_dir / "announcements"
    folder.mkdir(mode=0o700, exist_ok=True)
    by_month: dict[str, list[dict[str, object]]] = {}
    for i in range(announcements):
        received = NOW - timedelta(days=rng.uniform(1, 3 * 365))
        doc = Announcement(
            id=f"a{i:08d}", message_id=f"old-{i}@bench.example.jp", subject=f"過去のお知らせ {i}", body=BODY,
            sender="jimukyoku@rmo-network.example.jp", received_at=received,
        ).to_doc()  # fmt: skip
        by_month.setdefault(MonthlyArchive.partition_of(received), []).append(doc)
    for month, month_docs in by_month.items():
        for n in range(0, len(month_docs), CHUNK):  # the archive's own chunks: MONTH.json, MONTH.1.json, …
            name = month if n == 0 else f"{month}.{n // CHUNK}"
            chunk = month_docs[n : n + CHUNK]
            _write(folder / f"{name}.json", {"_default": {str(k + 1): d for k, d in enumerate(chunk)}})
    subs = {
        str(i + 1): Subscriber(f"member{i}@example.jp", blocks=(BLOCKS[i % 8] or "kinki",), confirmed=True,
                               created_at=NOW - timedelta(days=400)).to_doc()
        for i in range(subscribers)
    }  # fmt: skip
    _write(data_dir / "subscribers.json", {"subscribers": subs})


def reminder_ticks(sizes: list[int], tmp: Path) -> dict[int, tuple[float, float]]:
    """Per size: (the first tick after opening, planning everything; a tick a minute later)."""
    results = {}
    for size in sizes:
        data = tmp / f"ticks-{size}"
        build(data, events=size, announcements=0, subscribers=0)
        config = load_config(None, environ={})
        with Core.open(config, data, FrozenClock(NOW)) as core:
            started = time.perf_counter()
            core.reminders.tick(NOW)
            first = time.perf_counter() - started
            started = time.perf_counter()
            core.reminders.tick(NOW + timedelta(minutes=1))
            steady = time.perf_counter() - started
        results[size] = (first, steady)
        print(f"  reminder tick at {size:,} events: first {first * 1000:,.0f} ms, steady {steady * 1000:,.1f} ms")
    return results


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(smtp: int, http: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", smtp), timeout=0.5) as s:
            s.settimeout(2)
            if not s.recv(100).startswith(b"220"):
                return False
        with urllib.request.urlopen(f"http://127.0.0.1:{http}/healthz", timeout=2) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


def _stall(http: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{http}/healthz", timeout=2) as reply:
            return int(json.loads(reply.read()).get("loop_stall_ms", -1))
    except (OSError, ValueError):
        return -1


def run_to_listening(data: Path, tmp: Path, limit: float) -> tuple[float, int]:
    """Seconds from `rmo-bot run` starting to its SMTP and /healthz both answering, and the loop's longest
    stall (its /healthz figure) by the time its reminders are planned; then it is stopped (the first start
    writes the reminders, so that the next start is a restart)."""
    smtp, http = _port(), _port()
    config = tmp / "run.toml"
    config.write_text(
        f'[bot]\nlog_level = "INFO"\n[console]\nenabled = "off"\n[mail.intake]\nlisten = "127.0.0.1:{smtp}"\n'
        f'list_ids = ["announce.rmo-network.example.jp"]\n[http]\nlisten = "127.0.0.1:{http}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "FACEBOOK_"))}
    env["PYTHONPATH"] = str(ROOT)
    log = (tmp / "run.log").open("w")
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(config), "--data-dir", str(data)],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, cwd=ROOT,
    )  # fmt: skip
    took, stall = float("nan"), -1
    try:
        while time.monotonic() - started < limit and proc.poll() is None:
            if _listening(smtp, http):
                took = time.monotonic() - started
                break
            time.sleep(0.02)
        # Let the catch-up finish (the reminders written, the loop free again) before stopping it.
        while time.monotonic() - started < limit and not (data / "reminders.json").exists():
            time.sleep(0.2)
        while time.monotonic() - started < limit and not _listening(smtp, http):
            time.sleep(0.2)
        time.sleep(1)
        stall = _stall(http)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    if took != took:  # NaN: never answered; say why
        print(
            "  `rmo-bot run` did not answer; its log ends:\n"
            + "".join((tmp / "run.log").read_text().splitlines(keepends=True)[-8:])
        )
    return took, stall


def first_mail(data: Path, *, caught_up: bool) -> float:
    """Seconds for the first announcement stored after opening a store of 100k announcements: after the
    catch-up read the keys in the background (`caught_up`, as `rmo-bot run` does), or before it did."""
    config = load_config(None, environ={})
    with Core.open(config, data, FrozenClock(NOW)) as core:
        repository = core.store.announcements
        if caught_up and hasattr(repository, "read_keys"):  # main's code has no catch-up: the cold figure
            repository.adopt_keys(repository.read_keys())
        announcement = Announcement(
            id="a-first", message_id="first@bench.example.jp", subject="最初のお知らせ", body=BODY,
            sender="jimukyoku@rmo-network.example.jp", received_at=NOW,
        )  # fmt: skip
        started = time.perf_counter()
        core.store.announcements.add_many([announcement])
        return time.perf_counter() - started


def ask_wall(data: Path, runs: int) -> tuple[float, float, float]:
    """`rmo-bot ask` against this store: the median wall time of `runs` answers, the median of as many
    `python -c pass` taken alternately with them (the same load on both), and the answers' peak RSS in MB.

    The peak is taken in a helper process that runs one answer alone: RUSAGE_CHILDREN's peak is the
    largest any child ever reached, and this one may already have bigger children behind it."""
    command = [sys.executable, "-m", "bot", "ask", "次の近畿ブロック会議は？", "--data-dir", str(data)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(command, check=True, capture_output=True, env=env, cwd=ROOT)  # a first run may build indexes
    asks, bares = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, capture_output=True)
        bares.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=ROOT)
        asks.append(time.perf_counter() - t0)
    # One more answer in a child that only runs it, so that its peak RSS is the answer's own.
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *command], check=True, capture_output=True, env=env, cwd=ROOT)
    return statistics.median(asks), statistics.median(bares), int(out.stdout) / 1024


def answers_p99(data: Path, rounds: int) -> dict[str, float]:
    """bench/qa.py's in-process measure (every question set, 200 members in one channel) on this store."""
    config = load_config(None, environ={})
    with Core.open(config, data, FrozenClock(NOW)) as core:
        return measure(core, questions(), rounds)


def answers_row(qa: dict[str, float], events: int) -> tuple[str, str, str]:
    """Print the answers' figures and return their row."""
    measured = (
        f"{qa['p99']:.2f} ms (p50 {qa['p50']:.2f} ms, CPU p99 {qa['cpu_p99']:.2f} ms, "
        f"{qa['unknown_share']:.0%} unknown, {qa['answers']:,.0f} answers)"
    )
    print(f"  answers at {events:,} events: {measured}")
    return (f"answers p99 (bench/qa.py's path), {events:,} events", measured, "< 5 ms")


def ask_row(tmp: Path, args: argparse.Namespace) -> tuple[str, str, str]:
    """Build the store `rmo-bot ask` reads, measure it, print the figures and return its row."""
    huge = tmp / "ask"
    build(huge, events=args.ask_events, announcements=0, subscribers=0)
    ask, bare, peak = ask_wall(huge, args.ask_runs)
    measured = (
        f"{ask * 1000:,.0f} ms, {(ask - bare) * 1000:,.0f} ms over `python -c pass` ({bare * 1000:,.0f} ms; "
        f"medians of {args.ask_runs}), peak RSS {peak:,.0f} MB"
    )
    print(f"  rmo-bot ask at {args.ask_events:,} events: {measured}")
    return (f"`rmo-bot ask` at {args.ask_events:,} events", measured, "< 0.3 s over bare Python")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", default="1000,3000,10000")
    parser.add_argument("--announcements", type=int, default=100_000)
    parser.add_argument("--subscribers", type=int, default=50_000)
    parser.add_argument("--skip-run", action="store_true", help="do not start `rmo-bot run`")
    parser.add_argument("--ask-events", type=int, default=100_000, help="events in the store `rmo-bot ask` reads")
    parser.add_argument("--ask-runs", type=int, default=5)
    parser.add_argument("--qa-rounds", type=int, default=3)
    parser.add_argument("--relay-mails", type=int, default=200)
    parser.add_argument("--flood-mails", type=int, default=2000, help="mails of the intake flood")
    parser.add_argument("--slack-seconds", type=float, default=90.0, help="the Slack reply run (>= 90 s: ticks)")
    parser.add_argument("--only-answers", action="store_true", help="only the answers' and `rmo-bot ask`'s rows")
    parser.add_argument("--only-relay", action="store_true", help="only the relay's latency and intake flood rows")
    parser.add_argument("--run-limit", type=float, default=300.0, help="seconds a start may take before giving up")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the skipped reminders of a store built in the past, one line each
    sizes = [int(s) for s in args.events.split(",")]
    with tempfile.TemporaryDirectory(prefix="rmo-scale-") as name:
        tmp = Path(name)
        if args.only_answers:
            big = tmp / "big"
            build(big, events=max(sizes), announcements=args.announcements, subscribers=args.subscribers)
            rows = [answers_row(answers_p99(big, args.qa_rounds), max(sizes)), ask_row(tmp, args)]
            print("\n| what | measured | target |\n|---|---|---|")
            for row in rows:
                print("| " + " | ".join(row) + " |")
            return
        if args.only_relay:
            big = tmp / "big"
            build(big, events=max(sizes), announcements=args.announcements, subscribers=args.subscribers)
            print("\n| what | measured | target |\n|---|---|---|")
            for row in relay_rows(big, tmp, args, max(sizes)):
                print("| " + " | ".join(row) + " |")
            return
        ticks = reminder_ticks(sizes, tmp)
        big = tmp / "big"
        started = time.perf_counter()
        build(big, events=max(sizes), announcements=args.announcements, subscribers=args.subscribers)
        print(f"  built the {max(sizes):,}-event store in {time.perf_counter() - started:.1f} s")
        runs = ((float("nan"), -1), (float("nan"), -1))
        if not args.skip_run:
            first = run_to_listening(big, tmp, args.run_limit)
            again = run_to_listening(big, tmp, args.run_limit)
            runs = (first, again)
        mail = (first_mail(big, caught_up=True), first_mail(big, caught_up=False))
        qa = answers_row(answers_p99(big, args.qa_rounds), max(sizes))
        flood, relay = relay_rows(big, tmp, args, max(sizes))
        slack = ("Slack reply p99, 10k events", "not measured (--skip-run)", "< 250 ms")
        if not args.skip_run:
            slack = slack_row(big, tmp, args.slack_seconds, max(sizes))
        ask = ask_row(tmp, args)  # builds tmp/ask, with --ask-events events: started there too
        huge = ((float("nan"), -1), (float("nan"), -1))
        if not args.skip_run:
            huge = (
                run_to_listening(tmp / "ask", tmp, args.run_limit),
                run_to_listening(tmp / "ask", tmp, args.run_limit),
            )
        writes = writes_row(measure_writes([1000, 10_000, args.subscribers], 9))
        print(f"  {writes[0]}: {writes[1]}")
    ms = lambda s: f"{s * 1000:,.2f} ms"  # noqa: E731
    rows = [
        (f"reminder tick, {' / '.join(f'{n:,}' for n in sizes)} events (steady; first after start)",
         " / ".join(f"{ms(ticks[n][1])} ({ms(ticks[n][0])})" for n in sizes), "< 50 ms at 10k"),
        slack,
        (f"`rmo-bot run` to listening, {max(sizes):,} events: first start / restart",
         " / ".join(f"{s:.2f} s" for s, _ in runs)
         + " (loop's longest stall until planned: " + " / ".join(f"{stall:,} ms" for _, stall in runs) + ")", "< 2 s / < 2 s"),
        (f"`rmo-bot run` to listening, {args.ask_events:,} events: first start / restart",
         " / ".join(f"{s:.2f} s" for s, _ in huge)
         + " (loop's longest stall until planned: " + " / ".join(f"{stall:,} ms" for _, stall in huge) + ")", "< 10 s"),
        writes,
        flood,
        (f"first mail after start, {args.announcements:,} announcements", f"{ms(mail[0])} (before the catch-up read the keys: {ms(mail[1])})",
         "< 50 ms"),
        qa,
        ask,
        relay,
    ]  # fmt: skip
    print("\n| what | measured | target |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
