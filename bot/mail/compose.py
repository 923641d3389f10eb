"""What the bot's mail says and how it is built: digests, confirmation and unsubscribe mail. Their words come
from handlers/texts.py; sending them is bot/mail/sending.py's concern (`sender_for` is re-exported here for the
callers that import it with the mail).

A rendered digest is already in the form the senders take (what `bot.mail.sending.smtp_bytes` makes of a
message): CRLF line ends, a final CRLF, not dot-stuffed (nothing in it starts with a dot).
"""

from __future__ import annotations

import base64
import email.policy
import hashlib
import re
from email.message import EmailMessage, Message
from email.utils import format_datetime, make_msgid
from html import escape
from typing import TYPE_CHECKING

from bot.mail.sending import from_address, sender_for
from handlers.texts import say

if TYPE_CHECKING:
    from datetime import datetime

    from bot.config import Config
    from handlers.digests import Digest
    from handlers.messages import Lang

__all__ = ["LIST_ID", "DigestRenderer", "confirmation_mail", "sender_for", "unsubscribe_mail"]

LIST_ID = "digest.rmo-bot"
SMTP_POLICY = email.policy.SMTP
_TEMPLATES = 64
_TO, _ID = b"rmo-recipient-placeholder@invalid", b"rmo-message-id-placeholder"
_TEXT, _HTML, _UNSUBSCRIBE = b"RMOTEXTBODYPLACEHOLDER", b"RMOHTMLBODYPLACEHOLDER", b"RMOUNSUBSCRIBEPLACEHOLDER"
_PLACEHOLDER = re.compile(b"(" + b"|".join(re.escape(p) for p in (_TO, _ID, _UNSUBSCRIBE, _TEXT, _HTML)) + b")")


def _text_tail(link: str) -> str:
    return f"{link}\n"


def _html_tail(link: str, label: str) -> str:
    return f'<p><a href="{escape(link)}">{label}</a></p></body></html>\n'


def _lang(lang: str) -> Lang:
    return "en" if lang == "en" else "ja"


def _html_head(html: str) -> str:
    return html.removesuffix("\n").removesuffix("</body></html>")


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def _base64(data: bytes) -> bytes:
    """Base64 in lines of 76 characters, each ending in CRLF."""
    encoded = base64.b64encode(data)
    return b"".join(encoded[i : i + 76] + b"\r\n" for i in range(0, len(encoded), 76))


def _aligned(text: str) -> bytes:
    """`text` in CRLF form, padded with spaces before its last line break to a multiple of 57 bytes: its
    base64 is whole lines, so the per-recipient rest can be encoded on its own and appended."""
    data = _crlf(text if text.endswith("\n") else text + "\n")
    return data[:-2] + b" " * (-len(data) % 57) + b"\r\n"


class DigestRenderer:
    """Digests as ready-to-send bytes: multipart text and HTML, base64 bodies in canonical CRLF form, with
    List-Id, one-click List-Unsubscribe (RFC 8058), Auto-Submitted and Precedence.

    Subscribers who share a composition share one template and its encoded bodies; each copy only fills
    in its recipient, Message-ID and unsubscribe link (the link's few lines are the only base64 encoded per
    recipient). List-Unsubscribe is written by hand: Python's header folding would turn a long mailto URI
    into RFC 2047 encoded words, which no mail program can use."""

    def __init__(self, config: Config) -> None:
        self._templates: dict[tuple[str, str, str], tuple[list[bytes], bytes, bytes]] = {}
        self._display, self._address = from_address(config)
        self._domain = self._address.partition("@")[2] or "localhost"
        self._base = _base_url(config)

    def render(self, digest: Digest, now: datetime) -> tuple[str, bytes]:
        """(recipient, the message)."""
        key = (digest.text, digest.html, digest.subject)  # shared strings: their hashes are computed once
        template = self._templates.get(key)
        if template is None:
            if len(self._templates) > _TEMPLATES:
                self._templates.clear()
            template = self._templates[key] = self._template(digest, now)
        pieces, text, html = template
        recipient, token = digest.subscriber.email, digest.unsubscribe_token
        link = f"{self._base}/unsubscribe?token={token}"
        label = say("digest.unsubscribe_link", _lang(digest.subscriber.lang))
        unique = hashlib.sha256(f"{recipient}|{now.isoformat()}".encode()).hexdigest()[:20]
        values = {
            _TO: recipient.encode(),
            _ID: f"digest.{unique}".encode(),
            _UNSUBSCRIBE: f"<{link}>,\r\n <mailto:{self._address}?subject=unsubscribe%20{token}>".encode(),
            _TEXT: text + _base64(_crlf(_text_tail(link))),
            _HTML: html + _base64(_crlf(_html_tail(link, label))),
        }
        return recipient, b"".join(values.get(piece, piece) for piece in pieces)

    def _template(self, digest: Digest, now: datetime) -> tuple[list[bytes], bytes, bytes]:
        message = EmailMessage()
        message["From"] = self._display
        message["To"] = _TO.decode()
        message["Subject"] = digest.subject
        message["Date"] = format_datetime(now)
        message["Message-ID"] = f"<{_ID.decode()}@{self._domain}>"
        message["List-Id"] = f"rmo-bot digest <{LIST_ID}>"
        message["List-Unsubscribe"] = _UNSUBSCRIBE.decode()
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message["Auto-Submitted"] = "auto-generated"
        message["Precedence"] = "bulk"
        message["X-Rmo-Bot"] = "digest"  # our intake never relays the bot's own mail
        message["MIME-Version"] = "1.0"
        parts: list[Message | str] = []
        for subtype, body in (("plain", _TEXT), ("html", _HTML)):
            part = EmailMessage()
            part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
            part["Content-Transfer-Encoding"] = "base64"
            part.set_payload(body.decode())
            parts.append(part)
        message["Content-Type"] = "multipart/alternative"
        message.set_payload(parts)
        pieces = _PLACEHOLDER.split(message.as_bytes(policy=SMTP_POLICY))
        text = _base64(_aligned(digest.text + "\n"))  # a blank line before the link
        html = _base64(_aligned(_html_head(digest.html)))
        return pieces, text, html


def _base_url(config: Config) -> str:
    """Where links in mail point: [http] public_url, else the server's own address."""
    url: str = config.http.public_url or "http://" + config.http.listen
    return url.rstrip("/")


def _link_mail(kind: str, email: str, subject: str, text: str, config: Config, now: datetime) -> EmailMessage:
    """A short automatic mail carrying one link (already in `text`)."""
    display, address = from_address(config)
    message = EmailMessage()
    message["From"] = display
    message["To"] = email
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(kind, address.partition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message["X-Rmo-Bot"] = kind
    message.set_content(text)
    return message


def confirmation_mail(email: str, token: str, lang: str, config: Config, now: datetime) -> EmailMessage:
    """The double opt-in mail: a link that starts the digest."""
    link = f"{_base_url(config)}/confirm?token={token}"
    subject, text = say("mail.confirm.subject", _lang(lang)), say("mail.confirm.body", _lang(lang), link=link)
    return _link_mail("confirm", email, subject, text, config, now)


def unsubscribe_mail(email: str, token: str, lang: str, config: Config, now: datetime) -> EmailMessage:
    """A link to stop the digest, sent to the mailbox itself (so nobody can unsubscribe someone else)."""
    link = f"{_base_url(config)}/unsubscribe?token={token}"
    subject, text = say("mail.unsubscribe.subject", _lang(lang)), say("mail.unsubscribe.body", _lang(lang), link=link)
    return _link_mail("unsubscribe", email, subject, text, config, now)
