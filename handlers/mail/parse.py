"""A raw mailing-list post made readable: headers and text decoded, attachments listed, list decoration off.

Everything here is lenient by design: real mail is often malformed, and a post that can be read is
read. Nothing raises for bad input; what cannot be decoded is replaced and counted. A part that cannot be
read at all is counted too, and never takes the other parts with it.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email.message import Message
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from handlers.mail.charsets import decode_bytes, normalise_label
from handlers.mail.header_block import repair_header_block
from handlers.mail.headers import count, decode_addresses, decode_header_value, header_params
from handlers.mail.html_text import html_to_text, meta_charset, strip_tags

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ParsedAttachment", "ParsedMail", "decode_header_value", "parse_mail"]

_LINE_ENDS = re.compile(r"\r\n?|\u2028|\u2029")
_TRAILING_BLANKS = re.compile(r"[ \t]+\n")
_FORWARD_HEADERS = ("From", "Date", "Subject", "To")
_UNHELPFUL_HINTS = frozenset({"", "us-ascii", "utf-8"})
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ParsedAttachment:
    filename: str
    content_type: str
    size: int
    data: bytes = field(default=b"", repr=False, compare=False)  # the decoded bytes, for the intake to keep


@dataclass(slots=True)
class ParsedMail:
    """What the intake needs to know about one message."""

    message_id: str | None = None
    subject: str = ""
    body: str = ""
    from_address: str = ""
    from_name: str = ""
    reply_to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    list_id: str | None = None
    list_name: str = ""
    list_post: str | None = None
    date: str | None = None
    content_type: str = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    replacements: int = 0
    replacement_sites: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def swallowed(self, where: str, exc: Exception) -> None:
        """Something that could not be read at all: counted like a replaced character, and reported."""
        self.replacements += 1
        self.replacement_sites.append(f"{where}: unreadable ({type(exc).__name__})")
        self.defects.append(f"{where}: {type(exc).__name__}: {exc}")


@dataclass(slots=True)
class _Tally:
    replacements: int = 0
    replacement_sites: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Head:
    """What a part's MIME headers say, read once (so what they replace is counted once)."""

    content_type: str
    charset: str | None
    disposition: str
    filename: str | None
    flowed: bool
    delsp: bool


def _raw_header(message: Message, name: str) -> str | None:
    """A header as received (8-bit bytes kept as surrogates), not compat32's "unknown-8bit" stand-in."""
    wanted = name.lower()
    return next((str(v) for k, v in message.raw_items() if k.lower() == wanted), None)


def _raw_headers(message: Message, name: str) -> list[str]:
    wanted = name.lower()
    return [str(v) for k, v in message.raw_items() if k.lower() == wanted]


def _payload(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError):
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("ascii", "surrogateescape") if isinstance(raw, str) else b""


def _declared_charset(message: Message) -> str | None:
    """The charset the message's text says it is in: the hint for headers sent as raw 8-bit bytes."""
    for part in message.walk():
        charset = part.get_param("charset")
        label = charset[2] if isinstance(charset, tuple) else charset
        if isinstance(label, str) and normalise_label(label) not in _UNHELPFUL_HINTS:
            return label
    return None


def _unflow(text: str, *, delsp: bool) -> str:
    """RFC 3676: a line ending in a space continues on the next one."""
    out: list[str] = []
    current = ""
    for raw_line in text.split("\n"):
        line = raw_line.removeprefix(" ")  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            current += line[:-1] if delsp else line
            continue
        out.append(current + line)
        current = ""
    if current:
        out.append(current)
    return "\n".join(out)


