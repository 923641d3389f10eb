"""Generated and mutated messages never make an exception escape the intake."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from tests.conftest import NOW

CHARSETS = ["utf-8", "iso-2022-jp", "shift_jis", "euc-jp", "windows-31j", "x-sjis", "cp50220", "unknown-8bit", "",
            "bogus", "utf-16", "us-ascii", "latin-1"]  # fmt: skip
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "binary", "x-uuencode", "nonsense"]


@pytest.fixture(scope="module")
def core(tmp_path_factory):
    config_file = tmp_path_factory.mktemp("cfg") / "config.toml"
    config_file.write_text(
        '[mail.intake]\nlist_ids = ["announce.rmo-network.example.jp"]\n'
        'allowed_senders = ["jimukyoku@rmo-network.example.jp"]\n[slack]\ndefault_channels = ["C1"]\n',
        encoding="utf-8",
    )
    with Core.open(load_config(config_file, environ={}), tmp_path_factory.mktemp("data"), FrozenClock(NOW)) as opened:
        yield opened


def _seed() -> bytes:
    message = EmailMessage()
    message["From"] = "事務局 <jimukyoku@rmo-network.example.jp>"
    message["Subject"] = "[RMO] 【近畿ブロック】会議のご案内"
    message["List-Id"] = "<announce.rmo-network.example.jp>"
    message["Message-ID"] = "<seed@example.jp>"
    message.set_content("近畿ブロック会議を開催します。①②㈱")
    message.add_attachment(b"%PDF-1.4 data", maintype="application", subtype="pdf", filename="案内.pdf")
    return message.as_bytes()


SEED = _seed()


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(SEED)
    for _ in range(draw(st.integers(1, 12))):
        position = draw(st.integers(0, max(0, len(data) - 1)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "dup"]))
        if action == "flip" and data:
            data[position] = draw(st.integers(0, 255))
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=40))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 200))]
        else:
            data[position:position] = data[position : position + draw(st.integers(1, 300))]
    return bytes(data)


@st.composite
def structured(draw: st.DrawFn) -> bytes:
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    boundary = draw(st.sampled_from(["b1", "", '"unterminated', "=?x?="]))
    headers = [
        b"From: " + draw(st.binary(max_size=60)),
        b"Subject: =?"
        + charset.encode()
        + b"?"
        + draw(st.sampled_from([b"B", b"Q", b"X"]))
        + b"?"
        + draw(st.binary(max_size=40))
        + b"?=",
        b"List-Id: " + draw(st.sampled_from([b"<announce.rmo-network.example.jp>", b"<", b"", b"x <y>"])),
        b"Content-Type: "
        + draw(
            st.sampled_from(
                [
                    b"text/plain",
                    b"text/html",
                    b"multipart/mixed",
                    b"multipart/alternative",
                    b"message/rfc822",
                    b"multipart/report",
                ]
            )
        )
        + b"; charset="
        + charset.encode()
        + b"; boundary="
        + boundary.encode(),
        b"Content-Transfer-Encoding: " + encoding.encode(),
    ]
    body = draw(st.binary(max_size=2000))
    parts = draw(st.lists(st.binary(max_size=300), max_size=4))
    multipart = b"".join(
        b"--"
        + boundary.encode()
        + b"\r\nContent-Type: text/plain; charset="
        + charset.encode()
        + b"\r\n\r\n"
        + p
        + b"\r\n"
        for p in parts
    )
    return b"\r\n".join(headers) + b"\r\n\r\n" + body + multipart


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.one_of(st.binary(max_size=4000), mutated(), structured()))
def test_no_exception_escapes_the_intake(core, raw):
    """Whatever the bytes, the intake decides (accepted, rejected, duplicate or quarantined) and stores it."""
    (result,) = core.intake.process_batch([(raw, NOW, None)])
    assert result.status in {"accepted", "rejected", "duplicate", "quarantined"}
    assert result.status == "accepted" or result.reason
    if result.status in {"rejected", "quarantined"}:
        assert core.store.quarantine.raw(result.quarantine_id) == raw
