"""Which charset a mail's bytes are in, and their text, losing no character a codec can be made to read.

A label is read as the superset its senders really use, as browsers and Thunderbird read it: ISO-8859-1
and US-ASCII with 8-bit bytes are windows-1252, GB2312 is GB18030, KS C 5601 is CP949, Shift_JIS is CP932,
ISO-2022-JP is CP5022x (decoded by hand in `japanese`). Labels Python does not know (windows-31j, x-sjis,
iso-8859-8-i, unknown-8bit) are mapped or sniffed. Unlabelled bytes are read as UTF-8, ISO-2022-JP, then
Japanese when they look Japanese, and otherwise as windows-1252 — a guess, so every character read that way
is counted like a replaced one. What still cannot be read is replaced, counted and located, never dropped.
"""

from __future__ import annotations

import codecs
import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.mail.japanese import decode_eucjp, decode_iso2022jp, has_iso2022_escapes, read_japanese

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Decoded", "decode_bytes", "decode_header_bytes", "normalise_label"]

_ALIASES = {
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
    "windows-31j": "cp932", "csshiftjis": "cp932", "cp943": "cp932", "cp943c": "cp932", "x-ms-cp932": "cp932",
    "cswindows31j": "cp932", "shift_jisx0213": "cp932",
    "iso-2022-jp": "iso-2022-jp-ms", "csiso2022jp": "iso-2022-jp-ms", "iso-2022-jp-1": "iso-2022-jp-ms",
    "iso-2022-jp-ext": "iso-2022-jp-ms", "cp50220": "iso-2022-jp-ms", "cp50221": "iso-2022-jp-ms",
    "cp50222": "iso-2022-jp-ms", "iso-2022-jp-ms": "iso-2022-jp-ms", "jis": "iso-2022-jp-ms",
    "iso-2022-jp-2": "iso2022_jp_2", "csiso2022jp2": "iso2022_jp_2", "iso-2022-jp-3": "iso2022_jp_3",
    "iso-2022-jp-2004": "iso2022_jp_2004",
    "euc-jp": "euc-jp", "eucjp": "euc-jp", "x-euc-jp": "euc-jp", "cseucpkdfmtjapanese": "euc-jp",
    "cp51932": "euc-jp", "eucjp-win": "euc-jp", "eucjp-ms": "euc-jp",
    "us-ascii": "us-ascii", "ascii": "us-ascii", "ansi_x3.4-1968": "us-ascii", "iso646-us": "us-ascii",
    "us": "us-ascii", "utf8": "utf-8", "utf-8": "utf-8", "x-utf-8": "utf-8",
    "iso-8859-1": "windows-1252", "iso8859-1": "windows-1252", "iso_8859-1": "windows-1252",
    "latin1": "windows-1252", "latin-1": "windows-1252", "l1": "windows-1252", "cp819": "windows-1252",
    "ibm819": "windows-1252", "csisolatin1": "windows-1252", "iso-ir-100": "windows-1252",
    "windows-1252": "windows-1252", "cp1252": "windows-1252", "x-cp1252": "windows-1252",
    "iso-8859-9": "cp1254", "iso8859-9": "cp1254", "latin5": "cp1254", "l5": "cp1254", "windows-1254": "cp1254",
    "tis-620": "cp874", "iso-8859-11": "cp874", "windows-874": "cp874", "dos-874": "cp874",
    "gb2312": "gb18030", "gb_2312-80": "gb18030", "csgb2312": "gb18030", "euc-cn": "gb18030",
    "x-euc-cn": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "ms936": "gb18030",
    "windows-936": "gb18030", "chinese": "gb18030", "iso-ir-58": "gb18030", "gb18030": "gb18030",
    "ks_c_5601-1987": "cp949", "ks_c_5601-1989": "cp949", "ks_c_5601": "cp949", "ksc5601": "cp949",
    "ksc_5601": "cp949", "euc-kr": "cp949", "cseuckr": "cp949", "korean": "cp949", "windows-949": "cp949",
    "iso-ir-149": "cp949", "csksc56011987": "cp949", "uhc": "cp949",
    "iso-8859-8-i": "iso8859-8", "iso-8859-8-e": "iso8859-8", "csiso88598i": "iso8859-8", "logical": "iso8859-8",
    "iso-8859-6-i": "iso8859-6", "iso-8859-6-e": "iso8859-6",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "cn-big5": "big5hkscs", "x-x-big5": "big5hkscs",
    "csbig5": "big5hkscs", "x-mac-roman": "mac-roman", "mac": "mac-roman", "x-unicode-1-1-utf-7": "utf-7",
    "unknown-8bit": "", "unknown": "", "x-unknown": "", "8bit": "", "default": "", "": "",
}  # fmt: skip
_ISO2022JP = {  # Python's codec for the label first (it knows these sets), then the hand decoder
    "iso-2022-jp-ms": (),
    "iso2022_jp_2": ("iso2022_jp_2",),
    "iso2022_jp_3": ("iso2022_jp_3", "iso2022_jp_2004"),
    "iso2022_jp_2004": ("iso2022_jp_2004",),
}
_JAPANESE = frozenset({"cp932", "euc-jp", *_ISO2022JP})
_SINGLE_BYTE = ("cp125", "cp874", "iso8859", "koi8", "mac-", "tis-620", "latin")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_HIGH = bytes(range(0x80, 0x100))
_EIGHT_BIT = re.compile(rb"[\x80-\xff]")
_REPLACEMENT = re.compile("\ufffd")
_LOGGED = 20
_CONTROLS = bytes(c for c in range(0x20) if c not in b"\t\n\x0c\r") + b"\x7f"
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text and how many characters had to be replaced or guessed (with where, for the log)."""

    text: str
    replacements: int = 0
    where: tuple[int, ...] = ()
    charset: str = ""


def _c1_controls(error: UnicodeError) -> tuple[str, int]:
    """windows-1252 as browsers read it: the five bytes it leaves undefined are the C1 controls."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return chr(error.object[error.start]), error.start + 1


