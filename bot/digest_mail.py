"""Digest and confirmation mail: built as RFC-compliant messages and sent with aiosmtplib (or, with no
SMTP server configured, written to the data directory's outbox as .eml files)."""

from __future__ import annotations

import asyncio
import dataclasses
import email.policy
import hashlib
import logging
import re
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING

import aiosmtplib

from storage.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from pathlib import Path

    from bot.config import Config
    from handlers.digests import Digest

__all__ = ["DigestRenderer", "DigestSender", "confirmation_mail", "digest_mail", "unsubscribe_mail"]

_log = logging.getLogger(__name__)
LIST_ID = "digest.rmo-bot"
SMTP_POLICY = email.policy.SMTP
_TEMPLATES = 64
_TO, _ID, _TOKEN = "rmo-recipient-placeholder@invalid", "rmo-message-id-placeholder", "RMOTOKENPLACEHOLDER"


def _sender(config: Config) -> tuple[str, str]:
    configured = config.get("mail.outbound.from") or "rmo-bot <rmo-bot@localhost>"
    match = re.search(r"<([^>]+)>", configured)
    address = match.group(1) if match else configured
    return configured, address


def _verp(address: str, recipient: str) -> str:
    """bounces+member=example.org@our.domain: a bounce names the subscriber it is about."""
    local, _, domain = address.partition("@")
    return f"{local}+bounce+{recipient.replace('@', '=')}@{domain}"


def digest_mail(digest: Digest, config: Config, now: datetime, *, cte: str | None = None) -> EmailMessage:
    """Text and HTML, List-Id, one-click List-Unsubscribe (RFC 8058), Auto-Submitted, Precedence."""
    display, address = _sender(config)
    base = _base_url(config)
    message = EmailMessage()
    message["From"] = display
    message["To"] = digest.subscriber.email
    message["Subject"] = digest.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("digest", address.partition("@")[2] or "localhost")
    message["List-Id"] = f"rmo-bot digest <{LIST_ID}>"
    message["List-Unsubscribe"] = (
        f"<{base}/unsubscribe?token={digest.unsubscribe_token}>, "
        f"<mailto:{address}?subject=unsubscribe%20{digest.unsubscribe_token}>"
    )
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message["Precedence"] = "bulk"
    message["X-Rmo-Bot"] = "digest"  # our intake never relays the bot's own mail
    link = f"{base}/unsubscribe?token={digest.unsubscribe_token}"
    message.set_content(digest.text + f"\n{link}\n", charset="utf-8", cte=cte)
    footer = f'<p><a href="{link}">配信停止 / Unsubscribe</a></p></body>'
    message.add_alternative(digest.html.replace("</body>", footer), subtype="html", charset="utf-8", cte=cte)
    return message


class DigestRenderer:
    """Digests as ready-to-send bytes. Subscribers who share a composition share one pre-built message;
    each copy differs only in its recipient, Message-ID and unsubscribe token, filled in as bytes."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._templates: dict[tuple[int, int, str], bytes] = {}
        _, address = _sender(config)
        self._domain = address.partition("@")[2] or "localhost"

    def render(self, digest: Digest, now: datetime) -> tuple[str, bytes]:
        recipient = digest.subscriber.email
        if not recipient.isascii():
            return recipient, digest_mail(digest, self._config, now).as_bytes(policy=SMTP_POLICY)
        key = (id(digest.text), id(digest.html), digest.subject)
        template = self._templates.get(key)
        if template is None:
            if len(self._templates) > _TEMPLATES:
                self._templates.clear()
            placeholder = dataclasses.replace(
                digest, unsubscribe_token=_TOKEN, subscriber=dataclasses.replace(digest.subscriber, email=_TO)
            )
            message = digest_mail(placeholder, self._config, now, cte="8bit")
            message.replace_header("Message-ID", f"<{_ID}@{self._domain}>")
            template = message.as_bytes(policy=SMTP_POLICY)
            self._templates[key] = template
        unique = hashlib.sha256(f"{recipient}|{now.isoformat()}".encode()).hexdigest()[:20]
        raw = (
            template.replace(_TO.encode(), recipient.encode())
            .replace(_ID.encode(), f"digest.{unique}".encode())
            .replace(_TOKEN.encode(), digest.unsubscribe_token.encode())
        )
        return recipient, raw


def _base_url(config: Config) -> str:
    """Where links in mail point: [http] public_url, else the server's own address."""
    url: str = config.get("http.public_url") or "http://" + config.get("http.listen")
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
    link = f"{_base_url(config)}/confirm?token={token}"
    if lang == "en":
        subject = "Please confirm your subscription to the network digest"
        text = (f"Open this link to start receiving the digest (valid for 3 days):\n{link}\n\n"
                "If you did not ask for it, ignore this mail: nothing will be sent.\n")  # fmt: skip
    else:
        subject = "【確認】お知らせメール配信の登録"
        text = (f"次のリンクを開くと、お知らせメールの配信が始まります（3日間有効）。\n{link}\n\n"
                "お心当たりのない場合は、このメールを破棄してください。配信は始まりません。\n")  # fmt: skip
    return _link_mail("confirm", email, subject, text, config, now)


