"""Japanese text as it really arrives: ISO-2022-JP with every extension senders use, EUC-JP as wide as
Python's codecs reach, and whether 8-bit bytes read as Japanese at all.

Python's iso2022_jp codecs refuse the Windows and NEC extensions (①, ㈱, №, Ⅱ, 髙) that Japanese mail
clients have sent for decades as "ISO-2022-JP" (strictly ISO-2022-JP-MS / CP50220). Here ISO-2022-JP
is decoded by hand: each JIS X 0208 code is turned into its Shift_JIS bytes and read as CP932, which
has those extensions; JIS X 0212 and 0213 codes (ESC $ ( D, ESC $ ( O/Q/P) are read through their EUC
forms, and 8-bit bytes a sender mixed in are read as whatever Japanese encoding they are in.

Every function returns the text and the positions of what it had to replace: nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_eucjp", "decode_iso2022jp", "has_iso2022_escapes", "read_japanese"]

_ESCAPE = re.compile(rb"(\x1b(?:\$[@AB]|\$\([@ABCDOPQ]|\([BHIJ]|\.[AF]|N|&@)|[\x0e\x0f])")
_ANNOUNCES_ISO2022 = re.compile(rb"\x1b(?:\$\(?[@ABDOPQ]|\(I)")
_DESIGNATION = {
    b"\x1b(B": "ascii", b"\x1b(J": "ascii", b"\x1b(H": "ascii", b"\x1b(I": "kana", b"\x0e": "kana",
    b"\x0f": "ascii", b"\x1b$@": "jis0208", b"\x1b$B": "jis0208", b"\x1b$(@": "jis0208", b"\x1b$(B": "jis0208",
    b"\x1b$(D": "jis0212", b"\x1b$(O": "jis0213-1", b"\x1b$(Q": "jis0213-1", b"\x1b$(P": "jis0213-2",
    b"\x1b$A": "gb2312", b"\x1b$(A": "gb2312", b"\x1b$(C": "ksc5601",
}  # fmt: skip
_G2 = {b"\x1b.A": "latin-1", b"\x1b.F": "iso8859-7"}
_DOUBLE_RUN = re.compile(rb"[\x21-\x7e]+")
_EIGHT_BIT = re.compile(rb"[\x80-\xff]")
_CHUNK = re.compile(rb"[\x80-\xff][\x00-\x1a\x1c-\xff]*")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_HIGH = bytes(range(0x80, 0x100))

# The classes of character that Japanese text is made of, to tell it from Latin-1 read as Shift_JIS.
_KANA = re.compile("[\u3000-\u30ff\u31f0-\u31ff\uff01-\uff5e]")  # kana, CJK punctuation, full-width forms
_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_HALF_WIDTH_KANA = re.compile("[\uff61-\uff9f]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
# Non-ASCII characters with anything but Latin letters between them: a Latin-1 letter misread as a
# Shift_JIS lead byte swallows the letter after it, so it stands alone between letters.
_RUN = re.compile(r"[^\x00-\x7f](?:[^A-Za-z]*[^\x00-\x7f])?")
_PROFILE_SAMPLE = 32768


def _jis_to_sjis(first: int, second: int) -> bytes:
    """One JIS X 0208 code (row/cell bytes 0x21–0x7E) as the Shift_JIS bytes CP932 reads."""
    row_offset = 0x70 if first <= 0x5E else 0xB0
    lead = ((first + 1) >> 1) + row_offset
    trail = second + (0x1F if second <= 0x5F else 0x20) if first % 2 else second + 0x7E
    return bytes((lead, trail))


def _via_cp932(first: int, second: int) -> str | None:
    """A JIS row/cell read as CP932 (NEC row 13, NEC-selected IBM rows 89–92); None where it has nothing."""
    try:
        text = _jis_to_sjis(first, second).decode("cp932")
    except UnicodeDecodeError:
        return None
    return None if _PRIVATE_USE.search(text) else text


def _via(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _euc_fallback(error: UnicodeError) -> tuple[str, int]:
    """Where Python's euc_jp gives up: JIS X 0213 (euc_jis_2004), then CP51932's NEC and IBM rows."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    data, start = error.object, error.start
    lead = data[start]
    if lead == 0x8F and start + 2 < len(data):  # JIS X 0213 plane 2 where JIS X 0212 has nothing
        text = _via(bytes(data[start : start + 3]), "euc_jis_2004")
        if text is not None:
            return text, start + 3
    elif 0xA1 <= lead <= 0xFE and start + 1 < len(data) and 0xA1 <= data[start + 1] <= 0xFE:
        first, second = lead & 0x7F, data[start + 1] & 0x7F
        windows = _via_cp932(first, second)
        jis2004 = _via(bytes(data[start : start + 2]), "euc_jis_2004")
        # Rows 13 and 89–92 are where Windows (CP51932) puts its extensions; elsewhere JIS X 0213 has the say.
        text = (windows or jis2004) if first == 0x2D or 0x79 <= first <= 0x7C else (jis2004 or windows)
        if text is not None:
            return text, start + 2
    return "\ufffd", start + 1


