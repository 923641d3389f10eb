"""A raw mailing-list post made readable: headers and text decoded, attachments listed, list decoration off.

Everything here is lenient by design: real mail is often malformed, and a post that can be read is
read. Nothing raises for bad input; what cannot be decoded is replaced and counted.
"""

from __future__ import annotations

import email
import email.errors
import email.header
import email.utils
import re
from dataclasses import dataclass, field
from email.message import Message

from handlers.mail.charsets import Decoded, decode_bytes
from handlers.mail.html_text import html_to_text

__all__ = ["ParsedAttachment", "ParsedMail", "decode_header_value", "parse_mail"]

_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
_LINE_ENDS = re.compile(r"\r\n?|\u2028|\u2029")
_TRAILING_BLANKS = re.compile(r"[ \t]+\n")
_FORWARD_HEADERS = ("From", "Date", "Subject", "To")


@dataclass(frozen=True, slots=True)
class ParsedAttachment:
    filename: str
    content_type: str
    size: int


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


def _raw_header_bytes(value: str) -> bytes:
    # compat32 keeps undecodable 8-bit header bytes as surrogates: get the bytes back.
    return value.encode("ascii", "surrogateescape") if any("\udc80" <= c <= "\udcff" for c in value) else b""


def decode_header_value(value: str | None, sink: ParsedMail | None = None, where: str = "header") -> str:
    """An RFC 2047 header (words split mid-character included) or a raw 8-bit one, as text."""
    if not value:
        return ""
    value = str(value)
    raw = _raw_header_bytes(value)
    if raw:
        decoded = decode_bytes(raw, None)
        _count(sink, decoded, where)
        return _unfold(decoded.text)
    if not _ENCODED_WORD.search(value):
        return _unfold(value)
    try:
        chunks = email.header.decode_header(value)
    except (ValueError, email.errors.HeaderParseError):
        return _unfold(value)
    parts: list[str] = []
    for chunk, charset in chunks:
        # decode_header joins adjacent encoded words of one charset, so a character split between
        # two words is whole again before it is decoded.
        data = chunk if isinstance(chunk, bytes) else chunk.encode("latin-1", "replace")
        decoded = decode_bytes(data, charset)
        _count(sink, decoded, where)
        parts.append(decoded.text)
    return _unfold("".join(parts))


def _unfold(text: str) -> str:
    return re.sub(r"\r?\n[ \t]*", " ", text).strip()


def _count(sink: ParsedMail | None, decoded: Decoded, where: str) -> None:
    if sink is not None and decoded.replacements:
        sink.replacements += decoded.replacements
        sink.replacement_sites.append(f"{where}: {decoded.replacements} at {list(decoded.where[:5])}")


def _addresses(values: list[str], sink: ParsedMail) -> list[tuple[str, str]]:
    decoded = [decode_header_value(v, sink, "address") for v in values if v]
    return [(name, addr.strip().lower()) for name, addr in email.utils.getaddresses(decoded) if "@" in addr]


def _filename(part: Message, sink: ParsedMail) -> str | None:
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        value = part.get_param(param, header=header)
        if value is None:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, text holding the raw bytes as latin-1)
            charset, _language, text = value
            decoded = decode_bytes(str(text).encode("latin-1", "replace"), charset or None)
            _count(sink, decoded, "attachment name")
            return decoded.text
        return decode_header_value(email.utils.unquote(str(value)), sink, "attachment name")
    return None


def _payload(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError):
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("ascii", "surrogateescape") if isinstance(raw, str) else b""


def _text_of(part: Message, sink: ParsedMail) -> str:
    charset = part.get_param("charset")
    label = charset if isinstance(charset, str) else None
    decoded = decode_bytes(_payload(part), label)
    _count(sink, decoded, f"{part.get_content_type()} part")
    text = _LINE_ENDS.sub("\n", decoded.text)
    if part.get_content_type() == "text/html":
        return html_to_text(text)
    fmt = part.get_param("format")
    if isinstance(fmt, str) and fmt.lower() == "flowed":
        delsp = str(part.get_param("delsp") or "").lower() == "yes"
        text = _unflow(text, delsp=delsp)
    return text


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


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    if disposition == "attachment":
        return True
    maintype = part.get_content_maintype()
    return maintype not in {"text", "multipart", "message"} or (
        disposition == "inline" and maintype != "text" and part.get_filename() is not None
    )


