"""Digest and confirmation mail: built as RFC-compliant messages and sent with aiosmtplib (or, with no
SMTP server configured, written to the data directory's outbox as .eml files)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.policy
import hashlib
import logging
import re
from email.message import EmailMessage, Message
from email.utils import format_datetime, make_msgid
from html import escape
from typing import TYPE_CHECKING, Protocol, cast

import aiosmtplib

from handlers.digests import verp_sign
from handlers.texts import say
from storage.atomic import atomic_write_bytes
from storage.errors import RmoBotError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from datetime import datetime
    from pathlib import Path

    from bot.config import Config
    from bot.core import Core
    from handlers.digests import Digest
    from handlers.messages import Lang

__all__ = [
    "DigestRenderer",
    "DigestSender",
    "OutboundUnavailableError",
    "SendHooks",
    "confirmation_mail",
    "sender_for",
    "smtp_bytes",
    "unsubscribe_mail",
]

_log = logging.getLogger(__name__)
LIST_ID = "digest.rmo-bot"
SMTP_POLICY = email.policy.SMTP
_TEMPLATES = 64
_TO, _ID = b"rmo-recipient-placeholder@invalid", b"rmo-message-id-placeholder"
_TEXT, _HTML, _UNSUBSCRIBE = b"RMOTEXTBODYPLACEHOLDER", b"RMOHTMLBODYPLACEHOLDER", b"RMOUNSUBSCRIBEPLACEHOLDER"
_PLACEHOLDER = re.compile(b"(" + b"|".join(re.escape(p) for p in (_TO, _ID, _UNSUBSCRIBE, _TEXT, _HTML)) + b")")
_LINE_END = re.compile(rb"\r\n|\n|\r(?!\n)")
_LEADING_DOT = re.compile(rb"(?m)^\.")
_STUFFED_DOT = re.compile(rb"(?m)^\.\.")
_ATTEMPTS, _CONNECT_ATTEMPTS, _TIMEOUT = 3, 3, 30
_START_INPUT, _COMPLETED = 354, 250
_LOST = "Connection lost"


def _sender(config: Config) -> tuple[str, str]:
    configured = config.mail.outbound.from_address or "rmo-bot <rmo-bot@localhost>"
    match = re.search(r"<([^>]+)>", configured)
    address = match.group(1) if match else configured
    return configured, address


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
        self._config = config
        self._templates: dict[tuple[str, str, str], tuple[list[bytes], bytes, bytes]] = {}
        _, self._address = _sender(config)
        self._domain = self._address.partition("@")[2] or "localhost"
        self._base = _base_url(config)

    def render(self, digest: Digest, now: datetime) -> tuple[str, bytes]:
        """(recipient, the message as it goes after DATA)."""
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
        display, _ = _sender(self._config)
        message = EmailMessage()
        message["From"] = display
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


def smtp_bytes(message: EmailMessage) -> bytes:
    """A message as it goes after DATA: CRLF line ends, lines starting with a dot doubled, a final CRLF."""
    raw = _LINE_END.sub(b"\r\n", message.as_bytes(policy=SMTP_POLICY))
    raw = _LEADING_DOT.sub(b"..", raw)
    return raw if raw.endswith(b"\r\n") else raw + b"\r\n"


def _base_url(config: Config) -> str:
    """Where links in mail point: [http] public_url, else the server's own address."""
    url: str = config.http.public_url or "http://" + config.http.listen
    return url.rstrip("/")


def _link_mail(kind: str, email: str, subject: str, text: str, config: Config, now: datetime) -> EmailMessage:
    """A short automatic mail carrying one link (already in `text`)."""
    display, address = _sender(config)
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


class SendHooks(Protocol):
    """What a sender reports, recipient by recipient (a digest run journals each step)."""

    def committing(self, recipient: str, evidence: str) -> None:
        """Everything but the end of the message is with the server (or `evidence`, a file, is about to be
        written): from here on the message counts as sent."""

    def uncommitted(self, recipient: str) -> None:
        """The server did not take the message after all (it answered the final dot with a refusal)."""

    def sent(self, recipient: str) -> None: ...

    def refused(self, recipient: str, reason: str, *, address: bool) -> None:
        """Not sent; `address`: the server refused the address itself (5xx at RCPT), like a bounce."""