codecs.register_error("rmo-eucjp", _euc_fallback)


def _replaced(text: str, offset: int = 0) -> list[int]:
    return [offset + m.start() for m in re.finditer("\ufffd", text)] if "\ufffd" in text else []


def _eucjp(data: bytes) -> str:
    try:
        return data.decode("euc_jp")
    except UnicodeDecodeError:
        pass
    rough = data.decode("euc_jis_2004", "replace")
    if rough.count("\ufffd") * 100 > len(data):
        return rough  # not EUC-JP at all: not worth a fallback call for every other byte
    return data.decode("euc_jp", "rmo-eucjp")


def decode_eucjp(data: bytes) -> tuple[str, list[int]]:
    """EUC-JP with JIS X 0212, JIS X 0213 and Windows' NEC/IBM rows; what none of them has becomes U+FFFD."""
    text = _eucjp(data)
    return text, _replaced(text)


def _cp932(data: bytes) -> str:
    return _PRIVATE_USE.sub("\ufffd", data.decode("cp932", "replace"))  # stray 0xF0-0xF9 lead bytes


def _utf8(data: bytes) -> str:
    return data.decode("utf-8", "replace")


_READERS = {"cp932": _cp932, "euc-jp": _eucjp, "utf-8": _utf8}


def _read(codec: str, data: bytes) -> tuple[str, list[int]]:
    text = _READERS[codec](data)
    where = _replaced(text)
    if codec == "utf-8" and where:
        where = where[: max(0, len(where) - data.count(b"\xef\xbf\xbd"))]  # U+FFFD the sender really wrote
    return text, where


def _profile(text: str) -> tuple[float, float]:
    """How Japanese a text reads: (weight of its Japanese runs, their share of the non-ASCII characters)."""
    sample = text[:_PROFILE_SAMPLE]
    weight = 0.0
    japanese = 0
    total = len(_NON_ASCII.findall(sample))
    for run in _RUN.finditer(sample):
        chunk = run.group()
        kana, ideographs = len(_KANA.findall(chunk)), len(_IDEOGRAPH.findall(chunk))
        half = len(_HALF_WIDTH_KANA.findall(chunk))
        if kana or ideographs >= 2 or half >= 3:
            japanese += len(_NON_ASCII.findall(chunk))
            weight += 2 * kana + ideographs + 0.3 * half
    return weight, japanese / total if total else 0.0


