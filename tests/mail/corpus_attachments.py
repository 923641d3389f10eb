"""Corpus cases for attachments whose names Japanese mail programs send raw (issue 10, item 15).

Raw Shift_JIS, EUC-JP and UTF-8 file names beside RFC 2231 and RFC 2047 ones, and a part the HTML parser
gives up on: no part that cannot be read may erase the others. Used by ``make_corpus.py``, which writes the files.
"""

from __future__ import annotations

import hashlib
import html.parser

from make_corpus import (
    JIMU,
    Attachment,
    Case,
    Field,
    b64,
    cp932,
    date,
    eucjp,
    from_,
    jis,
    list_post,
    mixed,
    multipart,
    office,
    part,
    pct,
    pdf,
    subject_words,
    text_part,
    utf8,
    word_b,
)

__all__ = ["PDF", "TAG", "attachment", "attachment_cases", "check_attachment_cases", "msgid_for"]

TAG = "[RMO お知らせ] "
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def msgid_for(file: str) -> str:
    """A Message-ID of its own for each file."""
    return f"<{hashlib.sha1(file.encode()).hexdigest()[:20]}@rmo-network.example.jp>"


def attachment(content_type: bytes, disposition: bytes, data: bytes) -> bytes:
    """A base64 attachment part with its Content-Type and Content-Disposition fields as sent."""
    fields: list[Field] = [
        ("Content-Type", content_type),
        ("Content-Disposition", disposition),
        ("Content-Transfer-Encoding", "base64"),
    ]
    return part(fields, b64(data))


def _raw_names(file: str, note: str, day: int, encode, charset: str, name: str, content_type: str) -> Case:
    """A post whose attachment's name is sent as raw bytes, beside an RFC 2231 and an RFC 2047 name."""
    raw_name = encode(name)
    data = office(name, 7_210) if content_type != PDF else pdf(name, 6_144)
    roster, roster_name = office("参加者名簿.xlsx", 4_321), "参加者名簿.xlsx"
    venue, venue_name = pdf("会場地図.pdf", 2_222), "会場地図.pdf"
    text = "会員各位\n\n研修で使う資料を添付します。\n名簿と会場地図もあわせてご確認ください。\n"
    boundary = f"=_raw_{charset.lower().replace('-', '_')}_4b1d"
    return Case(
        file,
        note,
        list_post(
            when=date(12, day, 9, 30),
            qid=f"4XmR{day:02d}aW0z",
            frm=from_("事務局", JIMU),
            subject=subject_words(TAG + "研修資料の送付"),
            msgid=msgid_for(file),
            mime=mixed(boundary),
            body=multipart(
                boundary,
                [
                    text_part(encode(text), charset, "8bit" if charset != "ISO-2022-JP" else "7bit"),
                    attachment(
                        content_type.encode() + b'; name="' + raw_name + b'"',
                        b'attachment; filename="' + raw_name + b'"',
                        data,
                    ),
                    attachment(
                        XLSX.encode(), ("attachment; filename*=UTF-8''" + pct(utf8(roster_name))).encode(), roster
                    ),
                    attachment(
                        f'{PDF}; name="{word_b("ISO-2022-JP", jis(venue_name))}"'.encode(),
                        f'attachment; filename="{word_b("ISO-2022-JP", jis(venue_name))}"'.encode(),
                        venue,
                    ),
                ],
            ),
        ),
        "accepted",
        subject="研修資料の送付",
        body_contains=("研修で使う資料を添付します。\n名簿と会場地図もあわせてご確認ください。",),
        sender=JIMU,
        attachments=(
            Attachment(name, content_type, data),
            Attachment(roster_name, XLSX, roster),
            Attachment(venue_name, PDF, venue),
        ),
    )


