"""The journalled storage: a write appends what changed, a reopen replays it, compaction folds it, whatever runs between."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from storage import journal_files
from storage.archive import CHUNK, MonthlyArchive
from storage.errors import StoreError
from storage.journal_files import decode_snapshot, list_segments
from storage.journalled import JournalledStorage
from storage.journalled_table import JournalledTinyDB
from storage.keyed import Keyed


def _db(path, **kwargs):
    return JournalledTinyDB(path, storage=JournalledStorage, durable=False, **kwargs)


def _state(path):
    with _db(path, writable=False) as db:
        return {name: {d.doc_id: dict(d) for d in db.table(name).all()} for name in db.tables()}


def _journal_bytes(path):
    return sum(p.stat().st_size for _, p in list_segments(path))


def test_one_change_to_a_big_table_appends_only_that_document(tmp_path):
    """With 5,000 documents stored, changing one appends a line about that document's size and leaves the snapshot alone."""
    path = tmp_path / "t.json"
    with _db(path) as db:
        db.table("t").insert_multiple({"n": i, "text": "会議" * 20} for i in range(5000))
        db.storage.compact()
        snapshot = path.read_bytes()
        before = _journal_bytes(path)
        db.table("t").update({"text": "変更"}, doc_ids=[1234])
        grew = _journal_bytes(path) - before
        assert path.read_bytes() == snapshot
        assert 0 < grew < 200, grew
    assert _state(path)["t"][1234] == {"n": 1233, "text": "変更"}


def test_every_kind_of_change_survives_a_reopen(tmp_path):
    """Inserts, updates in place, updates and removals by condition, truncates and upserts read back exactly."""
    path = tmp_path / "t.json"
    with _db(path) as db:
        a, b = db.table("a"), db.table("b")
        a.insert_multiple({"k": i, "v": 0} for i in range(10))
        a.update({"v": 1}, lambda d: d["k"] % 2 == 0)
        a.update(lambda d: d.update(v=d["v"] + 10), doc_ids=[3])
        a.remove(lambda d: d["k"] > 7)
        b.insert({"x": "消える"})
        b.truncate()
        b.insert({"x": "残る"})
        expected = {"a": {d.doc_id: dict(d) for d in a.all()}, "b": {d.doc_id: dict(d) for d in b.all()}}
    assert _state(path) == expected
    assert expected["a"][3] == {"k": 2, "v": 11}
    assert 9 not in expected["a"]


def test_a_batch_is_one_commit_and_a_failed_batch_none(tmp_path):
    """A batch of many changes is one journal line; a batch that raises leaves memory and disk as before it."""
    path = tmp_path / "t.json"
    with _db(path) as db:
        storage = db.storage
        with storage.batch():
            for i in range(50):
                db.table("t").insert({"i": i})
        assert storage.writes == 1

        def failing_batch():
            with storage.batch():
                db.table("t").insert({"i": "never"})
                raise RuntimeError

        with pytest.raises(RuntimeError):
            failing_batch()
        assert storage.writes == 1
        assert len(db.table("t")) == 50
    assert len(_state(path)["t"]) == 50


def test_a_torn_last_line_is_dropped_and_the_next_commit_starts_a_fresh_line(tmp_path):
    """A line cut off by a crash is not replayed; the next writer cuts it off and appends after the last whole line."""
    path = tmp_path / "t.json"
    with _db(path) as db:
        db.table("t").insert({"i": 1})
    (_, segment), *_ = list_segments(path)
    with segment.open("ab") as f:
        f.write(b'[["t",false,{"2":{"i":')
    with _db(path) as db:
        assert [d["i"] for d in db.table("t").all()] == [1]
        db.table("t").insert({"i": 3})
    assert [d["i"] for d in _state(path)["t"].values()] == [1, 3]
    for line in segment.read_bytes().splitlines():
        json.loads(line)


def test_a_journal_outgrowing_its_snapshot_is_folded_into_it(tmp_path):
    """Enough changes rewrite the snapshot once and drop the segments it holds, without changing the state."""
    path = tmp_path / "t.json"
    with _db(path) as db:
        table = db.table("t")
        ids = table.insert_multiple({"i": i, "pad": "x" * 100} for i in range(200))
        for round_ in range(30):
            for doc_id in ids:
                table.update({"round": round_}, doc_ids=[doc_id])
        expected = {d.doc_id: dict(d) for d in table.all()}
        assert _journal_bytes(path) < 2 * max(path.stat().st_size, 256 * 1024)
    assert json.loads(path.read_bytes())["t"]
    assert _state(path)["t"] == expected


