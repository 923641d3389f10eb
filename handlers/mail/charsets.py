"""Decoding Japanese mail as it really arrives, losing no character a codec can be made to read.

Python's iso2022_jp codecs refuse the Windows and NEC extensions (①, ㈱, №, Ⅱ, 髙) that Japanese mail
clients have sent for decades as "ISO-2022-JP" (strictly ISO-2022-JP-MS / CP50220). Here ISO-2022-JP
is decoded by hand: each JIS X 0208 code is turned into its Shift_JIS bytes and read as CP932, which
has those extensions. Labels Python does not know (windows-31j, x-sjis, cp5022x, unknown-8bit) are
mapped or sniffed. What still cannot be read is replaced, counted and located, never dropped silently.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

__all__ = ["Decoded", "decode_bytes", "decode_iso2022jp"]

_ALIASES = {
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
    "windows-31j": "cp932", "csshiftjis": "cp932", "cp943": "cp932", "cp943c": "cp932", "x-ms-cp932": "cp932",
    "iso-2022-jp": "iso-2022-jp-ms", "csiso2022jp": "iso-2022-jp-ms", "iso-2022-jp-1": "iso-2022-jp-ms",
    "iso-2022-jp-2": "iso-2022-jp-ms", "iso-2022-jp-3": "iso-2022-jp-ms", "iso-2022-jp-ext": "iso-2022-jp-ms",
    "cp50220": "iso-2022-jp-ms", "cp50221": "iso-2022-jp-ms", "cp50222": "iso-2022-jp-ms",
    "iso-2022-jp-ms": "iso-2022-jp-ms",
    "euc-jp": "euc-jp", "eucjp": "euc-jp", "x-euc-jp": "euc-jp", "cseucpkdfmtjapanese": "euc-jp", "cp51932": "euc-jp",
    "us-ascii": "utf-8", "ascii": "utf-8", "ansi_x3.4-1968": "utf-8", "utf8": "utf-8", "utf-8": "utf-8",
    "unknown-8bit": "", "unknown": "", "x-unknown": "", "8bit": "", "default": "", "": "",
}  # fmt: skip
_ESC = b"\x1b"
_SNIFF_ORDER = ("utf-8", "cp932", "euc-jp")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text and how many characters had to be replaced (with where, for the log)."""

    text: str
    replacements: int = 0
    where: tuple[int, ...] = ()
    charset: str = ""


def _jis_to_sjis(first: int, second: int) -> bytes:
    """One JIS X 0208 code (row/cell bytes 0x21–0x7E) as the Shift_JIS bytes CP932 reads."""
    row_offset = 0x70 if first <= 0x5E else 0xB0
    lead = ((first + 1) >> 1) + row_offset
    trail = second + (0x1F if second <= 0x5F else 0x20) if first % 2 else second + 0x7E
    return bytes((lead, trail))


