"""What the bot's mail says and how it is built: digests, confirmation and unsubscribe mail. Their words come
from handlers/texts.py; sending them is bot/mail/sending.py's concern.

A rendered digest is already in the form the senders take (what `bot.mail.sending.smtp_bytes` makes of a
message): CRLF line ends, a final CRLF, not dot-stuffed.
"""

from __future__ import annotations

import base64
import email.policy
import hashlib
import secrets
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from html import escape
from typing import TYPE_CHECKING

from bot.mail.dkim import dkim_signer
from bot.mail.sending import from_address
from handlers.texts import say

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from bot.config import Config
    from handlers.digests import Digest
    from handlers.messages import Lang

__all__ = ["DigestRenderer", "confirmation_mail", "unsubscribe_mail"]

_POLICY = email.policy.SMTP
# RFC 2369 wants the URIs of List-Unsubscribe as they are: the package's folding would turn a long mailto URI
# into RFC 2047 encoded words no mail program can use, so that header is folded by hand and kept as written.
_AS_WRITTEN = _POLICY.clone(refold_source="none")
_SHARED = 64  # compositions whose header lines are kept
_PART = 'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'


def _lang(lang: str) -> Lang:
    return "en" if lang == "en" else "ja"


def _base_url(config: Config) -> str:
    """Where links in mail point: [http] public_url, else the server's own address."""
    url: str = config.http.public_url or "http://" + config.http.listen
    return url.rstrip("/")


def _header_lines(fields: list[tuple[str, str]]) -> bytes:
    """Header fields as the email package parses, encodes and folds them (a CR or LF in a value is refused)."""
    return b"".join(_POLICY.fold_binary(*_POLICY.header_store_parse(name, value)) for name, value in fields)


