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
