"""The events' index saved beside events.json: used only while in step with the file, rebuilt otherwise."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta

from storage.datafile import DataSet
from storage.event_index import index_path
from storage.records import Event, Venue
from storage.store import Store
from tests.conftest import JST
from tests.crash_writer import EVENTS
from tests.helpers import ROOT

START = datetime(2027, 1, 1, 10, tzinfo=JST)


def _events(title: str, count: int = 30) -> list[Event]:
    return [
        Event(f"e{i}", "block_meeting", f"{title} {i}", START + timedelta(days=i), block=("kinki", "kanto")[i % 2],
              venue=Venue(description=f"会場 {i}"), status="cancelled" if i % 7 == 3 else "scheduled")
        for i in range(count)
    ]  # fmt: skip


def _changed_events() -> list[Event]:
    """Round two: new titles, e0 cancelled and e2 moved a year on, so a stale index would list them wrong."""
    changed = _events("v2")
    changed[0] = dataclasses.replace(changed[0], status="cancelled")
    changed[2] = dataclasses.replace(changed[2], starts_at=START + timedelta(days=400))
    return changed


def _answers(store: Store) -> tuple[object, ...]:
    events = store.events
    return (
        [e.title for e in events.upcoming(after=START, blocks={"kinki"}, limit=5)],
        [e.title for e in events.past(before=START + timedelta(days=20), blocks={"kanto"}, limit=3)],
        [e.title for e in events.cancelled(after=START, limit=3)],
        events.count(),
        (events.get("e4") or Event("none", "training", "none", START)).title,
    )


def _write(path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def test_saved_index_answers_as_the_file_does(tmp_path):
    """A store reopened reads its events through the saved index and answers exactly as from the file."""
    with Store.open(tmp_path) as store:
        store.events.upsert_many(_events("v1"), at=START)
        from_file = _answers(store)
    assert index_path(tmp_path / "events.json").exists()
    with Store.open(tmp_path) as store:
        assert _answers(store) == from_file
        assert not store._storage("events").loaded  # the point: the file was not decoded


def test_a_loaded_index_maps_every_event_only_when_a_lookup_needs_it(tmp_path):
    """A question about one block looks its events up by where its lists put them, without mapping all 30 (what
    costs `rmo-bot ask` 20 ms at 100,000 events); an event outside those lists is found all the same, and a
    write after that sees every event where it is."""
    with Store.open(tmp_path) as store:
        store.events.upsert_many(_events("v1"), at=START)
    with Store.open(tmp_path) as store:
        events = store.events
        assert [e.id for e in events.upcoming(after=START, blocks={"kinki"}, limit=2)] == ["e0", "e2"]
        index = events._ensure_index()
        mapped_for_one_block = index._position is not None
        assert (events.get("e5") or Event("none", "training", "none", START)).title == "v1 5"  # a kanto event
        mapped_after_another = index._position is not None
        events.upsert_many([dataclasses.replace(_events("v1")[4], title="v2 4"), _events("new", 31)[30]], at=START)
        assert [(e.id, e.title) for e in (events.get("e4"), events.get("e30")) if e] == [
            ("e4", "v2 4"),
            ("e30", "new 30"),
        ]
        assert events.count() == 31
    assert (mapped_for_one_block, mapped_after_another) == (False, True)


def test_an_import_leaves_the_saved_index_in_step(tmp_path):
    """After an import (one batch over several files), the next command reads the index, not the whole file."""
    with Store.open(tmp_path) as store:
        store.apply(DataSet(events=tuple(_events("v1"))), now=START)
    with Store.open(tmp_path) as store:
        answered = _answers(store)
        assert not store._storage("events").loaded  # the point: the file was not decoded
    index_path(tmp_path / "events.json").unlink()
    with Store.open(tmp_path, writable=False) as store:  # read whole from the file: no index to read
        assert answered == _answers(store)


def test_index_is_rebuilt_after_the_events_file_changes_behind_its_back(tmp_path):
    """An events file rewritten by hand after the index was saved is answered from, never the stale index."""
    with Store.open(tmp_path) as store:
        store.events.upsert_many(_events("v1"), at=START)
    events_file = tmp_path / "events.json"
    stat = events_file.stat()
    docs = {str(n + 1): e.to_doc() for n, e in enumerate(_changed_events())}
    _write(events_file, {"events": docs, "changes": {}})
    os.utime(events_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old mtime back
    with Store.open(tmp_path) as store:
        answered = _answers(store)
    index_path(events_file).unlink()
    with Store.open(tmp_path, writable=False) as store:  # read whole from the file: no index to read
        assert answered == _answers(store)
    assert answered[0] == ["v2 4", "v2 6", "v2 8", "v2 12", "v2 14"]


def test_index_left_stale_or_torn_by_a_crash_is_never_used(tmp_path):
    """After a crash between the events file and its index, or in the index's own write, answers are the new."""
    with Store.open(tmp_path) as store:
        store.events.upsert_many(_events("v1"), at=START)
    saved = index_path(tmp_path / "events.json")
    old_index = saved.read_bytes()
    with Store.open(tmp_path) as store:
        store.events.upsert_many(_changed_events(), at=START)
        expected = _answers(store)
    assert expected[0] == ["v2 4", "v2 6", "v2 8", "v2 12", "v2 14"]
    saved.write_bytes(old_index)  # killed after the events file was replaced, before the index was
    with Store.open(tmp_path) as store:
        assert _answers(store) == expected
    saved.write_bytes(saved.read_bytes()[: len(old_index) // 2])  # an index torn by a disk fault
    with Store.open(tmp_path) as store:
        assert _answers(store) == expected
    saved.unlink()
    with Store.open(tmp_path, writable=False) as store:  # a reader beside a running bot: no index at all
        assert _answers(store) == expected


def test_sigkill_mid_write_leaves_the_index_reading_one_whole_round(tmp_path):
    """20 times: kill the writer mid-flight; reads through the index give the last or next round, as the file."""
    data_dir = tmp_path / "data"
    rng = random.Random(15)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(20):
        with subprocess.Popen(
            [sys.executable, "-m", "tests.crash_writer", str(data_dir)],
            stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        ) as child:  # fmt: skip
            assert child.stdout is not None
            start_line = child.stdout.readline().split()
            time.sleep(rng.uniform(0, 0.15))
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            done = [int(line.split()[1]) for line in child.stdout.read().splitlines() if line.startswith("done")]
        last_done = done[-1] if done else int(start_line[1])
        with Store.open(data_dir) as store:
            if not store.events.count():
                continue  # killed before the very first write finished
            indexed = {e.title for e in store.events.upcoming(after=START - timedelta(days=1), limit=10)}
            indexed.add((store.events.get(f"e{EVENTS - 1}") or Event("none", "training", "none", START)).title)
        with Store.open(data_dir) as store:
            whole = {e.title for e in store.events.all()}
        assert indexed == whole, (indexed, whole)
        assert whole <= {f"v{last_done}", f"v{last_done + 1}"}, (whole, last_done)


def test_many_events_read_one_by_one_switch_to_the_whole_file(tmp_path):
    """Reading more events one by one than is cheap from their byte ranges decodes the file, with the same events."""
    with Store.open(tmp_path) as store:
        store.events.upsert_many(_events("v1", count=100), at=START)
        expected = store.events.all()
    with Store.open(tmp_path) as store:
        assert [store.events.get(f"e{i}") for i in range(100)] == expected
        assert store._storage("events").loaded  # the file was decoded once, past the first events