def test_changes_made_between_the_slices_of_a_compaction_are_kept(tmp_path):
    """Documents changed, removed, added and a table emptied while a compaction is encoding all read back as changed."""
    path = tmp_path / "t.json"
    with _db(path) as db:
        storage, table, other = db.storage, db.table("t"), db.table("o")
        storage.background = True  # as in a running bot: compactions are left to `compact_slices`
        table.insert_multiple({"i": i, "pad": "y" * 200} for i in range(3000))
        other.insert({"gone": True})
        steps = storage.compact_slices()
        assert steps is not None
        changes = iter([
            lambda: table.update({"i": -1}, doc_ids=[1]),
            lambda: table.remove(doc_ids=[2999]),
            lambda: table.insert({"i": "新しい"}),
            other.truncate,
            lambda: table.update({"i": -2}, doc_ids=[2000]),
        ])  # fmt: skip
        for _ in steps:
            next(changes, lambda: None)()
        written = storage.write_compaction()
        storage.end_compaction(written)
        assert not list_segments(path)[:1] or list_segments(path)[0][0] > 1
        table.update({"i": -3}, doc_ids=[5])
        expected = {"t": {d.doc_id: dict(d) for d in table.all()}, "o": {}}
        # A reader in another process, now and after the writer closed, sees the same state.
        assert _state(path) == expected
    assert _state(path) == expected
    assert expected["t"][1]["i"] == -1
    assert 2999 not in expected["t"]
    assert expected["t"][2000]["i"] == -2


def test_a_compaction_abandoned_by_a_failed_commit_writes_nothing(tmp_path):
    """When a commit fails while a compaction is encoding, the encoded state (which held the failed change) is dropped."""
    path = tmp_path / "t.json"
    with _db(path) as db:
        storage, table = db.storage, db.table("t")
        storage.background = True
        table.insert_multiple({"i": i, "pad": "z" * 200} for i in range(2000))
        snapshot = path.read_bytes() if path.exists() else b""
        steps = storage.compact_slices()
        assert steps is not None
        next(steps)
        with pytest.raises(ValueError, match="already exists"):
            table.insert_multiple([table.get(doc_id=1)])  # TinyDB refuses it after touching the table
        list(steps)
        assert storage.write_compaction() == (-1, 0)
        storage.end_compaction(None)
        assert (path.read_bytes() if path.exists() else b"") == snapshot
        assert len(table) == 2000


def test_a_read_only_view_writes_nothing(tmp_path):
    """A reader's change is refused with the reason, and it leaves no segment behind."""
    path = tmp_path / "t.json"
    with _db(path) as db:
        db.table("t").insert({"i": 1})
    segments = list_segments(path)
    with _db(path, writable=False) as db, pytest.raises(StoreError, match="read-only"):
        db.table("t").insert({"i": 2})
    assert list_segments(path) == segments


def test_keyed_writes_touch_only_the_keys_given_and_renew_keeps_the_order_of_writes(tmp_path):
    """`Keyed.write` sets and deletes by key; with `renew` a rewritten key moves to the end of the table's order."""
    path = tmp_path / "t.json"
    with _db(path) as db:
        keyed = Keyed(db.table("t"), lambda d: d["k"])
        keyed.write([{"k": "a", "v": 1}, {"k": "b", "v": 1}, {"k": "c", "v": 1}])
        keyed.write([{"k": "a", "v": 2}], delete=["b"], renew=True)
    with _db(path) as db:
        reopened = Keyed(db.table("t"), lambda d: d["k"])
        assert [(d["k"], d["v"]) for d in reopened.docs] == [("c", 1), ("a", 2)]
        reopened.write([{"k": "c", "v": 3}])
        assert len(db.table("t")) == 2


def test_a_new_month_of_the_archive_exists_by_its_journal_alone_and_scans_whole(tmp_path):
    """A month first written has only a journal, yet is listed, scanned and read back, chunk by chunk."""
    when = datetime(2026, 12, 3, 10, tzinfo=ZoneInfo("Asia/Tokyo"))
    archive = MonthlyArchive(tmp_path / "a", durable=False)
    for n in range(CHUNK + 5):
        archive.append(when, {"n": n, "subject": "お知らせ"})
    assert not (tmp_path / "a" / "2026-12.json").exists()
    assert archive.partitions() == ["2026-12", "2026-12.1"]
    assert sorted(doc["n"] for _, doc in archive.scan()) == list(range(CHUNK + 5))
    archive.close()
    reopened = MonthlyArchive(tmp_path / "a", durable=False, writable=False)
    assert [len(reopened.docs_in(p)) for p in reopened.partitions()] == [CHUNK, 5]


