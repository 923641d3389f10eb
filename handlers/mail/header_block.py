"""A raw message's header block repaired before it is parsed, so one bad line cannot turn the headers into text.

Python's parser ends the headers at the first line that is not a header field, so a stray line would put
From, Subject and Date into the body. Mail programs read on: here a line in the block (before its empty
line, with header fields after it) that has no field name is joined to the field above when it continues
it (an encoded word, more of a Subject, an address list that goes on), and otherwise skipped and counted.
"Name : value" loses the blanks before its colon, and a UTF-8 byte order mark before the first header goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["HeaderRepair", "repair_header_block"]

_BOM = b"\xef\xbb\xbf"
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_FIELD = re.compile(rb"([!-9;-~]+)([ \t]*):")
_TEXT_FIELDS = frozenset({b"subject", b"comments", b"keywords", b"thread-topic", b"content-description"})
_ADDRESS_FIELDS = frozenset({b"from", b"to", b"cc", b"bcc", b"reply-to", b"sender", b"resent-from", b"resent-to"})
_SHOWN = 40  # characters of a skipped line kept for the log


@dataclass(frozen=True, slots=True)
class HeaderRepair:
    """The message with its header block repaired, and what was done: skipped lines lose text, the rest not."""

    raw: bytes
    skipped: tuple[str, ...] = ()
    repaired: tuple[str, ...] = ()


def _is_field(line: bytes) -> bool:
    return _FIELD.match(line) is not None


def _continues(line: bytes, field: bytes, value: bytes) -> bool:
    """Whether a line without a field name is more of the field above it (sent without its indent)."""
    if line.startswith(b"=?"):
        return True
    if field in _TEXT_FIELDS:
        return True
    if field in _ADDRESS_FIELDS:
        ended = value.rstrip()
        return ended.endswith(b",") or b"@" not in value or not line.isascii()
    return False


def repair_header_block(raw: bytes) -> HeaderRepair:
    """The header block as a mail program reads it (see the module's docstring)."""
    repaired: list[str] = []
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
        repaired.append("a UTF-8 byte order mark before the headers, removed")
    lines: list[bytes] = []
    end = 0
    for found in _LINE.finditer(raw):
        line = found.group()
        if not line.strip(b"\r\n"):
            break
        lines.append(line)
        end = found.end()
    else:
        return HeaderRepair(raw, (), tuple(repaired))  # no empty line: no block to tell the body from
    fine = [
        _is_field(x) or x.startswith((b" ", b"\t")) or (i == 0 and x.startswith(b"From ")) for i, x in enumerate(lines)
    ]
    spaced = [i for i, x in enumerate(lines) if fine[i] and (m := _FIELD.match(x)) is not None and m.group(2)]
    if all(fine) and not spaced:
        return HeaderRepair(raw, (), tuple(repaired))
    last_field = max((i for i, x in enumerate(lines) if _is_field(x)), default=-1)
    skipped: list[str] = []
    out: list[bytes] = []
    field, value = b"", b""
    for number, line in enumerate(lines):
        if fine[number]:
            named = _FIELD.match(line)
            if named is not None:
                field, value = named.group(1).lower(), line[named.end() :]
                if named.group(2):
                    line = named.group(1) + line[named.end() - 1 :]  # noqa: PLW2901 - "Name : v" → "Name: v"
                    repaired.append(f"header line {number + 1}: blanks before the colon removed")
            else:
                value += line
            out.append(line)
        elif number > last_field:
            out.append(line)  # after the last field: the body began without an empty line
        elif field and _continues(line, field, value):
            out.append(b" " + line)
            value += line
            repaired.append(f"header line {number + 1}: a continuation without its indent, joined")
        else:
            shown = line.decode("ascii", "replace").strip()[:_SHOWN]
            skipped.append(f"header line {number + 1} has no field name, skipped: {shown!r}")
    return HeaderRepair(b"".join(out) + raw[end:], tuple(skipped), tuple(repaired))
