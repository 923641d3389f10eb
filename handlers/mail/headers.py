"""Header fields as text: encoded words read leniently, raw 8-bit and ESC-sequence headers, addresses with
their display names, and MIME parameters such as attachment file names (RFC 2231 and RFC 2047 alike).

Raw bytes are decoded first: they are the sender's own structure (a quote is a quote), and a Shift_JIS
character may end in a backslash byte that would otherwise escape the closing quote. Addresses and
parameters are split before their encoded words are decoded, so a quote, comma or semicolon inside an
encoded word stays part of the name.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import re
import urllib.parse
from typing import Protocol

from handlers.mail.charsets import Decoded, decode_bytes, decode_header_bytes

__all__ = ["Counter", "count", "decode_addresses", "decode_header_value", "decode_words", "header_params", "raw_text"]

# Lenient on purpose: spaces inside (UTF-7, or a word broken by a space) and a missing "?=" at the end.
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)(?:\?=|\??\Z)")
_FOLD = re.compile(r"\r?\n[ \t]*|\r")
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_BROKEN_Q = re.compile(r"(?<==[0-9A-Fa-f]{2})\s+(?==[0-9A-Fa-f]{2})")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")
_PARAM = re.compile(r';\s*([^\s=;"]+)\s*=\s*("(?:[^"\\]|\\.)*(?:"|\Z)|[^;]*)', re.DOTALL)
_PARAM_NAME = re.compile(r"([^*]+)(?:\*(\d+))?(\*)?")
_HIDDEN_WORD = re.compile("\ue000(\\d+)\ue001")
_ANGLE_ADDRESS = re.compile(r"<\s*([^<>\s]+@[^<>\s]+?)\s*>")


class Counter(Protocol):
    """Where replaced (or guessed) characters are counted: the parsed mail."""

    replacements: int
    replacement_sites: list[str]


def count(sink: Counter | None, decoded: Decoded, where: str) -> None:
    """Add what a decoding replaced to the mail's count, with where it happened."""
    if sink is not None and decoded.replacements:
        sink.replacements += decoded.replacements
        sink.replacement_sites.append(f"{where}: {decoded.replacements} at {list(decoded.where[:5])}")


def _unfold(text: str) -> str:
    return _FOLD.sub(" ", text)


def raw_text(value: str | None, sink: Counter | None, where: str, hint: str | None) -> str:
    """A header as received (8-bit bytes kept as surrogates, ESC sequences as they came) as text, its
    encoded words left for later."""
    if not value:
        return ""
    value = _unfold(str(value))
    if value.isascii() and "\x1b" not in value:
        return value
    decoded = decode_header_bytes(value.encode("utf-8", "surrogateescape"), hint)
    count(sink, decoded, where)
    return decoded.text


def _b_bytes(text: str) -> bytes:
    # Padding in the middle means two words run together: decode each piece on its own.
    out = b""
    for piece in re.split("=+", _NOT_BASE64.sub("", text)):
        usable = piece[: len(piece) - len(piece) % 4] if len(piece) % 4 == 1 else piece
        try:
            out += base64.b64decode(usable + "=" * (-len(usable) % 4))
        except (binascii.Error, ValueError):
            continue
    return out


def _q_bytes(text: str) -> bytes:
    raw = text.replace("_", " ").encode("utf-8", "surrogateescape")
    return _Q_ESCAPE.sub(lambda m: bytes.fromhex(m.group(1).decode("ascii")), raw)


def _word(charset: str, encoding: str, text: str) -> tuple[str, bytes]:
    charset = charset.split("*", 1)[0].lower()  # RFC 2231 adds a language: =?UTF-8*ja?B?...?=
    if encoding in "bB":
        return charset, _b_bytes(text)
    if " " not in text:
        return charset, _q_bytes(text)
    # A space inside a Q word is the sender's (a lazy encoder: "Hello World") or a break in the word: between
    # two escapes, or where keeping it breaks a character, it is a break.
    data = _q_bytes(_BROKEN_Q.sub("", text))
    joined = _q_bytes(re.sub(r"\s+", "", text))
    if decode_bytes(data, charset).replacements > decode_bytes(joined, charset).replacements:
        data = joined
    return charset, data


