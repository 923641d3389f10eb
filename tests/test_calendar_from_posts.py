"""The calendar keeps itself: a post announcing a meeting is proposed to the secretariat, accepted from the
command line it is on the calendar with its reminders, a post moving it moves it everywhere, and a post
that announces nothing proposes nothing. Real fixture mails, real data directories, the real commands."""

from __future__ import annotations

import json
from pathlib import Path

from storage.store import Store
from tests.helpers import rmo_bot

MAILS = Path(__file__).parent / "meetings"
NOW = "2026-12-01T10:00:00+09:00"
CONFIG = (
    '[mail.intake]\nlist_ids = ["announce.rmo-network.example.jp"]\n'
    'allowed_senders = ["jimukyoku@rmo-network.example.jp"]\n[console]\nenabled = "off"\n'
)


def _run(tmp_path: Path, *args: str | Path) -> str:
    config = tmp_path / "config.toml"
    if not config.exists():
        config.write_text(CONFIG, encoding="utf-8")
    done = rmo_bot(*args, "--config", config, "--data-dir", tmp_path / "d")
    assert done.returncode == 0, done.stderr
    return done.stdout


def _ingest(tmp_path: Path, mail: str) -> dict:
    return json.loads(_run(tmp_path, "ingest", MAILS / mail, "--json", "--now", NOW))


def test_an_announced_meeting_is_proposed_accepted_and_reminded(tmp_path):
    """ingest shows the meeting read; it waits as a proposal until accepted; accepted, it is an event from
    the mail, linked to its post, with its reminders planned, and answered."""
    result = _ingest(tmp_path, "01_kinki_iso2022jp.eml")
    assert result["status"] == "accepted"
    assert result["event"]["starts_at"] == "2027-01-20T13:30:00+09:00"
    assert json.loads(_run(tmp_path, "events", "list", "--json", "--now", NOW)) == []
    (proposal,) = json.loads(_run(tmp_path, "events", "proposals", "--json", "--now", NOW))
    assert proposal["action"] == "announce"
    assert proposal["title"] == "令和8年度 第2回近畿ブロック会議"
    assert proposal["announcement_id"] == result["announcement"]["id"]
    assert "accepted" in _run(tmp_path, "events", "accept", proposal["id"], "--now", NOW)
    (event,) = json.loads(_run(tmp_path, "events", "list", "--json", "--now", NOW))
    assert (event["source"], event["announcement_id"], event["block"]) == ("mail", proposal["announcement_id"], "kinki")
    assert event["venue"]["description"] == "ドーンセンター 5階 特別会議室"
    assert json.loads(_run(tmp_path, "events", "proposals", "--json", "--now", NOW)) == []
    with Store.open(tmp_path / "d", writable=False) as store:
        kinds = {r.kind for r in store.reminders.for_event(event["id"])}
    assert kinds == {"7d", "1d", "deadline-3d"}
    answer = json.loads(_run(tmp_path, "ask", "次の近畿ブロック会議は？", "--json", "--now", NOW))
    assert answer["events"] == [event["id"]]


def test_a_move_post_moves_the_meeting_and_a_report_proposes_nothing(tmp_path):
    """A 「日程変更」 post proposes moving the meeting on the calendar; accepted, the answer gives the new day
    and says from when it moved. A report of a meeting held proposes nothing."""
    first = _ingest(tmp_path, "01_kinki_iso2022jp.eml")
    (proposal,) = json.loads(_run(tmp_path, "events", "proposals", "--json", "--now", NOW))
    _run(tmp_path, "events", "accept", proposal["id"], "--now", NOW)
    moved = _ingest(tmp_path, "31_move_arrow.eml")
    assert moved["event"]["action"] == "move"
    (move,) = json.loads(_run(tmp_path, "events", "proposals", "--json", "--now", NOW))
    assert (move["action"], move["event_id"], move["starts_at"]) == (
        "move",
        proposal["event_id"],
        "2027-01-27T13:30:00+09:00",
    )
    _run(tmp_path, "events", "accept", move["id"], "--now", NOW)
    answer = json.loads(_run(tmp_path, "ask", "次の近畿ブロック会議は？", "--json", "--now", NOW))["text"]
    assert "2027年1月27日（水）" in answer
    assert "2027年1月20日（水）から日程が変更になりました" in answer
    assert first["announcement"]["id"] != moved["announcement"]["id"]
    report = next(MAILS.glob("*report*.eml"))
    assert _ingest(tmp_path, report.name)["event"] is None
    assert json.loads(_run(tmp_path, "events", "proposals", "--json", "--now", NOW)) == []


def test_auto_accept_takes_a_clear_proposal_and_leaves_one_in_doubt(tmp_path):
    """With `[calendar] auto_accept`, a post with nothing in doubt is on the calendar at once, decided by
    auto_accept; one whose weekday disagrees with its date still waits for the secretariat."""
    (tmp_path / "config.toml").write_text(CONFIG + "[calendar]\nauto_accept = true\n", encoding="utf-8")
    _ingest(tmp_path, "01_kinki_iso2022jp.eml")
    (event,) = json.loads(_run(tmp_path, "events", "list", "--json", "--now", NOW))
    assert (event["block"], event["source"]) == ("kinki", "mail")
    assert json.loads(_run(tmp_path, "events", "proposals", "--json", "--now", NOW)) == []
    doubtful = _ingest(tmp_path, "07_weekday_mismatch.eml")
    assert [d["code"] for d in doubtful["event"]["doubts"]] == ["weekday_mismatch"]
    (waiting,) = json.loads(_run(tmp_path, "events", "proposals", "--json", "--now", NOW))
    assert [d["code"] for d in waiting["doubts"]] == ["weekday_mismatch"]
