"""The mail corpus: real-world-shaped messages, each with the status and text the intake must produce."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from tests.conftest import NOW

MAIL = Path(__file__).parent / "mail"
CASES = tomllib.loads((MAIL / "expected.toml").read_text(encoding="utf-8"))["mail"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Every corpus file ingested in order into one store, as the listener would."""
    config_file = tmp_path_factory.mktemp("cfg") / "config.toml"
    config_file.write_text(
        '[mail.intake]\nlist_ids = ["announce.rmo-network.example.jp"]\n'
        'allowed_senders = ["jimukyoku@rmo-network.example.jp", "secretariat@rmo-network.example.jp"]\n'
        '[mail.outbound]\nfrom = "rmo-bot <rmo-bot@rmo-network.example.jp>"\n'
        '[slack]\ndefault_channels = ["C1"]\nblock_channels = { kinki = "C2", kyushu = "C3" }\n',
        encoding="utf-8",
    )
    found = {}
    with Core.open(load_config(config_file, environ={}), tmp_path_factory.mktemp("data"), FrozenClock(NOW)) as core:
        for case in CASES:
            (found[case["file"]],) = core.intake.process_batch([((MAIL / case["file"]).read_bytes(), NOW, None)])
    return found


def test_corpus_is_large_and_covers_every_status():
    """At least 40 messages, with every status represented."""
    assert len(CASES) >= 40
    assert {c["status"] for c in CASES} == {"accepted", "rejected", "duplicate", "quarantined"}


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_corpus_message(results, case):
    """The message gets its expected status, and an accepted one its exact subject, text, author and files."""
    result = results[case["file"]]
    assert result.status == case["status"], result.reason
    if case["status"] in {"rejected", "quarantined"} and case.get("reason_contains"):
        assert case["reason_contains"].lower() in (result.reason or "").lower()
    if case["status"] != "accepted":
        return
    a = result.announcement
    assert a is not None
    if "subject" in case:
        assert a.subject == case["subject"]
    for fact in case.get("body_contains", []):
        assert fact in a.body
    for fact in case.get("body_absent", []):
        assert fact not in a.body
    if "sender" in case:
        assert a.sender == case["sender"]
    if "sender_name" in case:
        assert a.sender_name == case["sender_name"]
    if "attachments" in case:
        assert [(x.filename, x.content_type, x.size) for x in a.attachments] == [
            (x["filename"], x["content_type"], x["size"]) for x in case["attachments"]
        ]
    if "blocks" in case:
        assert list(a.blocks) == case["blocks"]
    if "replacements" in case:
        assert a.replacements == case["replacements"]
    if "min_replacements" in case:
        assert a.replacements >= case["min_replacements"]


def _intake(tmp_path):
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        '[mail.intake]\nlist_ids = ["announce.rmo-network.example.jp"]\n'
        'allowed_senders = ["jimukyoku@rmo-network.example.jp"]\n',
        encoding="utf-8",
    )
    return Core.open(load_config(config_file, environ={}), tmp_path / "d", FrozenClock(NOW))


POST = (
    "From: jimukyoku@rmo-network.example.jp\r\nList-Id: RMO お知らせ <announce.rmo-network.example.jp>\r\n"
    "Message-ID: <{id}@x>\r\nSubject: {subject}\r\nDate: {date}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
)


def test_absurd_date_header_is_ignored_not_fatal(tmp_path):
    """A Date header far out of range neither stops the intake nor reaches the members."""
    raw = POST.format(id="d1", subject="日付の壊れたお知らせ", date="Mon, 1 Jan 2026 00:00:00 +99999999999999999999",
                      body="本文").encode()  # fmt: skip
    far = POST.format(id="d2", subject="遠い未来", date="Fri, 31 Dec 9999 23:00:00 -1200", body="本文").encode()
    with _intake(tmp_path) as core:
        results = core.intake.process_batch([(raw, NOW, None), (far, NOW, None)])
    assert [r.status for r in results] == ["accepted", "accepted"]
    assert [r.announcement.sent_at for r in results] == [None, None]


def test_a_secretariat_section_after_a_rule_is_not_a_footer(tmp_path):
    """「■退会手続きについて」 after a line of underscores is the secretariat's text, not the list's footer."""
    body = (
        "会員各位\r\n\r\n総会のご案内です。\r\n"
        + "_" * 40
        + "\r\n■退会手続きについて\r\n退会を希望される団体は事務局までご連絡ください。\r\n"
    )
    raw = POST.format(id="f1", subject="[研修 3] 地域運営組織の研修", date="Mon, 30 Nov 2026 10:00:00 +0900", body=body)
    with _intake(tmp_path) as core:
        (result,) = core.intake.process_batch([(raw.encode(), NOW, None)])
    assert result.announcement.subject == "[研修 3] 地域運営組織の研修"
    assert "退会を希望される団体は事務局までご連絡ください。" in result.announcement.body
