"""The store: private files, one writer, atomic writes, a schema version, and idempotent imports."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from bot.testing import ChatHarness
from storage.errors import DataFileError, SchemaError, StoreError, StoreLockedError
from storage.export import dump_dataset
from storage.records import Event, EventChange, UnansweredQuestion, Venue
from storage.store import SCHEMA_VERSION, Store
from tests.conftest import CALENDAR, JST, NOW
from tests.helpers import ROOT, rmo_bot, stored_bytes


def _core(path):
    return Core.open(load_config(None, environ={}), path, FrozenClock(NOW))


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_directory_and_files_are_private(tmp_path):
    """The data directory is created 0700 and every file in it is 0600, even one made looser by hand."""
    data = tmp_path / "data"
    with _core(data):
        pass
    (data / "network.json").chmod(0o644)
    data.chmod(0o755)
    with _core(data) as core:
        core.store.unanswered.record(UnansweredQuestion("?", "ja", NOW, "test"))
    assert _mode(data) == 0o700
    files = [p for p in data.rglob("*") if p.is_file()]
    assert files
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert all(_mode(p) == 0o700 for p in data.rglob("*") if p.is_dir())


def test_second_writer_is_refused_with_the_reason(tmp_path):
    """A second store on the same directory is refused, naming the directory and the holder's pid."""
    with Store.open(tmp_path / "d"), pytest.raises(StoreLockedError) as refused:
        Store.open(tmp_path / "d")
    message = str(refused.value)
    assert "in use by another rmo-bot process" in message
    assert f"pid {os.getpid()}" in message
    assert str(tmp_path / "d") in message
    # Once the first closes, the directory is free again.
    Store.open(tmp_path / "d").close()


def test_second_instance_of_the_command_is_refused(tmp_path):
    """While `rmo-bot run` holds a data directory, `rmo-bot import` on it exits 1 and says why."""
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env = {k: v for k, v in env.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    config = tmp_path / "config.toml"  # free ports: another test (or program) may hold the default ones
    config.write_text('[mail.intake]\nlisten = "127.0.0.1:0"\n[http]\nlisten = "127.0.0.1:0"\n', encoding="utf-8")
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(config), "--data-dir", str(data)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    ) as first:  # fmt: skip
        try:
            assert first.stderr is not None
            seen = []
            for line in first.stderr:
                seen.append(line)
                if "rmo-bot running" in line:
                    break
            assert first.poll() is None, "".join(seen)
            second = rmo_bot("import", CALENDAR, "--data-dir", data)
            assert second.returncode == 1
            assert "in use by another rmo-bot process" in second.stderr
            assert f"pid {first.pid}" in second.stderr
            assert "Traceback" not in second.stderr
        finally:
            first.terminate()
            first.communicate(timeout=30)
    assert first.returncode == 0