class _Reader:
    """Reads the parts of one message into `mail`, each part on its own."""

    def __init__(self, mail: ParsedMail, hint: str | None) -> None:
        self.mail = mail
        self.hint = hint
        self._heads: dict[int, _Head] = {}

    def guarded(self, where: str, read: Callable[[], _T], *, default: _T) -> _T:
        try:
            return read()
        except Exception as exc:  # noqa: BLE001 - a part that cannot be read must not erase the others
            self.mail.swallowed(where, exc)
            return default

    def head(self, part: Message) -> _Head:
        known = self._heads.get(id(part))
        if known is not None:
            return known
        named = _Tally()  # Content-Type's name= counts only when it is the name used
        _, type_params = header_params(_raw_header(part, "Content-Type"), named, "attachment name", self.hint)
        charset = type_params.get("charset") or None
        hint = charset if charset and normalise_label(charset) not in _UNHELPFUL_HINTS else self.hint
        disposition, params = header_params(
            _raw_header(part, "Content-Disposition"), self.mail, "attachment name", hint
        )
        if not params.get("filename"):
            self.mail.replacements += named.replacements
            self.mail.replacement_sites += named.replacement_sites
        head = _Head(
            content_type=part.get_content_type(),
            charset=charset,
            disposition=disposition,
            filename=params.get("filename") or type_params.get("name") or None,
            flowed=type_params.get("format", "").lower() == "flowed",
            delsp=type_params.get("delsp", "").lower() == "yes",
        )
        self._heads[id(part)] = head
        return head

    def is_attachment(self, part: Message) -> bool:
        head = self.head(part)
        if head.disposition == "attachment":
            return True
        maintype = head.content_type.partition("/")[0]
        return maintype not in {"text", "multipart", "message"} or (
            head.disposition == "inline" and maintype != "text" and head.filename is not None
        )

    def text_of(self, part: Message) -> str:
        head = self.head(part)
        data = _payload(part)
        label = head.charset
        if head.content_type == "text/html" and not label:
            label = meta_charset(data)
        decoded = decode_bytes(data, label)
        count(self.mail, decoded, f"{head.content_type} part")
        text = _LINE_ENDS.sub("\n", decoded.text)
        if head.content_type == "text/html":
            try:
                return html_to_text(text)
            except Exception as exc:  # noqa: BLE001 - html.parser gives up on some markup; keep its words
                self.mail.swallowed("text/html part (read without its markup)", exc)
                return strip_tags(text)
        return _unflow(text, delsp=head.delsp) if head.flowed else text

    def forwarded(self, part: Message) -> str:
        inner = part.get_payload(0) if part.is_multipart() else None
        if not isinstance(inner, Message):
            return ""
        lines = ["---------- Forwarded message ----------"]
        lines += [
            f"{name}: {decode_header_value(_raw_header(inner, name), self.mail, hint=self.hint)}"
            for name in _FORWARD_HEADERS
            if _raw_header(inner, name)
        ]
        return "\n".join(lines) + "\n\n" + self.body(inner)

    def _readable(self, part: Message, read: Callable[[Message], str]) -> str:
        return self.guarded(f"{part.get_content_type()} part", partial(read, part), default="")

    def body(self, message: Message) -> str:
        """The text of a message: plain over HTML in alternatives, every inline text part in order."""
        if message.get_content_type() == "message/rfc822":
            return self.forwarded(message)
        if message.is_multipart():
            children = [p for p in message.get_payload() if isinstance(p, Message)]
            if message.get_content_subtype() == "alternative":
                return self._alternative(children)
            texts = []
            for child in children:
                if child.get_content_type() == "message/rfc822":
                    texts.append(self._readable(child, self.forwarded))
                elif not self.guarded("a part's headers", partial(self.is_attachment, child), default=True):
                    texts.append(self._readable(child, self.body))
            return "\n\n".join(t.strip("\n") for t in texts if t.strip())
        if message.get_content_maintype() == "text" and not self.is_attachment(message):
            return self.text_of(message)
        return ""

    def _alternative(self, children: list[Message]) -> str:
        for wanted in ("text/plain", "text/html"):
            for child in children:
                if child.get_content_type() == wanted and not self.is_attachment(child):
                    text = self._readable(child, self.text_of)
                    if text.strip():
                        return text
        # An alternative of other shapes (e.g. multipart/related inside): take the first readable one.
        for child in children:
            text = self._readable(child, self.body)
            if text.strip():
                return text
        return ""

    def _attachment(self, part: Message) -> ParsedAttachment | None:
        if part.is_multipart() or part.get_content_type() == "message/rfc822" or not self.is_attachment(part):
            return None
        name = self.head(part).filename or f"attachment.{part.get_content_subtype() or 'bin'}"
        data = _payload(part)
        return ParsedAttachment(name, part.get_content_type(), len(data), data)

    def attachments(self, message: Message) -> list[ParsedAttachment]:
        found = (self.guarded("an attachment", partial(self._attachment, p), default=None) for p in message.walk())
        return [a for a in found if a is not None]


