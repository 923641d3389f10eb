"""Sending the bot's mail: through `[mail.outbound]` with a few reused connections, each message in one SMTP
transaction whose final dot waits for the caller's journal (bot/mail/transaction.py says how, and what that
guarantees); with no host configured, written to the data directory's outbox as .eml files instead.

A sender takes (recipient, message) pairs, the message as `smtp_bytes` makes it: CRLF line ends, a final CRLF.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import hashlib
import logging
import re
from typing import TYPE_CHECKING, Protocol

import aiosmtplib

from bot.mail.dkim import dkim_signer
from bot.mail.transaction import Link, open_link, transmit
from handlers.digests import verp_sign
from storage.atomic import atomic_write_bytes
from storage.errors import RmoBotError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from email.message import EmailMessage
    from pathlib import Path

    from bot.config import Config
    from bot.core import Core

__all__ = ["DigestSender", "OutboundUnavailableError", "SendHooks", "from_address", "sender_for", "smtp_bytes"]

_log = logging.getLogger(__name__)
_LINE_END = re.compile(rb"\r\n|\n|\r(?!\n)")
_ATTEMPTS, _CONNECT_ATTEMPTS = 3, 3


def from_address(config: Config) -> tuple[str, str]:
    """The bot's From: as configured (a display form), and the bare address."""
    configured = config.mail.outbound.from_address or "rmo-bot <rmo-bot@localhost>"
    match = re.search(r"<([^>]+)>", configured)
    return configured, match.group(1) if match else configured


def smtp_bytes(message: EmailMessage) -> bytes:
    """A message as a sender takes it: CRLF line ends, ending in CRLF (dot-stuffing is the sender's)."""
    raw = _LINE_END.sub(b"\r\n", message.as_bytes(policy=email.policy.SMTP))
    return raw if raw.endswith(b"\r\n") else raw + b"\r\n"


class SendHooks(Protocol):
    """What a sender reports, recipient by recipient (a digest run journals each step)."""

    def committing(self, recipient: str, evidence: str) -> None:
        """The whole message but its final dot has left this process (or `evidence`, a file, is about to be
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
    """Sends through `[mail.outbound]` with a few reused connections; with no host, writes .eml files."""

    def __init__(self, config: Config, outbox_dir: Path, *, secret: bytes, connections: int = 4) -> None:
        self._config = config
        self._outbox = outbox_dir
        self._secret = secret
        self.connections = connections
        self.in_doubt: list[str] = []

    def return_path(self, recipient: str) -> str:
        """VERP: rmo-bot+bounce+member=example.jp+SIGNATURE@our.domain, so a bounce names (and proves) the
        subscriber it is about."""
        local, _, domain = from_address(self._config)[1].partition("@")
        return f"{local}+bounce+{verp_sign(self._secret, recipient)}@{domain}"

    async def send(self, messages: list[EmailMessage]) -> dict[str, str]:
        """Send a handful of ready messages (a confirmation, an unsubscribe link); returns the refusals
        (an unreachable server refuses every message it did not take)."""
        queue: asyncio.Queue[tuple[str, bytes] | None] = asyncio.Queue()
        sign = dkim_signer(self._config)
        for message in messages:
            raw = smtp_bytes(message)
            queue.put_nowait((str(message["To"]), sign(raw) if sign else raw))
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
            recipient, raw = item
            path = self._outbox / (hashlib.sha256(raw).hexdigest()[:24] + ".eml")
            hooks.committing(recipient, str(path))  # after a crash, the file itself says whether it was sent
            await asyncio.to_thread(atomic_write_bytes, path, raw)
            hooks.sent(recipient)

    async def _connect(self, connections: _Connections) -> Link:
        outbound = self._config.mail.outbound
        connections.trying += 1
        try:
            for attempt in range(_CONNECT_ATTEMPTS):
                try:
                    link = await open_link(
                        outbound.host, outbound.port, starttls=outbound.starttls, username=outbound.username,
                        password=self._config.secrets.smtp_password,
                    )  # fmt: skip
                except (aiosmtplib.SMTPException, OSError) as exc:
                    if attempt == _CONNECT_ATTEMPTS - 1:
                        msg = f"SMTP server {outbound.host}:{outbound.port} unavailable: {exc}"
                        raise OutboundUnavailableError(msg) from exc
                    await asyncio.sleep(2**attempt)
                else:
                    connections.up += 1
                    return link
        finally:
            connections.trying -= 1
        raise AssertionError  # pragma: no cover - the loop returns or raises

    async def _send_smtp(
        self, queue: asyncio.Queue[tuple[str, bytes] | None], hooks: SendHooks, connections: _Connections
    ) -> None:
        """One connection's worker."""
        link: Link | None = None
        clean = False

        async def connection() -> Link:
            nonlocal link
            if link is not None and link.smtp.is_connected:
                return link
            if link is not None:  # it broke
                connections.up -= 1
                link = None
            link = await self._connect(connections)
            return link

        try:
            while (item := await _next(queue)) is not None:
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
            if link is not None:
                connections.up -= 1
                if clean and link.smtp.is_connected:
                    with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                        await link.smtp.quit()
                else:
                    link.smtp.close()

    async def _one(
        self, connection: Callable[[], Awaitable[Link]], recipient: str, message: bytes, hooks: SendHooks
    ) -> None:
        """Send one message, retrying 4xx and broken connections."""
        for attempt in range(_ATTEMPTS):
            committed = False

            def commit() -> None:
                nonlocal committed
                committed = True
                hooks.committing(recipient, "")

            link: Link | None = None
            try:
                link = await connection()
                await transmit(link, self.return_path(recipient), recipient, message, commit)
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
                if link is not None:
                    link.smtp.close()
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


async def _next(queue: asyncio.Queue[tuple[str, bytes] | None]) -> tuple[str, bytes] | None:
    """The next message for a connection's worker; CancelledError if the worker was told to stop.

    Python 3.11's `asyncio.wait_for` (which aiosmtplib waits for each reply with) swallows a cancellation that
    comes as the reply does; the worker would then wait for a producer already gone, and hold a shutdown
    for ever. Fixed in 3.12 (gh-86296); tested with aiosmtplib 5.1 on 3.11.7."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
    return await queue.get()


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