def test_newer_schema_is_refused(tmp_path):
    """A directory written by a newer rmo-bot is refused rather than misread."""
    data = tmp_path / "d"
    Store.open(data).close()
    meta = json.loads((data / "meta.json").read_text())
    assert next(iter(meta["meta"].values()))["schema"] == SCHEMA_VERSION
    meta["meta"] = {"1": {"schema": SCHEMA_VERSION + 1}}
    (data / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(SchemaError, match="upgrade rmo-bot"):
        Store.open(data)


def test_stale_temporary_files_are_removed(tmp_path):
    """A temporary left by a writer killed mid-write is cleaned up and never read."""
    data = tmp_path / "d"
    with _core(data):
        pass
    stale = data / ".events.json.999.tmp"
    stale.write_text("{broken")
    with _core(data) as core:
        assert core.store.events.count() == 0
    assert not stale.exists()


def test_import_is_idempotent_and_export_round_trips(tmp_path):
    """Importing the same file twice changes nothing the second time; an export re-imports to no change."""
    with _core(tmp_path / "d") as core:
        first = core.store.apply(core.load_data_file(CALENDAR), now=core.clock.now())
        before = stored_bytes(tmp_path / "d" / "events.json")
        second = core.store.apply(core.load_data_file(CALENDAR), now=core.clock.now())
        assert first == {"events": 16}
        assert second == {"events": 0}
        assert stored_bytes(tmp_path / "d" / "events.json") == before
        exported = tmp_path / "export.toml"
        exported.write_text(dump_dataset(core.store.export()), encoding="utf-8")
        again = core.store.apply(core.load_data_file(exported), now=core.clock.now())
        assert set(again.values()) == {0}
        assert len(core.store.knowledge.blocks()) == 10


def test_reimport_updates_moves_and_cancels(tmp_path):
    """Re-importing with a moved date and a cancellation changes what is upcoming, and only that."""
    changed = tmp_path / "changed.toml"
    text = CALENDAR.read_text(encoding="utf-8")
    text = text.replace("starts_at = 2027-01-20T13:30:00+09:00", "starts_at = 2027-01-27T13:30:00+09:00")
    text = text.replace("ends_at = 2027-01-20T16:30:00+09:00", "ends_at = 2027-01-27T16:30:00+09:00")
    text = text.replace(
        'title = "東海ブロック会議（第2回）"', 'title = "東海ブロック会議（第2回）"\nstatus = "cancelled"'
    ).replace(
        'venue = { description = "裾野市生涯学習センター", address = "静岡県裾野市石脇504-1" }\nstatus = "scheduled"',
        'venue = { description = "裾野市生涯学習センター", address = "静岡県裾野市石脇504-1" }',
    )
    changed.write_text(text, encoding="utf-8")
    with _core(tmp_path / "d") as core:
        core.store.apply(core.load_data_file(CALENDAR), now=core.clock.now())
        assert core.store.apply(core.load_data_file(changed), now=core.clock.now()) == {"events": 2}
        events = core.store.events
        kinki = events.upcoming(after=NOW, blocks={"kinki"}, kind="block_meeting")
        assert [(e.id, e.starts_at.day) for e in kinki] == [("kinki-2026-2", 27)]
        assert "tokai-2026-2" not in [e.id for e in events.upcoming(after=NOW, limit=100)]
    # The change survives a restart: it was written, not just indexed.
    with _core(tmp_path / "d") as core:
        assert core.store.events.get("tokai-2026-2").status == "cancelled"


@pytest.mark.parametrize(
    ("replace", "by", "line", "field"),
    [
        ('kind = "training"\ntitle = "地域運営組織', 'kind = "seminar"\ntitle = "地域運営組織', 125, "events[13].kind"),
        ("starts_at = 2027-02-05T13:00:00+09:00", 'starts_at = "next spring"', 43, "events[4].starts_at"),
        ('block = "tohoku"', 'block = "touhoku"', 41, "events[4].block"),
        (
            'registration_url = "https://forms.example.org/kanto-2026-2"',
            'registration_url = "forms/kanto"',
            55,
            "events[5].registration_url",
        ),
        ('id = "hokuriku-2026-2"', 'id = "hokuriku-2026-2"\nstarts = 2026-12-02', 97, "events[10].starts"),
        ('id = "tokai-2026-2"', 'id = "kinki-2026-2"', 106, "events[11].id"),
    ],
)
def test_bad_data_file_names_line_and_field_and_changes_nothing(tmp_path, replace, by, line, field):
    """A bad data file is rejected with its line and field, and the store keeps what it had."""
    bad = tmp_path / "bad.toml"
    text = CALENDAR.read_text(encoding="utf-8")
    assert replace in text
    bad.write_text(text.replace(replace, by, 1), encoding="utf-8")
    with _core(tmp_path / "d") as core:
        before = core.store.export()
        with pytest.raises(DataFileError) as rejected:
            core.store.apply(core.load_data_file(bad), now=core.clock.now())
        assert rejected.value.line == line
        assert rejected.value.field.startswith(field)
        assert f"{bad}:{line}: {field}" in str(rejected.value)
        assert core.store.export() == before


def test_bad_toml_names_the_line(tmp_path):
    """A data file that is not TOML at all is rejected with the line of the syntax error."""
    bad = tmp_path / "bad.toml"
    bad.write_text('[[events]]\nid = "x"\ntitle = "unterminated\n', encoding="utf-8")
    result = rmo_bot("import", bad, "--data-dir", tmp_path / "d")
    assert result.returncode == 1
    assert f"{bad}:3: TOML" in result.stderr


def test_failed_batch_writes_nothing(tmp_path):
    """When an import fails midway, no file is written: the previous state stays, in memory and on disk."""
    with _core(tmp_path / "d") as core:
        core.store.apply(core.load_data_file(CALENDAR), now=core.clock.now())
        before = stored_bytes(tmp_path / "d" / "events.json")
        moved = Event("new-one", "training", "臨時研修会", NOW + timedelta(days=3))

        def import_that_fails_midway() -> None:
            with core.store.batch():
                core.store.events.upsert_many([moved], at=core.clock.now())
                raise RuntimeError

        with pytest.raises(RuntimeError):
            import_that_fails_midway()
        assert stored_bytes(tmp_path / "d" / "events.json") == before
        assert core.store.events.get("new-one") is None


def test_unanswered_questions_are_partitioned_by_month(tmp_path):
    """Unanswered questions go to one file per month, and are listed newest first."""
    with _core(tmp_path / "d") as core:
        for month, text in ((10, "十月の質問"), (11, "十一月の質問"), (11, "もう一つ")):
            core.store.unanswered.record(UnansweredQuestion(text, "ja", datetime(2026, month, 3, tzinfo=JST), "test"))
        assert [q.text for q in core.store.unanswered.recent()] == ["もう一つ", "十一月の質問", "十月の質問"]
    months = {p.name.split(".")[0] for p in (tmp_path / "d" / "unanswered").iterdir()}
    assert sorted(months) == ["2026-10", "2026-11"]


def test_writes_stay_small_as_history_grows(tmp_path):
    """Recording a question rewrites no month's file, and folding it in rewrites that month's file only,
    whatever older months hold."""
    with _core(tmp_path / "d") as core:
        archive = core.store.unanswered
        for day in range(1, 29):
            archive.record(UnansweredQuestion("古い質問" * 50, "ja", datetime(2026, 1, day, tzinfo=JST), "test"))
        archive.fold()
        folder = tmp_path / "d" / "unanswered"
        january = stored_bytes(folder / "2026-01.json")
        archive.record(UnansweredQuestion("新しい質問", "ja", NOW, "test"))
        assert not stored_bytes(folder / "2026-11.json").strip(b"\x00")
        archive.fold()
        assert stored_bytes(folder / "2026-01.json") == january
        assert 0 < len(stored_bytes(folder / "2026-11.json")) < 1000


def test_read_only_store_refuses_writes(tmp_path):
    """A store opened read-only beside the writer reads everything and writes nothing."""
    data = tmp_path / "d"
    with _core(data) as writer:
        writer.store.apply(writer.load_data_file(CALENDAR), now=writer.clock.now())
        reader = Store.open(data, writable=False)
        try:
            assert reader.events.count() == 16
            with pytest.raises(StoreError, match="read-only"):
                reader.unanswered.record(UnansweredQuestion("?", "ja", NOW, "test"))
            assert not list((data / "unanswered").glob("2026-11.*"))
        finally:
            reader.close()
        # The writer still holds the lock after the reader closed.
        with pytest.raises(StoreLockedError):
            Store.open(data)


def test_export_works_while_the_bot_runs(tmp_path):
    """`rmo-bot export` reads a directory another process is writing, without taking it over."""
    data = tmp_path / "d"
    with _core(data) as core:
        core.store.apply(core.load_data_file(CALENDAR), now=core.clock.now())
        result = rmo_bot("export", "--data-dir", data)
        assert result.returncode == 0, result.stderr
        assert 'id = "kinki-2026-2"' in result.stdout
        with pytest.raises(StoreLockedError):
            Store.open(data)


FAQ_ROW = (
    '[[faq]]\nid = "x"\nintent = "help"\nkeywords = ["x"]\nquestion = "q"\nquestion_en = "q"\n'
    'answer = "{answer}"\nanswer_en = "fine"\n'
)


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ("使い方 {0} と {", "unknown placeholder {0}"),
        ("usage {network_name.__class__}", "unknown placeholder {network_name.__class__}"),
        ("連絡は {secretary_email} へ", "unknown placeholder {secretary_email}"),
    ],
)
def test_faq_answers_may_use_only_known_placeholders(tmp_path, answer, problem):
    """A FAQ answer with a misspelt or unsafe {placeholder} is refused at import, with its line."""
    bad = tmp_path / "faq.toml"
    bad.write_text(FAQ_ROW.replace("{answer}", answer), encoding="utf-8")
    with _core(tmp_path / "d") as core, pytest.raises(DataFileError) as refused:
        core.load_data_file(bad)
    assert refused.value.line == 7
    assert problem in str(refused.value)


