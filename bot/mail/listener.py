"""The mail intake: an SMTP (or LMTP) listener that answers 250 only once a message is safely spooled.

It accepts mail only for its configured addresses and relays nothing onward; a message it cannot
store gets 451, so the sending MTA keeps it and tries again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP

if TYPE_CHECKING:
    from collections.abc import Callable

    from storage.spool import Spool

__all__ = ["MailListener"]

_log = logging.getLogger(__name__)


class _GroupCommit:
    """Messages that arrive while a write is under way are written together by the next one."""

    def __init__(self, spool: Spool) -> None:
        self._spool = spool
        self._waiting: list[tuple[bytes, asyncio.Future[str]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def put(self, raw: bytes) -> str:
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiting.append((raw, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return await asyncio.shield(future)

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                name = await asyncio.to_thread(self._spool.put_many, [raw for raw, _ in batch])
            except Exception as exc:  # noqa: BLE001 - every waiting sender gets its 451, whatever went wrong
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, OSError) else OSError(str(exc)))
                continue
            for _, future in batch:
                if not future.done():  # a sender that hung up meanwhile: its message is stored all the same
                    future.set_result(name)


def _served(address: str, addresses: frozenset[str]) -> bool:
    """An address served exactly, or a digest's VERP bounce to one (rmo-bot+bounce+…@d for rmo-bot@d)."""
    address = address.strip().lower()
    if address in addresses:
        return True
    local, _, domain = address.rpartition("@")
    base, marker, _ = local.partition("+bounce+")
    return bool(marker) and f"{base}@{domain}" in addresses


class _Handler:
    def __init__(
        self, spool: Spool, addresses: frozenset[str], on_spooled: Callable[[], None], *, lmtp: bool = False
    ) -> None:
        self.lmtp = lmtp
        self._spool = _GroupCommit(spool)
        self._addresses = addresses
        self._on_spooled = on_spooled

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        del server, session, rcpt_options
        if self._addresses and not _served(address, self._addresses):
            return "550 5.1.1 No such recipient here (this intake relays nothing)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        del server, session
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode("utf-8", "surrogateescape")
        # The envelope sender travels with the message, as an MTA's Return-Path would: "<>" marks a bounce.
        mail_from = envelope.mail_from or ""
        rcpt = envelope.rcpt_tos[0] if envelope.rcpt_tos else ""
        # Like an MTA's Return-Path and Delivered-To: the envelope travels with the message.
        stamped = f"Return-Path: <{mail_from.strip('<>')}>\r\nDelivered-To: {rcpt}\r\n".encode("utf-8", "replace") + raw
        try:
            name = await self._spool.put(stamped)
        except Exception as exc:  # noqa: BLE001 - never a 5xx for our own trouble: the sender must retry
            _log.error("could not spool a message from %s: %s", mail_from, exc)
            return self._reply(envelope, "451 4.3.0 Cannot store the message now; please try again later")
        _log.debug("spooled %s (%d bytes) from %s", name, len(raw), mail_from)
        self._on_spooled()
        return self._reply(envelope, "250 2.0.0 OK: queued")

    def _reply(self, envelope: Any, status: str) -> str:
        # LMTP answers DATA once per accepted recipient.
        count = len(envelope.rcpt_tos) if self.lmtp else 1
        return "\r\n".join([status] * max(1, count))


class MailListener:
    """Serves SMTP or LMTP on `host:port` (port 0 picks a free one; `port` tells which)."""

    def __init__(
        self,
        spool: Spool,
        host: str,
        port: int,
        *,
        protocol: str = "smtp",
        addresses: frozenset[str] = frozenset(),
        max_size: int = 10 * 1024 * 1024,
        on_spooled: Callable[[], None] = lambda: None,
    ) -> None:
        self._handler = _Handler(spool, addresses, on_spooled, lmtp=protocol == "lmtp")
        self._host = host.strip("[]")
        self._port = port
        self._protocol = protocol
        self._max_size = max_size
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        cls = LMTP if self._protocol == "lmtp" else SMTP

        def factory() -> Any:
            return cls(
                self._handler,
                data_size_limit=self._max_size,
                enable_SMTPUTF8=True,
                decode_data=False,
                hostname="rmo-bot",
                ident="rmo-bot intake",
            )

        self._server = await loop.create_server(factory, self._host, self._port)
        _log.info("mail intake listening on %s:%d (%s)", self._host, self.port, self._protocol.upper())

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