codecs.register_error("rmo-c1", _c1_controls)


def _codec(name: str) -> str | None:
    """Python's name for a codec, or None when it has none by that name (a NUL in a label included)."""
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def normalise_label(label: str | None) -> str:
    """A charset label as the codec name this module reads it with ("" for none or unknown-8bit)."""
    name = (label or "").strip().strip("\"'").lower()
    return _ALIASES.get(name, name)


def _reading(text: str, where: list[int], charset: str) -> Decoded:
    return Decoded(text, len(where), tuple(where), charset)


def _japanese(found: tuple[str, str, list[int]]) -> Decoded:
    text, codec, where = found
    return _reading(text, where, codec)


def _iso2022jp(data: bytes) -> Decoded:
    text, where = decode_iso2022jp(data)
    return _reading(text, where, "iso-2022-jp-ms")


def _first(found: Iterable[re.Match[str] | re.Match[bytes]]) -> tuple[int, ...]:
    """Where the first replaced characters are, for the log (a garbage part may have a million)."""
    return tuple(m.start() for m in itertools.islice(found, _LOGGED))


def _with_replacements(data: bytes, codec: str) -> Decoded:
    if codec == "euc-jp":
        return _reading(*decode_eucjp(data), "euc-jp")
    text = _PRIVATE_USE.sub("\ufffd", data.decode(codec, "replace"))
    genuine = data.count(b"\xef\xbf\xbd") if codec == "utf-8" else 0  # U+FFFD the sender really wrote
    return Decoded(text, max(0, text.count("\ufffd") - genuine), _first(_REPLACEMENT.finditer(text)), codec)


def _latin_like(data: bytes) -> bool:
    """Text in a Latin script: mostly ASCII, a few 8-bit letters, no binary control bytes."""
    high = len(data) - len(data.translate(None, _HIGH))
    controls = len(data) - len(data.translate(None, _CONTROLS))
    return high * 10 <= len(data) * 3 and controls * 50 <= len(data)


def _guess_windows_1252(data: bytes) -> Decoded:
    """The last resort for Latin-looking bytes; each 8-bit character is a guess and counted as one."""
    guessed = len(data) - len(data.translate(None, _HIGH))  # one byte is one character here
    return Decoded(data.decode("cp1252", "rmo-c1"), guessed, _first(_EIGHT_BIT.finditer(data)), "windows-1252")


