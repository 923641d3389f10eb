"""Corpus cases for headers as Japanese mail programs really send them (issue 10, items 16, 19 and 20).

Raw ISO-2022-JP, EUC-JP and Latin-1 subjects, display names and file names; broken header blocks (a line
without a field name, a continuation without its indent, a byte order mark); encoded words with quotes or
spaces inside. Used by ``make_corpus.py``, which writes the files.
"""

from __future__ import annotations

import base64
import re

from corpus_attachments import PDF, TAG, attachment, msgid_for
from make_corpus import (
    FOOTER_ABSENT,
    JA_FOOTER,
    JIMU,
    LIST_ADDR,
    Attachment,
    Case,
    date,
    eucjp,
    from_,
    jis_ms,
    list_post,
    mixed,
    multipart,
    pdf,
    plain,
    subject_words,
    text_part,
    utf8,
    word_b,
)

__all__ = ["check_header_cases", "header_cases"]

# EUC-JP whose bytes Shift_JIS reads without an error or a private-use character (as half-width kana).
EUC_SUBJECT = "名簿更新と連絡先変更"
EUC_NAME = "名簿更新係"


def _raw_header_cases() -> list[Case]:
    cases: list[Case] = []
    form = pdf("受講申込書①.pdf", 4_096)
    boundary = "=_jis_raw_7c2a"
    text = "会員各位\n\n第Ⅱ期 地域経営講座（①基礎編）の受講者を募集します。\n申込書を添付します。\n"
    cases.append(
        Case(
            "raw_iso2022jp_headers.eml",
            "an old Japanese mailer: Subject, the From display name and the file name as raw ISO-2022-JP (ESC "
            "sequences, no encoded words), with the CP5022x extensions ①, Ⅱ and 髙",
            list_post(
                when=date(12, 5, 11, 0),
                qid="4XmR05cY2z",
                frm=jis_ms("事務局 髙橋") + f" <{JIMU}>".encode(),
                subject=jis_ms(TAG + "第Ⅱ期 地域経営講座（①基礎編）"),
                msgid=msgid_for("raw_iso2022jp_headers.eml"),
                mime=mixed(boundary),
                body=multipart(
                    boundary,
                    [
                        text_part(jis_ms(text), "ISO-2022-JP", "7bit"),
                        attachment(
                            b'application/pdf; name="' + jis_ms("受講申込書①.pdf") + b'"',
                            b'attachment; filename="' + jis_ms("受講申込書①.pdf") + b'"',
                            form,
                        ),
                    ],
                ),
            ),
            "accepted",
            subject="第Ⅱ期 地域経営講座（①基礎編）",
            body_contains=("第Ⅱ期 地域経営講座（①基礎編）の受講者を募集します。",),
            sender=JIMU,
            sender_name="事務局 髙橋",
            attachments=(Attachment("受講申込書①.pdf", PDF, form),),
        )
    )
    text = "会員各位\n\n会員名簿の掲載内容をご確認ください。\n修正がある場合は事務局までお知らせください。\n"
    cases.append(
        Case(
            "raw_eucjp_headers_declared.eml",
            "Subject and the From display name as raw EUC-JP, bytes that Shift_JIS also reads without an error "
            "(as half-width kana); the text says charset=EUC-JP, and that is what the headers are read as",
            list_post(
                when=date(12, 6, 9, 0),
                qid="4XmR06dZ3z",
                frm=eucjp(EUC_NAME) + f" <{JIMU}>".encode(),
                subject=eucjp(TAG + EUC_SUBJECT),
                msgid=msgid_for("raw_eucjp_headers_declared.eml"),
                mime=plain("EUC-JP", "8bit"),
                body=eucjp(text),
            ),
            "accepted",
            subject=EUC_SUBJECT,
            body_contains=("会員名簿の掲載内容をご確認ください。",),
            sender=JIMU,
            sender_name=EUC_NAME,
        )
    )
    text = "Bonjour à tous,\n\nLa réunion d'échange avec Genève aura lieu le 12 février.\nMerci.\n"
    cases.append(
        Case(
            "raw_latin1_subject_declared.eml",
            "a partner city's mailer: the list's tag as an encoded word, the rest of Subject as raw ISO-8859-1 "
            "bytes (which also read as Shift_JIS); the text is ISO-8859-1",
            list_post(
                when=date(12, 7, 16, 0),
                qid="4XmR07eA4z",
                frm=f"Mairie de Genève <{JIMU}>".encode("cp1252"),
                subject=word_b("utf-8", utf8(TAG.strip())).encode()
                + b" "
                + "Réunion d'échange avec Genève".encode("cp1252"),
                msgid=msgid_for("raw_latin1_subject_declared.eml"),
                mime=plain("ISO-8859-1", "8bit"),
                body=text.encode("cp1252"),
            ),
            "accepted",
            subject="Réunion d'échange avec Genève",
            body_contains=("La réunion d'échange avec Genève aura lieu le 12 février.",),
            sender=JIMU,
            sender_name="Mairie de Genève",
        )
    )
    return cases


