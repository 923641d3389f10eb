"""`rmo-bot subscribers list|show|remove` and `rmo-bot import`'s report of every mistake in a file."""

from __future__ import annotations

import json

from tests.helpers import rmo_bot


def test_subscribers_list_show_and_remove(tmp_path):
    """The secretariat lists subscribers (the JSON contract's fields), shows one in full and removes one;
    a missing address is one clear line and exit code 1."""
    data = ("--data-dir", tmp_path / "d")
    rmo_bot("subscribers", "add", "a@rmo.example.jp", "--confirmed", *data)
    rmo_bot("subscribers", "add", "B@rmo.example.jp", "--confirmed", "--lang", "en", "--frequency", "daily",
            "--blocks", "kinki", *data)  # fmt: skip
    listed = json.loads(rmo_bot("subscribers", "list", "--json", *data).stdout)
    assert listed[1] == {"email": "b@rmo.example.jp", "lang": "en", "frequency": "daily", "blocks": ["kinki"],
                         "confirmed": True, "suspended": False, "unsubscribed": False}  # fmt: skip
    shown = rmo_bot("subscribers", "show", "b@rmo.example.jp", *data).stdout
    assert shown.startswith("b@rmo.example.jp: active\n")
    assert "  blocks: kinki\n" in shown
    assert "  last_digest_at: never\n" in shown
    assert json.loads(rmo_bot("subscribers", "show", "B@rmo.example.jp", "--json", *data).stdout)["bounces"] == 0
    removed = rmo_bot("subscribers", "remove", "A@rmo.example.jp", *data)
    assert removed.returncode == 0, removed.stderr
    assert "a@rmo.example.jp: removed" in removed.stdout
    assert [s["email"] for s in json.loads(rmo_bot("subscribers", "list", "--json", *data).stdout)] == [
        "b@rmo.example.jp"
    ]
    again = rmo_bot("subscribers", "remove", "a@rmo.example.jp", *data)
    assert again.returncode == 1
    assert (
        again.stderr == "rmo-bot: error: no subscriber 'a@rmo.example.jp' (rmo-bot subscribers list shows them all)\n"
    )


BAD_ENTRIES = """\
[[events]]
id = "a"
kind = "block_meeting"
block = "kinki"
title = "A"
starts_at = 2027-02-01

[[events]]
id = "b"
kind = "training"
title = "B"
starts_at = "2027-02-01 13:00"

[[events]]
id = "c"
kind = "block_meeting"
block = "kansai"
title = "C"
starts_at = 2027-02-01T13:00:00+09:00
"""


def test_import_reports_every_bad_entry_at_once(tmp_path):
    """Every bad entry is named with its line and field in one run, dates without a time or in quotes say
    how to write them, no Python repr appears, and nothing is imported."""
    path = tmp_path / "events.toml"
    path.write_text(BAD_ENTRIES, encoding="utf-8")
    result = rmo_bot("import", path, "--data-dir", tmp_path / "d")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"rmo-bot: error: {path}: 3 problems, nothing was imported:",
        f"  {path}:6: events[1].starts_at: 2027-02-01 has a date but no time: write both, e.g. 2027-02-01T13:30:00+09:00",
        (
            f'  {path}:12: events[2].starts_at: "2027-02-01 13:00" is text in quotes: write the date and time without '
            "quotes, e.g. 2027-02-01T13:00:00+09:00"
        ),
        (
            f"  {path}:17: events[3].block (id \"c\"): unknown block 'kansai' (blocks: chugoku, hokkaido, hokuriku, "
            "kanto, kinki, kyushu, shikoku, shinetsu, tohoku, tokai)"
        ),
    ]
    assert "datetime" not in result.stderr
    listed = rmo_bot("events", "list", "--json", "--all", "--data-dir", tmp_path / "d")
    assert json.loads(listed.stdout) == []


def test_a_time_without_seconds_is_named_not_a_parser_trace(tmp_path):
    """`starts_at = 2027-02-01 13:00` (no seconds, no offset), which TOML cannot read, is named with its
    entry and field and how to write it, for every such line at once."""
    path = tmp_path / "events.toml"
    path.write_text(
        '[[events]]\nid = "a"\nkind = "training"\ntitle = "A"\nstarts_at = 2027-02-01 13:00\n\n'
        '[[events]]\nid = "b"\nkind = "training"\ntitle = "B"\nstarts_at = 2027-03-01T10:00:00+09:00\n'
        "ends_at = 2027-03-01T12:00\n",
        encoding="utf-8",
    )
    result = rmo_bot("import", path, "--data-dir", tmp_path / "d")
    assert result.returncode == 1
    assert result.stderr.splitlines()[1:] == [
        (
            f"  {path}:5: events[1].starts_at: a time needs its seconds and Japan's offset: write "
            "starts_at = 2027-02-01T13:00:00+09:00"
        ),
        (
            f"  {path}:12: events[2].ends_at: a time needs its seconds and Japan's offset: write "
            "ends_at = 2027-03-01T12:00:00+09:00"
        ),
    ]
    assert "Expected newline" not in result.stderr
