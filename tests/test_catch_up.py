"""The catch-up after start: the events read ahead in a worker thread, the collector's full passes held off
meanwhile, and what it loaded frozen out of them afterwards."""

from __future__ import annotations

import asyncio
import gc

from bot.catch_up import CatchUp
from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from storage.datafile import DataSet
from storage.subscribers import Subscriber
from tests.test_reminders_scale import T0, _events


async def test_the_catch_up_reads_the_events_ahead_and_freezes_what_it_loaded(tmp_path):
    """After a restart, the catch-up loads the events file and the subscribers off the loop (the first question then decodes
    nothing on the loop), plans every reminder, puts the collector's thresholds back and freezes what it loaded."""
    config = load_config(None, environ={})
    with Core.open(config, tmp_path, FrozenClock(T0)) as core:
        core.store.apply(DataSet(events=_events(2_000, T0)), now=T0)
        core.store.subscribers.save([Subscriber(f"m{n}@example.jp", confirmed=True) for n in range(300)])
    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        with Core.open(config, tmp_path, FrozenClock(T0)) as core:
            storage = core.store._storage("events")
            loaded_at_open = storage.loaded, core.store.subscribers._state is not None
            catch_up = CatchUp(core.reminders, core.store.announcements, core.clock, core.store.events,
                               ahead=(core.store.subscribers.load,))  # fmt: skip
            seen: list[tuple[int, int, int]] = []

            async def watch() -> None:  # the thresholds while the catch-up runs
                while not catch_up.done.is_set():
                    seen.append(gc.get_threshold())
                    await asyncio.sleep(0)

            watching = asyncio.create_task(watch())
            await catch_up.run(asyncio.Event())
            await watching
            # Planning alone reads the events from their byte ranges; nothing here reads the subscribers.
            loaded_by_catch_up = storage.loaded, core.store.subscribers._state is not None
            upcoming = core.store.events.upcoming(after=T0, limit=3)
            reminders = len(core.store.reminders.all())
            subscribers = len(core.store.subscribers.all())
        after = gc.get_threshold(), gc.get_freeze_count()
    finally:
        gc.unfreeze()
    assert (loaded_at_open, loaded_by_catch_up) == ((False, False), (True, True))
    assert catch_up.done.is_set()
    assert [e.title for e in upcoming] == ["会議 0", "会議 1", "会議 2"]
    assert reminders == 2_000 * len(config.reminders.days_before)
    assert max(threshold[2] for threshold in seen) > thresholds[2] * 1000  # no full pass meanwhile
    assert after[0] == thresholds
    assert after[1] > frozen
    assert subscribers == 300


async def test_events_read_before_listening_are_not_read_a_second_time(tmp_path, caplog):
    """A first start without a saved index reads the events before it listens (to say whether the calendar is empty):
    the catch-up then reads no second copy (one not taken would be let go on the loop, holding it at 100,000 events)."""
    config = load_config(None, environ={})
    with Core.open(config, tmp_path, FrozenClock(T0)) as core:
        core.store.apply(DataSet(events=_events(500, T0)), now=T0)
    (tmp_path / "events.index.json").unlink()
    try:
        with Core.open(config, tmp_path, FrozenClock(T0)) as core:
            assert core.store.events.count() == 500  # as `rmo-bot run` does before listening
            state = core.store._storage("events")._cache
            catch_up = CatchUp(core.reminders, core.store.announcements, core.clock, core.store.events)
            with caplog.at_level("INFO", logger="bot.catch_up"):
                await catch_up.run(asyncio.Event())
            kept = core.store._storage("events")._cache is state
    finally:
        gc.unfreeze()
    assert kept
    assert "500 events were read before listening" in caplog.text
    assert "not taken" not in caplog.text


def test_the_names_dictionary_is_loaded_before_the_loop_starts(tmp_path):
    """`rmo-bot run` loads SudachiPy's dictionary in its warm-up, before the event loop runs: SudachiPy holds the
    interpreter while it loads, so loading it in the catch-up's worker thread stalled the loop 35-80 ms."""
    from handlers import readings

    readings._tokenizer.cache_clear()
    with Core.open(load_config(None, environ={}), tmp_path, FrozenClock(T0)) as core:
        core.warm_up()
        loaded = readings._tokenizer.cache_info().currsize
    assert loaded == 1
    assert readings.reading("村上") == "ムラカミ"
