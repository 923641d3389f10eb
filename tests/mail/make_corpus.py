#!/usr/bin/env python3
"""Generate the mail-intake test corpus: the ``*.eml`` files and ``expected.toml`` beside this script.

    python tests/mail/make_corpus.py           # (re)write the corpus
    python tests/mail/make_corpus.py --check   # exit 1 if anything on disk differs from what this script makes

Every byte is fixed: dates, Message-IDs, boundaries and attachment contents come from this file, never from the
clock or a random source, so running it again changes nothing. The messages are assembled by hand rather than
with the ``email`` package's generator, because many of them are legacy or broken in ways the generator refuses
to produce (ISO-2022-JP carrying Windows extensions, raw Shift_JIS headers, split encoded words, unclosed
boundaries ...). ``expected.toml`` is written from the same definitions, so attachment sizes always match.

Before writing, the script checks its own intentions (``self_check``): every file parses with
``email.message_from_bytes``; the ISO-2022-JP-MS bodies defeat every one of Python's iso2022_jp codecs yet
decode through JIS -> Shift_JIS -> cp932; the Shift_JIS bodies need cp932; the split encoded words really split a
character; and so on.
"""

from __future__ import annotations

import argparse
import base64
import email
import hashlib
import quopri
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from email.message import Message

HERE = Path(__file__).resolve().parent
EXPECTED = "expected.toml"

LIST_ID = "announce.rmo-network.example.jp"
LIST_ADDR = "announce@rmo-network.example.jp"
LIST_NAME = "RMO お知らせ"
JIMU = "jimukyoku@rmo-network.example.jp"
SEC = "secretariat@rmo-network.example.jp"
BOT = "rmo-bot@rmo-network.example.jp"
JST = timezone(timedelta(hours=9))

EN_FOOTER = (
    "_______________________________________________\n"
    "Announce mailing list -- announce@rmo-network.example.jp\n"
    "To unsubscribe send an email to announce-leave@rmo-network.example.jp\n"
)
JA_FOOTER = (
    "_______________________________________________\n"
    "RMO お知らせ メーリングリスト -- announce@rmo-network.example.jp\n"
    "配信停止は announce-leave@rmo-network.example.jp へ\n"
)
FOOTER_ABSENT = ("announce-leave@", "______")

Field = tuple[str, str | bytes]
Encoder = Callable[[str], bytes]


# --------------------------------------------------------------------------------------------------------------
# Encoders


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


# Windows writes the IBM extension code for these (WideCharToMultiByte); Python's cp932 encoder prefers the
# NEC-selected code. Both decode to the same character with cp932; Shift_JIS proper has neither.
WINDOWS_CP932 = {"髙": b"\xfb\xfc"}


def cp932(text: str) -> bytes:
    """Shift_JIS as Windows writes it (CP932, with NEC and IBM extensions)."""
    return b"".join(WINDOWS_CP932.get(ch) or ch.encode("cp932") for ch in text)


def jis(text: str) -> bytes:
    """Strict ISO-2022-JP (RFC 1468) via Python's own codec: only JIS X 0208 and ASCII."""
    return text.encode("iso2022_jp")


def eucjp(text: str) -> bytes:
    return text.encode("euc_jp")


def sjis_to_jis(code: bytes) -> bytes:
    s1, s2 = code
    if s1 >= 0xE0:
        s1 -= 0x40
    row = (s1 - 0x81) * 2 + 0x21
    if s2 < 0x7F:
        col = s2 - 0x1F
    elif s2 < 0x9F:
        col = s2 - 0x20
    else:
        col = s2 - 0x7E
        row += 1
    if not (0x21 <= row <= 0x7E and 0x21 <= col <= 0x7E):
        raise ValueError(f"{code!r} has no JIS code")
    return bytes([row, col])


def jis_to_sjis(j1: int, j2: int) -> bytes:
    s2 = (j2 + 0x1F + (1 if j2 >= 0x60 else 0)) if j1 % 2 else j2 + 0x7E
    s1 = (j1 + 1) // 2 + 0x70
    if s1 >= 0xA0:
        s1 += 0x40
    return bytes([s1, s2])


def jis_ms(text: str) -> bytes:
    """ISO-2022-JP-MS (what Outlook and Becky! send as "ISO-2022-JP", and CP50220/CP50221).

    Each character goes through Python's cp932 encoder (which picks the NEC special row 13 for ①, ㈱, №, Ⅱ and
    the NEC-selected IBM extension rows 89-92 for 髙) and is then shifted from Shift_JIS to JIS. Half-width
    katakana become JIS X 0201 katakana after ESC ( I, as CP50221 writes them.
    """
    out = bytearray()
    mode = b"\x1b(B"
    for ch in text:
        if ch < "\x80":
            want, code = b"\x1b(B", ch.encode("ascii")
        else:
            sj = ch.encode("cp932")
            if len(sj) == 1:
                want, code = b"\x1b(I", bytes([sj[0] - 0x80])
            else:
                want, code = b"\x1b$B", sjis_to_jis(sj)
        if want != mode:
            out += want
            mode = want
        out += code
    if mode != b"\x1b(B":
        out += b"\x1b(B"
    return bytes(out)


def decode_jis_ms(data: bytes) -> str:
    """The reverse of ``jis_ms``: JIS -> Shift_JIS -> cp932. Used only by the self-check."""
    out = bytearray()
    mode = "ascii"
    i = 0
    while i < len(data):
        if data[i] == 0x1B:
            seq = data[i : i + 3]
            mode = {b"\x1b$B": "jis", b"\x1b$@": "jis", b"\x1b(I": "kana"}.get(seq, "ascii")
            i += 3
        elif mode == "jis" and data[i] not in b"\r\n":
            out += jis_to_sjis(data[i], data[i + 1])
            i += 2
        elif mode == "kana" and data[i] not in b"\r\n":
            out.append(data[i] + 0x80)
            i += 1
        else:
            out.append(data[i])
            i += 1
    return out.decode("cp932")


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data)


def qp(data: bytes) -> bytes:
    return quopri.encodestring(data)


def pct(data: bytes) -> str:
    """RFC 2231 percent-encoding (everything but letters, digits and ``.-_``)."""
    safe = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"
    return "".join(chr(b) if b in safe else f"%{b:02X}" for b in data)


def word_b(charset: str, data: bytes) -> str:
    return f"=?{charset}?B?{base64.b64encode(data).decode('ascii')}?="


def word_q(charset: str, data: bytes) -> str:
    safe = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!*+-/"
    text = "".join("_" if b == 0x20 else chr(b) if b in safe else f"={b:02X}" for b in data)
    return f"=?{charset}?Q?{text}?="


def encoded_words(text: str, charset: str = "UTF-8", encode: Encoder = utf8, *, q: bool = False) -> str:
    """``text`` as RFC 2047 encoded words of at most 75 characters, split at character boundaries, folded."""
    make = word_q if q else word_b
    chunks: list[str] = []
    chunk = ""
    for ch in text:
        if chunk and len(make(charset, encode(chunk + ch))) > 75:
            chunks.append(chunk)
            chunk = ch
        else:
            chunk += ch
    chunks.append(chunk)
    return "\n ".join(make(charset, encode(c)) for c in chunks)