def test_dates_outside_a_sane_range_are_refused(tmp_path):
    """A year like 9999 is a typo, refused at import rather than breaking every answer later."""
    bad = tmp_path / "far.toml"
    bad.write_text(
        '[[events]]\nid = "far"\nkind = "training"\ntitle = "t"\nstarts_at = 9999-12-31T23:59:59-12:00\n',
        encoding="utf-8",
    )
    with _core(tmp_path / "d") as core, pytest.raises(DataFileError, match="expected a year from 2000 to 2100"):
        core.load_data_file(bad)


def test_same_named_municipalities_are_different_members(tmp_path):
    """府中市 in Tokyo and 府中市 in Hiroshima are two members, both kept."""
    members = tmp_path / "members.toml"
    members.write_text(
        '[[members]]\nname = "府中市"\nprefecture = "東京都"\n\n[[members]]\nname = "府中市"\nprefecture = "広島県"\n',
        encoding="utf-8",
    )
    with _core(tmp_path / "d") as core:
        assert core.store.apply(core.load_data_file(members), now=core.clock.now()) == {"members": 2}
        assert core.store.apply(core.load_data_file(members), now=core.clock.now()) == {"members": 0}
        fuchu = [m.prefecture for m in core.store.knowledge.members() if m.name == "府中市"]
        assert sorted(fuchu) == ["広島県", "東京都"]