def _forwarded(part: Message, sink: ParsedMail) -> str:
    inner = part.get_payload(0) if part.is_multipart() else None
    if not isinstance(inner, Message):
        return ""
    lines = ["---------- Forwarded message ----------"]
    lines += [
        f"{name}: {decode_header_value(_raw_header(inner, name), sink)}"
        for name in _FORWARD_HEADERS
        if _raw_header(inner, name)
    ]
    return "\n".join(lines) + "\n\n" + _body(inner, sink)


def _body(message: Message, sink: ParsedMail) -> str:
    """The text of a message: plain over HTML in alternatives, every inline text part in order."""
    if message.get_content_type() == "message/rfc822":
        return _forwarded(message, sink)
    if message.is_multipart():
        children = [p for p in message.get_payload() if isinstance(p, Message)]
        if message.get_content_subtype() == "alternative":
            for wanted in ("text/plain", "text/html"):
                for child in children:
                    if child.get_content_type() == wanted and not _is_attachment(child):
                        text = _text_of(child, sink)
                        if text.strip():
                            return text
            # An alternative of other shapes (e.g. multipart/related inside): take the first readable one.
            for child in children:
                text = _body(child, sink)
                if text.strip():
                    return text
            return ""
        texts = []
        for child in children:
            if child.get_content_type() == "message/rfc822":
                texts.append(_forwarded(child, sink))
            elif _is_attachment(child):
                continue
            else:
                texts.append(_body(child, sink))
        return "\n\n".join(t.strip("\n") for t in texts if t.strip())
    if message.get_content_maintype() == "text" and not _is_attachment(message):
        return _text_of(message, sink)
    return ""


def _attachments(message: Message, sink: ParsedMail) -> list[ParsedAttachment]:
    found: list[ParsedAttachment] = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_type() == "message/rfc822" or not _is_attachment(part):
            continue
        name = _filename(part, sink) or f"attachment.{part.get_content_subtype() or 'bin'}"
        found.append(ParsedAttachment(name, part.get_content_type(), len(_payload(part))))
    return found


def _raw_header(message: Message, name: str) -> str | None:
    """A header as received (8-bit bytes kept as surrogates), not compat32's "unknown-8bit" stand-in."""
    wanted = name.lower()
    return next((str(v) for k, v in message.raw_items() if k.lower() == wanted), None)


def _raw_headers(message: Message, name: str) -> list[str]:
    wanted = name.lower()
    return [str(v) for k, v in message.raw_items() if k.lower() == wanted]


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


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse one raw message; never raises for malformed input."""
    message = _recover_boundary(raw, email.message_from_bytes(raw))
    mail = ParsedMail()
    mail.headers = {k.lower(): decode_header_value(str(v), None) for k, v in reversed(list(message.raw_items()))}
    mail.defects = [type(d).__name__ for d in message.defects]
    mail.subject = decode_header_value(_raw_header(message, "Subject"), mail, "Subject")
    message_id = decode_header_value(_raw_header(message, "Message-ID"), None)
    mail.message_id = message_id.strip("<> \t") or None
    from_ = _addresses([_raw_header(message, "From") or ""], mail)
    if from_:
        mail.from_name, mail.from_address = from_[0]
    mail.reply_to = [a for _, a in _addresses(_raw_headers(message, "Reply-To"), mail)]
    mail.cc = [a for _, a in _addresses(_raw_headers(message, "Cc"), mail)]
    list_id = decode_header_value(_raw_header(message, "List-Id"), mail, "List-Id")
    if list_id:
        found = re.search(r"<([^<>]+)>", list_id)
        mail.list_id = (found.group(1) if found else list_id).strip().lower()
        mail.list_name = list_id[: found.start()].strip().strip('"') if found else ""
    post = re.search(r"<mailto:([^>?]+)", _raw_header(message, "List-Post") or "")
    mail.list_post = post.group(1).strip().lower() if post else None
    mail.date = decode_header_value(_raw_header(message, "Date"), None) or None
    mail.content_type = message.get_content_type()
    try:
        mail.body = _TRAILING_BLANKS.sub("\n", _body(message, mail)).strip("\n")
        mail.attachments = _attachments(message, mail)
    except (LookupError, ValueError, TypeError, AttributeError, IndexError) as exc:
        mail.defects.append(f"{type(exc).__name__}: {exc}")
    return mail