def filler(seed: str, size: int) -> bytes:
    """Deterministic bytes that look random (attachment contents)."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def pdf(seed: str, size: int) -> bytes:
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    tail = b"\n%%EOF\n"
    return head + filler(seed, size - len(head) - len(tail)) + tail


def office(seed: str, size: int) -> bytes:
    head = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"
    return head + filler(seed, size - len(head))


def jpeg(seed: str, size: int) -> bytes:
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return head + filler(seed, size - len(head) - 2) + b"\xff\xd9"


def png(seed: str, size: int) -> bytes:
    head = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    return head + filler(seed, size - len(head))


# --------------------------------------------------------------------------------------------------------------
# Assembly. Everything is written with "\n"; ``message`` turns it into CRLF unless told to keep LF.


def date(month: int, day: int, hour: int, minute: int, second: int = 0, year: int = 2026) -> str:
    return format_datetime(datetime(year, month, day, hour, minute, second, tzinfo=JST))


def fields_bytes(fields: list[Field]) -> bytes:
    return b"".join(
        name.encode("ascii") + b": " + (v if isinstance(v, bytes) else v.encode()) + b"\n" for name, v in fields
    )


def message(fields: list[Field], body: bytes, *, crlf: bool = True) -> bytes:
    data = fields_bytes(fields) + b"\n" + body
    return data.replace(b"\n", b"\r\n") if crlf else data


def part(fields: list[Field], body: bytes) -> bytes:
    return fields_bytes(fields) + b"\n" + body


def multipart(boundary: str, parts: list[bytes], *, preamble: str = "", close: bool = True) -> bytes:
    out = utf8(preamble + "\n") if preamble else b""
    for p in parts:
        out += b"--" + boundary.encode() + b"\n" + p
        if not p.endswith(b"\n"):
            out += b"\n"
        # The newline before the next delimiter belongs to the delimiter, not to the part.
        out += b"\n"
    if close:
        out += b"--" + boundary.encode() + b"--\n"
    return out


def text_part(
    text: bytes, charset: str = "utf-8", cte: str = "8bit", extra: str = "", disposition: str | None = None
) -> bytes:
    fields: list[Field] = [("Content-Type", f'text/plain; charset="{charset}"{extra}')]
    if disposition:
        fields.append(("Content-Disposition", disposition))
    fields.append(("Content-Transfer-Encoding", cte))
    return part(fields, text)


def attachment_part(content_type: str, disposition: str, data: bytes) -> bytes:
    return part(
        [("Content-Type", content_type), ("Content-Disposition", disposition), ("Content-Transfer-Encoding", "base64")],
        b64(data),
    )


def footer_part(footer: str = EN_FOOTER) -> bytes:
    """The footer Mailman 3 appends as a part of its own when the post is already multipart."""
    return part(
        [
            ("Content-Type", 'text/plain; charset="utf-8"'),
            ("MIME-Version", "1.0"),
            ("Content-Transfer-Encoding", "base64"),
            ("Content-Disposition", "inline"),
        ],
        b64(utf8(footer)),
    )


def from_(display: str, address: str, charset: str = "UTF-8", encode: Encoder = utf8) -> str:
    return f"{word_b(charset, encode(display))} <{address}>"


def list_id(form: str = "encoded") -> str | bytes:
    if form == "bare":
        return f"<{LIST_ID}>"
    if form == "raw":
        return utf8(f"{LIST_NAME} <{LIST_ID}>")
    return f"{word_b('utf-8', utf8(LIST_NAME))} <{LIST_ID}>"


def received(when: str, by: str, frm: str, ip: str, qid: str) -> Field:
    return ("Received", f"from {frm} ({frm} [{ip}])\n\tby {by} (Postfix) with ESMTPS id {qid}\n\tfor <{BOT}>; {when}")


def delivered(when: str, qid: str) -> list[Field]:
    """How every list post reaches the bot: Mailman's host hands it to the bot's MX."""
    return [
        ("Return-Path", "<announce-bounces@rmo-network.example.jp>"),
        ("Delivered-To", BOT),
        received(when, "bot.rmo-network.example.jp", "lists.rmo-network.example.jp", "192.0.2.25", qid),
    ]


def mailman(msgid: str | None, mailfrom: str, form: str = "encoded") -> list[Field]:
    """The headers Mailman 3 adds to a post it distributes."""
    digest = base64.b32encode(hashlib.sha1(utf8(msgid or "none")).digest()).decode("ascii")
    return [
        ("Message-ID-Hash", digest),
        ("X-Message-ID-Hash", digest),
        ("X-MailFrom", mailfrom),
        (
            "X-Mailman-Rule-Misses",
            (
                "dmarc-mitigation; no-senders; approved; emergency; loop; banned-address;\n"
                " member-moderation; nonmember-moderation; administrivia; implicit-dest;\n"
                " max-recipients; max-size; news-moderation; no-subject; digests; suspicious-header"
            ),
        ),
        ("X-Mailman-Version", "3.3.9"),
        ("Precedence", "list"),
        ("List-Id", list_id(form)),
        ("Archived-At", f"<https://lists.rmo-network.example.jp/archives/list/{LIST_ADDR}/message/{digest}/>"),
        ("List-Archive", f"<https://lists.rmo-network.example.jp/archives/list/{LIST_ADDR}/>"),
        ("List-Help", "<mailto:announce-request@rmo-network.example.jp?subject=help>"),
        ("List-Owner", "<mailto:announce-owner@rmo-network.example.jp>"),
        ("List-Post", f"<mailto:{LIST_ADDR}>"),
        ("List-Subscribe", "<mailto:announce-join@rmo-network.example.jp>"),
        ("List-Unsubscribe", "<mailto:announce-leave@rmo-network.example.jp>"),
    ]


def subject_words(text: str, charset: str = "UTF-8", encode: Encoder = utf8, *, q: bool = False) -> str:
    return encoded_words(text, charset, encode, q=q)


def list_post(
    *,
    when: str,
    qid: str,
    frm: str,
    subject: str | bytes | None,
    msgid: str | None,
    mime: list[Field],
    body: bytes,
    mailfrom: str = JIMU,
    form: str = "encoded",
    extra: list[Field] | None = None,
    crlf: bool = True,
    message_id_field: str = "Message-ID",
) -> bytes:
    """A post as the bot receives it from the list: delivery headers, the author's headers, Mailman's headers."""
    fields: list[Field] = [*delivered(when, qid), ("From", frm), ("To", LIST_ADDR)]
    if subject is not None:
        fields.append(("Subject", subject))
    fields.append(("Date", when))
    if msgid is not None:
        fields.append((message_id_field, msgid))
    fields += extra or []
    fields += mime
    fields += mailman(msgid, mailfrom, form)
    return message(fields, body, crlf=crlf)


def plain(charset: str = "utf-8", cte: str = "8bit", extra: str = "") -> list[Field]:
    return [
        ("MIME-Version", "1.0"),
        ("Content-Type", f"text/plain; charset={charset}{extra}"),
        ("Content-Transfer-Encoding", cte),
    ]


def mixed(boundary: str, subtype: str = "mixed") -> list[Field]:
    return [("MIME-Version", "1.0"), ("Content-Type", f'multipart/{subtype};\n boundary="{boundary}"')]


MAILMAN_BOUNDARY = "===============8421390657212854123=="


# --------------------------------------------------------------------------------------------------------------
# The cases


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Case:
    file: str
    note: str
    data: bytes
    status: str
    reason: str = ""
    subject: str | None = None
    body_contains: tuple[str, ...] = ()
    body_absent: tuple[str, ...] = ()
    sender: str | None = None
    attachments: tuple[Attachment, ...] | None = ()
    blocks: tuple[str, ...] | None = None
    min_replacements: int = 0
    after: str | None = None
    sender_name: str | None = None


SIGNATURE = "小規模多機能自治推進ネットワーク会議 事務局\njimukyoku@rmo-network.example.jp\n"


def accepted_charsets() -> list[Case]:
    cases: list[Case] = []

    # --- UTF-8 -------------------------------------------------------------------------------------------------
    text = (
        "会員各位\n\n"
        "小規模多機能自治推進ネットワーク会議 事務局です。\n"
        "令和8年度の総会を下記のとおり開催します。\n\n"
        "日時：2027年2月5日（金）13:30〜16:30\n"
        "会場：オンライン（Zoom）\n"
        "議題：令和7年度事業報告、令和8年度事業計画\n\n"
        "出欠は2027年1月22日（金）までにご回答ください。\n\n"
        "-- \n" + SIGNATURE + EN_FOOTER
    )
    msgid = "<9d2c61e0-4b7a-4f1e-9c3d-2a1b0c9d8e7f@rmo-network.example.jp>"
    cases.append(
        Case(
            "utf8_plain.eml",
            "UTF-8, 8bit, Thunderbird; Mailman subject prefix inside an encoded word; English Mailman footer "
            "appended to the text; '-- ' signature kept",
            list_post(
                when=date(11, 20, 10, 0),
                qid="4XkM1b0QvZz1",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 令和8年度 総会のご案内"),
                msgid=msgid,
                mime=plain("UTF-8", "8bit", "; format=flowed"),
                body=utf8(text),
                extra=[("User-Agent", "Mozilla Thunderbird"), ("Content-Language", "ja")],
            ),
            "accepted",
            subject="令和8年度 総会のご案内",
            body_contains=(
                "令和8年度の総会を下記のとおり開催します。",
                "日時：2027年2月5日（金）13:30〜16:30\n会場：オンライン（Zoom）",
                "出欠は2027年1月22日（金）までにご回答ください。",
                "小規模多機能自治推進ネットワーク会議 事務局\njimukyoku@rmo-network.example.jp",
            ),
            body_absent=(*FOOTER_ABSENT, "mailing list"),
            sender=JIMU,
            blocks=(),
        )
    )

    text = (
        "会員各位\n\n"
        "地域運営組織の会計実務研修をオンラインで開催します。\n"
        "日時：2027年1月15日（金）14:00〜16:00\n"
        "講師：税理士 佐藤 花子 氏\n"
        "対象：会員団体の会計担当者\n"
        "申込：https://rmo-network.example.jp/training/2027-accounting\n\n"
        "事務局\n" + EN_FOOTER
    )
    cases.append(
        Case(
            "utf8_base64.eml",
            "UTF-8 in base64; bare List-Id; '[announce:123]' tag outside Q-encoded words (the list local part "
            "with a number)",
            list_post(
                when=date(11, 20, 11, 5),
                qid="4XkM3c2RwZz2",
                frm=from_("事務局", SEC),
                subject="[announce:123] " + subject_words("地域運営組織の会計実務研修（オンライン）のご案内", q=True),
                msgid="<20261120110500.7F3A2B1C@rmo-network.example.jp>",
                mime=plain("UTF-8", "base64"),
                body=b64(utf8(text)),
                mailfrom=SEC,
                form="bare",
            ),
            "accepted",
            subject="地域運営組織の会計実務研修（オンライン）のご案内",
            body_contains=(
                "地域運営組織の会計実務研修をオンラインで開催します。\n日時：2027年1月15日（金）14:00〜16:00",
                "講師：税理士 佐藤 花子 氏",
                "申込：https://rmo-network.example.jp/training/2027-accounting",
            ),
            body_absent=FOOTER_ABSENT,
            sender=SEC,
            blocks=(),
        )
    )

    long_line = (
        "会員名簿（令和8年度版）を更新しました。掲載内容に変更がある場合は、所定の様式で事務局までお知らせください。"
        "様式は会員専用ページからダウンロードできます。"
    )
    text = "会員の皆さま\n\n" + long_line + "\n\n計算式の例：会費 = 均等割 + 人口割\n\n事務局\n" + EN_FOOTER
    cases.append(
        Case(
            "utf8_qp.eml",
            "UTF-8 in quoted-printable; soft line breaks fall inside multibyte characters; '=' in the text",
            list_post(
                when=date(11, 20, 13, 40),
                qid="4XkM5d4SxZz3",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 会員名簿の更新について", q=True),
                msgid="<20261120134000.5E6F7A8B@rmo-network.example.jp>",
                mime=plain("utf-8", "quoted-printable"),
                body=qp(utf8(text)),
            ),
            "accepted",
            subject="会員名簿の更新について",
            body_contains=(long_line, "計算式の例：会費 = 均等割 + 人口割"),
            body_absent=(*FOOTER_ABSENT, "=E3", "=3D"),
            sender=JIMU,
        )
    )

    raw = utf8("[RMO お知らせ] 【重要】令和9年度 会費納入のお願い（期限：3月31日）")
    subject = (
        word_b("UTF-8", raw[:20])
        + "\n "
        + word_b("utf-8", raw[20:43])
        + "\n "
        + word_q("UTF-8", raw[43:61])
        + "\n "
        + word_q("UTF-8", raw[61:77])
        + "\n "
        + word_q("UTF-8", raw[77:])
    )
    cases.append(
        Case(
            "subject_split_multibyte.eml",
            "Subject as five encoded words (B, B, Q, Q, Q), every cut in the middle of UTF-8 characters: the bytes of adjacent "
            "words must be joined before decoding",
            list_post(
                when=date(11, 21, 9, 0),
                qid="4XkN0e6TyZz4",
                frm=from_("事務局", JIMU),
                subject=subject,
                msgid="<20261121090000.1A2B3C4D@rmo-network.example.jp>",
                mime=plain("utf-8", "8bit"),
                body=utf8(
                    "令和9年度の会費納入をお願いします。期限は3月31日です。\n振込先は会員専用ページをご覧ください。\n"
                ),
            ),
            "accepted",
            subject="【重要】令和9年度 会費納入のお願い（期限：3月31日）",
            body_contains=(
                "令和9年度の会費納入をお願いします。期限は3月31日です。\n振込先は会員専用ページをご覧ください。",
            ),
            sender=JIMU,
        )
    )

    text = "事例集に掲載する原稿を募集します。\n字数は800字程度、写真は2枚までです。\n"
    cases.append(
        Case(
            "no_charset_utf8.eml",
            "text/plain with no charset parameter, 8-bit UTF-8 body; raw UTF-8 Subject and List-Id (no encoded "
            "words at all)",
            list_post(
                when=date(11, 21, 10, 30),
                qid="4XkN2f8UzZz5",
                frm=f"jimukyoku <{JIMU}>",
                subject=utf8("[RMO お知らせ] 事例集の原稿募集"),
                msgid="<20261121103000.2B3C4D5E@rmo-network.example.jp>",
                mime=[("MIME-Version", "1.0"), ("Content-Type", "text/plain"), ("Content-Transfer-Encoding", "8bit")],
                body=utf8(text),
                form="raw",
            ),
            "accepted",
            subject="事例集の原稿募集",
            body_contains=("事例集に掲載する原稿を募集します。\n字数は800字程度、写真は2枚までです。",),
            sender=JIMU,
        )
    )

    text = "先日の会員交流会の写真を共有フォルダに置きました。\n掲載に差し支えのある方は事務局までご連絡ください。\n"
    cases.append(
        Case(
            "no_mime_utf8.eml",
            "no MIME-Version, Content-Type or Content-Transfer-Encoding at all; 8-bit UTF-8 body; '[announce]' tag; LF",
            list_post(
                when=date(11, 21, 11, 15),
                qid="4XkN4g0VaZz6",
                frm=JIMU,
                subject="[announce] " + subject_words("会員交流会の写真を共有します"),
                msgid="<20261121111500.3C4D5E6F@rmo-network.example.jp>",
                mime=[],
                body=utf8(text),
                form="bare",
                crlf=False,
            ),
            "accepted",
            subject="会員交流会の写真を共有します",
            body_contains=(
                "先日の会員交流会の写真を共有フォルダに置きました。\n掲載に差し支えのある方は事務局までご連絡ください。",
            ),
            sender=JIMU,
        )
    )

    # --- ISO-2022-JP -------------------------------------------------------------------------------------------
    text = (
        "会員各位\n\n"
        "事務局は12月28日（月）から1月4日（月）まで休業します。\n"
        "休業中は電話に出られませんが、メールは受け付けています。\n"
        "1月5日（火）以降、順次返信いたします。\n\n"
        "小規模多機能自治推進ネットワーク会議 事務局\n"
    )
    cases.append(
        Case(
            "iso2022jp_plain.eml",
            "strict ISO-2022-JP 7bit (Thunderbird); subject '[RMO お知らせ:45]' in two ISO-2022-JP words; Mailman "
            "wrapped it in multipart/mixed with a Japanese footer part; '不在' in an ordinary announcement",
            list_post(
                when=date(11, 21, 14, 0),
                qid="4XkN6h2WbZz7",
                frm=from_("事務局", JIMU, "ISO-2022-JP", jis),
                subject=subject_words("[RMO お知らせ:45] 事務局の年末年始休業（不在）のお知らせ", "ISO-2022-JP", jis),
                msgid="<b4f1e2d3-6a5b-4c7d-8e9f-0a1b2c3d4e5f@rmo-network.example.jp>",
                mime=mixed(MAILMAN_BOUNDARY),
                body=multipart(
                    MAILMAN_BOUNDARY,
                    [text_part(jis(text), "ISO-2022-JP", "7bit"), footer_part(JA_FOOTER)],
                ),
                extra=[("User-Agent", "Mozilla Thunderbird")],
            ),
            "accepted",
            subject="事務局の年末年始休業（不在）のお知らせ",
            body_contains=(
                "事務局は12月28日（月）から1月4日（月）まで休業します。",
                "休業中は電話に出られませんが、メールは受け付けています。\n1月5日（火）以降、順次返信いたします。",
            ),
            body_absent=(*FOOTER_ABSENT, "配信停止", "メーリングリスト"),
            sender=JIMU,
        )
    )

    raw = jis("[RMO お知らせ] 先進地視察研修の参加者募集")
    start = raw.index(b"\x1b$B") + 3
    cut1 = start + 4  # between two JIS characters, without re-sending ESC $ B
    cut2 = raw.index(b"\x1b$B", start) + 3 + 5  # inside a JIS character of the second run
    subject = "\n ".join(word_b("ISO-2022-JP", chunk) for chunk in (raw[:cut1], raw[cut1:cut2], raw[cut2:]))
    cases.append(
        Case(
            "subject_iso2022jp_split.eml",
            "ISO-2022-JP subject chopped into encoded words without regard to the escape state (the second word "
            "starts in JIS mode, the third in the middle of a character), as some old mailers do",
            list_post(
                when=date(11, 21, 15, 30),
                qid="4XkN8i4XcZz8",
                frm=from_("事務局", JIMU, "ISO-2022-JP", jis),
                subject=subject,
                msgid="<20261121153000.4D5E6F7A@rmo-network.example.jp>",
                mime=plain("ISO-2022-JP", "7bit"),
                body=jis("先進地視察研修の参加者を募集します。\n定員は20名です。\n"),
            ),
            "accepted",
            subject="先進地視察研修の参加者募集",
            body_contains=("先進地視察研修の参加者を募集します。\n定員は20名です。",),
            sender=JIMU,
        )
    )

    text = (
        "会員各位\n\n"
        "地域経営講座 第Ⅱ期の受講者を募集します。\n"
        "講師：髙橋 一郎 氏（㈱地域計画研究所）\n"
        "コース：①基礎編　②実践編　③会計編\n"
        "申込書 №12 に記入のうえ、事務局までお送りください。\n\n"
        "事務局 髙木\n"
    )
    cases.append(
        Case(
            "iso2022jp_ms_ext.eml",
            "labelled ISO-2022-JP but ISO-2022-JP-MS (Becky!): ①②③ ㈱ № Ⅱ (NEC row 13) and 髙 (NEC-selected IBM "
            "row 92) in body and subject; every iso2022_jp codec in Python refuses it",
            list_post(
                when=date(11, 22, 9, 10),
                qid="4XkP0j6YdZz9",
                frm=from_("事務局 髙木", JIMU, "ISO-2022-JP", jis_ms),
                subject=subject_words(
                    "[RMO お知らせ] 地域経営講座 第Ⅱ期 受講者募集（①②③コース）", "ISO-2022-JP", jis_ms
                ),
                msgid="<20261122091000.B2A1C3D4E5F6@rmo-network.example.jp>",
                mime=plain("ISO-2022-JP", "7bit"),
                body=jis_ms(text),
                extra=[("X-Mailer", "Becky! ver. 2.81.04 [ja]")],
            ),
            "accepted",
            subject="地域経営講座 第Ⅱ期 受講者募集（①②③コース）",
            body_contains=(
                "地域経営講座 第Ⅱ期の受講者を募集します。",
                "講師：髙橋 一郎 氏（㈱地域計画研究所）",
                "コース：①基礎編　②実践編　③会計編",
                "申込書 №12 に記入のうえ、事務局までお送りください。",
                "事務局 髙木",
            ),
            sender=JIMU,
        )
    )

    text = (
        "出欠確認のお願い\n\n"
        "第③回 役員会（令和8年12月12日（土））の出欠を、12月5日までにご返信ください。\n"
        "会場：㈱まちづくり会館 会議室Ⅲ\n"
    )
    cases.append(
        Case(
            "cp50220.eml",
            "charset label 'cp50220' in the body and in the subject's encoded word; ISO-2022-JP-MS bytes",
            list_post(
                when=date(11, 22, 10, 0),
                qid="4XkP2k8ZeZzA",
                frm=from_("事務局", JIMU, "cp50220", jis_ms),
                subject=subject_words("[RMO お知らせ] 第③回 役員会の出欠確認", "cp50220", jis_ms),
                msgid="<20261122100000.C3D4E5F6A7B8@rmo-network.example.jp>",
                mime=plain("cp50220", "7bit"),
                body=jis_ms(text),
            ),
            "accepted",
            subject="第③回 役員会の出欠確認",
            body_contains=(
                "第③回 役員会（令和8年12月12日（土））の出欠を、12月5日までにご返信ください。",
                "会場：㈱まちづくり会館 会議室Ⅲ",
            ),
            sender=JIMU,
        )
    )

    text = "ｵﾝﾗｲﾝｾﾐﾅｰのお知らせ\n\n来週のｵﾝﾗｲﾝｾﾐﾅｰは、予定どおり開催します。\n"
    cases.append(
        Case(
            "iso2022jp_halfwidth_kana.eml",
            "labelled ISO-2022-JP with half-width katakana after ESC ( I (CP50221 / iso2022_jp_ext); kept half-width",
            list_post(
                when=date(11, 22, 11, 20),
                qid="4XkP4m0AfZzB",
                frm=from_("事務局", JIMU, "ISO-2022-JP", jis),
                subject=subject_words("[RMO お知らせ] オンラインセミナーのお知らせ", "ISO-2022-JP", jis),
                msgid="<20261122112000.D4E5F6A7B8C9@rmo-network.example.jp>",
                mime=plain("ISO-2022-JP", "7bit"),
                body=jis_ms(text),
            ),
            "accepted",
            subject="オンラインセミナーのお知らせ",
            body_contains=("ｵﾝﾗｲﾝｾﾐﾅｰのお知らせ", "来週のｵﾝﾗｲﾝｾﾐﾅｰは、予定どおり開催します。"),
            sender=JIMU,
        )
    )

    # --- Shift_JIS family ----------------------------------------------------------------------------------------
    text = (
        "会員各位\n\n"
        "視察受入れ①として、㈱ふるさと振興公社の取組を紹介します。\n"
        "案内役：髙田 美咲 氏\n"
        "定員：15名（先着順）\n"
    )
    cases.append(
        Case(
            "shift_jis_cp932.eml",
            "labelled Shift_JIS, 8bit, but CP932 as Windows writes it: ① ㈱ and 髙 as the IBM code FB FC; Python's "
            "shift_jis codec refuses it",
            list_post(
                when=date(11, 22, 13, 0),
                qid="4XkP6n2BgZzC",
                frm=from_("事務局", JIMU, "Shift_JIS", cp932),
                subject=subject_words("[RMO お知らせ] 視察受入れ①のご案内", "Shift_JIS", cp932),
                msgid="<20261122130000.E5F6A7B8C9D0@rmo-network.example.jp>",
                mime=plain("Shift_JIS", "8bit"),
                body=cp932(text),
            ),
            "accepted",
            subject="視察受入れ①のご案内",
            body_contains=(
                "視察受入れ①として、㈱ふるさと振興公社の取組を紹介します。",
                "案内役：髙田 美咲 氏\n定員：15名（先着順）",
            ),
            sender=JIMU,
        )
    )

    text = (
        "会員各位\n\n"
        "令和8年度 会員アンケート（Ⅲ）へのご協力をお願いします。\n"
        "回答期限：12月18日（金）\n"
        "集計委託先：㈱アンケートサービス\n"
    )
    cases.append(
        Case(
            "windows31j.eml",
            "charset 'windows-31j' (Java's name for CP932), base64 body and subject",
            list_post(
                when=date(11, 22, 14, 45),
                qid="4XkP8o4ChZzD",
                frm=from_("事務局", SEC, "windows-31j", cp932),
                subject=subject_words("[RMO お知らせ] 会員アンケート（Ⅲ）のお願い", "windows-31j", cp932),
                msgid="<20261122144500.F6A7B8C9D0E1@rmo-network.example.jp>",
                mime=plain("windows-31j", "base64"),
                body=b64(cp932(text)),
                mailfrom=SEC,
            ),
            "accepted",
            subject="会員アンケート（Ⅲ）のお願い",
            body_contains=(
                "令和8年度 会員アンケート（Ⅲ）へのご協力をお願いします。",
                "回答期限：12月18日（金）\n集計委託先：㈱アンケートサービス",
            ),
            sender=SEC,
        )
    )

    text = "研修報告書は、研修終了後2週間以内に提出してください。\n様式は①報告書、②収支報告の2種類です。\n"
    cases.append(
        Case(
            "x_sjis.eml",
            "charset 'x-sjis' (old Macintosh mailers), quoted-printable body, Q-encoded subject",
            list_post(
                when=date(11, 22, 16, 0),
                qid="4XkPAp6DiZzE",
                frm=from_("事務局", JIMU, "x-sjis", cp932),
                subject=subject_words("[RMO お知らせ] 研修報告書の提出について", "x-sjis", cp932, q=True),
                msgid="<20261122160000.A7B8C9D0E1F2@rmo-network.example.jp>",
                mime=plain("x-sjis", "quoted-printable"),
                body=qp(cp932(text)),
                extra=[("X-Mailer", "Eudora-J(1.3.8.5-J13)")],
            ),
            "accepted",
            subject="研修報告書の提出について",
            body_contains=(
                "研修報告書は、研修終了後2週間以内に提出してください。\n様式は①報告書、②収支報告の2種類です。",
            ),
            sender=JIMU,
        )
    )

    text = "会報「むすび」第12号を発行しました。\n特集は「地域の担い手づくり」です。\n会員専用ページからご覧いただけます。\n"
    cases.append(
        Case(
            "unknown8bit_utf8.eml",
            "charset 'unknown-8bit' in body and subject (what Python's email writes for undeclared 8-bit data); the "
            "bytes are UTF-8; LF",
            list_post(
                when=date(11, 23, 9, 30),
                qid="4XkQ0q8EjZzF",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 会報第12号を発行しました", "unknown-8bit"),
                msgid="<20261123093000.B8C9D0E1F2A3@rmo-network.example.jp>",
                mime=plain('"unknown-8bit"', "8bit"),
                body=utf8(text),
                crlf=False,
            ),
            "accepted",
            subject="会報第12号を発行しました",
            body_contains=("会報「むすび」第12号を発行しました。\n特集は「地域の担い手づくり」です。",),
            sender=JIMU,
        )
    )

    text = "役員選挙の結果をお知らせします。\n①会長　山本 太郎（再任）\n②副会長　鈴木 一美（新任）\n"
    cases.append(
        Case(
            "unknown8bit_cp932.eml",
            "charset 'unknown-8bit' in body and a Q-encoded subject; the bytes are CP932 (with ①); LF",
            list_post(
                when=date(11, 23, 10, 0),
                qid="4XkQ2r0FkZzG",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 役員選挙の結果について", "unknown-8bit", cp932, q=True),
                msgid="<20261123100000.C9D0E1F2A3B4@rmo-network.example.jp>",
                mime=plain('"unknown-8bit"', "8bit"),
                body=cp932(text),
                crlf=False,
            ),
            "accepted",
            subject="役員選挙の結果について",
            body_contains=("役員選挙の結果をお知らせします。\n①会長　山本 太郎（再任）\n②副会長　鈴木 一美（新任）",),
            sender=JIMU,
        )
    )

    text = "先日の研修資料を会員専用ページに公開しました。\n資料の二次利用はご遠慮ください。\n"
    cases.append(
        Case(
            "euc_jp.eml",
            "EUC-JP, 8bit body and B-encoded subject; LF",
            list_post(
                when=date(11, 23, 11, 0),
                qid="4XkQ4s2GmZzH",
                frm=from_("事務局", JIMU, "EUC-JP", eucjp),
                subject=subject_words("[RMO お知らせ] 研修資料の公開について", "EUC-JP", eucjp),
                msgid="<20261123110000.D0E1F2A3B4C5@rmo-network.example.jp>",
                mime=plain("EUC-JP", "8bit"),
                body=eucjp(text),
                extra=[("X-Mailer", "Sylpheed 3.7.0 (GTK+ 2.24.33; x86_64-pc-linux-gnu)")],
                crlf=False,
            ),
            "accepted",
            subject="研修資料の公開について",
            body_contains=("先日の研修資料を会員専用ページに公開しました。\n資料の二次利用はご遠慮ください。",),
            sender=JIMU,
        )
    )

    body = utf8("会員各位\n\n来年度の事業計画（案）を送付します。")
    body += b"\x81 "  # a Shift_JIS lead byte followed by a space: invalid in UTF-8, CP932 and EUC-JP alike
    body += utf8("ご意見は1月末までにお寄せください。\n文字化けがあれば事務局までお知らせください")
    body += b"\xe3\x81"  # a UTF-8 character cut short
    body += utf8("\n以上\n")
    cases.append(
        Case(
            "undecodable_bytes.eml",
            "UTF-8 with two byte sequences nothing can decode (0x81 0x20, and E3 81 cut short); readable around them",
            list_post(
                when=date(11, 23, 13, 30),
                qid="4XkQ6t4HnZzJ",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 事業計画（案）へのご意見募集"),
                msgid="<20261123133000.E1F2A3B4C5D6@rmo-network.example.jp>",
                mime=plain("utf-8", "8bit"),
                body=body,
            ),
            "accepted",
            subject="事業計画（案）へのご意見募集",
            body_contains=("来年度の事業計画（案）を送付します。", "ご意見は1月末までにお寄せください。", "以上"),
            sender=JIMU,
            min_replacements=1,
        )
    )
    return cases


def accepted_clients() -> list[Case]:
    cases: list[Case] = []

    # --- Outlook -----------------------------------------------------------------------------------------------
    plain_text = (
        "会員各位\n\n"
        "いつもお世話になっております。事務局の山田です。\n\n"
        "1月15日（金）の会計実務研修について、会場を変更しました。\n"
        "新しい会場：市民活動センター 2階 研修室A\n"
        "オンライン参加の方は変更ありません。\n\n"
        "参加申込はこちらから。\n"
        "研修申込フォーム<https://forms.rmo-network.example.jp/training-2027>\n\n"
        "よろしくお願いいたします。\n\n"
        "山田\n"
    )
    paragraphs = [
        "会員各位",
        "",
        "いつもお世話になっております。事務局の山田です。",
        "",
        "1月15日（金）の会計実務研修について、会場を変更しました。",
        "新しい会場：市民活動センター 2階 研修室A",
        "オンライン参加の方は変更ありません。",
        "",
        "参加申込はこちらから。",
        '<a href="https://forms.rmo-network.example.jp/training-2027">研修申込フォーム</a>',
        "",
        "よろしくお願いいたします。",
        "",
        "山田",
    ]
    html = (
        '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">\n'
        '<head>\n<meta http-equiv="Content-Type" content="text/html; charset=iso-2022-jp">\n'
        '<meta name="Generator" content="Microsoft Word 15 (filtered medium)">\n'
        "<style><!--\n/* Font Definitions */\n@font-face\n\t{font-family:游ゴシック;}\n"
        "p.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:0mm;\n\tfont-size:10.5pt;\n\tfont-family:游ゴシック;}\n"
        "span.EmailStyle17\n\t{mso-style-type:personal-compose;}\n--></style>"
        '<!--[if gte mso 9]><xml>\n<o:shapedefaults v:ext="edit" spidmax="1026" />\n</xml><![endif]-->\n'
        "</head>\n"
        '<body lang="JA" link="#0563C1" vlink="#954F72" style="word-wrap:break-word;text-justify-trim:punctuation">\n'
        '<div class="WordSection1">\n'
        + "".join(
            f'<p class="MsoNormal">{p}<o:p></o:p></p>\n' if p else '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n'
            for p in paragraphs
        )
        + "</div>\n</body>\n</html>\n"
    )
    alternative = part(
        [("Content-Type", 'multipart/alternative;\n boundary="_000_TYCPR01MB8123A1B2C3D4E5F6A7B8C9D0E1F2A3B4jpnp_"')],
        multipart(
            "_000_TYCPR01MB8123A1B2C3D4E5F6A7B8C9D0E1F2A3B4jpnp_",
            [
                text_part(jis(plain_text), "iso-2022-jp", "7bit"),
                part(
                    [
                        ("Content-Type", 'text/html; charset="iso-2022-jp"'),
                        ("Content-Transfer-Encoding", "quoted-printable"),
                    ],
                    qp(jis(html)),
                ),
            ],
        ),
    )
    cases.append(
        Case(
            "outlook_alternative.eml",
            "Outlook: multipart/alternative (ISO-2022-JP plain 7bit + HTML in quoted-printable with Word styles and "
            "conditional comments), Thread-Index, CRLF; Mailman wrapped it with a footer part. The plain part is "
            "used, once: Outlook writes the link as 'text<URL>' there, the HTML would give 'text (URL)'",
            list_post(
                when=date(11, 23, 15, 2, 11),
                qid="4XkQ8u6JpZzK",
                frm=from_("事務局 山田", JIMU, "iso-2022-jp", jis),
                subject=subject_words("[RMO お知らせ] 会計実務研修の会場変更について", "iso-2022-jp", jis),
                msgid="<TYCPR01MB8123A1B2C3D4E5F6A7B8C9D0E1F2A3B4@TYCPR01MB8123.jpnprd01.prod.outlook.com>",
                mime=mixed(MAILMAN_BOUNDARY),
                body=multipart(MAILMAN_BOUNDARY, [alternative, footer_part()]),
                extra=[
                    ("Thread-Topic", subject_words("会計実務研修の会場変更について", "iso-2022-jp", jis)),
                    ("Thread-Index", "AdtdQ2x1Zk9yZ3R5c2VfTWFpbC0xMjM0NTY3OA=="),
                    ("Accept-Language", "ja-JP, en-US"),
                    ("Content-Language", "ja-JP"),
                    ("X-MS-Has-Attach", ""),
                    ("X-MS-TNEF-Correlator", ""),
                    ("x-ms-publictraffictype", "Email"),
                    ("X-Mailer", "Microsoft Outlook 16.0"),
                ],
            ),
            "accepted",
            subject="会計実務研修の会場変更について",
            body_contains=(
                "いつもお世話になっております。事務局の山田です。",
                "1月15日（金）の会計実務研修について、会場を変更しました。\n新しい会場：市民活動センター 2階 研修室A",
                "研修申込フォーム<https://forms.rmo-network.example.jp/training-2027>",
            ),
            body_absent=(
                *FOOTER_ABSENT,
                "研修申込フォーム (https://",
                "MsoNormal",
                "<o:p>",
                "mso 9",
                "游ゴシック",
                "&nbsp;",
            ),
            sender=JIMU,
        )
    )

    # --- Gmail -------------------------------------------------------------------------------------------------
    plain_text = (
        "会員各位\n\n"
        "事務局です。\n"
        "令和8年度総会の日程を、会場の都合により変更します。\n\n"
        "変更前：2027年2月5日（金）\n"
        "変更後：2027年2月12日（金）\n\n"
        "時間と会場（オンライン）は変わりません。\n"
        "詳細：https://rmo-network.example.jp/general-meeting/2027\n\n"
        "-- \n"
        "小規模多機能自治推進ネットワーク会議 事務局\n"
        "secretariat@rmo-network.example.jp\n"
    )
    html = (
        '<div dir="ltr"><div>会員各位</div><div><br></div><div>事務局です。</div>'
        "<div>令和8年度総会の日程を、会場の都合により変更します。</div><div><br></div>"
        "<div>変更前：2027年2月5日（金）</div><div>変更後：2027年2月12日（金）</div><div><br></div>"
        "<div>時間と会場（オンライン）は変わりません。</div>"
        '<div>詳細：<a href="https://rmo-network.example.jp/general-meeting/2027">'
        "https://rmo-network.example.jp/general-meeting/2027</a></div><div><br></div>"
        '<span class="gmail_signature_prefix">-- </span><br><div dir="ltr" class="gmail_signature" '
        'data-smartmail="gmail_signature">小規模多機能自治推進ネットワーク会議 事務局<br>'
        "secretariat@rmo-network.example.jp</div></div>\n"
    )
    gmail_boundary = "000000000000f1e2d3c4b5a69788"
    gmail_alt = part(
        [("Content-Type", f'multipart/alternative; boundary="{gmail_boundary}"')],
        multipart(
            gmail_boundary,
            [
                text_part(b64(utf8(plain_text)), "UTF-8", "base64"),
                part(
                    [("Content-Type", 'text/html; charset="UTF-8"'), ("Content-Transfer-Encoding", "quoted-printable")],
                    qp(utf8(html)),
                ),
            ],
        ),
    )
    gmail_msgid = "<CAKx7mQ1Zr4vN8pQe2wYb0u3hT5sJc6dLfG9aR1oXyWm2nVk4Eg@mail.gmail.com>"

    def gmail(when: str, qid: str, message_id_field: str) -> bytes:
        return list_post(
            when=when,
            qid=qid,
            frm=from_("事務局", SEC),
            subject=subject_words("[RMO お知らせ] [重要] 総会の日程変更について"),
            msgid=gmail_msgid,
            mime=mixed(MAILMAN_BOUNDARY),
            body=multipart(MAILMAN_BOUNDARY, [gmail_alt, footer_part()]),
            mailfrom=SEC,
            extra=[("X-Gm-Message-State", "AOJu0Yx1Q2w3E4r5T6y7U8i9O0pAaSsDdFfGgHhJjKkLl")],
            message_id_field=message_id_field,
        )

    cases.append(
        Case(
            "gmail_alternative.eml",
            "Gmail: multipart/alternative (plain in base64, HTML in quoted-printable), '=?UTF-8?B?' subject; the "
            "'[重要]' tag is not the list's and stays",
            gmail(date(11, 24, 8, 55, 31), "4XkR0v8KqZzL", "Message-ID"),
            "accepted",
            subject="[重要] 総会の日程変更について",
            body_contains=(
                "令和8年度総会の日程を、会場の都合により変更します。",
                "変更前：2027年2月5日（金）\n変更後：2027年2月12日（金）",
                "詳細：https://rmo-network.example.jp/general-meeting/2027",
                "小規模多機能自治推進ネットワーク会議 事務局\nsecretariat@rmo-network.example.jp",
            ),
            body_absent=(*FOOTER_ABSENT, "<div", "gmail_signature", "2027 (https://"),
            sender=SEC,
        )
    )

    # --- iPhone ------------------------------------------------------------------------------------------------
    flowed = (
        "会員の皆さま\n\n"
        "明日の会計実務研修は予定どおり開催します。 \n"  # soft break (delsp=yes: the space goes too)
        "会場の暖房が弱いため、上着をお持ちください。 \n"
        "駐車場は第2駐車場をご利用ください。\n\n"
        "事務局 山田\n\n"
        "iPhoneから送信\n"
    )
    cases.append(
        Case(
            "iphone_flowed.eml",
            "iPhone Mail: quoted-printable UTF-8 with format=flowed; delsp=yes — the three flowed lines are one "
            "paragraph",
            list_post(
                when=date(11, 24, 19, 12, 44),
                qid="4XkR2w0LrZzM",
                frm=from_("山田 花子", JIMU),
                subject=subject_words("[RMO お知らせ] 明日の研修について", "utf-8"),
                msgid="<6F1C2E9A-3B4D-4E5F-8A7B-9C0D1E2F3A4B@rmo-network.example.jp>",
                message_id_field="Message-Id",
                mime=[
                    ("Content-Type", "text/plain;\n\tcharset=utf-8;\n\tformat=flowed;\n\tdelsp=yes"),
                    ("Content-Transfer-Encoding", "quoted-printable"),
                    ("Mime-Version", "1.0 (1.0)"),
                ],
                body=qp(utf8(flowed)),
                extra=[("X-Mailer", "iPhone Mail (22B91)")],
            ),
            "accepted",
            subject="明日の研修について",
            body_contains=(
                (
                    "明日の会計実務研修は予定どおり開催します。会場の暖房が弱いため、上着をお持ちください。"
                    "駐車場は第2駐車場をご利用ください。"
                ),
                "事務局 山田",
                "iPhoneから送信",
            ),
            body_absent=("=20", "します。 "),
            sender=JIMU,
        )
    )

    # --- Japanese mobile carriers --------------------------------------------------------------------------------
    cases.append(
        Case(
            "docomo_iso2022jp.eml",
            "docomo mail shape: short ISO-2022-JP 7bit, no display name, no X-Mailer",
            list_post(
                when=date(11, 26, 12, 15, 30),
                qid="4XkT0x2MsZzN",
                frm=JIMU,
                subject=subject_words("[RMO お知らせ] 本日の理事会について", "ISO-2022-JP", jis),
                msgid="<20261126121530.a1b2c3d4e5@docomo.ne.jp>",
                mime=plain("iso-2022-jp", "7bit"),
                body=jis("本日の理事会は予定どおり15時からです。\n事務局 山田\n"),
            ),
            "accepted",
            subject="本日の理事会について",
            body_contains=("本日の理事会は予定どおり15時からです。\n事務局 山田",),
            sender=JIMU,
        )
    )
    cases.append(
        Case(
            "au_iso2022jp.eml",
            "au mail shape: short ISO-2022-JP whose text carries ㈱ (NEC row 13)",
            list_post(
                when=date(11, 26, 13, 2, 8),
                qid="4XkT2y4NtZzP",
                frm=JIMU,
                subject=subject_words("[RMO お知らせ] 会場の鍵について", "ISO-2022-JP", jis),
                msgid="<5f0e3c2a1b.20261126130208@ezweb.ne.jp>",
                mime=plain('"ISO-2022-JP"', "7bit"),
                body=jis_ms("会場の鍵は㈱まちづくり会館の受付で受け取ってください。\n山田\n"),
            ),
            "accepted",
            subject="会場の鍵について",
            body_contains=("会場の鍵は㈱まちづくり会館の受付で受け取ってください。\n山田",),
            sender=JIMU,
        )
    )
    cases.append(
        Case(
            "softbank_sjis.eml",
            "SoftBank mail shape: short Shift_JIS 8bit, Shift_JIS B-encoded subject",
            list_post(
                when=date(11, 26, 13, 40, 51),
                qid="4XkT4z6PuZzQ",
                frm=JIMU,
                subject=subject_words("[RMO お知らせ] 資料の差し替え", "Shift_JIS", cp932),
                msgid="<20261126134051.0A1B2C3D@softbank.ne.jp>",
                mime=plain('"Shift_JIS"', "8bit"),
                body=cp932("配布資料の3ページ目を差し替えました。\n最新版をご確認ください。\n"),
            ),
            "accepted",
            subject="資料の差し替え",
            body_contains=("配布資料の3ページ目を差し替えました。\n最新版をご確認ください。",),
            sender=JIMU,
        )
    )

    # --- fml with a raw Shift_JIS subject -----------------------------------------------------------------------
    fields: list[Field] = [
        ("Return-Path", "<announce-admin@rmo-network.example.jp>"),
        ("Delivered-To", BOT),
        received(
            date(11, 26, 15, 0, 4),
            "bot.rmo-network.example.jp",
            "fml.rmo-network.example.jp",
            "192.0.2.26",
            "4XkT6a8QvZzR",
        ),
        ("Date", date(11, 26, 15, 0)),
        ("From", f"jimukyoku <{JIMU}>"),
        ("Reply-To", LIST_ADDR),
        ("Subject", b"[announce:00124] " + cp932("会員証の再発行について")),
        ("To", LIST_ADDR),
        ("Message-Id", "<202611261500.AA00124@rmo-network.example.jp>"),
        ("X-ML-Name", "announce"),
        ("X-Mail-Count", "00124"),
        ("X-MLServer", "fml [fml 8.0.0]; post only (only members can post)"),
        ("List-Id", f"<{LIST_ID}>"),
        ("List-Software", "fml [fml 8.0.0]"),
        ("List-Post", f"<mailto:{LIST_ADDR}>"),
        ("List-Owner", "<mailto:announce-admin@rmo-network.example.jp>"),
        ("List-Help", "<mailto:announce-ctl@rmo-network.example.jp?body=help>"),
        ("List-Unsubscribe", "<mailto:announce-ctl@rmo-network.example.jp?body=unsubscribe>"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=Shift_JIS"),
        ("Content-Transfer-Encoding", "8bit"),
        ("Precedence", "bulk"),
    ]
    text = "会員証の再発行を希望される方は、事務局までご連絡ください。\n再発行の手数料はかかりません。\n"
    cases.append(
        Case(
            "raw_sjis_subject_fml.eml",
            "posted through fml: '[announce:00124]' tag and a raw, unencoded Shift_JIS Subject; Shift_JIS body; LF",
            message(fields, cp932(text), crlf=False),
            "accepted",
            subject="会員証の再発行について",
            body_contains=(
                "会員証の再発行を希望される方は、事務局までご連絡ください。\n再発行の手数料はかかりません。",
            ),
            sender=JIMU,
        )
    )
    return cases


def huge_body() -> bytes:
    lines = ["令和8年度 全国研修会 議事録（全文）", "", "【冒頭】開会挨拶"]
    size = 0
    n = 0
    while size < 3_000_000:
        n += 1
        line = f"発言 {n:05d}：地域運営組織の担い手確保について、会員団体から事例の報告があり、意見を交換しました。"
        lines.append(line)
        size += len(utf8(line)) + 1
    lines.append("【末尾】以上で議事録を終わります。")
    return utf8("\n".join(lines) + "\n" + EN_FOOTER)


def accepted_shapes() -> list[Case]:
    cases: list[Case] = []

    cases.append(
        Case(
            "huge_body.eml",
            "about 3 MB of 8-bit UTF-8 text (under the 10 MB max_size; the file stays under 4 MB); LF",
            list_post(
                when=date(11, 27, 9, 0),
                qid="4XkV0b0RwZzS",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 令和8年度 全国研修会 議事録（全文）"),
                msgid="<20261127090000.1F2E3D4C@rmo-network.example.jp>",
                mime=plain("utf-8", "8bit"),
                body=huge_body(),
                crlf=False,
            ),
            "accepted",
            subject="令和8年度 全国研修会 議事録（全文）",
            body_contains=(
                "【冒頭】開会挨拶",
                "発言 12345：地域運営組織の担い手確保について、会員団体から事例の報告があり、意見を交換しました。",
                "【末尾】以上で議事録を終わります。",
            ),
            body_absent=FOOTER_ABSENT,
            sender=JIMU,
        )
    )

    cases.append(
        Case(
            "empty_body_with_subject.eml",
            "a subject and a zero-length body: accepted as a subject-only announcement (the body is empty)",
            list_post(
                when=date(11, 27, 10, 0),
                qid="4XkV2c2SxZzT",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 本日の理事会は中止します"),
                msgid="<20261127100000.2E3D4C5B@rmo-network.example.jp>",
                mime=plain("utf-8", "7bit"),
                body=b"",
            ),
            "accepted",
            subject="本日の理事会は中止します",
            sender=JIMU,
        )
    )

    soukai = pdf("総会資料.pdf", 48_213)
    cases.append(
        Case(
            "attachment_only_with_subject.eml",
            "a subject and a PDF, no text of its own (only Mailman's footer part): accepted, body empty",
            list_post(
                when=date(11, 27, 11, 0),
                qid="4XkV4d4TyZzU",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 総会資料の送付"),
                msgid="<20261127110000.3D4C5B6A@rmo-network.example.jp>",
                mime=mixed(MAILMAN_BOUNDARY),
                body=multipart(
                    MAILMAN_BOUNDARY,
                    [
                        attachment_part(
                            "application/pdf",
                            "attachment; filename*=UTF-8''" + pct(utf8("総会資料.pdf")),
                            soukai,
                        ),
                        footer_part(),
                    ],
                ),
            ),
            "accepted",
            subject="総会資料の送付",
            body_absent=FOOTER_ABSENT,
            sender=JIMU,
            attachments=(Attachment("総会資料.pdf", "application/pdf", soukai),),
        )
    )

    annai = pdf("案内.pdf", 1_234)
    docx_name = "令和8年度_研修会_参加申込書.docx"
    docx = office(docx_name, 17_922)
    docx_pct = pct(utf8(docx_name))
    cut = docx_pct.index("%", 40)
    boundary = "------------7Bq3xZ0mK1nW9pL4vR2sT6yU"
    cases.append(
        Case(
            "attachment_rfc2231_utf8.eml",
            "Thunderbird: 案内.pdf as filename*=UTF-8''%E6%A1%88%E5%86%85.pdf (name= as an RFC 2047 word), and a "
            ".docx whose RFC 2231 name is split into continuations (filename*0*, filename*1*)",
            list_post(
                when=date(11, 27, 13, 0),
                qid="4XkV6e6UzZzV",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 研修会の案内と参加申込書"),
                msgid="<7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f@rmo-network.example.jp>",
                mime=mixed(boundary),
                body=multipart(
                    boundary,
                    [
                        text_part(
                            utf8(
                                "会員各位\n\n次回の研修会について、案内と参加申込書を添付します。\nご確認ください。\n"
                            ),
                            "UTF-8",
                            "8bit",
                            "; format=flowed",
                        ),
                        attachment_part(
                            'application/pdf; name="=?UTF-8?B?5qGI5YaFLnBkZg==?="',
                            "attachment; filename*=UTF-8''%E6%A1%88%E5%86%85.pdf",
                            annai,
                        ),
                        attachment_part(
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document;\n"
                            f' name="{encoded_words(docx_name)}"',
                            f"attachment;\n filename*0*=UTF-8''{docx_pct[:cut]};\n filename*1*={docx_pct[cut:]}",
                            docx,
                        ),
                    ],
                    preamble="This is a multi-part message in MIME format.",
                ),
                extra=[("User-Agent", "Mozilla Thunderbird"), ("Content-Language", "ja")],
            ),
            "accepted",
            subject="研修会の案内と参加申込書",
            body_contains=("次回の研修会について、案内と参加申込書を添付します。\nご確認ください。",),
            body_absent=("multi-part message",),
            sender=JIMU,
            attachments=(
                Attachment("案内.pdf", "application/pdf", annai),
                Attachment(docx_name, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx),
            ),
        )
    )

    youkou = pdf("開催要項.pdf", 20_480)
    xlsx = office("参加申込書.xlsx", 9_731)
    boundary = "=_NextPart_2F4A6C8E0B1D3F5A"
    cases.append(
        Case(
            "attachment_rfc2231_iso2022jp.eml",
            "RFC 2231 names in ISO-2022-JP: filename*=ISO-2022-JP''%1B%24B...%1B%28B.pdf and "
            "filename*=iso-2022-jp'ja'... with a language tag; ISO-2022-JP text part",
            list_post(
                when=date(11, 27, 14, 30),
                qid="4XkV8f8VaZzW",
                frm=from_("事務局", JIMU, "ISO-2022-JP", jis),
                subject=subject_words("[RMO お知らせ] 交流会の開催要項", "ISO-2022-JP", jis),
                msgid="<20261127143000.4C5B6A79@rmo-network.example.jp>",
                mime=mixed(boundary),
                body=multipart(
                    boundary,
                    [
                        text_part(
                            jis("会員各位\n\n交流会の開催要項と参加申込書をお送りします。\n"), "ISO-2022-JP", "7bit"
                        ),
                        attachment_part(
                            "application/pdf",
                            "attachment;\n filename*=ISO-2022-JP''" + pct(jis("開催要項.pdf")),
                            youkou,
                        ),
                        attachment_part(
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            "attachment;\n filename*=iso-2022-jp'ja'" + pct(jis("参加申込書.xlsx")),
                            xlsx,
                        ),
                    ],
                ),
            ),
            "accepted",
            subject="交流会の開催要項",
            body_contains=("交流会の開催要項と参加申込書をお送りします。",),
            sender=JIMU,
            attachments=(
                Attachment("開催要項.pdf", "application/pdf", youkou),
                Attachment(
                    "参加申込書.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx
                ),
            ),
        )
    )

    map_pdf = pdf("会場案内図.pdf", 3_072)
    long_name = "当日プログラム（最終版）_令和8年度地域づくり交流会.pdf"
    program = pdf(long_name, 5_555)
    jis_name = word_b("iso-2022-jp", jis("会場案内図.pdf"))
    boundary = "----=_NextPart_000_0012_01DB4F3A.6C8E0B1D"
    cases.append(
        Case(
            "attachment_rfc2047_filename.eml",
            "RFC 2047 encoded words inside quoted filename= and name= (Outlook, Becky!): one ISO-2022-JP word, and a "
            "long UTF-8 name folded over two words",
            list_post(
                when=date(11, 27, 16, 0),
                qid="4XkVAg0WbZzX",
                frm=from_("事務局", JIMU, "iso-2022-jp", jis),
                subject=subject_words("[RMO お知らせ] 交流会の会場案内図と当日プログラム", "iso-2022-jp", jis),
                msgid="<000001db4f3a$6c8e0b1d$2a4c6e80$@rmo-network.example.jp>",
                mime=mixed(boundary),
                body=multipart(
                    boundary,
                    [
                        text_part(jis("会場案内図と当日プログラムを添付します。\n"), "iso-2022-jp", "7bit"),
                        attachment_part(
                            f'application/pdf;\n name="{jis_name}"', f'attachment;\n filename="{jis_name}"', map_pdf
                        ),
                        attachment_part(
                            f'application/pdf;\n name="{encoded_words(long_name)}"',
                            f'attachment;\n filename="{encoded_words(long_name)}"',
                            program,
                        ),
                    ],
                    preamble="This is a multipart message in MIME format.",
                ),
                extra=[("X-Mailer", "Microsoft Outlook 16.0")],
            ),
            "accepted",
            subject="交流会の会場案内図と当日プログラム",
            body_contains=("会場案内図と当日プログラムを添付します。",),
            sender=JIMU,
            attachments=(
                Attachment("会場案内図.pdf", "application/pdf", map_pdf),
                Attachment(long_name, "application/pdf", program),
            ),
        )
    )

    minutes = cp932("理事会議事録（第5回）\r\n\r\n出席者：8名\r\n議題：令和9年度予算案\r\n")
    roster = b"\xef\xbb\xbf" + utf8("団体名,代表者,連絡先\n中央地区まちづくり協議会,佐藤,000-0000-0001\n")
    boundary = "------------0aB1cD2eF3gH4iJ5kL6mN7oP"
    cases.append(
        Case(
            "attachment_text_files.eml",
            "text files as attachments (Content-Disposition: attachment): a Shift_JIS .txt and a UTF-8 .csv with a "
            "BOM are listed with their raw sizes and kept out of the body",
            list_post(
                when=date(11, 28, 9, 0),
                qid="4XkW0h2XcZzY",
                frm=from_("事務局", SEC),
                subject=subject_words("[RMO お知らせ] 理事会議事録と団体名簿"),
                msgid="<20261128090000.5B6A7988@rmo-network.example.jp>",
                mime=mixed(boundary),
                body=multipart(
                    boundary,
                    [
                        text_part(utf8("理事会の議事録と団体名簿を添付します。\n")),
                        part(
                            [
                                ("Content-Type", 'text/plain; charset="Shift_JIS"'),
                                ("Content-Disposition", "attachment; filename*=UTF-8''" + pct(utf8("議事録.txt"))),
                                ("Content-Transfer-Encoding", "base64"),
                            ],
                            b64(minutes),
                        ),
                        part(
                            [
                                ("Content-Type", 'text/csv; charset="UTF-8"'),
                                ("Content-Disposition", "attachment; filename*=UTF-8''" + pct(utf8("名簿.csv"))),
                                ("Content-Transfer-Encoding", "base64"),
                            ],
                            b64(roster),
                        ),
                    ],
                ),
                mailfrom=SEC,
            ),
            "accepted",
            subject="理事会議事録と団体名簿",
            body_contains=("理事会の議事録と団体名簿を添付します。",),
            body_absent=("理事会議事録（第5回）", "団体名,代表者"),
            sender=SEC,
            attachments=(
                Attachment("議事録.txt", "text/plain", minutes),
                Attachment("名簿.csv", "text/csv", roster),
            ),
        )
    )
    return cases


def accepted_forwards_and_content() -> list[Case]:
    cases: list[Case] = []

    inner_pdf = pdf("研修案内.pdf", 6_144)
    inner_boundary = "------------InnerB0undary5Q7R9T"
    inner = message(
        [
            ("From", from_("研修担当", "kenshu@pref-office.example.jp", "ISO-2022-JP", jis)),
            ("To", SEC),
            ("Subject", subject_words("【研修】地域運営組織の担い手育成研修のご案内", "ISO-2022-JP", jis)),
            ("Date", date(11, 25, 17, 30)),
            ("Message-ID", "<20261125173000.9A8B7C6D@pref-office.example.jp>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", f'multipart/mixed; boundary="{inner_boundary}"'),
        ],
        multipart(
            inner_boundary,
            [
                text_part(
                    jis(
                        "各位\n\n地域運営組織の担い手育成研修を開催します。\n"
                        "日時：2027年2月19日（金）13:00から\n"
                        "会場：県庁 大会議室（オンライン併用）\n"
                        "申込期限：2027年2月5日（金）\n"
                    ),
                    "ISO-2022-JP",
                    "7bit",
                ),
                attachment_part(
                    "application/pdf", "attachment; filename*=UTF-8''" + pct(utf8("研修案内.pdf")), inner_pdf
                ),
            ],
        ),
        crlf=False,
    )
    boundary = "------------Fw8dAs5Att4chm3nt2Q"
    cases.append(
        Case(
            "forward_rfc822.eml",
            "forwarded as an attachment: message/rfc822 (ISO-2022-JP text and a PDF inside). The forwarded text "
            "joins the body; the .eml itself is not listed as an attachment, the PDF inside it is",
            list_post(
                when=date(11, 28, 10, 30),
                qid="4XkW2i4YdZzZ",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] Fwd: 【研修】地域運営組織の担い手育成研修のご案内"),
                msgid="<1e2d3c4b-5a69-4788-96a5-b4c3d2e1f0a9@rmo-network.example.jp>",
                mime=mixed(boundary),
                body=multipart(
                    boundary,
                    [
                        text_part(utf8("事務局です。\n研修担当からの案内を転送します。\n")),
                        part(
                            [
                                (
                                    "Content-Type",
                                    'message/rfc822; name="=?UTF-8?B?'
                                    + base64.b64encode(utf8("研修のご案内.eml")).decode()
                                    + '?="',
                                ),
                                (
                                    "Content-Disposition",
                                    "attachment; filename*=UTF-8''" + pct(utf8("研修のご案内.eml")),
                                ),
                            ],
                            inner,
                        ),
                    ],
                ),
                extra=[("User-Agent", "Mozilla Thunderbird")],
            ),
            "accepted",
            subject="Fwd: 【研修】地域運営組織の担い手育成研修のご案内",
            body_contains=(
                "研修担当からの案内を転送します。",
                "地域運営組織の担い手育成研修を開催します。\n日時：2027年2月19日（金）13:00から",
                "申込期限：2027年2月5日（金）",
            ),
            sender=JIMU,
            attachments=(Attachment("研修案内.pdf", "application/pdf", inner_pdf),),
        )
    )

    text = (
        "会員各位\n\n"
        "研修担当からの案内を転送します。\n\n"
        "---------- Forwarded message ---------\n"
        "From: 研修担当 <kenshu@training-center.example.jp>\n"
        "Date: 2026年11月24日(火) 9:12\n"
        "Subject: 【研修】ファシリテーション研修の追加募集\n"
        "To: <secretariat@rmo-network.example.jp>\n\n\n"
        "ファシリテーション研修に5名の空きが出たため、追加募集を行います。\n"
        "申込は先着順です。\n" + EN_FOOTER
    )
    cases.append(
        Case(
            "forward_inline.eml",
            "Gmail inline forward ('---------- Forwarded message ---------'); 'Fwd:' stays in the subject",
            list_post(
                when=date(11, 28, 11, 45, 2),
                qid="4XkW4j6ZeZ01",
                frm=from_("事務局", SEC),
                subject=subject_words("[RMO お知らせ] Fwd: 【研修】ファシリテーション研修の追加募集"),
                msgid="<CAKx7mQ2Ab5cD6eF7gH8iJ9kL0mN1oP2qR3sT4uV5wX6yZ7aB8c@mail.gmail.com>",
                mime=plain('"UTF-8"', "base64"),
                body=b64(utf8(text)),
                mailfrom=SEC,
            ),
            "accepted",
            subject="Fwd: 【研修】ファシリテーション研修の追加募集",
            body_contains=(
                "研修担当からの案内を転送します。",
                "ファシリテーション研修に5名の空きが出たため、追加募集を行います。\n申込は先着順です。",
            ),
            body_absent=FOOTER_ABSENT,
            sender=SEC,
        )
    )

    line = "@everyone @here <!channel> <!here> <@U123> <@&123> @channel"
    text = (
        "会員各位\n\n"
        "Slack と Discord への転送テストです。次の行はそのまま表示されるはずです。\n"
        + line
        + "\nメンションとして通知されないことを確認してください。\n\n事務局\n"
    )
    cases.append(
        Case(
            "mentions_verbatim.eml",
            "chat mention syntax in the body (@everyone, @here, <!channel>, <@U123>, <@&123>): accepted, kept "
            "verbatim in the body (neutralising them is the relay's job, not the intake's)",
            list_post(
                when=date(11, 28, 13, 0),
                qid="4XkW6k8AfZ02",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 転送テスト（@everyone を含む）"),
                msgid="<20261128130000.6A798897@rmo-network.example.jp>",
                mime=plain("utf-8", "8bit"),
                body=utf8(text),
            ),
            "accepted",
            subject="転送テスト（@everyone を含む）",
            body_contains=(line, "@everyone", "@here", "<!channel>", "<@U123>", "<@&123>"),
            sender=JIMU,
        )
    )

    text = (
        "近畿ブロックの会員各位\n\n"
        "第2回近畿ブロック会議を次のとおり開催します。\n"
        "日時：2027年1月20日（水）13:30〜16:30\n"
        "会場：東近江市役所（滋賀県東近江市八日市緑町10-5）\n"
        "申込：https://rmo-network.example.jp/events/kinki-2026-2\n\n"
        "事務局\n" + EN_FOOTER
    )
    cases.append(
        Case(
            "kinki_block_subject.eml",
            "a block meeting with 【近畿ブロック】 in the subject: the bracket is content and stays; block kinki",
            list_post(
                when=date(11, 28, 15, 0),
                qid="4XkW8m0BgZ03",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 【近畿ブロック】第2回ブロック会議のご案内"),
                msgid="<20261128150000.798897A6@rmo-network.example.jp>",
                mime=plain("utf-8", "base64"),
                body=b64(utf8(text)),
            ),
            "accepted",
            subject="【近畿ブロック】第2回ブロック会議のご案内",
            body_contains=(
                "第2回近畿ブロック会議を次のとおり開催します。\n日時：2027年1月20日（水）13:30〜16:30",
                "会場：東近江市役所（滋賀県東近江市八日市緑町10-5）",
            ),
            body_absent=FOOTER_ABSENT,
            sender=JIMU,
            blocks=("kinki",),
        )
    )

    text = (
        "会員各位\n\n"
        "九州ブロック会議を次のとおり開催します。\n"
        "日時：2027年2月3日（水）14:00〜17:00\n"
        "会場：オンライン（Zoom）\n"
        "対象：九州ブロックの会員団体\n\n"
        "事務局\n" + EN_FOOTER
    )
    cases.append(
        Case(
            "kyushu_block_body.eml",
            "a block meeting named only in the body (九州ブロック); block kyushu",
            list_post(
                when=date(11, 28, 16, 20),
                qid="4XkWAn2ChZ04",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] ブロック会議開催のお知らせ"),
                msgid="<20261128162000.8897A6B5@rmo-network.example.jp>",
                mime=plain("utf-8", "8bit"),
                body=utf8(text),
            ),
            "accepted",
            subject="ブロック会議開催のお知らせ",
            body_contains=("九州ブロック会議を次のとおり開催します。\n日時：2027年2月3日（水）14:00〜17:00",),
            body_absent=FOOTER_ABSENT,
            sender=JIMU,
            blocks=("kyushu",),
        )
    )

    text = (
        "━━━━━━━━━━━━━━━━━━━━\n"
        "RMO通信 第7号\n"
        "━━━━━━━━━━━━━━━━━━━━\n\n"
        "■ 今月の話題\n"
        "地域の担い手づくりに取り組む会員団体を紹介します。\n\n"
        "■ 事務局から\n"
        "年末年始の休業日は別途お知らせします。\n\n"
        "-- \n"
        "小規模多機能自治推進ネットワーク会議 事務局\n"
        "TEL 000-000-0000\n" + JA_FOOTER
    )
    cases.append(
        Case(
            "mailman_footer_ja.eml",
            "Japanese Mailman footer (underscores, list line, 「配信停止は announce-leave@… へ」) appended to the "
            "text: removed; the ━━ rules and the '-- ' signature are content and stay; LF",
            list_post(
                when=date(11, 29, 9, 0),
                qid="4XkX0o4DiZ05",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] RMO通信 第7号"),
                msgid="<20261129090000.97A6B5C4@rmo-network.example.jp>",
                mime=plain("utf-8", "8bit"),
                body=utf8(text),
                crlf=False,
            ),
            "accepted",
            subject="RMO通信 第7号",
            body_contains=(
                "━━━━━━━━━━━━━━━━━━━━\nRMO通信 第7号\n━━━━━━━━━━━━━━━━━━━━",
                "■ 今月の話題\n地域の担い手づくりに取り組む会員団体を紹介します。",
                "小規模多機能自治推進ネットワーク会議 事務局\nTEL 000-000-0000",
            ),
            body_absent=(*FOOTER_ABSENT, "配信停止", "メーリングリスト"),
            sender=JIMU,
        )
    )
    return cases


def accepted_senders() -> list[Case]:
    cases: list[Case] = []
    munged = from_(f"事務局 via {LIST_NAME}", LIST_ADDR)
    cases.append(
        Case(
            "dmarc_rewritten_from.eml",
            "DMARC mitigation: From is '事務局 via RMO お知らせ' <announce@…>, the author in Reply-To; the sender is "
            "the Reply-To address",
            list_post(
                when=date(11, 29, 10, 0),
                qid="4XkX2p6EjZ06",
                frm=munged,
                subject=subject_words("[RMO お知らせ] 会員専用ページのパスワード変更"),
                msgid="<20261129100000.A6B5C4D3@rmo-network.example.jp>",
                mime=plain("utf-8", "quoted-printable"),
                body=qp(
                    utf8("会員各位\n\n会員専用ページのパスワードを変更しました。\n新しいパスワードは別途郵送します。\n")
                ),
                extra=[("Reply-To", from_("事務局", JIMU))],
            ),
            "accepted",
            subject="会員専用ページのパスワード変更",
            body_contains=("会員専用ページのパスワードを変更しました。\n新しいパスワードは別途郵送します。",),
            sender=JIMU,
        )
    )
    cases.append(
        Case(
            "dmarc_reply_to_list_and_author.eml",
            "DMARC mitigation with Reply-To naming the list first and the author second, in mixed case: the "
            "sender is the first Reply-To address that is not the list's, lower-cased",
            list_post(
                when=date(11, 29, 11, 0),
                qid="4XkX4q8FkZ07",
                frm=munged,
                subject=subject_words("[RMO お知らせ] 会費の領収書について"),
                msgid="<20261129110000.B5C4D3E2@rmo-network.example.jp>",
                mime=plain("utf-8", "8bit"),
                body=utf8("会員各位\n\n会費の領収書を発行しました。\n必要な方は事務局までお知らせください。\n"),
                mailfrom=SEC,
                extra=[("Reply-To", f"{LIST_ADDR},\n {from_('事務局', 'Secretariat@RMO-Network.example.jp')}")],
            ),
            "accepted",
            subject="会費の領収書について",
            body_contains=("会費の領収書を発行しました。\n必要な方は事務局までお知らせください。",),
            sender=SEC,
        )
    )
    cases.append(
        Case(
            "sender_mixed_case.eml",
            "From address in mixed case: allowed, and reported lower-cased",
            list_post(
                when=date(11, 29, 13, 0),
                qid="4XkX6r0GmZ08",
                frm=from_("事務局", "JimuKyoku@RMO-Network.Example.JP"),
                subject=subject_words("[RMO お知らせ] 会議室の利用案内"),
                msgid="<20261129130000.C4D3E2F1@rmo-network.example.jp>",
                mime=plain("utf-8", "8bit"),
                body=utf8("事務局の会議室は、会員団体の打合せに無料でご利用いただけます。\n"),
                mailfrom="JimuKyoku@RMO-Network.Example.JP",
            ),
            "accepted",
            subject="会議室の利用案内",
            body_contains=("事務局の会議室は、会員団体の打合せに無料でご利用いただけます。",),
            sender=JIMU,
        )
    )
    cases.append(
        Case(
            "auto_submitted_no.eml",
            "'Auto-Submitted: no' and 'Precedence: bulk' (a newsletter written by a person): not an auto-reply",
            list_post(
                when=date(11, 29, 14, 0),
                qid="4XkX8s2HnZ09",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] メールマガジン第34号"),
                msgid="<20261129140000.D3E2F1A0@rmo-network.example.jp>",
                mime=plain("utf-8", "8bit"),
                body=utf8("メールマガジン第34号をお届けします。\n今号は会員団体の活動紹介です。\n"),
                extra=[("Auto-Submitted", "no"), ("Precedence", "bulk")],
            ),
            "accepted",
            subject="メールマガジン第34号",
            body_contains=("メールマガジン第34号をお届けします。\n今号は会員団体の活動紹介です。",),
            sender=JIMU,
        )
    )
    cases.append(
        Case(
            "no_message_id_a.eml",
            "no Message-ID header at all (an old list server let it through): accepted",
            list_post(
                when=date(11, 29, 15, 0),
                qid="4XkXAt4JpZ0A",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 会議室予約システムの停止について"),
                msgid=None,
                mime=plain("utf-8", "8bit"),
                body=utf8("12月20日（日）は保守作業のため会議室予約システムを停止します。\n"),
            ),
            "accepted",
            subject="会議室予約システムの停止について",
            body_contains=("12月20日（日）は保守作業のため会議室予約システムを停止します。",),
            sender=JIMU,
        )
    )
    cases.append(
        Case(
            "no_message_id_b.eml",
            "a second, different message without a Message-ID: not a duplicate of the first",
            list_post(
                when=date(12, 20, 18, 0),
                qid="4XkXCu6KqZ0B",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 会議室予約システムの再開について"),
                msgid=None,
                mime=plain("utf-8", "8bit"),
                body=utf8("会議室予約システムの保守作業が終わり、利用を再開しました。\n"),
            ),
            "accepted",
            subject="会議室予約システムの再開について",
            body_contains=("会議室予約システムの保守作業が終わり、利用を再開しました。",),
            sender=JIMU,
        )
    )
    return cases


def accepted_html_and_broken() -> list[Case]:
    cases: list[Case] = []

    html = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
        "<style>body { color: #333333; } .note { font-size: 12px; }</style>\n"
        '<script type="text/javascript">function track() { return "tracking-pixel"; }</script>\n'
        "</head><body>\n"
        "<h1>活動報告会のお知らせ</h1>\n"
        "<p>会員各位</p>\n"
        '<p>活動報告会を開催します。詳しくは<a href="https://rmo-network.example.jp/events/report-2027">詳細ページ</a>'
        "をご覧ください。</p>\n"
        "<p>会場：市民活動センター<br>時間：13:00&#x301C;15:00<br>定員：30名 &amp; 先着順</p>\n"
        '<div>資料：<a href="https://rmo-network.example.jp/docs/report-2027.pdf">'
        "https://rmo-network.example.jp/docs/report-2027.pdf</a></div>\n"
        "<ul><li>第1部：活動報告</li><li>第2部：意見交換</li></ul>\n"
        '<p class="note">&lt;お問い合わせ&gt; 事務局</p>\n'
        "</body></html>\n"
    )
    cases.append(
        Case(
            "html_only.eml",
            "HTML only (UTF-8, quoted-printable), wrapped by Mailman with a footer part: text without tags, "
            "style or script; a link as 'text (URL)', a link whose text is its URL as the URL alone; <br>, <p>, "
            "<div>, <li> break lines; entities decoded",
            list_post(
                when=date(11, 30, 9, 0),
                qid="4XkY0v8LrZ0C",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 活動報告会のお知らせ"),
                msgid="<20261130090000.E2F1A09B@rmo-network.example.jp>",
                mime=mixed(MAILMAN_BOUNDARY),
                body=multipart(
                    MAILMAN_BOUNDARY,
                    [
                        part(
                            [
                                ("Content-Type", 'text/html; charset="utf-8"'),
                                ("Content-Transfer-Encoding", "quoted-printable"),
                            ],
                            qp(utf8(html)),
                        ),
                        footer_part(),
                    ],
                ),
            ),
            "accepted",
            subject="活動報告会のお知らせ",
            body_contains=(
                "活動報告会のお知らせ",
                "活動報告会を開催します。詳しくは詳細ページ (https://rmo-network.example.jp/events/report-2027)",
                "会場：市民活動センター\n時間：13:00〜15:00\n定員：30名 & 先着順",
                "https://rmo-network.example.jp/docs/report-2027.pdf",
                "第1部：活動報告",
                "第2部：意見交換",
                "<お問い合わせ> 事務局",
            ),
            body_absent=(
                *FOOTER_ABSENT,
                "<p",
                "<a ",
                "<br",
                "<div",
                "<li",
                "color:",
                "font-size",
                "function track",
                "tracking-pixel",
                "&amp;",
                "&lt;",
                "report-2027.pdf (https://",
                "先着順資料",
                "活動報告第2部",
                "お知らせ会員各位",
            ),
            sender=JIMU,
        )
    )

    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"></head>\n'
        "<body><p>会員各位</p><p>年次報告書の提出期限は1月31日（日）です。</p>"
        "<p>様式は事務局にお問い合わせください。</p></body></html>\n"
    )
    cases.append(
        Case(
            "html_meta_charset.eml",
            "HTML only, no charset parameter on Content-Type; the charset (Shift_JIS) is named only in a <meta> "
            "tag; 8bit",
            list_post(
                when=date(11, 30, 10, 0),
                qid="4XkY2w0MsZ0D",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 年次報告書の提出期限", "Shift_JIS", cp932),
                msgid="<20261130100000.F1A09B8C@rmo-network.example.jp>",
                mime=[("MIME-Version", "1.0"), ("Content-Type", "text/html"), ("Content-Transfer-Encoding", "8bit")],
                body=cp932(html),
            ),
            "accepted",
            subject="年次報告書の提出期限",
            body_contains=("年次報告書の提出期限は1月31日（日）です。", "様式は事務局にお問い合わせください。"),
            body_absent=("<p>", "charset", "<meta"),
            sender=JIMU,
        )
    )

    boundary = "------------A1B2C3D4E5F6"
    cases.append(
        Case(
            "missing_boundary.eml",
            "multipart/mixed with no boundary parameter; the parts are delimited by '--------------A1B2C3D4E5F6' "
            "lines anyway: the boundary is recovered from the body, so no MIME header or delimiter reaches the text",
            list_post(
                when=date(11, 30, 11, 0),
                qid="4XkY4x2NtZ0E",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 研修の受付開始"),
                msgid="<20261130110000.A09B8C7D@rmo-network.example.jp>",
                mime=[("MIME-Version", "1.0"), ("Content-Type", "multipart/mixed")],
                body=multipart(
                    boundary,
                    [
                        text_part(
                            utf8("会員各位\n\n研修の受付を開始しました。\n申込は事務局までお願いします。\n"),
                            "UTF-8",
                            "8bit",
                        )
                    ],
                    preamble="This is a multi-part message in MIME format.",
                ),
            ),
            "accepted",
            subject="研修の受付開始",
            body_contains=("研修の受付を開始しました。\n申込は事務局までお願いします。",),
            body_absent=("Content-Type", "Content-Transfer-Encoding", "A1B2C3D4E5F6", "multi-part message"),
            sender=JIMU,
        )
    )

    shiryou = pdf("会議資料.pdf", 2_500)
    boundary = "=_unclosed_7f3e9a1c"
    cases.append(
        Case(
            "unclosed_boundary.eml",
            "multipart/mixed whose closing delimiter never comes (the file ends after the attachment's base64)",
            list_post(
                when=date(11, 30, 13, 0),
                qid="4XkY6y4PuZ0F",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 会議資料の送付"),
                msgid="<20261130130000.9B8C7D6E@rmo-network.example.jp>",
                mime=mixed(boundary),
                body=multipart(
                    boundary,
                    [
                        text_part(utf8("会議資料を添付します。\n当日は各自ご持参ください。\n")),
                        attachment_part(
                            "application/pdf", "attachment; filename*=UTF-8''" + pct(utf8("会議資料.pdf")), shiryou
                        ),
                    ],
                    close=False,
                ),
            ),
            "accepted",
            subject="会議資料の送付",
            body_contains=("会議資料を添付します。\n当日は各自ご持参ください。",),
            sender=JIMU,
            attachments=(Attachment("会議資料.pdf", "application/pdf", shiryou),),
        )
    )

    text = (
        "会員各位\n\n会報の原稿締切は12月18日（金）です。\n写真の解像度にご注意ください。\nよろしくお願いします\n以上\n"
    )
    encoded = base64.b64encode(utf8(text)).decode("ascii")
    assert encoded.endswith("="), "the text must need padding for this case to mean anything"
    encoded = encoded.rstrip("=")
    lines = [encoded[i : i + 60] for i in range(0, len(encoded), 60)]
    lines[1] += "   "  # trailing blanks on a line, as some gateways leave them
    cases.append(
        Case(
            "bad_base64_padding.eml",
            "base64 text with its '=' padding stripped, uneven line lengths and trailing blanks; "
            "'Content-Transfer-Encoding: BASE64' in capitals",
            list_post(
                when=date(11, 30, 14, 0),
                qid="4XkY8z6QvZ0G",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 会報の原稿締切"),
                msgid="<20261130140000.8C7D6E5F@rmo-network.example.jp>",
                mime=plain("utf-8", "BASE64"),
                body=utf8("\n".join(lines) + "\n"),
            ),
            "accepted",
            subject="会報の原稿締切",
            body_contains=(
                "会報の原稿締切は12月18日（金）です。\n写真の解像度にご注意ください。\nよろしくお願いします\n以上",
            ),
            sender=JIMU,
        )
    )

    cases.append(
        Case(
            "nonsense_cte.eml",
            "'Content-Transfer-Encoding: utf-8' (a charset where an encoding belongs) over raw 8-bit UTF-8, and a "
            "stray ';;' in Content-Type: read as 8bit",
            list_post(
                when=date(11, 30, 15, 0),
                qid="4XkYA08RwZ0H",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 名札の準備について"),
                msgid="<20261130150000.7D6E5F4A@rmo-network.example.jp>",
                mime=[
                    ("MIME-Version", "1.0"),
                    ("Content-Type", 'text/plain;; charset="utf-8";'),
                    ("Content-Transfer-Encoding", "utf-8"),
                ],
                body=utf8("交流会では名札を用意します。\n団体名と氏名を当日受付でお知らせください。\n"),
            ),
            "accepted",
            subject="名札の準備について",
            body_contains=("交流会では名札を用意します。\n団体名と氏名を当日受付でお知らせください。",),
            sender=JIMU,
        )
    )

    fields: list[Field] = [
        *delivered(date(11, 30, 16, 0, 3), "4XkYC1ARxZ0J"),
        ("From", from_("事務局", JIMU)),
        ("To", LIST_ADDR),
        ("Subject", subject_words("[RMO お知らせ] 年末年始の郵便物について")),
        ("Date", date(11, 30, 16, 0)),
        ("Message-ID", "<20261130160000.6E5F4A3B@rmo-network.example.jp>"),
        *plain("utf-8", "8bit"),
        *mailman("<20261130160000.6E5F4A3B@rmo-network.example.jp>", JIMU),
    ]
    body = (
        utf8("会員各位\r\n\r\n年末年始の郵便物の取扱いについてお知らせします。\r\n")
        + utf8("12月29日から1月3日までは郵便物を受け取れません。\n")
        + utf8("急ぎの書類はメールでお送りください。\r")
        + utf8("以上、よろしくお願いします。\r\n")
    )
    cases.append(
        Case(
            "mixed_line_endings.eml",
            "CRLF headers; the body mixes CRLF, bare LF and a bare CR (old Mac): all become \\n",
            fields_bytes(fields).replace(b"\n", b"\r\n") + b"\r\n" + body,
            "accepted",
            subject="年末年始の郵便物について",
            body_contains=(
                (
                    "年末年始の郵便物の取扱いについてお知らせします。\n12月29日から1月3日までは郵便物を受け取れません。\n"
                    "急ぎの書類はメールでお送りください。\n以上、よろしくお願いします。"
                ),
            ),
            body_absent=("\r",),
            sender=JIMU,
        )
    )
    return cases


def rejected() -> list[Case]:
    cases: list[Case] = []
    body = utf8("会員各位\n\n来月の理事会の日程をお知らせします。\n")

    def post(**kw: object) -> bytes:
        args: dict[str, object] = {
            "frm": from_("事務局", JIMU),
            "subject": subject_words("[RMO お知らせ] 理事会の日程"),
            "mime": plain("utf-8", "8bit"),
            "body": body,
        }
        args.update(kw)
        return list_post(**args)  # type: ignore[arg-type]

    fields: list[Field] = [
        ("Return-Path", "<members-bounces@rmo-network.example.jp>"),
        ("Delivered-To", BOT),
        received(
            date(12, 1, 9, 0, 2),
            "bot.rmo-network.example.jp",
            "lists.rmo-network.example.jp",
            "192.0.2.25",
            "4XkZ0A2SyZ0K",
        ),
        ("From", from_("事務局", JIMU)),
        ("To", "members@rmo-network.example.jp"),
        ("Subject", subject_words("[会員交流] 交流会の写真")),
        ("Date", date(12, 1, 9, 0)),
        ("Message-ID", "<20261201090000.5F4A3B2C@rmo-network.example.jp>"),
        *plain("utf-8", "8bit"),
        ("Precedence", "list"),
        ("List-Id", f"{word_b('utf-8', utf8('会員交流'))} <members.rmo-network.example.jp>"),
        ("List-Post", "<mailto:members@rmo-network.example.jp>"),
    ]
    cases.append(
        Case(
            "wrong_list_id.eml",
            "an allowed author, but posted to another list (List-Id <members.rmo-network.example.jp>)",
            message(fields, utf8("交流会の写真を共有します。\n")),
            "rejected",
            reason="List-Id",
        )
    )
    fields = [
        ("Return-Path", f"<{JIMU}>"),
        ("Delivered-To", BOT),
        received(
            date(12, 1, 9, 30, 2),
            "bot.rmo-network.example.jp",
            "mail.rmo-network.example.jp",
            "192.0.2.30",
            "4XkZ2B4TzZ0L",
        ),
        ("From", from_("事務局", JIMU)),
        ("To", BOT),
        ("Subject", subject_words("直接送信のテスト")),
        ("Date", date(12, 1, 9, 30)),
        ("Message-ID", "<20261201093000.4A3B2C1D@rmo-network.example.jp>"),
        *plain("utf-8", "8bit"),
    ]
    cases.append(
        Case(
            "missing_list_id.eml",
            "an allowed author writing to the bot directly: no List-Id",
            message(fields, utf8("リストを通さずに送っています。\n")),
            "rejected",
            reason="List-Id",
        )
    )
    cases.append(
        Case(
            "list_id_lookalike.eml",
            "List-Id <announce.rmo-network.example.jp.evil.example>: the configured id is only a prefix of it",
            message(
                [
                    *delivered(date(12, 1, 10, 0, 2), "4XkZ4C6UaZ0M"),
                    ("From", from_("事務局", JIMU)),
                    ("To", "announce@rmo-network.example.jp.evil.example"),
                    ("Subject", subject_words("[RMO お知らせ] 会費振込先の変更")),
                    ("Date", date(12, 1, 10, 0)),
                    ("Message-ID", "<20261201100000.3B2C1D0E@evil.example>"),
                    *plain("utf-8", "8bit"),
                    ("Precedence", "list"),
                    ("List-Id", f"{word_b('utf-8', utf8(LIST_NAME))} <announce.rmo-network.example.jp.evil.example>"),
                ],
                utf8("会費の振込先が変更になりました。\n"),
            ),
            "rejected",
            reason="List-Id",
        )
    )
    cases.append(
        Case(
            "member_docomo.eml",
            "a member (not the secretariat) posting from a phone through the list: author not allowed",
            post(
                when=date(12, 1, 11, 0),
                qid="4XkZ6D8VbZ0N",
                frm="rmo-member-0123@docomo.example.ne.jp",
                subject=subject_words("[RMO お知らせ] Re: 理事会の日程", "ISO-2022-JP", jis),
                msgid="<20261201110000.b7c8d9e0f1@docomo.ne.jp>",
                mime=plain("iso-2022-jp", "7bit"),
                body=jis("明日の会議、少し遅れて参加します。\n"),
                mailfrom="rmo-member-0123@docomo.example.ne.jp",
            ),
            "rejected",
            reason="sender",
        )
    )
    cases.append(
        Case(
            "sender_spoofed_display_name.eml",
            "the allowed address as the display name, a look-alike domain as the address",
            post(
                when=date(12, 1, 11, 30),
                qid="4XkZ8E0WcZ0P",
                frm=f'"{JIMU}" <jimukyoku@rmo-network.example.jp.attacker.example>',
                subject=subject_words("[RMO お知らせ] 会費振込先の変更"),
                msgid="<20261201113000.2C1D0E9F@attacker.example>",
                body=utf8("会費の振込先が変更になりました。新しい口座は別途お知らせします。\n"),
                mailfrom="jimukyoku@rmo-network.example.jp.attacker.example",
            ),
            "rejected",
            reason="sender",
        )
    )
    cases.append(
        Case(
            "dmarc_member.eml",
            "DMARC-rewritten From whose Reply-To is a member, not the secretariat",
            post(
                when=date(12, 1, 12, 0),
                qid="4XkZAF2XdZ0Q",
                frm=from_(f"田中 via {LIST_NAME}", LIST_ADDR),
                subject=subject_words("[RMO お知らせ] 交流会の感想"),
                msgid="<CAMb4s3Dq9wE8rT7yU6iO5pA4sD3fG2hJ1kL0zX9cV8bN7mQ@mail.gmail.com>",
                body=utf8("先日の交流会、ありがとうございました。\n"),
                mailfrom="tanaka.member@gmail.example.com",
                extra=[("Reply-To", from_("田中", "tanaka.member@gmail.example.com"))],
            ),
            "rejected",
            reason="sender",
        )
    )
    cases.append(
        Case(
            "dmarc_no_reply_to.eml",
            "From is the list's own posting address and there is no Reply-To: the author is unknown",
            post(
                when=date(12, 1, 12, 30),
                qid="4XkZCG4YeZ0R",
                frm=from_(LIST_NAME, LIST_ADDR),
                msgid="<20261201123000.1D0E9F8A@rmo-network.example.jp>",
                mailfrom=LIST_ADDR,
            ),
            "rejected",
            reason="sender",
        )
    )
    cases.append(
        Case(
            "vacation_notice.eml",
            "a Sieve vacation notice (RFC 5230) from the secretariat's own mailbox, distributed by the list: "
            "'Auto-Submitted: auto-replied'",
            post(
                when=date(12, 1, 13, 0),
                qid="4XkZEH6ZfZ0S",
                subject=subject_words("不在通知: [RMO お知らせ] 令和8年度 総会のご案内"),
                msgid="<vacation-20261201130000.0E9F8A7B@rmo-network.example.jp>",
                body=utf8("12月1日から12月3日まで不在にしております。\n返信は12月4日以降になります。\n"),
                extra=[
                    ("In-Reply-To", "<9d2c61e0-4b7a-4f1e-9c3d-2a1b0c9d8e7f@rmo-network.example.jp>"),
                    ("Auto-Submitted", "auto-replied (vacation)"),
                ],
            ),
            "rejected",
            reason="auto",
        )
    )
    cases.append(
        Case(
            "auto_generated.eml",
            "'Auto-Submitted: auto-generated' (a membership system's reminder sent as the secretariat)",
            post(
                when=date(12, 1, 13, 30),
                qid="4XkZGJ8AgZ0T",
                frm=from_("会員管理システム", SEC),
                subject=subject_words("[RMO お知らせ] 会費未納のお知らせ（自動送信）"),
                msgid="<reminder-20261201133000.9F8A7B6C@rmo-network.example.jp>",
                body=utf8("このメールはシステムから自動送信されています。\n"),
                mailfrom=SEC,
                extra=[("Auto-Submitted", "auto-generated")],
            ),
            "rejected",
            reason="auto",
        )
    )
    cases.append(
        Case(
            "x_autoreply.eml",
            "'X-Autoreply: yes' (an auto-responder without Auto-Submitted)",
            post(
                when=date(12, 1, 14, 0),
                qid="4XkZJK0BhZ0U",
                subject=subject_words("Re: [RMO お知らせ] 理事会の日程"),
                msgid="<autoreply-20261201140000.8A7B6C5D@rmo-network.example.jp>",
                body=utf8("メールを受け付けました。担当者より改めてご連絡します。\n"),
                extra=[("X-Autoreply", "yes")],
            ),
            "rejected",
            reason="auto",
        )
    )
    cases.append(
        Case(
            "precedence_auto_reply.eml",
            "'Precedence: auto_reply' and nothing else that marks it automatic",
            message(
                [
                    *delivered(date(12, 1, 14, 30, 2), "4XkZLM2CiZ0V"),
                    ("From", from_("事務局", JIMU)),
                    ("To", LIST_ADDR),
                    ("Subject", subject_words("Re: [RMO お知らせ] 理事会の日程")),
                    ("Date", date(12, 1, 14, 30)),
                    ("Message-ID", "<autoreply-20261201143000.7B6C5D4E@rmo-network.example.jp>"),
                    *plain("utf-8", "8bit"),
                    ("Precedence", "auto_reply"),
                    ("List-Id", list_id()),
                    ("List-Post", f"<mailto:{LIST_ADDR}>"),
                ],
                utf8("ただいま外出中です。戻り次第ご連絡します。\n"),
            ),
            "rejected",
            reason="auto",
        )
    )

    dsn_boundary = "4XkZNP4DjZ0W.1764550800/mx.rmo-network.example.jp"
    dsn = multipart(
        dsn_boundary,
        [
            part(
                [("Content-Description", "Notification"), ("Content-Type", "text/plain; charset=us-ascii")],
                b"This is the mail system at host mx.rmo-network.example.jp.\n\n"
                b"I'm sorry to have to inform you that your message could not\n"
                b"be delivered to one or more recipients. It's attached below.\n\n"
                b"                   The mail system\n\n"
                b"<member@old-domain.example.jp>: host mx.old-domain.example.jp[203.0.113.7] said:\n"
                b"    550 5.1.1 <member@old-domain.example.jp>: User unknown (in reply to RCPT TO\n"
                b"    command)\n",
            ),
            part(
                [("Content-Description", "Delivery report"), ("Content-Type", "message/delivery-status")],
                b"Reporting-MTA: dns; mx.rmo-network.example.jp\n"
                b"X-Postfix-Queue-ID: 4XkZNP4DjZ0W\n"
                b"X-Postfix-Sender: rfc822; rmo-bot@rmo-network.example.jp\n"
                b"Arrival-Date: Tue,  1 Dec 2026 09:00:00 +0900 (JST)\n\n"
                b"Final-Recipient: rfc822; member@old-domain.example.jp\n"
                b"Original-Recipient: rfc822;member@old-domain.example.jp\n"
                b"Action: failed\n"
                b"Status: 5.1.1\n"
                b"Remote-MTA: dns; mx.old-domain.example.jp\n"
                b"Diagnostic-Code: smtp; 550 5.1.1 <member@old-domain.example.jp>: User unknown\n",
            ),
            part(
                [("Content-Description", "Undelivered Message Headers"), ("Content-Type", "text/rfc822-headers")],
                fields_bytes(
                    [
                        ("From", f"rmo-bot <{BOT}>"),
                        ("To", "member@old-domain.example.jp"),
                        ("Subject", subject_words("週間ダイジェスト（12月第1週）")),
                        ("Date", date(12, 1, 8, 59)),
                        ("Message-ID", "<digest-2026-w49@rmo-network.example.jp>"),
                    ]
                ),
            ),
        ],
        preamble="This is a MIME-encapsulated message.",
    )
    cases.append(
        Case(
            "bounce_dsn.eml",
            "a Postfix delivery status notification (multipart/report; report-type=delivery-status) for one of "
            "the bot's own digests, from MAILER-DAEMON, with 'Auto-Submitted: auto-replied'; no List-Id",
            message(
                [
                    ("Return-Path", "<>"),
                    ("Delivered-To", BOT),
                    ("Received", f"by mx.rmo-network.example.jp (Postfix)\n\tid 4XkZNP4DjZ0W; {date(12, 1, 9, 0, 1)}"),
                    ("Date", date(12, 1, 9, 0, 1)),
                    ("From", "MAILER-DAEMON@mx.rmo-network.example.jp (Mail Delivery System)"),
                    ("Subject", "Undelivered Mail Returned to Sender"),
                    ("To", BOT),
                    ("Auto-Submitted", "auto-replied"),
                    ("MIME-Version", "1.0"),
                    ("Content-Type", f'multipart/report; report-type=delivery-status;\n\tboundary="{dsn_boundary}"'),
                    ("Content-Transfer-Encoding", "8bit"),
                    ("Message-Id", "<20261201000001.4XkZNP4DjZ0W@mx.rmo-network.example.jp>"),
                ],
                dsn,
            ),
            "rejected",
            reason="bounce",
        )
    )
    cases.append(
        Case(
            "bounce_mailer_daemon.eml",
            "a qmail-style bounce: plain text from MAILER-DAEMON, no multipart/report, no Message-ID",
            message(
                [
                    ("Return-Path", "<>"),
                    ("Delivered-To", BOT),
                    received(
                        date(12, 1, 9, 5, 3),
                        "bot.rmo-network.example.jp",
                        "mail.example.ne.jp",
                        "198.51.100.14",
                        "4XkZQR6EkZ0X",
                    ),
                    ("Date", "1 Dec 2026 00:05:02 -0000"),
                    ("From", "MAILER-DAEMON@mail.example.ne.jp"),
                    ("To", BOT),
                    ("Subject", "failure notice"),
                ],
                b"Hi. This is the qmail-send program at mail.example.ne.jp.\n"
                b"I'm afraid I wasn't able to deliver your message to the following addresses.\n"
                b"This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
                b"<member2@example.ne.jp>:\n"
                b"Sorry, no mailbox here by that name. (#5.1.1)\n\n"
                b"--- Below this line is a copy of the message.\n\n"
                b"Return-Path: <rmo-bot@rmo-network.example.jp>\n"
                b"From: rmo-bot <rmo-bot@rmo-network.example.jp>\n"
                b"To: member2@example.ne.jp\n"
                b"Subject: weekly digest\n\n"
                b"(digest text)\n",
            ),
            "rejected",
            reason="bounce",
        )
    )
    cases.append(
        Case(
            "loop_from_bot.eml",
            "the bot's own digest, posted to the list and coming back through it: From is rmo-bot@",
            post(
                when=date(12, 1, 15, 0),
                qid="4XkZST8FmZ0Y",
                frm=f"rmo-bot <{BOT}>",
                subject=subject_words("[RMO お知らせ] 週間ダイジェスト（12月第1週）"),
                msgid="<digest-2026-w49-list@rmo-network.example.jp>",
                body=utf8("今週のお知らせは3件です。\n"),
                mailfrom=BOT,
            ),
            "rejected",
            reason="loop",
        )
    )
    cases.append(
        Case(
            "loop_dmarc_bot.eml",
            "the bot's own mail after DMARC mitigation: From is the list, Reply-To is rmo-bot@",
            post(
                when=date(12, 1, 15, 30),
                qid="4XkZUV0GnZ0Z",
                frm=from_(f"rmo-bot via {LIST_NAME}", LIST_ADDR),
                subject=subject_words("[RMO お知らせ] 週間ダイジェスト（12月第1週）"),
                msgid="<digest-2026-w49-munged@rmo-network.example.jp>",
                body=utf8("今週のお知らせは3件です。\n"),
                mailfrom=BOT,
                extra=[("Reply-To", f"rmo-bot <{BOT}>")],
            ),
            "rejected",
            reason="loop",
        )
    )
    return cases


def duplicates(originals: dict[str, Case]) -> list[Case]:
    first = originals["utf8_plain.eml"].data
    copy = first.replace(b"4XkM1b0QvZz1", b"4XkM1b9QvZzD")
    # The same post delivered a second time (the bot's address is subscribed twice): only delivery headers differ.
    copy = copy.replace(b"Delivered-To: " + BOT.encode(), b"Delivered-To: rmo-bot+announce@rmo-network.example.jp", 1)
    gmail = originals["gmail_alternative.eml"].data
    gmail_copy = gmail.replace(b"Message-ID: <CAKx7m", b"Message-Id:   <CAKx7m").replace(
        b"4XkR0v8KqZzL", b"4XkR0v8KqZzM"
    )
    return [
        Case(
            "duplicate_utf8_plain.eml",
            "utf8_plain.eml delivered again (the bot's address subscribed twice): same Message-ID",
            copy,
            "duplicate",
            after="utf8_plain.eml",
        ),
        Case(
            "duplicate_gmail.eml",
            "gmail_alternative.eml again, its Message-ID header spelt 'Message-Id:' with extra blanks",
            gmail_copy,
            "duplicate",
            after="gmail_alternative.eml",
        ),
    ]


def quarantined() -> list[Case]:
    cases: list[Case] = []
    cases.append(
        Case(
            "empty_no_subject.eml",
            "no Subject and a zero-length body: nothing to announce",
            list_post(
                when=date(12, 2, 9, 0),
                qid="4Xm00W2HpZ10",
                frm=from_("事務局", JIMU),
                subject=None,
                msgid="<20261202090000.6C5D4E3F@rmo-network.example.jp>",
                mime=plain("utf-8", "7bit"),
                body=b"",
            ),
            "quarantined",
            reason="text",
        )
    )
    html = (
        "<html><head><style>p { color: red; } .hero { width: 600px; }</style>\n"
        "<script>window.onload = function () { console.log('loaded'); };</script></head>\n"
        '<body><div><img src="cid:image001.png@01DB4F3A.6C8E0B1D" width="600" height="200"></div>'
        "<p>&nbsp;</p></body></html>\n"
    )
    cases.append(
        Case(
            "html_no_text.eml",
            "no Subject; HTML whose only content is style, script, an image and &nbsp;: no usable text",
            list_post(
                when=date(12, 2, 9, 30),
                qid="4Xm02X4JqZ11",
                frm=from_("事務局", JIMU),
                subject=None,
                msgid="<20261202093000.5D4E3F2A@rmo-network.example.jp>",
                mime=[
                    ("MIME-Version", "1.0"),
                    ("Content-Type", 'text/html; charset="utf-8"'),
                    ("Content-Transfer-Encoding", "7bit"),
                ],
                body=utf8(html),
            ),
            "quarantined",
            reason="text",
        )
    )
    photo = jpeg("集合写真.jpg", 7_777)
    cases.append(
        Case(
            "attachment_only_no_subject.eml",
            "no Subject, no text, only a JPEG (and Mailman's footer part): nothing to announce",
            list_post(
                when=date(12, 2, 10, 0),
                qid="4Xm04Y6KrZ12",
                frm=from_("事務局", JIMU),
                subject=None,
                msgid="<20261202100000.4E3F2A1B@rmo-network.example.jp>",
                mime=mixed(MAILMAN_BOUNDARY),
                body=multipart(
                    MAILMAN_BOUNDARY,
                    [
                        attachment_part(
                            "image/jpeg", "attachment; filename*=UTF-8''" + pct(utf8("集合写真.jpg")), photo
                        ),
                        footer_part(),
                    ],
                ),
            ),
            "quarantined",
            reason="text",
        )
    )
    cases.append(
        Case(
            "binary_garbage_body.eml",
            "a subject, but the text/plain part is binary (4 KB of noise in base64): the body exists and cannot be "
            "read, so it is not posted as a subject-only announcement",
            list_post(
                when=date(12, 2, 10, 30),
                qid="4Xm06Z8LsZ13",
                frm=from_("事務局", JIMU),
                subject=subject_words("[RMO お知らせ] 総会議案書"),
                msgid="<20261202103000.3F2A1B0C@rmo-network.example.jp>",
                mime=plain("utf-8", "base64"),
                body=b64(b"\x00\x01\x02\x03" + filler("garbage", 4_092)),
            ),
            "quarantined",
            reason="text",
        )
    )
    cases.append(
        Case(
            "prefix_only_subject.eml",
            "the subject is only the list's tag and the body only blank lines: nothing left to announce",
            list_post(
                when=date(12, 2, 11, 0),
                qid="4Xm08a0MtZ14",
                frm=from_("事務局", JIMU),
                subject=subject_words(f"[{LIST_NAME}]"),
                msgid="<20261202110000.2A1B0C9D@rmo-network.example.jp>",
                mime=plain("utf-8", "7bit"),
                body=b"\n \n\t\n",
            ),
            "quarantined",
            reason="text",
        )
    )
    return cases


def build_cases() -> list[Case]:
    accepted = [
        *accepted_charsets(),
        *accepted_clients(),
        *accepted_shapes(),
        *accepted_forwards_and_content(),
        *accepted_senders(),
        *accepted_html_and_broken(),
    ]
    # Reading as Thunderbird does (issue 10, items 15-20): in modules of their own, this file being long enough.
    from corpus_attachments import attachment_cases
    from corpus_charsets import charset_cases
    from corpus_headers import header_cases

    accepted += [*attachment_cases(), *header_cases(), *charset_cases()]
    by_file = {c.file: c for c in accepted}
    return [*accepted, *rejected(), *duplicates(by_file), *quarantined()]


# --------------------------------------------------------------------------------------------------------------
# expected.toml

HEADER = """\
# What the mail intake must make of each message in this directory. Generated by make_corpus.py; edit that,
# not this file, then run `python tests/mail/make_corpus.py`.
#
# The intake configuration these expectations assume:
#   list_ids        = ["announce.rmo-network.example.jp"]
#   allowed_senders = ["jimukyoku@rmo-network.example.jp", "secretariat@rmo-network.example.jp"]
#   the bot's own address rmo-bot@rmo-network.example.jp (mail from it is a loop);
#   the list's posting address announce@rmo-network.example.jp (From it means DMARC mitigation: see Reply-To).
#
# Files are ingested in the order listed, into one store.
#
# status           accepted | rejected | duplicate | quarantined
# reason_contains  rejected/quarantined: a word the reason contains (compare case-insensitively). Where a
#                  message breaks several rules the most specific reason is expected: loop, bounce, auto-reply,
#                  then List-Id, then sender (a bounce has no List-Id and a bounce or the bot is not an allowed
#                  sender, but "bounce" / "loop" is what the secretariat needs to read).
# subject          accepted: the decoded subject, exactly, without the list's [...] tag (the List-Id display
#                  name or the list's local part, optionally with :number), surrounding blanks stripped.
# body_contains    accepted: exact substrings of the body (line ends normalised to \\n).
# body_absent      accepted: strings that must not occur in the body.
# sender           accepted: the author's address, lower-cased.
# sender_name      optional: the author's display name, decoded.
# attachments      accepted: every attachment, in order: decoded filename, content type, decoded byte size.
#                  An empty list means none (footer parts, HTML alternatives and a forwarded message/rfc822
#                  part are not attachments; attachments inside a forwarded message are).
# blocks           optional: the blocks the announcement is for ([] = none named).
# replacements     accepted: characters that could not be decoded; min_replacements gives a lower bound instead.
# after            duplicate: the file that must have been ingested first.
#
# A subject with an empty body is a subject-only announcement (accepted, empty body). Nothing usable at all (no
# subject and no text) is quarantined, and so is a message whose text part exists but cannot be read.
"""


def toml_str(value: str) -> str:
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_list(values: tuple[str, ...]) -> str:
    if not values:
        return "[]"
    one_line = "[" + ", ".join(toml_str(v) for v in values) + "]"
    if len(one_line) <= 100:
        return one_line
    return "[\n" + "".join(f"    {toml_str(v)},\n" for v in values) + "]"


def expected_toml(cases: list[Case]) -> str:
    out = [HEADER]
    for case in cases:
        out.append("")
        out.append(f"# {case.note}")
        out.append("[[mail]]")
        out.append(f"file = {toml_str(case.file)}")
        out.append(f"status = {toml_str(case.status)}")
        if case.status in {"rejected", "quarantined"}:
            out.append(f"reason_contains = {toml_str(case.reason)}")
        if case.status == "accepted":
            assert case.subject is not None
            assert case.sender is not None
            out.append(f"subject = {toml_str(case.subject)}")
            out.append(f"body_contains = {toml_list(case.body_contains)}")
            out.append(f"body_absent = {toml_list(case.body_absent)}")
            out.append(f"sender = {toml_str(case.sender)}")
            if case.sender_name is not None:
                out.append(f"sender_name = {toml_str(case.sender_name)}")
            if case.attachments is not None:
                rows = [
                    f"{{ filename = {toml_str(a.filename)}, content_type = {toml_str(a.content_type)}, "
                    f"size = {len(a.data)} }}"
                    for a in case.attachments
                ]
                out.append("attachments = [" + ("\n" + "".join(f"    {r},\n" for r in rows) if rows else "") + "]")
            if case.blocks is not None:
                out.append(f"blocks = {toml_list(case.blocks)}")
            if case.min_replacements:
                out.append(f"min_replacements = {case.min_replacements}")
            else:
                out.append("replacements = 0")
        if case.after:
            out.append(f"after = {toml_str(case.after)}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------------------
# Self-check: is each file what it is meant to be?


def payload(msg: Message) -> bytes:
    data = msg.get_payload(decode=True)
    assert isinstance(data, bytes)
    return data


def leaves(msg: Message) -> list[Message]:
    return [p for p in msg.walk() if not p.is_multipart()]


def self_check(cases: list[Case]) -> None:
    by_file = {c.file: c for c in cases}
    assert len(by_file) == len(cases), "file names must be unique"
    counts = {s: sum(c.status == s for c in cases) for s in ("accepted", "rejected", "duplicate", "quarantined")}
    assert len(cases) >= 45
    assert counts["accepted"] >= 30
    assert counts["rejected"] >= 8
    assert counts["duplicate"] >= 2
    assert counts["quarantined"] >= 3

    msgs = {c.file: email.message_from_bytes(c.data) for c in cases}
    ids: dict[str, str] = {}
    for case in cases:
        msg = msgs[case.file]
        assert msg.get_payload() is not None, case.file
        msgid = msg.get("Message-ID")
        if msgid is not None:
            key = msgid.strip()
            if case.status == "duplicate":
                assert ids[key] == case.after, case.file
            else:
                assert key not in ids, f"{case.file} reuses the Message-ID of {ids.get(key)}"
                ids[key] = case.file
        if case.after:
            assert [c.file for c in cases].index(case.after) < [c.file for c in cases].index(case.file)
        for att in case.attachments or ():
            assert att.data, case.file

    assert msgs["no_message_id_a.eml"].get("Message-ID") is None
    assert msgs["no_message_id_b.eml"].get("Message-ID") is None

    # ISO-2022-JP-MS: Python's iso2022_jp codecs all refuse it; JIS -> Shift_JIS -> cp932 reads it.
    for name in ("iso2022jp_ms_ext.eml", "cp50220.eml", "au_iso2022jp.eml"):
        body = payload(msgs[name])
        for codec in (
            "iso2022_jp",
            "iso2022_jp_1",
            "iso2022_jp_2",
            "iso2022_jp_2004",
            "iso2022_jp_3",
            "iso2022_jp_ext",
        ):
            try:
                body.decode(codec)
            except UnicodeDecodeError:
                continue
            raise AssertionError(f"{name}: {codec} decodes it, so it tests nothing")
        text = decode_jis_ms(body).replace("\r\n", "\n")
        for wanted in by_file[name].body_contains:
            assert wanted in text, (name, wanted)
    ms = decode_jis_ms(payload(msgs["iso2022jp_ms_ext.eml"]))
    assert all(ch in ms for ch in "①②③㈱№Ⅱ髙")
    kana = payload(msgs["iso2022jp_halfwidth_kana.eml"])
    assert b"\x1b(I" in kana
    assert "ｵﾝﾗｲﾝｾﾐﾅｰ" in kana.decode("iso2022_jp_ext")

    # Shift_JIS labels carrying CP932-only characters.
    for name in ("shift_jis_cp932.eml", "windows31j.eml", "x_sjis.eml", "softbank_sjis.eml", "unknown8bit_cp932.eml"):
        body = payload(msgs[name])
        text = body.decode("cp932").replace("\r\n", "\n")
        for wanted in by_file[name].body_contains:
            assert wanted in text, (name, wanted)
    sj = payload(msgs["shift_jis_cp932.eml"])
    assert b"\xfb\xfc" in sj
    for codec in ("shift_jis", "utf-8"):
        try:
            sj.decode(codec)
        except UnicodeDecodeError:
            continue
        raise AssertionError(f"shift_jis_cp932.eml: {codec} decodes it")
    # JIS X 0213 reads FB FC as another character (騠), so a Shift_JIS-2004 decoder gets it silently wrong.
    assert "髙" not in sj.decode("shift_jis_2004")
    assert payload(msgs["unknown8bit_cp932.eml"]).decode("utf-8", "replace").count("\ufffd") > 0
    assert payload(msgs["euc_jp.eml"]).decode("euc_jp")

    # The undecodable case defeats UTF-8, CP932 and EUC-JP alike.
    bad = payload(msgs["undecodable_bytes.eml"])
    for codec in ("utf-8", "cp932", "euc_jp"):
        try:
            bad.decode(codec)
        except UnicodeDecodeError:
            continue
        raise AssertionError(f"undecodable_bytes.eml: {codec} decodes it")

    # Split encoded words really split a character.
    raw = utf8("[RMO お知らせ] 【重要】令和9年度 会費納入のお願い（期限：3月31日）")
    for cut in (20, 43, 61, 77):
        for piece in (raw[:cut], raw[cut:]):
            try:
                piece.decode("utf-8")
            except UnicodeDecodeError:
                break
        else:
            raise AssertionError(f"cut {cut} falls on a character boundary")
    split = by_file["subject_iso2022jp_split.eml"].data
    words = [w for w in split.split(b"Subject: ")[1].split(b"\r\nDate")[0].split() if w.startswith(b"=?")]
    chunks = [base64.b64decode(w.split(b"?")[3]) for w in words]
    assert len(chunks) == 3
    assert not chunks[1].startswith(b"\x1b")  # continues in JIS mode
    assert (len(chunks[0] + chunks[1]) - (chunks[0] + chunks[1]).rindex(b"\x1b$B") - 3) % 2 == 1  # mid-character
    subject = "[RMO お知らせ] 先進地視察研修の参加者募集"
    assert "".join(c.decode("iso2022_jp", "replace") for c in chunks) != subject  # word by word goes wrong
    assert b"".join(chunks).decode("iso2022_jp") == subject  # joined first, it decodes

    # Quoted-printable soft breaks inside a character; flowed lines.
    qp_body = by_file["utf8_qp.eml"].data.split(b"\r\n\r\n", 1)[1]
    decoded = b""
    mid_character = False
    for line in qp_body.split(b"\r\n"):
        if line.endswith(b"="):
            decoded += quopri.decodestring(line[:-1])
            try:
                decoded.decode("utf-8")
            except UnicodeDecodeError:
                mid_character = True
        else:
            decoded += quopri.decodestring(line) + b"\n"
    assert mid_character, "no soft line break falls inside a character"
    iphone = payload(msgs["iphone_flowed.eml"]).decode("utf-8").replace("\r\n", "\n")
    assert "開催します。 \n会場" in iphone
    assert b"=20\r\n" in by_file["iphone_flowed.eml"].data

    # Structure.
    assert msgs["outlook_alternative.eml"].get("Thread-Index")
    assert b"\n" not in by_file["outlook_alternative.eml"].data.replace(b"\r\n", b"")
    assert msgs["missing_boundary.eml"].get_param("boundary") is None
    assert b"--=_unclosed_7f3e9a1c--" not in by_file["unclosed_boundary.eml"].data
    b64_body = by_file["bad_base64_padding.eml"].data.split(b"\r\n\r\n", 1)[1]
    assert b"=" not in b64_body
    mixed_body = by_file["mixed_line_endings.eml"].data.split(b"\r\n\r\n", 1)[1]
    assert b"\r\n" in mixed_body
    assert b"\r" in mixed_body.replace(b"\r\n", b"")
    assert b"\n" in mixed_body.replace(b"\r\n", b"")
    size = len(by_file["huge_body.eml"].data)
    assert 2_900_000 < size < 4_000_000, size
    assert msgs["bounce_dsn.eml"].get_content_type() == "multipart/report"
    assert [p.get_content_type() for p in msgs["forward_rfc822.eml"].walk()][2] == "message/rfc822"

    # Attachment names and sizes as Python reads them (where Python can).
    for name in (
        "attachment_rfc2231_utf8.eml",
        "attachment_rfc2231_iso2022jp.eml",
        "attachment_text_files.eml",
        "attachment_only_with_subject.eml",
        "unclosed_boundary.eml",
    ):
        listed = [
            (p.get_filename(), p.get_content_type(), len(payload(p))) for p in leaves(msgs[name]) if p.get_filename()
        ]
        meant = [(a.filename, a.content_type, len(a.data)) for a in by_file[name].attachments or ()]
        assert listed == meant, (name, listed, meant)

    from corpus_attachments import check_attachment_cases
    from corpus_charsets import check_charset_cases
    from corpus_headers import check_header_cases

    check_attachment_cases({c.file: c.data for c in cases})
    check_header_cases({c.file: c.data for c in cases})
    check_charset_cases({c.file: c.data for c in cases})

    # expected.toml is valid TOML.
    tomllib.loads(expected_toml(cases))


# --------------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk instead of writing")
    args = parser.parse_args(argv)

    cases = build_cases()
    self_check(cases)
    wanted = {c.file: c.data for c in cases}
    wanted[EXPECTED] = expected_toml(cases).encode("utf-8")
    on_disk = {p.name for p in HERE.glob("*.eml")}

    if args.check:
        stale = sorted(
            name for name, data in wanted.items() if not (HERE / name).is_file() or (HERE / name).read_bytes() != data
        )
        extra = sorted(on_disk - wanted.keys())
        for name in stale:
            print(f"out of date: {name}")
        for name in extra:
            print(f"not made by this script: {name}")
        return 1 if stale or extra else 0

    for name in sorted(on_disk - wanted.keys()):
        (HERE / name).unlink()
    for name, data in wanted.items():
        path = HERE / name
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
    counts = {s: sum(c.status == s for c in cases) for s in ("accepted", "rejected", "duplicate", "quarantined")}
    print(f"{len(cases)} messages ({', '.join(f'{n} {s}' for s, n in counts.items())}) and {EXPECTED} in {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