def decode_words(text: str, sink: Counter | None, where: str) -> str:
    """RFC 2047 encoded words as text: adjacent words of one charset are joined before decoding (so a
    character split between them is whole again), the blanks between encoded words dropped."""
    if "=?" not in text:
        return text
    out: list[str] = []
    pending: tuple[str, bytes] | None = None
    position = 0

    def flush() -> None:
        if pending is not None:
            decoded = decode_bytes(pending[1], pending[0] or None)
            count(sink, decoded, where)
            out.append(decoded.text)

    for found in _ENCODED_WORD.finditer(text):
        between = text[position : found.start()]
        charset, data = _word(*found.groups())
        if pending is not None and not between.strip():
            if pending[0] == charset:
                pending = (charset, pending[1] + data)
            else:
                flush()
                pending = (charset, data)
        else:
            flush()
            out.append(between)
            pending = (charset, data)
        position = found.end()
    flush()
    out.append(text[position:])
    return "".join(out)


def decode_header_value(value: str | None, sink: Counter | None = None, where: str = "header",
                        hint: str | None = None) -> str:  # fmt: skip
    """An unstructured header (Subject, a file name) as text, however it was sent: RFC 2047 words (split
    mid-character, broken by spaces or cut short included), raw 8-bit bytes, raw ISO-2022-JP."""
    return _unfold(decode_words(raw_text(value, sink, where, hint), sink, where)).strip()


def decode_addresses(values: list[str], sink: Counter | None, hint: str | None) -> list[tuple[str, str]]:
    """(display name, lower-cased address) for each address in address headers."""
    found: list[tuple[str, str]] = []
    for value in values:
        text = raw_text(value, sink, "address", hint)
        words: list[str] = []

        def hide(match: re.Match[str], words: list[str] = words) -> str:
            words.append(match.group(0))
            return f"\ue000{len(words) - 1}\ue001"

        def reveal(masked: str, words: list[str] = words) -> str:
            return _HIDDEN_WORD.sub(lambda m: words[int(m.group(1))], masked)

        masked = _ENCODED_WORD.sub(hide, text)
        pairs = [(reveal(n), reveal(a).strip()) for n, a in email.utils.getaddresses([masked])]
        pairs = [(n, a) for n, a in pairs if "@" in a and not re.search(r'[\s<>"]', a)]
        if not pairs and "@" in text:
            # getaddresses gave up (an unbalanced quote, say): the address in angle brackets still stands.
            angle = _ANGLE_ADDRESS.search(text)
            if angle:
                pairs = [(text[: angle.start()].strip().strip('"').strip(), angle.group(1))]
        found += [(decode_words(n, sink, "address").strip(), a.lower()) for n, a in pairs]
    return found


def _unquote(value: str) -> str:
    value = value.strip()
    if value.startswith('"'):
        value = value[1:-1] if len(value) > 1 and value.endswith('"') else value[1:]
        return value.replace("\\\\", "\\").replace('\\"', '"')
    return value


def _collapse(pieces: list[tuple[int, bool, str]], sink: Counter | None, where: str, hint: str | None) -> str:
    """An RFC 2231 parameter (name*=charset'lang'%XX, continued as name*0*, name*1 ...) as text."""
    pieces.sort(key=lambda p: p[0])
    if not any(extended for _number, extended, _value in pieces):
        return decode_words("".join(value for _number, _extended, value in pieces), sink, where)
    charset = None
    data = b""
    for index, (_number, extended, value) in enumerate(pieces):
        if extended and index == 0 and value.count("'") >= 2:
            charset, _language, value = value.split("'", 2)  # noqa: PLW2901 - the rest is the value
        data += urllib.parse.unquote_to_bytes(value) if extended else value.encode("utf-8", "surrogateescape")
    decoded = decode_bytes(data, charset or hint)
    count(sink, decoded, where)
    return decode_words(decoded.text, sink, where)


def header_params(value: str | None, sink: Counter | None, where: str, hint: str | None) -> tuple[str, dict[str, str]]:
    """A MIME header's value and parameters (names lower-cased, values decoded whatever their form)."""
    text = raw_text(value, sink, where, hint)
    main, _, _rest = text.partition(";")
    plain: dict[str, str] = {}
    extended: dict[str, list[tuple[int, bool, str]]] = {}
    for found in _PARAM.finditer(text, len(main)):
        name = _PARAM_NAME.fullmatch(found.group(1).lower())
        if name is None:
            continue
        base, number, star = name.groups()
        if number is None and not star:
            plain.setdefault(base, _unquote(found.group(2)))
        else:
            extended.setdefault(base, []).append((int(number or 0), bool(star), _unquote(found.group(2))))
    params = {k: decode_words(v, sink, where).strip() for k, v in plain.items()}
    params |= {k: _collapse(v, sink, where, hint).strip() for k, v in extended.items()}  # RFC 2231 wins
    return main.strip().lower(), params