def decode_iso2022jp(data: bytes) -> Decoded:
    """ISO-2022-JP including the CP50220 extensions; undecodable codes become U+FFFD and are counted."""
    out: list[str] = []
    where: list[int] = []
    mode = "ascii"
    i = 0
    n = len(data)
    while i < n:
        byte = data[i]
        if byte == 0x1B:
            seq = data[i : i + 4]
            if seq.startswith((b"\x1b$B", b"\x1b$@")):
                mode, i = "jis", i + 3
                continue
            if seq.startswith((b"\x1b$(D", b"\x1b$(Q", b"\x1b$(O")):
                mode, i = "jis", i + 4  # JIS X 0212/0213 announced: read as 0208, replace what CP932 lacks
                continue
            if seq.startswith((b"\x1b(B", b"\x1b(J")):
                mode, i = "ascii", i + 3
                continue
            if seq.startswith(b"\x1b(I"):
                mode, i = "kana", i + 3
                continue
            out.append("\ufffd")
            where.append(i)
            i += 1
            continue
        if byte == 0x0E:  # SO: half-width katakana until SI (CP50221)
            mode, i = "kana", i + 1
            continue
        if byte == 0x0F:
            mode, i = "ascii", i + 1
            continue
        if byte in (0x0A, 0x0D):
            out.append(chr(byte))
            i += 1
            continue
        if mode == "jis" and i + 1 < n and 0x21 <= byte <= 0x7E and 0x21 <= data[i + 1] <= 0x7E:
            try:
                out.append(_jis_to_sjis(byte, data[i + 1]).decode("cp932"))
            except UnicodeDecodeError:
                out.append("\ufffd")
                where.append(i)
            i += 2
            continue
        if mode == "kana" and 0x21 <= byte <= 0x5F:
            out.append(chr(0xFF61 + byte - 0x21))
            i += 1
            continue
        if byte < 0x80:
            out.append(chr(byte))
        else:
            # 8-bit bytes have no place in ISO-2022-JP; a sender that mixed in Shift_JIS gets it read as such.
            chunk = re.match(rb"[\x80-\xff][\x00-\x1a\x1c-\xff]*", data[i:])
            assert chunk is not None
            raw = chunk.group(0)
            try:
                text = raw.decode("utf-8")  # a client that labelled UTF-8 as ISO-2022-JP
            except UnicodeDecodeError:
                text = raw.decode("cp932", "replace")
            bad = text.count("\ufffd")
            out.append(text)
            where.extend([i] * bad)
            i += len(raw)
            continue
        i += 1
    text = "".join(out)
    return Decoded(text, len(where), tuple(where), "iso-2022-jp-ms")


def _with_replacements(data: bytes, codec: str) -> Decoded:
    text = _PRIVATE_USE.sub("\ufffd", data.decode(codec, "replace"))
    where = tuple(m.start() for m in re.finditer("\ufffd", text))
    genuine = data.count(b"\xef\xbf\xbd") if codec == "utf-8" else 0  # U+FFFD the sender really wrote
    count = max(0, len(where) - genuine)
    return Decoded(text, count, where[:count], codec)


def _sniff(data: bytes) -> Decoded:
    if _ESC + b"$" in data:
        return decode_iso2022jp(data)
    for codec in _SNIFF_ORDER:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if not _PRIVATE_USE.search(text):  # CP932 reads stray 0xFD-0xFF as private-use characters
            return Decoded(text, 0, (), codec)
    # Nothing reads it whole: keep the reading that loses least.
    return min((_with_replacements(data, c) for c in _SNIFF_ORDER), key=lambda d: d.replacements)


def decode_bytes(data: bytes, label: str | None) -> Decoded:
    """Text from bytes in the charset a mail says (or, when it says nothing useful, the one it is)."""
    name = (label or "").strip().strip('"').lower()
    mapped = _ALIASES.get(name, name)
    if not data:
        return Decoded("", 0, (), mapped)
    if mapped == "iso-2022-jp-ms" or (_ESC + b"$" in data and mapped in {"", "utf-8"}):
        return decode_iso2022jp(data)
    if mapped in {"", "utf-8"}:
        if mapped == "utf-8":
            try:
                return Decoded(data.decode("utf-8"), 0, (), "utf-8")
            except UnicodeDecodeError:
                pass  # "us-ascii" and "utf-8" labels are often wrong: fall through to sniffing
        return _sniff(data)
    try:
        codecs.lookup(mapped)
    except LookupError:
        return _sniff(data)
    try:
        return Decoded(data.decode(mapped), 0, (), mapped)
    except LookupError:  # a bytes-to-bytes codec such as "hex" named as a charset
        return _sniff(data)
    except UnicodeDecodeError:
        if mapped == "euc-jp":
            try:
                return Decoded(data.decode("euc_jis_2004"), 0, (), "euc_jis_2004")
            except UnicodeDecodeError:
                pass
        sniffed = _sniff(data)
        return sniffed if not sniffed.replacements else _with_replacements(data, mapped)