def _word(text: str) -> str:
    return word_b("UTF-8", utf8(text))


def _header_block_cases() -> list[Case]:
    cases: list[Case] = []
    text = "会員各位\n\n令和9年度の総会資料を会員専用ページに掲載しました。\n"
    unclosed, cc_name = '事務局 "近畿ブロック担当', 'Sato, "Taro'
    raw = list_post(
        when=date(12, 8, 10, 0),
        qid="4XmR08fB5z",
        frm=f"{_word(unclosed)} <{JIMU}>",
        subject=subject_words(TAG + "総会資料の掲載"),
        msgid=msgid_for("display_name_quote_in_encoded_word.eml"),
        mime=plain("UTF-8", "8bit"),
        body=utf8(text + JA_FOOTER),
        extra=[("Cc", f"{_word(cc_name)} <sato@member.example.jp>")],
    )
    cases.append(
        Case(
            "display_name_quote_in_encoded_word.eml",
            "From's display name is an encoded word holding an unclosed quote (Cc's a comma and a quote): decoded "
            "before the address was split, it swallowed the address",
            raw,
            "accepted",
            subject="総会資料の掲載",
            body_contains=("令和9年度の総会資料を会員専用ページに掲載しました。",),
            body_absent=FOOTER_ABSENT,
            sender=JIMU,
            sender_name=unclosed,
        )
    )
    text = "会員各位\n\n事例報告会の発表者を募集します。\n"
    raw = list_post(
        when=date(12, 9, 10, 0),
        qid="4XmR09gC6z",
        frm=from_("事務局", JIMU),
        subject=subject_words(TAG + "事例報告会の発表者募集"),
        msgid=msgid_for("malformed_header_line.eml"),
        mime=plain("UTF-8", "8bit"),
        body=utf8(text),
    )
    to_line = f"\r\nTo: {LIST_ADDR}\r\n".encode()
    raw = raw.replace(to_line, to_line + b"X-Mailer PHP/5.2.17\r\nX-Priority : 3\r\n", 1)
    cases.append(
        Case(
            "malformed_header_line.eml",
            "a web mailer's header line without a colon ('X-Mailer PHP/5.2.17') after To, and 'X-Priority : 3': "
            "the line is skipped and counted, the headers after it stay headers",
            raw,
            "accepted",
            subject="事例報告会の発表者募集",
            body_contains=("事例報告会の発表者を募集します。",),
            body_absent=("X-Mailer", "PHP", "Subject:", "Date:", "List-Id", "X-Priority"),
            sender=JIMU,
            min_replacements=1,
        )
    )
    subject = TAG + "令和9年度 先進地視察研修（鳥取県智頭町）参加者の募集について"
    first, second = subject[:20], subject[20:]
    raw = list_post(
        when=date(12, 10, 10, 0),
        qid="4XmR10hD7z",
        frm=from_("事務局", JIMU),
        subject=_word(first) + "\n" + _word(second),
        msgid=msgid_for("unindented_continuation.eml"),
        mime=plain("UTF-8", "8bit"),
        body=utf8("会員各位\n\n先進地視察研修の参加者を募集します。\n"),
        extra=[("Cc", "kinki@rmo-network.example.jp,\nkyushu@rmo-network.example.jp")],
    )
    cases.append(
        Case(
            "unindented_continuation.eml",
            "Subject's second encoded word and Cc's second address on lines without their indent: they are "
            "joined to the field above, not taken for the start of the text",
            raw,
            "accepted",
            subject="令和9年度 先進地視察研修（鳥取県智頭町）参加者の募集について",
            body_contains=("先進地視察研修の参加者を募集します。",),
            body_absent=("Date:", "List-Id", "=?UTF-8?"),
            sender=JIMU,
        )
    )
    raw = list_post(
        when=date(12, 11, 10, 0),
        qid="4XmR11iE8z",
        frm=from_("事務局", JIMU),
        subject=subject_words(TAG + "年末年始の事務局休業"),
        msgid=msgid_for("utf8_bom_before_headers.eml"),
        mime=plain("UTF-8", "8bit"),
        body=utf8("会員各位\n\n事務局は12月29日から1月3日まで休業します。\n"),
    )
    cases.append(
        Case(
            "utf8_bom_before_headers.eml",
            "a message saved by a Windows tool: a UTF-8 byte order mark before the first header",
            b"\xef\xbb\xbf" + raw,
            "accepted",
            subject="年末年始の事務局休業",
            body_contains=("事務局は12月29日から1月3日まで休業します。",),
            body_absent=("Return-Path", "List-Id"),
            sender=JIMU,
        )
    )
    utf7 = (TAG + "会場 変更 のお知らせ").encode("utf-7").decode("ascii").replace("=", "=3D")
    name = base64.b64encode(utf8("事務局 広報担当")).decode("ascii")
    raw = list_post(
        when=date(12, 12, 10, 0),
        qid="4XmR12jF9z",
        frm=f"=?UTF-8?B?{name[:8]} {name[8:]}?= <{JIMU}>",
        subject=f"=?UTF-7?Q?{utf7}?=",
        msgid=msgid_for("encoded_word_with_space.eml"),
        mime=plain("UTF-8", "8bit"),
        body=utf8("会員各位\n\n研修会の会場を変更します。\n"),
    )
    cases.append(
        Case(
            "encoded_word_with_space.eml",
            "encoded words with spaces inside: Subject in UTF-7 (=?UTF-7?Q?...?=, its spaces as they are) and a "
            "From display name whose B word is broken by a space",
            raw,
            "accepted",
            subject="会場 変更 のお知らせ",
            body_contains=("研修会の会場を変更します。",),
            sender=JIMU,
            sender_name="事務局 広報担当",
        )
    )
    return cases