def test_export_import_is_a_no_op_for_empty_and_crlf_values(tmp_path):
    """Empty optional text, an empty venue and CRLF line ends survive export and re-import unchanged."""
    odd = tmp_path / "odd.toml"
    odd.write_bytes(
        b'[[events]]\nid = "odd"\nkind = "training"\ntitle = "t"\ntitle_en = ""\nvenue = {}\n'
        b'starts_at = 2027-03-01T10:00:00+09:00\n\n[[events]]\nid = "odd2"\nkind = "training"\n'
        b'title = "line one\\r\\nline two"\nvenue = ""\nstarts_at = 2027-03-02T10:00:00+09:00\n'
    )
    with _core(tmp_path / "d") as core:
        core.store.apply(core.load_data_file(odd), now=core.clock.now())
        exported = tmp_path / "exported.toml"
        exported.write_text(dump_dataset(core.store.export()), encoding="utf-8")
        assert set(core.store.apply(core.load_data_file(exported), now=core.clock.now()).values()) == {0}
        assert core.store.events.get("odd").venue is None
        assert core.store.events.get("odd2").title == "line one\nline two"


def test_an_import_logs_its_changes_at_the_clocks_time(tmp_path):
    """Re-importing the calendar with a meeting moved, under a frozen clock, logs the move at the clock's
    instant, not the wall clock's."""
    moved = tmp_path / "moved.toml"
    calendar = CALENDAR.read_text(encoding="utf-8")
    assert "starts_at = 2027-01-20T13:30:00+09:00" in calendar
    moved.write_text(calendar.replace("starts_at = 2027-01-20T13:30:00+09:00", "starts_at = 2027-01-20T10:00:00+09:00"))
    with ChatHarness.open(tmp_path / "d", now=NOW, data_files=(CALENDAR, moved)) as chat:
        changes = chat.core.store.events.changes_since(NOW - timedelta(days=365))
    assert [(c.kind, c.changed_at) for c in changes] == [("moved", NOW)]


def test_only_changes_a_member_cares_about_enter_the_change_log(tmp_path):
    """Moved (start, or a known end), re-sited (the venue's name) and cancelled meetings are logged; a new
    online link, a fuller address, an end time only added or a new title are not."""
    at = datetime(2026, 11, 25, 12, 0, tzinfo=JST)
    base = Event(
        id="e1", kind="block_meeting", title="近畿ブロック会議", block="kinki",
        starts_at=datetime(2027, 1, 20, 13, 30, tzinfo=JST), venue=Venue(description="大会議室"),
    )  # fmt: skip
    quiet = [
        dataclasses.replace(base, venue=Venue(description="大会議室", online_url="https://zoom.example/j/1")),
        dataclasses.replace(base, venue=Venue(description="大会議室", address="滋賀県東近江市八日市緑町10-5")),
        dataclasses.replace(base, ends_at=datetime(2027, 1, 20, 16, 30, tzinfo=JST)),
        dataclasses.replace(base, title="近畿ブロック会議（第2回）"),
    ]
    assert [EventChange.between(base, after, at) for after in quiet] == [None] * 4
    moved = dataclasses.replace(base, starts_at=datetime(2027, 1, 27, 13, 30, tzinfo=JST))
    resited = dataclasses.replace(base, venue=Venue(description="本館3階 大ホール"))
    cancelled = dataclasses.replace(base, status="cancelled")
    online_only = dataclasses.replace(base, venue=None)
    kinds = [EventChange.between(base, e, at).kind for e in (moved, resited, cancelled, online_only)]
    assert kinds == ["moved", "venue", "cancelled", "venue"]
    sited = dataclasses.replace(base, venue=Venue(description="市民会館", address="北海道札幌市中央区"))
    elsewhere = dataclasses.replace(base, venue=Venue(description="市民会館", address="北海道旭川市"))
    assert EventChange.between(sited, elsewhere, at).kind == "venue"  # same name, another town
    with Store.open(tmp_path / "d") as store:
        store.events.upsert_many([base], at=at)
        store.events.upsert_many([quiet[0]], at=at + timedelta(hours=1))
        store.events.upsert_many([moved], at=at + timedelta(hours=2))
        assert [(c.kind, c.changed_at) for c in store.events.changes_since(at)] == [("moved", at + timedelta(hours=2))]
    with Store.open(tmp_path / "d") as store:  # kept on disk with the events
        (change,) = store.events.changes_since(at)
        assert change.before.venue.online_url == "https://zoom.example/j/1"