class _Quiet:
    def committing(self, recipient: str, evidence: str) -> None:
        pass

    def uncommitted(self, recipient: str) -> None:
        pass

    def sent(self, recipient: str) -> None:
        pass

    def refused(self, recipient: str, reason: str, *, address: bool) -> None:
        pass


class OutboundUnavailableError(RmoBotError):
    """The SMTP server could not be reached: what was sent is recorded, the rest waits for the next run."""


def sender_for(core: Core, *, connections: int | None = None) -> DigestSender:
    """The bot's mail sender: `[mail.outbound]`, the data directory's outbox, return paths signed."""
    return DigestSender(
        core.config, core.store.directory / "outbox-mail", secret=core.store.secret(),
        connections=connections or core.config.mail.outbound.connections,
    )  # fmt: skip


class _Connections:
    """How many of a run's connections are up or being made: a connection the server turns away hands its
    message back while another one works; when none works or is still trying, the run stops."""

    def __init__(self) -> None:
        self.up = 0
        self.trying = 0
        self.handed_back: list[tuple[str, bytes]] = []


class DigestSender:
    """Sends through `[mail.outbound]` with a few reused connections; with no host, writes .eml files.

    Queue items are (recipient, wire bytes): CRLF line ends, dot-stuffed, ending in CRLF (`smtp_bytes`)."""

    def __init__(self, config: Config, outbox_dir: Path, *, secret: bytes, connections: int = 4) -> None:
        self._config = config
        self._outbox = outbox_dir
        self._secret = secret
        self.connections = connections
        self.in_doubt: list[str] = []

    def return_path(self, recipient: str) -> str:
        """VERP: rmo-bot+bounce+member=example.jp+SIGNATURE@our.domain, so a bounce names (and proves) the
        subscriber it is about."""
        local, _, domain = _sender(self._config)[1].partition("@")
        return f"{local}+bounce+{verp_sign(self._secret, recipient)}@{domain}"

    async def send(self, messages: list[EmailMessage]) -> dict[str, str]:
        """Send a handful of ready messages (a confirmation, an unsubscribe link); returns the refusals
        (an unreachable server refuses every message it did not take)."""
        queue: asyncio.Queue[tuple[str, bytes] | None] = asyncio.Queue()
        for message in messages:
            queue.put_nowait((str(message["To"]), smtp_bytes(message)))
        workers = min(self.connections, max(1, len(messages)))
        for _ in range(workers):
            queue.put_nowait(None)
        sent: set[str] = set()

        class Tracking(_Quiet):
            def sent(self, recipient: str) -> None:
                sent.add(recipient)

        try:
            return await self.send_from(queue, Tracking(), workers=workers)
        except OutboundUnavailableError as exc:
            _log.warning("%s", exc)
            return {str(m["To"]): str(exc) for m in messages if str(m["To"]) not in sent}

    async def send_from(
        self, queue: asyncio.Queue[tuple[str, bytes] | None], hooks: SendHooks, *, workers: int | None = None
    ) -> dict[str, str]:
        """Send what a producer puts in `queue` (one None per connection ends it); returns the refusals.
        Raises OutboundUnavailableError when no connection to the server can be made; an error in one
        connection stops the others (what each had sent is already reported)."""
        failed: dict[str, str] = {}
        recording = _Recording(hooks, failed)
        count = workers or self.connections
        try:
            async with asyncio.TaskGroup() as group:
                if not self._config.mail.outbound.host:
                    for _ in range(count):
                        group.create_task(self._write_files(queue, recording))
                    return failed
                connections = _Connections()
                for _ in range(count):
                    group.create_task(self._send_smtp(queue, recording, connections))
            if connections.handed_back:  # messages of connections the server turned away: their turn now
                rest: asyncio.Queue[tuple[str, bytes] | None] = asyncio.Queue()
                for item in [*connections.handed_back, None]:
                    rest.put_nowait(item)
                await self._send_smtp(rest, recording, _Connections())
        except BaseExceptionGroup as errors:
            raise errors.exceptions[0] from None
        return failed

    async def _write_files(self, queue: asyncio.Queue[tuple[str, bytes] | None], hooks: SendHooks) -> None:
        self._outbox.mkdir(mode=0o700, exist_ok=True)
        while (item := await queue.get()) is not None:
            recipient, wire = item
            raw = _STUFFED_DOT.sub(b".", wire)
            path = self._outbox / (hashlib.sha256(raw).hexdigest()[:24] + ".eml")
            hooks.committing(recipient, str(path))  # after a crash, the file itself says whether it was sent
            await asyncio.to_thread(atomic_write_bytes, path, raw)
            hooks.sent(recipient)

    async def _connect(self, connections: _Connections) -> aiosmtplib.SMTP:
        host = self._config.mail.outbound.host
        port = self._config.mail.outbound.port
        start_tls = None if self._config.mail.outbound.starttls else False
        connections.trying += 1
        try:
            for attempt in range(_CONNECT_ATTEMPTS):
                smtp = aiosmtplib.SMTP(hostname=host, port=port, start_tls=start_tls, timeout=_TIMEOUT)
                try:
                    await smtp.connect()
                    if smtp.is_ehlo_or_helo_needed:  # a server turning the connection away says so here
                        await smtp.ehlo()
                    username = self._config.mail.outbound.username
                    if username:
                        await smtp.login(username, self._config.secrets.smtp_password)
                except (aiosmtplib.SMTPException, OSError) as exc:
                    smtp.close()
                    if attempt == _CONNECT_ATTEMPTS - 1:
                        msg = f"SMTP server {host}:{port} unavailable: {exc}"
                        raise OutboundUnavailableError(msg) from exc
                    await asyncio.sleep(2**attempt)
                else:
                    connections.up += 1
                    return smtp
        finally:
            connections.trying -= 1
        raise AssertionError  # pragma: no cover - the loop returns or raises

    async def _send_smtp(
        self, queue: asyncio.Queue[tuple[str, bytes] | None], hooks: SendHooks, connections: _Connections
    ) -> None:
        """One connection's worker."""
        smtp: aiosmtplib.SMTP | None = None
        clean = False

        async def connection() -> aiosmtplib.SMTP:
            nonlocal smtp
            if smtp is not None and smtp.is_connected:
                return smtp
            if smtp is not None:  # it broke
                connections.up -= 1
                smtp = None
            smtp = await self._connect(connections)
            return smtp

        try:
            while (item := await queue.get()) is not None:
                try:
                    await self._one(connection, *item, hooks)
                except OutboundUnavailableError:
                    if connections.up <= 0 and connections.trying <= 0:
                        raise
                    _log.warning("one SMTP connection fewer: the server turned another one away")
                    connections.handed_back.append(item)
                    return
            clean = True
        finally:
            if smtp is not None:
                connections.up -= 1
                if clean and smtp.is_connected:
                    with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                        await smtp.quit()
                else:
                    smtp.close()

    async def _one(
        self, connection: Callable[[], Awaitable[aiosmtplib.SMTP]], recipient: str, wire: bytes, hooks: SendHooks
    ) -> None:
        """Send one message, retrying 4xx and broken connections."""
        for attempt in range(_ATTEMPTS):
            committed = False

            def commit() -> None:
                nonlocal committed
                committed = True
                hooks.committing(recipient, "")

            smtp: aiosmtplib.SMTP | None = None
            try:
                smtp = await connection()
                await _transmit(smtp, self.return_path(recipient), recipient, wire, commit)
            except aiosmtplib.SMTPResponseException as exc:
                if committed:  # the final dot was answered with a refusal: the message was not taken
                    hooks.uncommitted(recipient)
                if 400 <= exc.code < 500 and attempt < _ATTEMPTS - 1:  # 4xx: try again shortly
                    await asyncio.sleep(1 + attempt)
                    continue
                # Only "no such mailbox" (5.1.x) is about the address; a relay or policy refusal is not.
                unknown = isinstance(exc, aiosmtplib.SMTPRecipientRefused) and exc.message.startswith("5.1.")
                hooks.refused(recipient, f"{exc.code} {exc.message}", address=unknown)  # 5xx: not retried
                _log.warning("mail to %s refused: %s %s", recipient, exc.code, exc.message)
            except (aiosmtplib.SMTPException, OSError) as exc:  # the connection broke
                if smtp is not None:
                    smtp.close()
                if committed:  # the end of the message was on its way: sending again could double it
                    self.in_doubt.append(recipient)
                    _log.warning("connection lost after the end of the mail to %s: counted as sent", recipient)
                    hooks.sent(recipient)
                elif attempt < _ATTEMPTS - 1:
                    await asyncio.sleep(1 + attempt)
                    continue
                else:
                    hooks.refused(recipient, f"not sent: {exc}", address=False)
            except UnicodeEncodeError:
                hooks.refused(recipient, "an address that is not ASCII cannot be sent to", address=False)
            else:
                hooks.sent(recipient)
            return


