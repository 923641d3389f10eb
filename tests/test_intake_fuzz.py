"""Generated and mutated messages never make an exception escape the intake, and a broken part or header
never costs another part its text."""

from __future__ import annotations

import base64
import hashlib
import quopri
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


# Header encodings as mail programs send them, readable ones and broken ones.
READABLE = ["utf-8", "shift_jis", "euc-jp", "iso-2022-jp"]
CODECS = {"utf-8": "utf-8", "shift_jis": "cp932", "euc-jp": "euc_jis_2004", "iso-2022-jp": "iso2022_jp_2004"}


def _encoded_words(text: str, label: str, how: str, pieces: int) -> bytes:
    """`text` as encoded words: B or Q, cut into `pieces` words (mid-character too), B words broken by a space."""
    data = text.encode(CODECS[label])
    step = max(1, -(-len(data) // pieces))
    chunks = [data[i : i + step] for i in range(0, len(data), step)]
    if how == "q":
        words = ["".join(f"={b:02X}" for b in chunk) for chunk in chunks]
        return " ".join(f"=?{label}?Q?{w}?=" for w in words).encode()
    words = [base64.b64encode(chunk).decode() for chunk in chunks]
    if how == "b-space":
        words = [w[: len(w) // 2] + " " + w[len(w) // 2 :] for w in words]
    return "\r\n ".join(f"=?{label}?B?{w}?=" for w in words).encode()


@st.composite
def readable_header(draw: st.DrawFn, text: str) -> bytes:
    """`text` in a header, sent the way one mail program or another sends it (raw or encoded, whole or split)."""
    label = draw(st.sampled_from(READABLE))
    how = draw(st.sampled_from(["raw", "b", "q", "b-space"]))
    if how == "raw":
        return text.encode(CODECS[label])
    return _encoded_words(text, label, how, draw(st.integers(1, 4)))


@st.composite
def broken_header(draw: st.DrawFn) -> bytes:
    """A header value that no decoder can read whole: raw bytes, stray ESC sequences, broken encoded words."""
    junk = draw(st.binary(max_size=30)).replace(b"\r", b"").replace(b"\n", b"")
    return draw(
        st.sampled_from([
            junk,
            b"\x1b$B" + junk + b"\x1b(B",
            b"\x1b$(D" + junk,
            b"=?" + junk + b"?=",
            b"=?utf-8?B?" + junk,
            b"=?iso-2022-jp?Q?" + junk + b"?=",
            b"=?x-unknown?B?" + base64.b64encode(junk) + b"?=",
            b'"' + junk + b"; name*=utf-8''%E4%Z" + junk,
        ])
    )  # fmt: skip


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
        b"From: " + draw(st.one_of(st.binary(max_size=60), broken_header())) + b" <jimukyoku@rmo-network.example.jp>",
        b"Subject: =?"
        + charset.encode()
        + b"?"
        + draw(st.sampled_from([b"B", b"Q", b"X"]))
        + b"?"
        + draw(st.binary(max_size=40))
        + b"?= "
        + draw(broken_header()),
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
        + b"\r\nContent-Disposition: attachment; filename="
        + draw(broken_header())
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


SUBJECTS = [
    "【近畿ブロック】会議のご案内",
    "令和9年度 総会資料（第2版）の送付",
    "研修会①②の申込について",
    "事務局からのお知らせ",
]
NAMES = ["会議資料.pdf", "議事録（第3回）.docx", "申込書①.xlsx", "表紙・ソフト一覧.pdf", "令和9年度 事業計画.pdf"]
LINES = [
    "近畿ブロック会議を開催します。",
    "参加をご希望の方は、事務局までお知らせください。",
    "会場：市民センター（2階）",
]
TEXT_CHARSETS = {"utf-8": "utf-8", "iso-2022-jp": "iso2022_jp", "shift_jis": "cp932", "euc-jp": "euc_jp"}


def _part(headers: list[bytes], body: bytes) -> bytes:
    return b"\r\n".join(headers) + b"\r\n\r\n" + body


@st.composite
def broken_part(draw: st.DrawFn) -> bytes:
    """A part whose headers and bytes are broken every way at once (but which cannot end the multipart)."""
    kind = draw(st.sampled_from([b"text/plain", b"text/html", b"application/pdf", b"message/rfc822", b"image/png"]))
    headers = [
        b"Content-Type: " + kind + b"; charset=" + draw(broken_header()) + b"; name=" + draw(broken_header()),
        b"Content-Disposition: " + draw(st.sampled_from([b"attachment", b"inline", b""])) + b"; filename="
        + draw(broken_header()),
        b"Content-Transfer-Encoding: " + draw(st.sampled_from([b"base64", b"quoted-printable", b"8bit", b"x-uue"])),
    ]  # fmt: skip
    body = draw(st.binary(max_size=16)).replace(b"-", b"")
    return _part(headers, body)


@st.composite
def post_with_broken_parts(draw: st.DrawFn) -> tuple[bytes, str, str, tuple[str, int]]:
    """A post from the secretariat: a readable text part and attachment among broken parts, its Subject,
    From and file name each encoded as some mail program would. Returns it, its subject, text and file."""
    subject = draw(st.sampled_from(SUBJECTS))
    label = draw(st.sampled_from(list(TEXT_CHARSETS)))
    text = "\n".join(draw(st.lists(st.sampled_from(LINES), min_size=30, max_size=40))) + "\n"
    encoded = text.encode(TEXT_CHARSETS[label]).replace(b"\n", b"\r\n")
    cte = draw(st.sampled_from(["8bit", "base64", "quoted-printable"]))
    transferred = {
        "8bit": encoded,
        "base64": base64.encodebytes(encoded),
        "quoted-printable": quopri.encodestring(encoded),
    }
    good_text = _part(
        [b"Content-Type: text/plain; charset=" + label.encode(), b"Content-Transfer-Encoding: " + cte.encode()],
        transferred[cte],
    )
    name = draw(st.sampled_from(NAMES))
    data = draw(st.binary(min_size=1, max_size=64))
    name_header = draw(readable_header(name))
    good_file = _part(
        [
            b"Content-Type: application/octet-stream",
            b'Content-Disposition: attachment; filename="' + name_header + b'"',
            b"Content-Transfer-Encoding: base64",
        ],
        base64.encodebytes(data),
    )
    parts = draw(st.lists(broken_part(), min_size=1, max_size=3))
    parts.insert(draw(st.integers(0, len(parts))), good_text)
    parts.insert(draw(st.integers(0, len(parts))), good_file)
    head = [
        b"From: " + draw(readable_header("事務局")) + b" <jimukyoku@rmo-network.example.jp>",
        b"Subject: " + draw(readable_header(subject)),
        b"List-Id: <announce.rmo-network.example.jp>",
        b"MIME-Version: 1.0",
        b'Content-Type: multipart/mixed; boundary="b-fuzz"',
    ]
    body = b"".join(b"--b-fuzz\r\n" + p + b"\r\n" for p in parts) + b"--b-fuzz--\r\n"
    message_id = (
        b"Message-ID: <" + hashlib.sha256(b"".join(head) + body).hexdigest()[:24].encode() + b"@fuzz.example.jp>"
    )
    raw = b"\r\n".join([*head, message_id]) + b"\r\n\r\n" + body
    return raw, subject, text, (name, len(data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(post=post_with_broken_parts())
def test_a_broken_part_or_header_costs_no_other_part_its_text(core, post):
    """Beside broken parts, the readable text, file name, subject and author of a post all come through whole."""
    raw, subject, text, (name, size) = post
    (result,) = core.intake.process_batch([(raw, NOW, None)])
    assert result.status in {"accepted", "duplicate"}, result.reason
    announcement = result.announcement
    assert announcement.subject == subject
    assert announcement.sender == "jimukyoku@rmo-network.example.jp"
    assert announcement.sender_name == "事務局"
    assert text.strip() in announcement.body
    assert (name, size) in [(a.filename, a.size) for a in announcement.attachments]