def _canonical(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def _base64_lines(data: bytes) -> bytes:
    """Base64 in lines of 76 characters, each ending in CRLF."""
    encoded = base64.b64encode(data)
    return b"".join([encoded[i : i + 76] + b"\r\n" for i in range(0, len(encoded), 76)])


class _Body:
    """A body in canonical CRLF form and base64, the same for every subscriber but its end, most of it
    encoded once: a prefix of a multiple of 57 bytes is whole lines of base64, so the rest encoded on its own
    and appended gives exactly the lines the whole would give."""

    def __init__(self, shared: str) -> None:
        data = _canonical(shared)
        cut = len(data) - len(data) % 57
        self._lines, self._rest = _base64_lines(data[:cut]), data[cut:]

    def ending_with(self, own: str) -> bytes:
        return self._lines + _base64_lines(self._rest + _canonical(own))


class DigestRenderer:
    """Digests as ready-to-send bytes: multipart/alternative, text and HTML in base64, with List-Id (on the
    domain of `from`), one-click List-Unsubscribe (RFC 8058), Auto-Submitted and Precedence; DKIM-signed
    when a key is configured.

    The email package writes the message's headers. The two parts (two fixed header lines each) and their
    base64 bodies, which make a digest's size, are set between the boundary lines here: the package's
    generator writes a body line by line, about 18 ms for a digest of 80 kB, so composing would set the pace
    instead of the SMTP server (bench/digest.py). Subscribers who share a composition share its header lines,
    its boundary and most of the base64 of its HTML body (`_Body`); the text part starts with the
    subscriber's own settings link, so that one is encoded whole for each (base64 in C: microseconds)."""

    def __init__(self, config: Config, network: Callable[[Lang], str] | None = None) -> None:
        self._configured, self._address = from_address(config)
        self._domain = self._address.partition("@")[2] or "localhost"
        self._base = _base_url(config)
        self._network = network or (lambda _lang: "")
        self._sign = dkim_signer(config)
        self._shared: dict[tuple[str, str, str, str, datetime], tuple[bytes, str, str, _Body]] = {}

    def _name(self, lang: Lang) -> str:
        return self._network(lang) or self._network("ja") or "rmo-bot"

    def _from(self, lang: Lang) -> str:
        """The configured From with the network's name as (or in) its display name."""
        shown, _ = parseaddr(self._configured)
        name = self._name(lang)
        if shown and name not in shown and shown != "rmo-bot":
            name = f"{name}（{shown}）" if lang == "ja" else f"{name} ({shown})"
        return formataddr((name, self._address))

    def render(self, digest: Digest, now: datetime) -> tuple[str, bytes]:
        """(recipient, the message)."""
        subscriber = digest.subscriber
        lang = _lang(subscriber.lang)
        key = (digest.text, digest.html, digest.subject, lang, now)  # shared strings: hashed once
        shared = self._shared.get(key)
        if shared is None:
            if len(self._shared) > _SHARED:
                self._shared.clear()
            shared = self._shared[key] = self._shared_part(digest, now)
        headers, boundary, text, html = shared
        recipient, token = subscriber.email, digest.unsubscribe_token
        link = f"{self._base}/unsubscribe?token={token}"
        manage = f"{self._base}/manage?token={digest.manage_token}" if digest.manage_token else link
        unique = hashlib.sha256(f"{recipient}|{now.isoformat()}".encode()).hexdigest()[:20]
        own = _header_lines([("To", recipient), ("Message-ID", f"<digest.{unique}@{self._domain}>")])
        unsubscribe = _AS_WRITTEN.fold_binary(
            "List-Unsubscribe", f"<{link}>,\n <mailto:{self._address}?subject=unsubscribe%20{token}>"
        )
        frequency = say(f"digest.frequency.{subscriber.frequency}", lang)
        footer = say("digest.footer", lang, email=recipient, network=self._name(lang), frequency=frequency)
        top = say("digest.manage_top", lang, link=manage)
        stop = say("digest.unsubscribe_line", lang, link=link)
        text_body = f"{top}\n\n{text}\n-- \n{footer}\n{manage}\n\n{stop}\n"
        html_end = (
            f'<hr>\n<p style="color:#59636e;font-size:90%">{escape(footer)}<br>\n'
            f'<a href="{escape(manage)}">{escape(say("digest.manage_link", lang))}</a> ・ '
            f'<a href="{escape(link)}">{escape(say("digest.unsubscribe_link", lang))}</a></p>\n</body></html>\n'
        )
        # No base64 line can be taken for a boundary line: "-" is not in the base64 alphabet.
        body = b"".join(
            f"--{boundary}\r\n{_PART.format(subtype=subtype)}".encode() + content
            for subtype, content in (
                ("plain", _base64_lines(_canonical(text_body))),
                ("html", html.ending_with(html_end)),
            )
        )
        message = b"".join((own, unsubscribe, headers, b"\r\n", body, f"--{boundary}--\r\n".encode()))
        return recipient, self._sign(message) if self._sign else message

    def _shared_part(self, digest: Digest, now: datetime) -> tuple[bytes, str, str, _Body]:
        """What every subscriber of this composition gets: header lines, the boundary, the two bodies."""
        lang = _lang(digest.subscriber.lang)
        boundary = f"=_rmo-bot_{secrets.token_hex(12)}"
        headers = _header_lines(
            [
                ("From", self._from(lang)),
                ("Subject", digest.subject),
                ("Date", format_datetime(now)),
                ("List-Id", f"{self._name('en')} digest <digest.{self._domain}>"),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                ("Auto-Submitted", "auto-generated"),
                ("Precedence", "bulk"),
                ("X-Rmo-Bot", "digest"),  # our intake never relays the bot's own mail
                ("MIME-Version", "1.0"),
                ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
            ]
        )
        html = _Body(
            f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(digest.subject)}</title></head>\n"
            '<body style="font-family:sans-serif;line-height:1.6;max-width:46rem;margin:0 auto;padding:0 .75rem;'
            'overflow-wrap:anywhere">\n'
            f'<h1 style="font-size:1.3rem">{escape(digest.subject)}</h1>\n{digest.html}'
        )
        return headers, boundary, digest.text.removesuffix("\n") + "\n", html


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
    message.set_content(text, cte="base64")  # like the digests: no 8bit line for a relay to mangle
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
