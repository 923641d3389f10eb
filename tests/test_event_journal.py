"""The events' index beside a journalled events file: a reader replays the journal over it, the writer updates it in place."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from storage.event_index import index_path
from storage.records import Event
from storage.store import Store
from tests.test_event_index import START, _answers, _changed_events, _events


def _full_answers(data) -> tuple[object, ...]:
    """The answers from the whole file, with no index to read (the index is put back after)."""
    saved = index_path(data / "events.json")
    kept = saved.read_bytes() if saved.exists() else None
    saved.unlink(missing_ok=True)
    try:
        with Store.open(data, writable=False) as store:
            return _answers(store)
    finally:
        if kept is not None:
            saved.write_bytes(kept)


def test_a_reader_beside_the_bot_replays_its_journal_over_the_saved_index(tmp_path):
    """Changes the running bot made since the last snapshot are in a reader's answers, and the reader decodes no event file."""
    with Store.open(tmp_path) as store:
        store.events.upsert_many(_events("v1"), at=START)
    with Store.open(tmp_path) as bot:  # the running bot: its writes go to the journal
        bot.events.upsert_many(_changed_events(), at=START)
        bot.events.upsert_many([Event("new", "block_meeting", "新しい会議", START + timedelta(hours=1), block="kinki")],
                               at=START)  # fmt: skip
        expected = _answers(bot)
        with Store.open(tmp_path, writable=False) as reader:
            assert _answers(reader) == expected
            assert not reader._storage("events").loaded  # the point: read through the index and the journal
        assert expected[0][0] == "新しい会議"
        assert expected[0][1:] == ["v2 4", "v2 6", "v2 8", "v2 12"]
    assert _full_answers(tmp_path) == expected


def test_the_writers_index_updated_in_place_answers_as_one_built_afresh(tmp_path):
    """After many single-event writes (moves, cancellations, new events), the writer answers as a store read whole from the file."""
    with Store.open(tmp_path) as store:
        store.events.upsert_many(_events("v1"), at=START)
    with Store.open(tmp_path) as bot:
        events = _events("v1")
        for n, original in enumerate(events):
            changed = dataclasses.replace(original, title=f"w {n}")
            if n % 3 == 0:
                changed = dataclasses.replace(changed, starts_at=original.starts_at + timedelta(days=45 - n))
            if n % 4 == 1:
                changed = dataclasses.replace(
                    changed, status="cancelled" if original.status == "scheduled" else "scheduled"
                )
            bot.events.upsert_many([changed], at=START)
        expected = _answers(bot)
        assert _full_answers(tmp_path) == expected
    assert _full_answers(tmp_path) == expected


def test_a_background_compaction_saves_the_index_beside_the_new_snapshot(tmp_path):
    """Once the bot folds the journal, the index saved beside the new snapshot answers a reader without decoding the file, including a change made mid-compaction."""
    with Store.open(tmp_path) as store:
        store.events.upsert_many(_events("v1", count=3000), at=START)
    with Store.open(tmp_path) as bot:
        bot.compact_in_background()
        bot.events.upsert_many(_changed_events(), at=START)
        storage = bot._storage("events")
        steps = storage.compact_slices(force=True)
        assert steps is not None
        next(steps)
        moved = dataclasses.replace(_events("v1")[5], title="途中で変更", starts_at=START - timedelta(hours=1))
        bot.events.upsert_many([moved], at=START)
        for _ in steps:
            pass
        storage.end_compaction(storage.write_compaction())
        expected = _answers(bot)
        with Store.open(tmp_path, writable=False) as reader:
            assert _answers(reader) == expected
            assert reader.events.get("e5").title == "途中で変更"
            assert not reader._storage("events").loaded
        asyncio.run(bot.compact(force=True))  # and the async path, as bot.compactor runs it
        with Store.open(tmp_path, writable=False) as reader:
            assert _answers(reader) == expected
            assert not reader._storage("events").loaded
    assert _full_answers(tmp_path) == expected


def test_many_events_are_read_from_their_byte_ranges_without_decoding_the_file(tmp_path):
    """`get_many` (the reminders' catch-up, a hundred at a time) gives every event as `get` does, the changed ones from the journal, and decodes nothing whole."""
    with Store.open(tmp_path) as store:
        store.events.upsert_many(_events("v1", count=300), at=START)
    with Store.open(tmp_path) as bot:
        bot.events.upsert_many(_changed_events(), at=START)
        with Store.open(tmp_path, writable=False) as reader:
            ids = [f"e{n}" for n in range(300)] + ["missing"]
            read = [(e.id, e.title, e.status, e.starts_at) for e in reader.events.get_many(ids)]
            assert not reader._storage("events").loaded
        expected = [(e.id, e.title, e.status, e.starts_at) for e in bot.events.get_many(ids)]
    assert read == expected
    assert len(read) == 300
    assert read[2][1] == "v2 2"


def test_events_read_ahead_in_a_thread_answer_as_events_read_on_first_use(tmp_path):
    """The start-up's read-ahead (file decoded and index built in a worker thread) answers as the lazily read store,
    decodes nothing more when taken, and is refused once an event was written meanwhile, which then stands."""
    with Store.open(tmp_path) as store:
        store.events.upsert_many(_events("v1"), at=START)
    with Store.open(tmp_path) as lazy:
        expected = _answers(lazy)
    with Store.open(tmp_path) as bot:
        ahead = asyncio.run(asyncio.to_thread(bot.events.read_ahead))
        storage = bot._storage("events")
        assert not storage.loaded
        assert bot.events.take_ahead(ahead)
        writes = storage.writes
        assert _answers(bot) == expected
        assert storage.writes == writes
    with Store.open(tmp_path) as bot:
        ahead = bot.events.read_ahead()
        bot.events.upsert_many([Event("new", "block_meeting", "割り込み", START + timedelta(hours=1), block="kinki")],
                               at=START)  # fmt: skip
        assert not bot.events.take_ahead(ahead)
        answers, title = _answers(bot), bot.events.get("new").title
        assert answers == _full_answers(tmp_path)
    assert answers != expected
    assert title == "割り込み"
