"""The intake's own DATA reading (bot/mail/smtp_data.py) against aiosmtpd's: the same bytes, the same replies."""

from __future__ import annotations

import asyncio
import random

import pytest
from aiosmtpd.smtp import SMTP

from bot.mail.listener import MailListener
from storage.spool import Spool

_RCPT = "rmo-bot@rmo-network.example.jp"
_SIZE_LIMIT = 200_000
_END = b"\r\n.\r\n"
_ATOMS = [b"a", "あ".encode(), b".", b"..", b"\r", b"\n", b"\r\n", b"\r\n.", b".\r\n", b"x" * 700, b"y" * 997,
          b"z" * 998, b"\r\n" + b"w" * 999]  # fmt: skip
_WEIGHTS = [30, 10, 5, 3, 2, 2, 20, 4, 3, 1, 1, 1, 1]


class _Recorder:
    def __init__(self) -> None:
        self.contents: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.contents.append(envelope.original_content)  # type: ignore[attr-defined]
        return "250 OK"


async def _transaction(port: int, stream: bytes, rng: random.Random) -> tuple[bytes, bytes]:
    """MAIL, RCPT, DATA, then `stream` in pieces of random sizes; the answer to it and to a NOOP after it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        await reader.readline()
        writer.write(b"HELO test\r\n")
        await reader.readline()
        writer.write(f"MAIL FROM:<a@example.jp>\r\nRCPT TO:<{_RCPT}>\r\n".encode())
        await reader.readline()
        await reader.readline()
        writer.write(b"DATA\r\n")
        assert (await reader.readline()).startswith(b"354")
        at = 0
        while at < len(stream):
            size = rng.choice([1, 2, 3, 7, 500, 4_000, 70_000])
            writer.write(stream[at : at + size])
            await writer.drain()
            at += size
        writer.write(b"NOOP\r\n")  # written at once after the end: nothing of it may be taken as the message
        answer = await reader.readline()
        return answer.split(b" ")[0], (await reader.readline()).split(b" ")[0]
    finally:
        writer.close()


def _streams(rng: random.Random, count: int) -> list[bytes]:
    streams = [b".\r\n", b"\r\n.\r\n", b"..\r\n.\r\n", b"a\r\n.\r\n", b"\r\r\n.\r\n", b".\r\r\n.\r\n"]
    while len(streams) < count:
        body = b"".join(rng.choices(_ATOMS, _WEIGHTS, k=rng.randint(0, 40)))
        stream = body + rng.choice([b"\r\n.\r\n", b".\r\n"])
        if stream.find(_END) == len(stream) - len(_END) and not stream.startswith(b".\r\n"):
            streams.append(stream)  # one end marker, at the end
    for lines in (800, 30_000):  # a big one within the size limit, and one over it (read to its end all the same)
        body = [rng.choice([b".", b"..", b"", b"abc"]) + "本文".encode() * rng.randint(1, 60) for _ in range(lines)]
        streams.append(b"\r\n".join(body) + _END)
    return streams


@pytest.fixture
async def servers(tmp_path):
    recorder = _Recorder()
    loop = asyncio.get_running_loop()
    reference = await loop.create_server(
        lambda: SMTP(recorder, data_size_limit=_SIZE_LIMIT, decode_data=False), "127.0.0.1", 0
    )
    spool = Spool(tmp_path / "spool")
    ours = MailListener(spool, "127.0.0.1", 0, addresses=frozenset({_RCPT}), max_size=_SIZE_LIMIT)
    await ours.start()
    yield (reference.sockets[0].getsockname()[1], recorder), (ours.port, spool)
    await ours.stop()
    reference.close()
    await reference.wait_closed()


async def test_data_is_read_as_aiosmtpd_reads_it(servers):
    """Every stream, dot lines, bare CRs and LFs, long lines and too much data included, is stored as aiosmtpd
    would store it and answered with the same code, and the command that follows its end is still a command."""
    (reference_port, recorder), (port, spool) = servers
    rng = random.Random(10)
    for stream in _streams(rng, 150):
        expected = await _transaction(reference_port, stream, random.Random(len(stream)))
        answered = await _transaction(port, stream, random.Random(len(stream) + 1))
        refused = {b"500", b"552"}
        # A message over both limits is refused either way; which refusal comes first may differ.
        assert answered == expected or ({answered[0], expected[0]} <= refused and answered[1] == expected[1]), stream
        if expected[0] == b"250":
            names = spool.pending()
            (raw,) = spool.read(names[-1])
            assert raw.split(b"\r\n", 2)[2] == recorder.contents[-1], stream
            spool.remove(names)