def read_japanese(
    data: bytes, *, lenient: bool = False, declared: str | None = None
) -> tuple[str, str, list[int]] | None:
    """The Japanese reading of 8-bit bytes (text, codec, replaced positions), if one looks Japanese.

    Without `lenient` only a reading that replaces nothing counts (with it, one that replaces a few).
    `declared` is the Japanese codec the sender named ("" for one not named): its clean reading wins, and
    otherwise the best clean reading does even if it looks odd."""
    allowed = max(1, (len(data) - len(data.translate(None, _HIGH))) // 100) if lenient else 0
    best: tuple[float, str, str] | None = None
    for codec in ("cp932", "euc-jp"):
        text = _READERS[codec](data)
        replaced = text.count("\ufffd")
        if replaced > allowed:
            continue
        if codec == declared and not replaced:
            return text, codec, []
        weight, share = _profile(text)
        score = weight - 4 * replaced
        if (declared is not None or (weight > 0 and share >= 0.5)) and (best is None or score > best[0]):
            best = (score, text, codec)
    return None if best is None else (best[1], best[2], _replaced(best[1]))


def has_iso2022_escapes(data: bytes) -> bool:
    """The bytes announce a JIS character set the way ISO-2022-JP does."""
    return b"\x1b" in data and _ANNOUNCES_ISO2022.search(data) is not None


def _eight_bit_codec(data: bytes) -> str:
    """One reading for all the 8-bit bytes in an ISO-2022-JP text: UTF-8, else the Japanese one."""
    chunks = b"\n".join(_CHUNK.findall(data))
    if not _read("utf-8", chunks)[1]:
        return "utf-8"
    found = read_japanese(chunks, lenient=True)
    return found[1] if found else "cp932"


def _double(run: bytes, mode: str, offset: int) -> tuple[str, list[int]]:
    """A run of two-byte codes (0x21–0x7E each) in one of ISO-2022's double-byte sets."""
    pairs = [(run[i], run[i + 1]) for i in range(0, len(run) - 1, 2)]
    tail = chr(run[-1]) if len(run) % 2 else ""
    if mode == "jis0208":
        try:
            return b"".join(_jis_to_sjis(a, b) for a, b in pairs).decode("cp932") + tail, []
        except UnicodeDecodeError:
            pass
    out: list[str] = []
    where: list[int] = []
    for index, (a, b) in enumerate(pairs):
        euc = bytes((a | 0x80, b | 0x80))
        if mode == "jis0208":  # CP50220 puts user-defined characters in rows 85-94: private use, kept
            text = _via(_jis_to_sjis(a, b), "cp932") or _via(euc, "euc_jis_2004")
        elif mode == "jis0212":
            text = _via(b"\x8f" + euc, "euc_jp")
        elif mode == "jis0213-1":
            text = _via(euc, "euc_jis_2004") or _via_cp932(a, b)
        elif mode == "jis0213-2":
            text = _via(b"\x8f" + euc, "euc_jis_2004")
        else:
            text = _via(euc, "gb18030" if mode == "gb2312" else "cp949")
        if text is None:
            text = "\ufffd"
            where.append(offset + 2 * index)
        out.append(text)
    return "".join(out) + tail, where


def _segment(data: bytes, mode: str, offset: int, eight_bit: str) -> tuple[str, list[int]]:
    """Bytes between two escape sequences, in the character set the last one announced."""
    out: list[str] = []
    where: list[int] = []
    high = _EIGHT_BIT.search(data)
    plain, rest = (data[: high.start()], data[high.start() :]) if high else (data, b"")
    if mode == "kana":
        out.append("".join(chr(0xFF61 + b - 0x21) if 0x21 <= b <= 0x5F else chr(b) for b in plain))
    elif mode == "ascii":
        out.append(plain.decode("ascii"))
    else:
        position = 0
        for run in _DOUBLE_RUN.finditer(plain):
            out.append(plain[position : run.start()].decode("ascii"))
            text, replaced = _double(run.group(), mode, offset + run.start())
            out.append(text)
            where += replaced
            position = run.end()
        out.append(plain[position:].decode("ascii"))
    if rest:
        # 8-bit bytes have no place in ISO-2022-JP; a sender that mixed in Shift_JIS, EUC-JP or UTF-8
        # gets them read as such.
        text, replaced = _read(eight_bit, rest)
        out.append(text)
        where += [offset + len(plain) + p for p in replaced]
    text = "".join(out)
    if "\x1b" in text:  # an escape sequence nobody defined
        where += [offset + i for i, ch in enumerate(text) if ch == "\x1b"]
        text = text.replace("\x1b", "\ufffd")
    return text, where


def decode_iso2022jp(data: bytes) -> tuple[str, list[int]]:
    """ISO-2022-JP including the CP5022x, JIS X 0212/0213 and ISO-2022-JP-2 sets; 8-bit bytes read as the
    Japanese encoding they are in; undecodable codes become U+FFFD, their positions returned."""
    pieces = _ESCAPE.split(data)
    out: list[str] = []
    where: list[int] = []
    mode = "ascii"
    g2 = "latin-1"
    single_shift = False
    eight_bit = _eight_bit_codec(data) if _EIGHT_BIT.search(data) else "cp932"  # one reading for all of them
    offset = 0
    for index, piece in enumerate(pieces):
        if index % 2:  # an escape sequence or SO/SI
            if piece == b"\x1bN":
                single_shift = True
            elif piece in _G2:
                g2 = _G2[piece]
            elif piece in _DESIGNATION:
                mode = _DESIGNATION[piece]
            offset += len(piece)
            continue
        if single_shift and piece:
            out.append(bytes((piece[0] | 0x80,)).decode(g2, "replace"))
            piece = piece[1:]  # noqa: PLW2901 - the rest of the piece is read in the current set
            offset += 1
        single_shift = False
        text, replaced = _segment(piece, mode, offset, eight_bit)
        out.append(text)
        where += replaced
        offset += len(piece)
    return "".join(out), where
