"""The command line contracts that outside checks rely on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import CALENDAR
from tests.helpers import ROOT, rmo_bot

NOW = "2026-11-25T10:00:00+09:00"


def test_ask_json_contract(tmp_path):
    """`ask --json` prints exactly intent, block, lang, text and the ids of the events it lists."""
    data = tmp_path / "d"
    assert rmo_bot("import", CALENDAR, "--data-dir", data).returncode == 0
    result = rmo_bot("ask", "次の近畿ブロック会議はいつ？", "--now", NOW, "--json", "--data-dir", data)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == {"intent", "block", "lang", "text", "events"}
    assert answer["intent"] == "meetings"
    assert answer["block"] == "kinki"
    assert answer["lang"] == "ja"
    assert answer["events"] == ["kinki-2026-2"]
    assert "2027年1月20日（水）13:30" in answer["text"]


def test_ask_now_freezes_the_clock(tmp_path):
    """With --now after a meeting, that meeting is no longer upcoming."""
    data = tmp_path / "d"
    rmo_bot("import", CALENDAR, "--data-dir", data)
    before = json.loads(rmo_bot("ask", "Kinki meetings?", "--now", NOW, "--json", "--data-dir", data).stdout)
    after = json.loads(
        rmo_bot("ask", "Kinki meetings?", "--now", "2027-01-21T09:00", "--json", "--data-dir", data).stdout
    )
    assert before["events"] == ["kinki-2026-2"]
    assert before["lang"] == "en"
    assert after["events"] == []
    assert "no block meetings in the Kinki block" in after["text"]


def test_ask_without_json_prints_the_answer(tmp_path):
    """Plain `ask` prints the answer text the member would see, on the bundled data alone."""
    result = rmo_bot("ask", "入会するには？", "--data-dir", tmp_path / "d")
    assert result.returncode == 0
    assert "郵送" in result.stdout
    assert "随時" in result.stdout


def test_unknown_question_is_recorded_and_listed(tmp_path):
    """An unanswerable question gets a kind answer and appears in `rmo-bot unanswered`."""
    data = tmp_path / "d"
    answer = json.loads(rmo_bot("ask", "駐車場は何台分ありますか", "--json", "--data-dir", data).stdout)
    assert answer["intent"] == "unknown"
    assert "事務局" in answer["text"]
    listing = rmo_bot("unanswered", "--data-dir", data)
    assert "駐車場は何台分ありますか" in listing.stdout
    assert "[cli/ja]" in listing.stdout
    lines = rmo_bot("unanswered", "--json", "--data-dir", data).stdout.splitlines()
    assert json.loads(lines[0])["text"] == "駐車場は何台分ありますか"


def test_import_twice_reports_nothing_changed(tmp_path):
    """Re-importing the same file says so and changes nothing."""
    data = tmp_path / "d"
    first = rmo_bot("import", CALENDAR, "--data-dir", data)
    second = rmo_bot("import", CALENDAR, "--data-dir", data)
    assert "16 changed (events 16)" in first.stdout
    assert "nothing changed (events 0)" in second.stdout


def test_export_then_import_into_a_new_directory(tmp_path):
    """An export carries everything: imported elsewhere, it answers the same."""
    rmo_bot("import", CALENDAR, "--data-dir", tmp_path / "a")
    assert rmo_bot("export", "-o", tmp_path / "all.toml", "--data-dir", tmp_path / "a").returncode == 0
    assert rmo_bot("import", tmp_path / "all.toml", "--data-dir", tmp_path / "b").returncode == 0
    question = ("九州ブロックの次の会議は？", "--now", NOW, "--json")
    a = json.loads(rmo_bot("ask", *question, "--data-dir", tmp_path / "a").stdout)
    b = json.loads(rmo_bot("ask", *question, "--data-dir", tmp_path / "b").stdout)
    assert a == b
    assert a["events"] == ["kyushu-2026-3"]


def test_console_command_chats_over_stdin(tmp_path):
    """`rmo-bot console` answers each line of its input and stops at the end of it."""
    result = rmo_bot("console", "--data-dir", tmp_path / "d", stdin="入会するには？\nWho is the representative?\n")
    assert result.returncode == 0, result.stderr
    assert "郵送" in result.stdout
    assert "Mayor of Unnan" in result.stdout


def test_installed_entry_point_matches_python_m_bot(tmp_path):
    """The `rmo-bot` console script runs the same command line as `python -m bot`."""
    script = shutil.which("rmo-bot") or str(ROOT / ".venv" / "bin" / "rmo-bot")
    result = subprocess.run(
        [script, "ask", "代表は？", "--json", "--data-dir", str(tmp_path / "d")],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["intent"] == "officers"


def test_bad_arguments_get_one_line_not_a_traceback(tmp_path):
    """A bad --now, --limit, data directory or output file is reported in one line, with no traceback."""
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    cases = [
        (("ask", "x", "--now", "garbage", "--data-dir", tmp_path / "d"), 2, "not an ISO-8601 date and time"),
        (("unanswered", "--limit", "-1", "--data-dir", tmp_path / "d"), 2, "expected a whole number of at least 1"),
        (("ask", "x", "--data-dir", not_a_dir), 1, f"cannot use the data directory {not_a_dir}"),
        (("export", "-o", tmp_path / "missing" / "x.toml", "--data-dir", tmp_path / "d"), 1, "cannot write"),
    ]
    for args, code, message in cases:
        result = rmo_bot(*args)
        assert result.returncode == code, (args, result.stderr)
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def test_ask_works_while_the_bot_runs(tmp_path):
    """`rmo-bot ask` answers from a directory `rmo-bot run` holds, instead of refusing."""
    data = tmp_path / "d"
    rmo_bot("import", CALENDAR, "--data-dir", data)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env["PYTHONPATH"] = str(ROOT)
    config = tmp_path / "config.toml"  # free ports: another test (or program) may hold the default ones
    config.write_text('[mail.intake]\nlisten = "127.0.0.1:0"\n[http]\nlisten = "127.0.0.1:0"\n', encoding="utf-8")
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(config), "--data-dir", str(data)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
    ) as running:  # fmt: skip
        try:
            assert running.stderr is not None
            for line in running.stderr:
                if "rmo-bot running" in line:
                    break
            assert running.poll() is None, "the bot did not start"
            result = rmo_bot("ask", "次の九州ブロック会議は？", "--now", NOW, "--json", "--data-dir", data)
            assert result.returncode == 0, result.stderr
            assert json.loads(result.stdout)["events"] == ["kyushu-2026-3"]
            assert "Traceback" not in result.stderr
        finally:
            running.terminate()
            running.communicate(timeout=30)


def test_unanswered_listing_strips_control_characters(tmp_path):
    """The secretariat's listing never replays a member's terminal escape sequences."""
    data = tmp_path / "d"
    rmo_bot("ask", "\x1b]0;pwned\x07駐車場の台数は", "--data-dir", data)
    listing = rmo_bot("unanswered", "--data-dir", data).stdout
    assert "駐車場の台数は" in listing
    assert "\x1b" not in listing
    assert "\x07" not in listing


MAIL = Path(__file__).parent / "mail"


def _mail_config(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        '[mail.intake]\nlist_ids = ["announce.rmo-network.example.jp"]\n'
        'allowed_senders = ["jimukyoku@rmo-network.example.jp"]\n'
        '[slack]\ndefault_channels = ["C111"]\nblock_channels = { kinki = "C222" }\n',
        encoding="utf-8",
    )
    return config


def test_ingest_json_contract(tmp_path):
    """`ingest --json` reports the status, the announcement and every payload exactly as it would be sent."""
    config = _mail_config(tmp_path)
    result = rmo_bot(
        "ingest", MAIL / "kinki_block_subject.eml", "--json", "--config", config, "--data-dir", tmp_path / "d"
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) >= {"status", "reason", "announcement", "render"}
    assert out["status"] == "accepted"
    assert out["reason"] is None
    assert set(out["announcement"]) >= {"id", "message_id", "subject", "body", "sender", "attachments"}
    assert [p["channel"] for p in out["render"]["slack"]] == ["C111", "C222"]
    assert out["render"]["discord"]  # no Discord channel configured: rendered for a placeholder
    assert all(p["allowed_mentions"] == {"parse": []} for p in out["render"]["discord"])
    assert set(out["render"]["email"]) == {"subject", "text"}
    again = json.loads(rmo_bot("ingest", MAIL / "kinki_block_subject.eml", "--json", "--config", config,
                               "--data-dir", tmp_path / "d").stdout)  # fmt: skip
    assert again["status"] == "duplicate"
    assert again["render"]["slack"]  # the preview is never empty


def test_quarantine_list_show_release(tmp_path):
    """A rejected post is kept with its reason; the secretariat can read it and release it to be relayed."""
    config = _mail_config(tmp_path)
    data = tmp_path / "d"
    out = json.loads(
        rmo_bot("ingest", MAIL / "member_docomo.eml", "--json", "--config", config, "--data-dir", data).stdout
    )
    assert out["status"] == "rejected"
    kept = out["quarantine_id"]
    listing = rmo_bot("quarantine", "list", "--config", config, "--data-dir", data).stdout
    assert kept in listing
    assert "not allowed to announce" in listing
    shown = rmo_bot("quarantine", "show", kept, "--config", config, "--data-dir", data).stdout
    assert "reason: sender" in shown
    released = rmo_bot("quarantine", "release", kept, "--config", config, "--data-dir", data)
    assert released.returncode == 0, released.stderr
    assert released.stdout.startswith("accepted")
    assert "→ slack C111" in released.stdout
    assert "(released)" in rmo_bot("quarantine", "list", "--config", config, "--data-dir", data).stdout
    missing = rmo_bot("quarantine", "show", "q0000", "--config", config, "--data-dir", data)
    assert missing.returncode == 1
    assert "no message q0000 in quarantine" in missing.stderr


def test_outbox_lists_and_requeues(tmp_path):
    """`rmo-bot outbox` shows what waits to be posted; `retry` requeues what was given up on."""
    config = _mail_config(tmp_path)
    data = tmp_path / "d"
    rmo_bot("ingest", MAIL / "kinki_block_subject.eml", "--config", config, "--data-dir", data)
    listing = rmo_bot("outbox", "--config", config, "--data-dir", data).stdout
    assert listing.count("pending") == 2
    assert ".slack.C111" in listing
    assert ".slack.C222" in listing
    assert (
        "0 failed deliveries queued again" in rmo_bot("outbox", "retry", "--config", config, "--data-dir", data).stdout
    )


def test_the_console_says_when_the_calendar_is_empty_and_how_to_fill_it(tmp_path):
    """At a terminal (a real pseudo-terminal here), the console's first words say the calendar is empty
    and how to fill or try it, in Japanese and English; with the example calendar imported they do not."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    from tests.helpers import child_pythonpath

    def first_words(data_dir: Path) -> str:
        leader, follower = pty.openpty()
        env = {**os.environ, "PYTHONPATH": child_pythonpath()}
        proc = subprocess.Popen([sys.executable, "-m", "bot", "console", "--data-dir", str(data_dir)],
                                stdin=follower, stdout=follower, stderr=subprocess.DEVNULL, env=env)  # fmt: skip
        os.close(follower)
        seen = b""
        deadline = time.monotonic() + 60
        while b"> " not in seen and time.monotonic() < deadline:
            if select.select([leader], [], [], 1)[0]:
                seen += os.read(leader, 4096)
        os.write(leader, b"\x04")  # Ctrl-D
        proc.wait(timeout=60)
        os.close(leader)
        return seen.decode("utf-8", "replace")

    empty = first_words(tmp_path / "empty")
    assert "カレンダーにはまだ予定がありません" in empty
    assert "The calendar has no meetings yet" in empty
    assert "rmo-bot import examples/calendar.toml" in empty
    examples = Path(__file__).resolve().parent.parent / "examples" / "calendar.toml"
    assert rmo_bot("import", examples, "--data-dir", tmp_path / "tried").returncode == 0
    assert "カレンダーにはまだ予定がありません" not in first_words(tmp_path / "tried")