def test_a_big_snapshot_decoded_a_document_at_a_time_equals_json_loads():
    """Compact, indented and odd snapshots over the size where documents are decoded one by one read exactly as `json.loads` reads them; a broken one still raises."""

    docs = {str(n): {"n": n, "t": '会議"\u2028\\', "x": [1.5, None, True, {"a": []}], "e": {}} for n in range(9000)}
    data = {"t": docs, "empty": {}, "o": {"1": {"k": "v"}}}
    for raw in (
        json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(),
        json.dumps(data, ensure_ascii=False, indent=2).encode(),
        json.dumps(data).encode(),  # ASCII escapes
    ):
        assert len(raw) > 512 * 1024
        assert decode_snapshot(raw) == json.loads(raw)
        with ThreadPoolExecutor(1) as worker:  # on a worker thread, a document at a time
            assert worker.submit(decode_snapshot, raw).result() == json.loads(raw)
        assert journal_files._tables(journal_files._Reader(raw)) == json.loads(raw)  # not its fallback
    broken = json.dumps(data).encode()[:-3]
    with pytest.raises(ValueError, match=r"Expecting|Unterminated"), ThreadPoolExecutor(1) as worker:
        worker.submit(decode_snapshot, broken).result()
    assert decode_snapshot(b'{"_default":{}}') == {"_default": {}}


@pytest.mark.parametrize("window", [1, 2, 3, 7, 64, 4099])
def test_a_snapshot_read_a_window_at_a_time_reads_the_same_wherever_the_windows_cut(monkeypatch, window):
    """Windows that cut a document, a key, a multi-byte character or white space in two read as `json.loads`
    reads the whole; what is not TinyDB's shape, or is cut short, or has a trailing comma, is not read as tables."""
    monkeypatch.setattr(journal_files, "_WINDOW", window)
    docs = {str(n): {"n": n, "t": f"近畿ブロック会議 {n}", "x": [1.5, None, {"a": "\u2028"}]} for n in range(40)}
    for raw in (
        json.dumps({"events": docs, "empty": {}}, ensure_ascii=False, separators=(",", ":")).encode(),
        json.dumps({"events": docs, "empty": {}}, ensure_ascii=False, indent=1).encode(),
        b' { "t" : { "1" : { "k" : "\xe4\xbc\x9a" } } , "u" : { } } ',
    ):
        assert journal_files._tables(journal_files._Reader(raw)) == json.loads(raw)
    for odd in (b'{"t":{"1":5}}', b'{"t":[]}', b'{"t":{"1":{}},}', b'{"t":{"1":{"a":1}', b'{"t":{}} x'):
        with pytest.raises((ValueError, TypeError)):
            journal_files._tables(journal_files._Reader(odd))


def test_a_state_read_ahead_in_a_thread_is_taken_whole_or_not_at_all(tmp_path):
    """`preload` in a worker thread reads what `read` would (snapshot, journal, a torn tail cut off when taken);
    once the state was loaded or written meanwhile, `adopt` refuses it and the newer state stands."""
    path = tmp_path / "t.json"
    with _db(path) as db:
        db.table("t").insert_multiple({"i": i} for i in range(300))
        db.storage.compact()
        db.table("t").update({"i": -1}, doc_ids=[7])
    (_, segment), *_ = list_segments(path)
    with segment.open("ab") as f:
        f.write(b'[["t",false,{"9":{"i":')
    with _db(path) as db:
        with ThreadPoolExecutor(1) as pool:
            ahead = pool.submit(db.storage.preload).result()
        assert not db.storage.loaded
        assert db.storage.adopt(ahead)
        assert db.table("t").get(doc_id=7) == {"i": -1}
        assert len(db.table("t")) == 300
        db.table("t").insert({"i": 300})  # appended after the last whole line: the torn tail was cut off
        assert not db.storage.adopt(ahead)  # loaded already
    with _db(path) as db:
        stale = db.storage.preload()
        db.table("t").update({"i": -2}, doc_ids=[8])  # loads and writes: the read-ahead state is out of date
        assert not db.storage.adopt(stale)
        assert db.table("t").get(doc_id=8) == {"i": -2}
    state = _state(path)["t"]
    assert (len(state), state[7], state[8], state[301]) == (301, {"i": -1}, {"i": -2}, {"i": 300})
    for line in segment.read_bytes().splitlines():
        json.loads(line)