def _unmistakable(data: bytes) -> Decoded | None:
    """ISO-2022-JP (its escape sequences say so), ASCII or UTF-8, if the bytes are one of them."""
    if has_iso2022_escapes(data):
        return _iso2022jp(data)
    try:
        return Decoded(data.decode("utf-8"), 0, (), "utf-8")
    except UnicodeDecodeError:
        return None


def _clean_reading(data: bytes) -> Decoded | None:
    """A reading of 8-bit bytes that replaces nothing and is not a guess, if there is one."""
    found = _unmistakable(data)
    if found is not None:
        return found
    japanese = read_japanese(data)
    return None if japanese is None else _japanese(japanese)


def _sniff(data: bytes) -> Decoded:
    clean = _unmistakable(data)
    if clean is not None:
        return clean
    found = read_japanese(data, lenient=True)  # one pass for the clean reading and the nearly clean one
    if found is not None and not found[2]:
        return _japanese(found)
    utf8 = _with_replacements(data, "utf-8")
    sequences = itertools.islice(_UTF8_SEQUENCE.finditer(data), utf8.replacements + 1)
    if sum(1 for _ in sequences) > utf8.replacements:  # UTF-8 with a few broken bytes
        return utf8
    if found is not None:
        return _japanese(found)
    if _latin_like(data):
        return _guess_windows_1252(data)
    # Nothing reads it whole: keep the reading that loses least.
    return min(
        (utf8, _with_replacements(data, "cp932"), _with_replacements(data, "euc-jp")), key=lambda d: d.replacements
    )


def _labelled_failure(data: bytes, codec: str) -> Decoded:
    """The label's codec cannot read the bytes: another reading that replaces nothing, else the label's."""
    clean = _clean_reading(data)
    return clean if clean is not None else _with_replacements(data, codec)


def decode_bytes(data: bytes, label: str | None) -> Decoded:
    """Text from bytes in the charset a mail says (or, when it says nothing useful, the one it is)."""
    mapped = normalise_label(label)
    if not data:
        return Decoded("", 0, (), mapped)
    if mapped in _ISO2022JP:
        for codec in _ISO2022JP[mapped]:
            try:
                return Decoded(data.decode(codec), 0, (), codec)
            except UnicodeDecodeError:
                continue
        return _iso2022jp(data)
    if mapped in {"", "us-ascii"}:
        return _sniff(data)
    if mapped == "utf-8" and has_iso2022_escapes(data):
        return _iso2022jp(data)  # a client that sent ISO-2022-JP labelled as UTF-8
    if mapped == "euc-jp":
        text, where = decode_eucjp(data)
        return _reading(text, where, "euc-jp") if not where else _labelled_failure(data, "euc-jp")
    if mapped == "windows-1252":
        try:
            return Decoded(data.decode("cp1252"), 0, (), "windows-1252")
        except UnicodeDecodeError:
            clean = _clean_reading(data)  # often Shift_JIS sent as "iso-8859-1"
            return clean if clean is not None else Decoded(data.decode("cp1252", "rmo-c1"), 0, (), "windows-1252")
    if _codec(mapped) is None:
        return _sniff(data)
    try:
        return Decoded(data.decode(mapped), 0, (), mapped)
    except LookupError:  # a bytes-to-bytes codec such as "hex" named as a charset
        return _sniff(data)
    except UnicodeDecodeError:
        return _labelled_failure(data, mapped)


def decode_header_bytes(data: bytes, hint: str | None) -> Decoded:
    """A header sent raw (8-bit bytes or ESC sequences, no encoded words): UTF-8 if it is UTF-8, else read in
    the light of the charset the message declares (`hint`), as Thunderbird does."""
    clean = _unmistakable(data)
    if clean is not None:
        return clean
    mapped = normalise_label(hint)
    if mapped in _JAPANESE:
        found = read_japanese(data, declared=mapped if mapped in {"cp932", "euc-jp"} else "")
        return _sniff(data) if found is None else _japanese(found)
    if mapped not in {"", "us-ascii", "utf-8"}:
        codec = _codec(mapped)
        if codec is None:
            return _sniff(data)
        # A single-byte charset reads anything, so Japanese that looks Japanese goes first.
        clean = _clean_reading(data) if codec.startswith(_SINGLE_BYTE) else None
        return clean if clean is not None else decode_bytes(data, mapped)
    return _sniff(data)