def unsubscribe_mail(email: str, token: str, lang: str, config: Config, now: datetime) -> EmailMessage:
    """A link to stop the digest, sent to the mailbox itself (so nobody can unsubscribe someone else)."""
    link = f"{_base_url(config)}/unsubscribe?token={token}"
    if lang == "en":
        return _link_mail("unsubscribe", email, "Stop the network digest",
                          f"Open this link to stop the digest:\n{link}\n", config, now)  # fmt: skip
    return _link_mail("unsubscribe", email, "【配信停止】お知らせメールの配信停止",
                      f"次のリンクを開くと、お知らせメールの配信を停止できます。\n{link}\n", config, now)  # fmt: skip


class DigestSender:
    """Sends through `[mail.outbound]` with a few reused connections; with no host, writes .eml files."""

    def __init__(self, config: Config, outbox_dir: Path, *, connections: int = 4) -> None:
        self._config = config
        self._outbox = outbox_dir
        self.connections = connections

    async def send(self, messages: list[EmailMessage], on_sent: Callable[[str], None] | None = None) -> dict[str, str]:
        """Send a handful of ready messages (a confirmation, an unsubscribe link); returns the refusals."""
        queue: asyncio.Queue[tuple[str, bytes] | None] = asyncio.Queue()
        for message in messages:
            queue.put_nowait((str(message["To"]), message.as_bytes(policy=SMTP_POLICY)))
        workers = min(self.connections, max(1, len(messages)))
        for _ in range(workers):
            queue.put_nowait(None)
        return await self.send_from(queue, on_sent or (lambda _recipient: None), workers=workers)

    async def send_from(
        self,
        queue: asyncio.Queue[tuple[str, bytes] | None],
        on_sent: Callable[[str], None],
        *,
        workers: int | None = None,
    ) -> dict[str, str]:
        """Send what a producer puts in `queue` (one None per connection ends it); returns the refusals."""
        failed: dict[str, str] = {}
        host = self._config.get("mail.outbound.host")
        _, address = _sender(self._config)

        async def worker() -> None:
            if not host:
                self._outbox.mkdir(mode=0o700, exist_ok=True)
                while (item := await queue.get()) is not None:
                    recipient, raw = item
                    name = hashlib.sha256(raw).hexdigest()[:24] + ".eml"
                    await asyncio.to_thread(atomic_write_bytes, self._outbox / name, raw)
                    on_sent(recipient)
                return
            port = self._config.get("mail.outbound.port")
            start_tls = None if self._config.get("mail.outbound.starttls") else False
            async with aiosmtplib.SMTP(hostname=host, port=port, start_tls=start_tls, timeout=30) as smtp:
                username = self._config.get("mail.outbound.username")
                if username:
                    await smtp.login(username, self._config.secrets.smtp_password)
                while (item := await queue.get()) is not None:
                    recipient, raw = item
                    for attempt in range(3):
                        try:
                            await smtp.sendmail(_verp(address, recipient), [recipient], raw)
                        except aiosmtplib.SMTPResponseException as exc:
                            if 400 <= exc.code < 500 and attempt < 2:  # 4xx: try again shortly
                                await asyncio.sleep(1 + attempt)
                                continue
                            failed[recipient] = f"{exc.code} {exc.message}"  # 5xx: recorded, not retried
                            _log.warning("digest to %s refused: %s %s", recipient, exc.code, exc.message)
                        else:
                            on_sent(recipient)
                        break

        await asyncio.gather(*(worker() for _ in range(workers or self.connections)))
        return failed
