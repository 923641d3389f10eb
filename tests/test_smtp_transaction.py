"""The SMTP transaction's commit point under STARTTLS (bot/mail/transaction.py): digests go out over TLS to a
real aiosmtpd, and a message still held beneath the TLS layer when the server resets is not counted as sent."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading

import pytest
from aiosmtpd.controller import Controller

from bot.mail.digest_run import send_due
from storage.digest_journal import JOURNAL
from tests.botproc import free_port
from tests.conftest import NOW
from tests.helpers import ROOT
from tests.test_digest_sending import _core as digest_core
from tests.test_digest_sending import send_one_big_mail


@pytest.fixture
def tls(tmp_path, monkeypatch) -> ssl.SSLContext:
    """A server context for 127.0.0.1 with a self-signed certificate the bot's default context trusts."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def _core(tmp_path, port: int, subscribers: list[str]):
    """The digest tests' store and configuration, over STARTTLS."""
    return digest_core(tmp_path, port, subscribers, connections=2, starttls=True)


class Kept:
    def __init__(self) -> None:
        self.kept: list[tuple[str, bool]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.kept.extend((rcpt, session.ssl is not None) for rcpt in envelope.rcpt_tos)
        return "250 OK"


async def test_digests_go_out_over_starttls_each_once(tmp_path, tls):
    """With `starttls = true` and a server that offers it, every digest arrives once, over TLS."""
    handler = Kept()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), tls_context=tls, require_starttls=True)
    controller.start()
    emails = [f"member{i:02d}@example.jp" for i in range(6)]
    try:
        with _core(tmp_path, controller.port, emails) as core:
            outcome = await send_due(core, NOW)
    finally:
        controller.stop()
    assert sorted(outcome.sent) == emails
    assert sorted(handler.kept) == [(email, True) for email in emails]
    assert not (tmp_path / "data" / JOURNAL).exists()


async def test_a_reset_while_the_message_is_still_beneath_tls_is_not_counted_as_sent(tmp_path, tls):
    """asyncio's TLS transport has handed the whole message down at once; while the TCP transport beneath it
    still holds some, nothing may be journalled as on its way: the server's reset makes it not sent."""

    async def resetting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 ready\r\n")
        while line := await reader.readline():
            command = line.upper()
            if command.startswith(b"EHLO"):
                writer.write(b"250-localhost\r\n250 STARTTLS\r\n" if writer.get_extra_info("sslcontext") is None
                             else b"250 localhost\r\n")  # fmt: skip
            elif command.startswith(b"STARTTLS"):
                writer.write(b"220 go ahead\r\n")
                await writer.drain()
                await writer.start_tls(tls)
                continue
            elif command.startswith(b"DATA"):
                writer.write(b"354 go on\r\n")
                await writer.drain()
                await reader.read(65536)
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
                writer.transport.abort()
                return
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()

    server = await asyncio.start_server(resetting, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with _core(tmp_path, port, []) as core:
        sender, hooks, failed = await send_one_big_mail(core)
    server.close()
    assert hooks.journal == [("F", "member@example.jp")]
    assert "not sent" in failed["member@example.jp"]
    assert sender.in_doubt == []


@pytest.mark.parametrize("size", [20_000, 300_000, 2_000_000])
async def test_killed_right_after_the_journal_line_the_server_still_gets_the_final_dot(size):
    """The journal's `C` says the final dot is on its way. When the server reads slowly, the socket's buffer is
    full as the last of the message leaves the process; a dot written then would wait in the process, and a
    kill would leave a message counted as sent that the server throws away. The child (tests/crash_sender.py)
    kills itself at the first instant after the dot's write."""
    ended = asyncio.get_running_loop().create_future()

    async def slow_reader(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 ready\r\n")
        while line := await reader.readline():
            if line.upper().startswith(b"DATA"):
                writer.write(b"354 go on\r\n")
                await writer.drain()
                tail = b""
                while chunk := await reader.read(2048):
                    tail = (tail + chunk)[-5:]
                    await asyncio.sleep(0.0005)  # a slow link: the client's buffers stay full
                    if tail == b"\r\n.\r\n":
                        break
                ended.set_result(tail == b"\r\n.\r\n")
                writer.close()
                return
            writer.write(b"250 ok\r\n")
            await writer.drain()

    listener = socket.create_server(("127.0.0.1", 0))
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    server = await asyncio.start_server(slow_reader, sock=listener)
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.crash_sender", str(listener.getsockname()[1]), str(size),
        stdout=asyncio.subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    said, _ = await child.communicate()
    server.close()
    assert child.returncode == -signal.SIGKILL
    assert said == b"C\n"
    assert await ended, "the connection ended before the final dot"