def header_cases() -> list[Case]:
    """Every case of this module, in the order they are ingested."""
    return [*_raw_header_cases(), *_header_block_cases()]


def check_header_cases(data: dict[str, bytes]) -> None:
    """Each file is what its note says (run by make_corpus.py's self-check)."""
    assert b"\x1b$B" in data["raw_iso2022jp_headers.eml"].split(b"\r\n\r\n")[0]
    # EUC-JP and Latin-1 headers that Shift_JIS reads without an error, wrongly.
    for raw, text in (
        (eucjp(TAG + EUC_SUBJECT), TAG + EUC_SUBJECT),
        (eucjp(EUC_NAME), EUC_NAME),
        ("Réunion d'échange avec Genève".encode("cp1252"), "Réunion d'échange avec Genève"),
    ):
        misread = raw.decode("cp932")
        assert misread != text, text
        assert not re.search("[\ue000-\uf8ff]", misread), text
    assert b"X-Mailer PHP/5.2.17\r\n" in data["malformed_header_line.eml"]
    assert data["utf8_bom_before_headers.eml"].startswith(b"\xef\xbb\xbf")
    unindented = data["unindented_continuation.eml"]
    assert b"?=\r\n=?UTF-8?B?" in unindented
    assert b",\r\nkyushu@" in unindented
    assert b"=?UTF-7?Q?" in data["encoded_word_with_space.eml"]
    assert b" " in data["encoded_word_with_space.eml"].split(b"=?UTF-7?Q?")[1].split(b"?=")[0]
