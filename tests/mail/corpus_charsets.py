"""Corpus cases for text charsets as they really arrive (issue 10, items 17, 18 and 19).

8-bit EUC-JP inside a part labelled ISO-2022-JP; JIS X 0212 and 0213 and the ISO-2022-JP-2/-3 labels; HTML
naming its charset only in <meta>; labels whose senders mean a superset (GB2312, KS C 5601, ISO-8859-8-i,
ISO-8859-1, US-ASCII with 8-bit bytes, EUC-JP with Windows' and JIS X 0213's rows); Latin-1 with no label.
Used by ``make_corpus.py``, which writes the files.
"""

from __future__ import annotations

import re

from corpus_attachments import TAG, msgid_for
from make_corpus import (
    JIMU,
    Case,
    Field,
    date,
    eucjp,
    from_,
    jis,
    list_post,
    plain,
    sjis_to_jis,
    subject_words,
)

__all__ = ["charset_cases", "check_charset_cases"]


def _post(file: str, note: str, day: int, header: str, mime: list[Field], body: bytes, **expect: object) -> Case:
    """An accepted post from the secretariat: `header` is its Subject field as sent, `expect` what it must give."""
    return Case(
        file,
        note,
        list_post(
            when=date(12, day, 14, 0),
            qid=f"4XmS{day:02d}kG0z",
            frm=from_("事務局", JIMU),
            subject=header,
            msgid=msgid_for(file),
            mime=mime,
            body=body,
        ),
        "accepted",
        sender=JIMU,
        **expect,  # type: ignore[arg-type]
    )


