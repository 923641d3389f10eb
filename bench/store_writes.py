"""One write to a file of N records (issue 15's table): what a change costs as the files grow.

For N = 1,000 / 10,000 / 50,000 records in subscribers.json, reminders.json and outbox.json, the median
time of one changed record written through the store's own repositories (the caller's wait, and until it
is on disk: the syncer's fsync), beside the old whole-file rewrite (TinyDB over storage.atomic: truncate and
insert everything, fsynced) and the partitioned option (files of 100 records, one rewritten whole) measured
in the same run; and events.json (its index updated in place). Then the event loop's longest stall while
the bot's background compaction folds the largest file's journal.

    python bench/store_writes.py [--sizes 1000,10000,50000] [--writes 15]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tinydb import TinyDB  # noqa: E402

from bot.loop_watch import LoopWatch  # noqa: E402
from storage.atomic import AtomicJSONStorage  # noqa: E402
from storage.records import Delivery, Event, Venue  # noqa: E402
from storage.reminders import Reminder  # noqa: E402
from storage.store import Store  # noqa: E402
from storage.subscribers import Subscriber  # noqa: E402

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 12, 1, 9, tzinfo=JST)


def _subscribers(n: int) -> list[Subscriber]:
    return [Subscriber(f"member{i}@example.jp", blocks=("kinki",), confirmed=True, created_at=NOW) for i in range(n)]


def _reminders(n: int) -> list[Reminder]:
    return [Reminder(f"r{i}", f"e{i // 3}", "7d", NOW + timedelta(minutes=i)) for i in range(n)]


def _deliveries(n: int) -> list[Delivery]:
    return [Delivery(f"d{i}", f"a{i}", "slack", "C0123", seq=i + 1, created_at=NOW) for i in range(n)]


def _events(n: int) -> list[Event]:
    return [
        Event(f"e{i}", "block_meeting", f"会議 {i}", NOW + timedelta(days=i % 700), block="kinki",
              venue=Venue(description=f"会場 {i}"))
        for i in range(n)
    ]  # fmt: skip


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def journalled(tmp: Path, n: int, writes: int) -> dict[str, tuple[float, float]]:
    """Per file: (the caller's wait, until on disk) in ms, the median of `writes` single-record writes."""
    data = tmp / f"j{n}"
    results = {}
    with Store.open(data) as store:
        subscribers = _subscribers(n)
        store.subscribers.save(subscribers)
        reminders = _reminders(n)
        store.reminders.save(reminders)
        outbox = store.outbox
        outbox.add_many(_deliveries(n))
        with store.mail_batch():
            outbox.commit()
        events = _events(n)
        store.events.upsert_many(events, at=NOW)
    with Store.open(data) as store:  # reopened: the figures are those of a bot that has been running
        cases = {
            "subscribers.json": lambda k: store.subscribers.save([dataclasses.replace(subscribers[k], bounces=k + 1)]),
            "reminders.json": lambda k: store.reminders.save([dataclasses.replace(reminders[k], status="sent")]),
            "outbox.json": lambda k: _outbox_change(store, k),
            "events.json": lambda k: store.events.upsert_many(
                [dataclasses.replace(events[k], title=f"変更 {k}")], at=NOW
            ),
        }
        for name, write in cases.items():
            waits, durable = [], []
            for k in range(writes):
                started = time.perf_counter()
                write(k * 7 % n)
                waits.append(time.perf_counter() - started)
                store.sync()
                durable.append(time.perf_counter() - started)
            results[name] = (_median_ms(waits), _median_ms(durable))
    return results


def _outbox_change(store: Store, k: int) -> None:
    outbox = store.outbox
    delivery = outbox.get(f"d{k}")
    if delivery is not None:
        outbox.update(delivery, attempts=delivery.attempts + 1)
    with store.mail_batch():
        outbox.commit()


def whole_file(tmp: Path, n: int, writes: int) -> dict[str, float]:
    """The old way, for the same records: the table truncated and inserted whole, the file replaced (fsynced)."""
    docs = {
        "subscribers.json": [s.to_doc() for s in _subscribers(n)],
        "reminders.json": [r.to_doc() for r in _reminders(n)],
        "outbox.json": [d.to_doc() for d in _deliveries(n)],
    }
    results = {}
    for name, table_docs in docs.items():
        with TinyDB(tmp / f"old-{n}-{name}", storage=AtomicJSONStorage) as db:
            table = db.table("t")
            table.insert_multiple(table_docs)
            samples = []
            for k in range(writes):
                table_docs[k * 7 % n] = {**table_docs[k * 7 % n], "changed": k}
                started = time.perf_counter()
                with db.storage.batch():  # type: ignore[attr-defined]
                    table.truncate()
                    table.insert_multiple(table_docs)
                samples.append(time.perf_counter() - started)
            results[name] = _median_ms(samples)
    return results


def partitioned(tmp: Path, writes: int, chunk: int = 100) -> float:
    """The other option measured: records split into files of `chunk` (as the archive's months are), a change
    rewriting its chunk's file whole (fsynced). Constant in N, so measured once: ms per write."""
    docs = [s.to_doc() for s in _subscribers(chunk)]
    with TinyDB(tmp / "chunk.json", storage=AtomicJSONStorage) as db:
        table = db.table("t")
        ids = table.insert_multiple(docs)
        samples = []
        for k in range(writes):
            started = time.perf_counter()
            table.update({"bounces": k}, doc_ids=[ids[k % chunk]])
            samples.append(time.perf_counter() - started)
    return _median_ms(samples)


async def _compaction_stall(store: Store) -> tuple[float, float]:
    """A background compaction of every journalled file, as bot.compactor runs it: (seconds it took, the
    event loop's longest stall meanwhile, in ms, by bot.loop_watch)."""
    watch, stop = LoopWatch(interval=0.005), asyncio.Event()
    watching = asyncio.create_task(watch.run(stop))
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    await store.compact(force=True)
    took = time.perf_counter() - started
    stop.set()
    await watching
    return took, watch.longest * 1000


def compaction(tmp: Path, n: int) -> tuple[float, float, int]:
    """(seconds, longest stall in ms, snapshot bytes) of folding a journal of N subscribers' writes."""
    with Store.open(tmp / f"c{n}") as store:
        store.compact_in_background()
        store.subscribers.save(_subscribers(n))
        took, stall = asyncio.run(_compaction_stall(store))
        size = (tmp / f"c{n}" / "subscribers.json").stat().st_size
    return took, stall, size


def measure(sizes: list[int], writes: int) -> dict[int, tuple[dict[str, tuple[float, float]], dict[str, float]]]:
    with tempfile.TemporaryDirectory(prefix="rmo-writes-") as name:
        tmp = Path(name)
        return {n: (journalled(tmp, n, writes), whole_file(tmp, n, writes)) for n in sizes}


def row(figures: dict[int, tuple[dict[str, tuple[float, float]], dict[str, float]]]) -> tuple[str, str, str]:
    """Issue 15's row: each file's caller wait per N, with the whole-file baseline and the 50k/1k ratio."""
    sizes = sorted(figures)
    parts = []
    for name in ("subscribers.json", "reminders.json", "outbox.json", "events.json"):
        waits = [figures[n][0][name][0] for n in sizes]
        text = f"{name} " + " / ".join(f"{w:.2f}" for w in waits) + " ms"
        text += f" (on disk {figures[sizes[-1]][0][name][1]:.2f} ms at {sizes[-1]:,}"
        if name in figures[sizes[0]][1]:
            text += "; whole-file " + " / ".join(f"{figures[n][1][name]:.1f}" for n in sizes) + " ms"
        parts.append(text + f"; {waits[-1] / waits[0]:.1f}× from {sizes[0]:,} to {sizes[-1]:,})")
    what = "one write to a file of N records, N = " + " / ".join(f"{n:,}" for n in sizes)
    return (what, "; ".join(parts), "O(change): largest within 2× of smallest")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--writes", type=int, default=15)
    args = parser.parse_args()
    figures = measure([int(s) for s in args.sizes.split(",")], args.writes)
    for n, (new, old) in figures.items():
        for name, (wait, durable) in new.items():
            baseline = f", whole-file rewrite {old[name]:.1f} ms" if name in old else ""
            print(f"  {n:>6,} records, {name:<17} {wait:7.2f} ms (on disk after {durable:.2f} ms){baseline}")
    with tempfile.TemporaryDirectory(prefix="rmo-compact-") as name:
        chunked = partitioned(Path(name), args.writes)
        took, stall, size = compaction(Path(name), max(figures))
    print(f"  the other option, files of 100 records each rewritten whole: {chunked:.2f} ms per write, whatever N "
          "(and a listing or a read of every chunk for anything by key)")  # fmt: skip
    print(f"  background compaction of {max(figures):,} subscribers ({size / 1e6:.1f} MB): {took:.2f} s, "
          f"the event loop's longest stall meanwhile {stall:.1f} ms (target < 50 ms)")  # fmt: skip
    what, measured, target = row(figures)
    print(f"\n| what | measured | target |\n|---|---|---|\n| {what} | {measured} | {target} |")


if __name__ == "__main__":
    main()
