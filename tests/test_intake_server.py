"""The SMTP listener itself: 250 only once spooled, 451 when it cannot store, never an open relay."""

from __future__ import annotations

import asyncio
import shutil
import smtplib
from email.message import EmailMessage

import aiosmtplib
import pytest

from bot.mail.listener import MailListener
from storage.spool import Spool


def _message(size: int = 100) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "jimukyoku@rmo-network.example.jp"
    message["To"] = "rmo-bot@rmo-network.example.jp"
    message["Subject"] = "テスト"
    message.set_content("本文" * (size // 6 + 1))
    return message


@pytest.fixture
async def server(tmp_path):
    spool = Spool(tmp_path / "spool")
    notified = []
    intake = MailListener(
        spool, "127.0.0.1", 0, addresses=frozenset({"rmo-bot@rmo-network.example.jp"}), max_size=20_000,
        on_spooled=lambda: notified.append(1),
    )  # fmt: skip
    await intake.start()
    yield intake, spool, notified
    await intake.stop()


async def test_250_means_the_message_is_on_disk(server):
    """After a 250 the raw message, with its envelope sender, is in the spool and the relay is told."""
    intake, spool, notified = server
    errors, reply = await aiosmtplib.send(
        _message(), hostname="127.0.0.1", port=intake.port, sender="list-bounces@x.example"
    )
    assert errors == {}
    assert reply.startswith("2.0.0") or "OK" in reply
    (name,) = spool.pending()
    (raw,) = spool.read(name)
    assert raw.startswith(b"Return-Path: <list-bounces@x.example>\r\n")
    assert notified == [1]


async def test_other_recipients_are_refused(server):
    """Mail for an address the intake does not serve is refused at RCPT: it relays nothing."""
    intake, spool, _ = server
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await aiosmtplib.send(
            _message(), hostname="127.0.0.1", port=intake.port, recipients=["someone@elsewhere.example"]
        )
    assert refused.value.recipients[0].code == 550
    assert spool.pending() == []


async def test_an_extension_of_a_served_address_is_taken(server):
    """rmo-bot+bounce+member=example.jp@… (a digest's VERP bounce) reaches the intake; rmo-botx@… and other
    extensions (rmo-bot+anything@…) do not."""
    intake, spool, _ = server
    await aiosmtplib.send(
        _message(), hostname="127.0.0.1", port=intake.port,
        recipients=["rmo-bot+bounce+member=example.jp@rmo-network.example.jp"],
    )  # fmt: skip
    assert len(spool.pending()) == 1
    for other in ("rmo-botx@rmo-network.example.jp", "rmo-bot+news@rmo-network.example.jp"):
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
            await aiosmtplib.send(_message(), hostname="127.0.0.1", port=intake.port, recipients=[other])


async def test_oversized_mail_is_refused_with_552(server):
    """A message over max_size gets 552 and is not stored."""
    intake, spool, _ = server
    with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
        await aiosmtplib.send(_message(60_000), hostname="127.0.0.1", port=intake.port)
    assert refused.value.code == 552
    assert spool.pending() == []


async def test_451_when_the_spool_cannot_store(server, tmp_path):
    """When the message cannot be stored the answer is 451, so the sending MTA keeps it and retries."""
    intake, _spool, notified = server
    shutil.rmtree(tmp_path / "spool")
    (tmp_path / "spool").write_text("not a directory")
    with pytest.raises(aiosmtplib.SMTPResponseException) as deferred:
        await aiosmtplib.send(_message(), hostname="127.0.0.1", port=intake.port)
    assert deferred.value.code == 451
    assert notified == []


async def test_lmtp_for_sitting_behind_postfix(tmp_path):
    """With protocol = "lmtp" the intake speaks LMTP (as Postfix's lmtp transport expects)."""
    spool = Spool(tmp_path / "lmtp-spool")
    intake = MailListener(spool, "127.0.0.1", 0, protocol="lmtp")
    await intake.start()
    try:

        def deliver() -> dict:
            with smtplib.LMTP("127.0.0.1", intake.port, timeout=10) as lmtp:
                return lmtp.send_message(_message(), to_addrs=["rmo-bot@rmo-network.example.jp"])

        assert await asyncio.to_thread(deliver) == {}
    finally:
        await intake.stop()
    assert len(spool.pending()) == 1


async def test_lmtp_answers_once_per_recipient(tmp_path):
    """After DATA, LMTP gets one reply per accepted recipient, as Postfix waits for."""
    spool = Spool(tmp_path / "lmtp2")
    intake = MailListener(spool, "127.0.0.1", 0, protocol="lmtp")
    await intake.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", intake.port)
        await reader.readline()  # greeting
        writer.write(b"LHLO test\r\n")
        while not (await reader.readline()).startswith(b"250 "):
            pass
        for line in (b"MAIL FROM:<list@x.example>", b"RCPT TO:<a@x.example>", b"RCPT TO:<b@x.example>", b"DATA"):
            writer.write(line + b"\r\n")
            await reader.readline()
        writer.write(bytes(_message()) + b"\r\n.\r\n")
        replies = [await reader.readline(), await reader.readline()]
        writer.write(b"QUIT\r\n")
        writer.close()
    finally:
        await intake.stop()
    assert [r[:3] for r in replies] == [b"250", b"250"]