def eucjp_windows(text: str) -> bytes:
    """EUC-JP as Windows (CP51932) and JIS X 0213 senders write it: NEC row 13 from CP932, the rest from
    JIS X 0212 (euc_jp) or JIS X 0213 (euc_jis_2004)."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("euc_jp")
            continue
        except UnicodeEncodeError:
            pass
        try:
            sj = ch.encode("cp932")
        except UnicodeEncodeError:
            out += ch.encode("euc_jis_2004")
            continue
        out += bytes(b | 0x80 for b in sjis_to_jis(sj))
    return out


QUOTED = "> このメールは配信できませんでした。\n> 宛先のメールボックスが見つかりません。\n"
JISX0212 = "記念講演：「森鷗外と地域の文化」\n会場：丂田公民館 大ホール\n"
JISX0213 = "会場：𠀋山町 㐂楽館（鷗の間）\n"
JP2 = "姉妹都市・全州市（전주시）との交流会\n会場：Café Genève\n"
HTML_TEXT = "意見募集。名簿更新と連絡先変更の確認。"  # bytes Shift_JIS reads cleanly, wrongly
GBK = "尊敬的各位会员：\n中日地方自治交流会将于3月在杭州举行。\n联系人：王喆（交流部）\n"
CP949 = "전주시 국제교류과입니다.\n다음 달 교류회 메뉴: 똠얌꿍\n"
HEBREW = "שלום לכולם, המפגש יתקיים בחודש הבא.\n"
WINDOWS_1252 = "Participation fee: 20 € – “early bird” until 31 January.\n"
LATIN1 = "Réunion générale: le présent message concerne la fête. Merci.\n"
EUC_EXTENSIONS = "申込書①と②を㈱地域計画の髙橋へ。会場：丂田公民館、𠀋山町。\n"


def html_body() -> str:
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">'
        f"<title>研修の意見募集</title></head><body><p>{HTML_TEXT}</p></body></html>\n"
    )


def charset_cases() -> list[Case]:
    """Every case of this module, in the order they are ingested."""
    intro = "会員各位\n\n先日の案内が一部の会員に届かなかったため、再送します。\n届かなかった通知を引用します。\n\n"
    return [
        _post(
            "iso2022jp_label_eucjp_quote.eml",
            "labelled ISO-2022-JP, but a quoted ISP bounce in it is 8-bit EUC-JP: read as EUC-JP, not as UTF-8 "
            "or Shift_JIS",
            13, subject_words(TAG + "案内の再送", "ISO-2022-JP", jis), plain("ISO-2022-JP", "8bit"),
            jis(intro) + eucjp(QUOTED) + jis("\nアドレスの変更があればお知らせください。\n"),
            subject="案内の再送",
            body_contains=("届かなかった通知を引用します。", QUOTED.strip(), "アドレスの変更があればお知らせください。"),
        ),
        _post(
            "iso2022jp_jisx0212.eml",
            "ISO-2022-JP with JIS X 0212 (ESC $ ( D) for 鷗 and 丂, in the text and the Subject's encoded word",
            14, subject_words(TAG + "森鷗外記念館の見学会", "ISO-2022-JP", lambda t: t.encode("iso2022_jp_1")),
            plain("ISO-2022-JP", "7bit"), JISX0212.encode("iso2022_jp_1"),
            subject="森鷗外記念館の見学会", body_contains=(JISX0212.strip(),),
        ),
        _post(
            "iso2022jp3_jisx0213.eml",
            "labelled ISO-2022-JP-3: JIS X 0213 plane 1 (ESC $ ( O) for 𠀋, 㐂 and 鷗, which Python's codec reads",
            15, subject_words(TAG + "𠀋山町での研修", "ISO-2022-JP-3", lambda t: t.encode("iso2022_jp_3")),
            plain("ISO-2022-JP-3", "7bit"), JISX0213.encode("iso2022_jp_3"),
            subject="𠀋山町での研修", body_contains=(JISX0213.strip(),),
        ),
        _post(
            "iso2022jp2_latin_korean.eml",
            "labelled ISO-2022-JP-2: KS C 5601 (ESC $ ( C) and JIS X 0212's é beside JIS X 0208",
            16, subject_words(TAG + "全州市との交流会", "ISO-2022-JP", jis), plain("ISO-2022-JP-2", "7bit"),
            JP2.encode("iso2022_jp_2"), subject="全州市との交流会", body_contains=tuple(JP2.strip().split("\n")),
        ),
        _post(
            "html_meta_charset_eucjp.eml",
            "HTML with no charset parameter; only its <meta> says EUC-JP (bytes that read as Shift_JIS too, wrongly)",
            17, subject_words(TAG + "名簿更新のお願い"),
            [("MIME-Version", "1.0"), ("Content-Type", "text/html"), ("Content-Transfer-Encoding", "8bit")],
            eucjp(html_body()), subject="名簿更新のお願い", body_contains=(HTML_TEXT,), body_absent=("<meta", "研修の意見募集"),
        ),
        _post(
            "html_meta_charset_latin1.eml",
            "HTML with no charset parameter; only its <meta charset> says ISO-8859-1: read as that (windows-1252), "
            "not guessed (a guess would be counted)",
            25, subject_words(TAG + "Rencontre à Genève"),
            [("MIME-Version", "1.0"), ("Content-Type", "text/html"), ("Content-Transfer-Encoding", "8bit")],
            f'<html><head><meta charset="iso-8859-1"></head><body><p>{LATIN1.strip()}</p></body></html>\n'.encode(
                "latin-1"
            ),
            subject="Rencontre à Genève", body_contains=(LATIN1.strip(),),
        ),
        _post(
            "gb2312_gbk_chars.eml",
            "labelled GB2312 by a Chinese partner city, with 喆 that only GBK/GB18030 has (read as GB18030)",
            18, subject_words(TAG + "中日地方自治交流会（杭州）"), plain("gb2312", "8bit"), GBK.encode("gbk"),
            subject="中日地方自治交流会（杭州）", body_contains=tuple(GBK.strip().split("\n")),
        ),
        _post(
            "ks_c_5601_cp949.eml",
            "Outlook's ks_c_5601-1987 label, with 똠 that only CP949 (Unified Hangul Code) has",
            19, subject_words(TAG + "全州市からのご挨拶"), plain("ks_c_5601-1987", "8bit"), CP949.encode("cp949"),
            subject="全州市からのご挨拶", body_contains=tuple(CP949.strip().split("\n")),
        ),
        _post(
            "iso8859_8_i_hebrew.eml",
            "labelled iso-8859-8-i (logical-order Hebrew, a label Python does not know): read as ISO-8859-8",
            20, subject_words(TAG + "海外からのご挨拶"), plain("iso-8859-8-i", "8bit"), HEBREW.encode("iso8859_8"),
            subject="海外からのご挨拶", body_contains=(HEBREW.strip(),),
        ),
        _post(
            "latin1_label_windows1252.eml",
            "labelled ISO-8859-1 but written in windows-1252 (€, – and curly quotes in 0x80-0x9F), as every "
            "Windows mailer does: read as windows-1252, as browsers do",
            21, subject_words(TAG + "Exchange programme fee"), plain("ISO-8859-1", "8bit"),
            WINDOWS_1252.encode("cp1252"), subject="Exchange programme fee", body_contains=(WINDOWS_1252.strip(),),
        ),
        _post(
            "us_ascii_label_8bit_latin.eml",
            "labelled US-ASCII with 8-bit windows-1252 letters: not UTF-8, not Japanese, so windows-1252 — a "
            "guess, counted",
            22, subject_words(TAG + "Visit to Genève"), plain("us-ascii", "8bit"),
            "Our visit to Genève: café meeting at 10:00.\n".encode("cp1252"),
            subject="Visit to Genève", body_contains=("Our visit to Genève: café meeting at 10:00.",),
            min_replacements=1,
        ),
        _post(
            "no_charset_latin1.eml",
            "no charset at all, Latin-1 French whose bytes Shift_JIS reads without an error (as kanji): it does "
            "not look Japanese, so windows-1252 — a guess, counted",
            23, subject_words(TAG + "Réunion générale"),
            [("MIME-Version", "1.0"), ("Content-Type", "text/plain"), ("Content-Transfer-Encoding", "8bit")],
            LATIN1.encode("latin-1"), subject="Réunion générale", body_contains=(LATIN1.strip(),), min_replacements=1,
        ),
        _post(
            "euc_jp_windows_and_jis2004.eml",
            "labelled EUC-JP, mixing Windows' NEC row 13 and IBM rows (①②㈱ and 髙, as CP51932 writes them), "
            "JIS X 0212 (丂) and JIS X 0213 (𠀋): euc_jp stops at ①, euc_jis_2004 reads 髙 as another kanji",
            24, subject_words(TAG + "申込書の送付先"), plain("EUC-JP", "8bit"), eucjp_windows(EUC_EXTENSIONS),
            subject="申込書の送付先", body_contains=(EUC_EXTENSIONS.strip(),),
        ),
    ]  # fmt: skip


def _fails(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return True
    return False


def check_charset_cases(data: dict[str, bytes]) -> None:
    """Each file is what its note says (run by make_corpus.py's self-check)."""
    assert eucjp(QUOTED).decode("cp932", "replace") != QUOTED  # Shift_JIS misreads the quoted bounce
    assert b"\x1b$(D" in JISX0212.encode("iso2022_jp_1")
    assert JISX0212.encode("iso2022_jp_1").decode("iso2022_jp_1") == JISX0212
    assert b"\x1b$(O" in JISX0213.encode("iso2022_jp_3")
    assert b"\x1b$(C" in JP2.encode("iso2022_jp_2")
    misread = eucjp(html_body()).decode("cp932")  # as Shift_JIS it is something else, without an error
    assert HTML_TEXT not in misread
    assert not re.search("[\ue000-\uf8ff]", misread)
    assert (
        b"charset" not in data["html_meta_charset_eucjp.eml"].split(b"\r\n\r\n")[0].lower().split(b"text/html")[1][:20]
    )
    assert _fails(GBK.encode("gbk"), "gb2312")
    assert _fails(CP949.encode("cp949"), "euc_kr")
    assert any(0x80 <= b <= 0x9F for b in WINDOWS_1252.encode("cp1252"))
    assert LATIN1.encode("latin-1").decode("cp932") != LATIN1  # kanji, and Shift_JIS sees nothing wrong
    euc = eucjp_windows(EUC_EXTENSIONS)
    assert _fails(euc, "euc_jp")
    assert euc.decode("euc_jis_2004") != EUC_EXTENSIONS  # silently wrong at 髙
    assert "髙".encode("cp932") == b"\xee\xe0"  # NEC-selected IBM row 92, FC E2 in CP51932