def _recover_boundary(raw: bytes, message: Message) -> Message:
    """A multipart without a boundary parameter: find the delimiter its parts actually use."""
    if message.get_content_maintype() != "multipart" or message.is_multipart():
        return message
    counts: dict[bytes, int] = {}
    for found in re.finditer(rb"^--(\S{1,70}?)(?:--)?[ \t]*\r?$", raw, re.MULTILINE):
        counts[found.group(1)] = counts.get(found.group(1), 0) + 1
    if not counts:
        return message
    boundary = max(counts, key=lambda b: counts[b])
    head, sep, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    head = re.sub(
        rb"(?im)^(content-type:[ \t]*multipart/[\w.+-]+)",
        lambda m: m.group(1) + b'; boundary="' + boundary + b'"',
        head,
        count=1,
    )
    repaired = email.message_from_bytes(head + sep + body)
    return repaired if repaired.is_multipart() else message


def _read_headers(mail: ParsedMail, message: Message, hint: str | None) -> None:
    mail.headers = {
        k.lower(): decode_header_value(str(v), None, hint=hint) for k, v in reversed(list(message.raw_items()))
    }
    mail.subject = decode_header_value(_raw_header(message, "Subject"), mail, "Subject", hint)
    message_id = decode_header_value(_raw_header(message, "Message-ID"), None)
    mail.message_id = message_id.strip("<> \t") or None
    # Addresses are split first and their display names decoded after, so an encoded word holding a quote
    # or a comma cannot lose the author.
    from_ = decode_addresses([_raw_header(message, "From") or ""], mail, hint)
    if from_:
        mail.from_name, mail.from_address = from_[0]
    mail.reply_to = [a for _, a in decode_addresses(_raw_headers(message, "Reply-To"), mail, hint)]
    mail.cc = [a for _, a in decode_addresses(_raw_headers(message, "Cc"), mail, hint)]
    list_id = decode_header_value(_raw_header(message, "List-Id"), mail, "List-Id", hint)
    if list_id:
        found = re.search(r"<([^<>]+)>", list_id)
        mail.list_id = (found.group(1) if found else list_id).strip().lower()
        mail.list_name = list_id[: found.start()].strip().strip('"') if found else ""
    post = re.search(r"<mailto:([^>?]+)", _raw_header(message, "List-Post") or "")
    mail.list_post = post.group(1).strip().lower() if post else None
    mail.date = decode_header_value(_raw_header(message, "Date"), None) or None


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse one raw message; never raises for malformed input."""
    repair = repair_header_block(raw)
    message = _recover_boundary(repair.raw, email.message_from_bytes(repair.raw))
    mail = ParsedMail()
    mail.defects = [type(d).__name__ for d in message.defects] + list(repair.repaired) + list(repair.skipped)
    for skipped in repair.skipped:
        mail.replacements += 1
        mail.replacement_sites.append(skipped)
    hint = _declared_charset(message)
    _read_headers(mail, message, hint)
    mail.content_type = message.get_content_type()
    reader = _Reader(mail, hint)
    mail.body = _TRAILING_BLANKS.sub("\n", reader.guarded("the text", partial(reader.body, message), default="")).strip(
        "\n"
    )
    mail.attachments = reader.guarded("the attachments", partial(reader.attachments, message), default=[])
    return mail