class _Recording:
    """Passes each report on, keeping the refusals."""

    def __init__(self, hooks: SendHooks, failed: dict[str, str]) -> None:
        self._hooks = hooks
        self._failed = failed
        self.committing = hooks.committing
        self.uncommitted = hooks.uncommitted
        self.sent = hooks.sent

    def refused(self, recipient: str, reason: str, *, address: bool) -> None:
        self._failed[recipient] = reason
        self._hooks.refused(recipient, reason, address=address)


def _unsent(transport: asyncio.WriteTransport) -> int:
    """Bytes this process still holds for the connection: the transport's buffer and, under TLS, the
    buffer of the TCP transport beneath it."""
    inner = getattr(getattr(transport, "_ssl_protocol", None), "_transport", None)
    below = inner.get_write_buffer_size() if isinstance(inner, asyncio.WriteTransport) else 0
    return transport.get_write_buffer_size() + below


async def _transmit(
    smtp: aiosmtplib.SMTP, sender: str, recipient: str, wire: bytes, commit: Callable[[], None]
) -> None:
    """One message in one SMTP transaction, in two steps: the whole message, and once it has left this
    process, `commit()` and the final dot with nothing in between that could wait. A kill before
    `commit()` leaves the server with an unfinished message it discards; after it, the dot is on its way."""
    try:
        await smtp.mail(sender)
        await smtp.rcpt(recipient)
        response = await smtp.execute_command(b"DATA")
        if response.code != _START_INPUT:
            raise aiosmtplib.SMTPDataError(response.code, response.message)
    except aiosmtplib.SMTPResponseException:
        with contextlib.suppress(aiosmtplib.SMTPException):
            await smtp.rset()
        raise
    protocol = smtp.protocol
    if protocol is None or protocol.transport is None:
        raise aiosmtplib.SMTPServerDisconnected(_LOST)
    transport = cast("asyncio.WriteTransport", protocol.transport)
    protocol.write(wire)
    deadline = asyncio.get_running_loop().time() + _TIMEOUT
    while _unsent(transport):  # wait until the kernel has all of it
        if transport.is_closing():
            raise aiosmtplib.SMTPServerDisconnected(_LOST)
        if asyncio.get_running_loop().time() > deadline:
            raise aiosmtplib.SMTPTimeoutError("the server stopped reading the message")
        await asyncio.sleep(0.001)
    if transport.is_closing():  # a reset throws the unsent rest away: nothing is on its way
        raise aiosmtplib.SMTPServerDisconnected(_LOST)
    commit()
    protocol.write(b".\r\n")
    response = await protocol.read_response(timeout=_TIMEOUT)
    if response.code != _COMPLETED:
        raise aiosmtplib.SMTPDataError(response.code, response.message)