def attachment_cases() -> list[Case]:
    """Every case of this module, in the order they are ingested."""
    cases = [
        _raw_names(
            "attachment_raw_sjis_filename.eml",
            "Becky!/Outlook Express style: the file name as raw Shift_JIS in name= and filename= (表 and ソ end in "
            "a 0x5C byte, inside the quotes), beside RFC 2231 and RFC 2047 names; Shift_JIS text. Python hands "
            "Content-Disposition over as a Header object, which once erased the text and every attachment",
            1, cp932, "Shift_JIS", "研修資料（表・ソフト編）.pdf", PDF,
        ),
        _raw_names(
            "attachment_raw_eucjp_filename.eml",
            "a Unix mailer: the file name as raw EUC-JP in name= and filename=, EUC-JP text",
            2, eucjp, "EUC-JP", "議事録（第3回）.docx", DOCX,
        ),
        _raw_names(
            "attachment_raw_utf8_filename.eml",
            "a web form's mailer: the file name as raw UTF-8 in name= and filename=, UTF-8 text",
            3, utf8, "UTF-8", "令和8年度_事業計画書.xlsx", XLSX,
        ),
    ]  # fmt: skip
    leaflet = pdf("チラシ.pdf", 3_333)
    html_text = (
        "<html><body><p>会場は<b>市民センター2階</b>です。</p>\n"
        "<![ if !vml ]><p>駐車場は30台分あります。</p><![ endif ]>\n</body></html>\n"
    )
    boundary = "----=_Part_77_html_breaks"
    cases.append(
        Case(
            "html_part_parser_breaks.eml",
            "a plain part, then an HTML part with '<![ if !vml ]>' (Python's html.parser raises on the space), "
            "then a PDF: the HTML is read without its markup and counted, the plain text and the PDF stay",
            list_post(
                when=date(12, 4, 10, 0),
                qid="4XmR04bX1z",
                frm=from_("事務局", JIMU),
                subject=subject_words(TAG + "交流会の会場について"),
                msgid=msgid_for("html_part_parser_breaks.eml"),
                mime=mixed(boundary),
                body=multipart(
                    boundary,
                    [
                        text_part(utf8("会員各位\n\n交流会の会場についてお知らせします。\n"), "UTF-8", "8bit"),
                        part(
                            [("Content-Type", 'text/html; charset="UTF-8"'), ("Content-Transfer-Encoding", "8bit")],
                            utf8(html_text),
                        ),
                        attachment(
                            b"application/pdf",
                            b"attachment; filename*=UTF-8''" + pct(utf8("チラシ.pdf")).encode(),
                            leaflet,
                        ),
                    ],
                ),
            ),
            "accepted",
            subject="交流会の会場について",
            body_contains=(
                "交流会の会場についてお知らせします。",
                "会場は市民センター2階です。",
                "駐車場は30台分あります。",
            ),
            body_absent=("<p>", "vml"),
            sender=JIMU,
            attachments=(Attachment("チラシ.pdf", PDF, leaflet),),
            min_replacements=1,
        )
    )
    return cases


def check_attachment_cases(data: dict[str, bytes]) -> None:
    """Each file is what its note says (run by make_corpus.py's self-check)."""
    # The raw names really are raw: 8-bit bytes inside the quotes, no encoded word.
    assert "ソ".encode("cp932")[1:] == b"\\"
    assert "表".encode("cp932")[1:] == b"\\"
    assert b'filename="' + cp932("研修資料（表・ソフト編）.pdf") + b'"' in data["attachment_raw_sjis_filename.eml"]
    assert b'filename="' + eucjp("議事録（第3回）.docx") + b'"' in data["attachment_raw_eucjp_filename.eml"]
    assert b'filename="' + utf8("令和8年度_事業計画書.xlsx") + b'"' in data["attachment_raw_utf8_filename.eml"]
    # html.parser gives up on the HTML part.
    try:
        html.parser.HTMLParser().feed("<![ if !vml ]>")
    except AssertionError:
        pass
    else:
        raise AssertionError("html.parser reads '<![ if !vml ]>': html_part_parser_breaks.eml tests nothing")
