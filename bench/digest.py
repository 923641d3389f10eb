"""Digest sending: a digest of 20 announcements to 10,000 subscribers through a local aiosmtpd sink;
messages per second and peak memory, beside two floors sending the very bytes rmo-bot sends, rendered
beforehand, with the same concurrency, in the same run (each side in a process of its own, so peak memory is
its own):

- aiosmtplib's `sendmail` (which re-normalises line ends and dot-stuffs each message as it goes);
- the stronger floor: a bare asyncio stream per connection doing EHLO once, then MAIL, RCPT, DATA and the
  already dot-stuffed CRLF bytes with their final dot, each answer read before the next command (the round
  trips rmo-bot's transaction makes), and nothing else.

    python bench/digest.py [--subscribers 10000] [--announcements 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=JST)
CONNECTIONS = 4
SENDER = "rmo-bot@bench.example.jp"


def _config(tmp: Path, port: int) -> Path:
    path = tmp / "config.toml"
    path.write_text(
        f'[mail.outbound]\nhost = "127.0.0.1"\nport = {port}\nfrom = "rmo-bot <rmo-bot@bench.example.jp>"\n'
        'starttls = false\n[http]\npublic_url = "https://rmo.example.jp"\n',
        encoding="utf-8",
    )
    return path


def prepare(tmp: Path, subscribers: int, announcements: int) -> None:
    from bot.clock import FrozenClock
    from bot.config import load_config
    from bot.core import Core
    from tests.helpers import seed_digest_run

    with Core.open(load_config(_config(tmp, 25), environ={}), tmp / "data", FrozenClock(NOW)) as core:
        seed_digest_run(core, NOW, subscribers=subscribers, announcements=announcements, body_repeat=40)


async def _sendmail_worker(port: int, queue: list[tuple[str, bytes]]) -> None:
    import aiosmtplib

    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=30) as smtp:
        while queue:
            recipient, raw = queue.pop()
            await smtp.sendmail(SENDER, [recipient], raw)


async def _answer(reader: asyncio.StreamReader, expected: bytes) -> None:
    """Read one SMTP reply (its continuation lines too) and check its code."""
    while True:
        line = await reader.readline()
        if not line.startswith(expected):
            raise RuntimeError(f"expected {expected!r}, got {line!r}")
        if line[3:4] != b"-":
            return


async def _stream_worker(port: int, queue: list[tuple[str, bytes]]) -> None:
    """The stronger floor: prepared wire bytes (dot-stuffed, the final dot appended) straight to the socket."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await _answer(reader, b"220")
    writer.write(b"EHLO bench.example.jp\r\n")
    await _answer(reader, b"250")
    while queue:
        recipient, wire = queue.pop()
        writer.write(b"MAIL FROM:<" + SENDER.encode() + b">\r\n")
        await _answer(reader, b"250")
        writer.write(b"RCPT TO:<" + recipient.encode() + b">\r\n")
        await _answer(reader, b"250")
        writer.write(b"DATA\r\n")
        await _answer(reader, b"354")
        writer.write(wire)
        await writer.drain()
        await _answer(reader, b"250")
    writer.write(b"QUIT\r\n")
    await _answer(reader, b"221")
    writer.close()
    await writer.wait_closed()


def run_side(side: str, tmp: Path, port: int) -> None:
    """One measured side, in its own process; prints a JSON line."""
    from bot.config import load_config

    config = load_config(_config(tmp, port), environ={})
    if side == "rmo-bot":
        from bot.clock import FrozenClock
        from bot.core import Core
        from bot.mail.digest_run import send_due

        with Core.open(config, tmp / "data", FrozenClock(NOW)) as core:
            start = time.perf_counter()
            outcome = asyncio.run(send_due(core, NOW, connections=CONNECTIONS))
            elapsed = time.perf_counter() - start
        count, failed = len(outcome.sent), outcome.failed
    else:
        from bot.clock import FrozenClock
        from bot.core import Core
        from bot.mail.compose import DigestRenderer
        from bot.mail.transaction import wire_form

        # The very bytes rmo-bot sends, prepared beforehand (a copy of the store: both sides start the same).
        renderer = DigestRenderer(config)
        with Core.open(config, tmp / f"data-{side}", FrozenClock(NOW)) as core:
            messages = [renderer.render(d, NOW) for s in core.digests.due(NOW) if (d := core.digests.compose(s, NOW))]
        if side == "stream":  # dot-stuffed and ended beforehand too: the floor does nothing but write them
            for n, (recipient, raw) in enumerate(messages):
                messages[n] = (recipient, wire_form(raw) + b".\r\n")
        queue = list(reversed(messages))
        worker = _stream_worker if side == "stream" else _sendmail_worker

        async def all_of_them() -> None:
            await asyncio.gather(*(worker(port, queue) for _ in range(CONNECTIONS)))

        start = time.perf_counter()
        asyncio.run(all_of_them())
        elapsed = time.perf_counter() - start
        count, failed = len(messages), {}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"count": count, "seconds": elapsed, "peak_mb": peak, "failed": len(failed)}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--side":
        run_side(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--announcements", type=int, default=20)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    from tests.botproc import free_port

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            Sink.received += 1
            return "250 OK"

    load = os.getloadavg()[0]
    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            prepare(tmp, args.subscribers, args.announcements)
            for copy in ("data-raw", "data-stream"):
                subprocess.run(["cp", "-r", str(tmp / "data"), str(tmp / copy)], check=True)
            results = {}
            for side in ("raw", "stream", "rmo-bot"):
                out = subprocess.run([sys.executable, __file__, "--side", side, str(tmp), str(port)],
                                     check=True, capture_output=True, text=True).stdout  # fmt: skip
                results[side] = json.loads(out.strip().splitlines()[-1])
    finally:
        controller.stop()
    raw, stream, ours = results["raw"], results["stream"], results["rmo-bot"]
    raw_rate = raw["count"] / raw["seconds"]
    stream_rate = stream["count"] / stream["seconds"]
    our_rate = ours["count"] / ours["seconds"]
    print(
        f"{args.subscribers:,} subscribers, a digest of {args.announcements} announcements each, {CONNECTIONS} connections"
    )
    print(f"floor 1, aiosmtplib sendmail (prepared messages): {raw_rate:,.0f} messages/s, peak {raw['peak_mb']:.0f} MB")
    print(f"floor 2, prepared wire bytes straight to an asyncio stream: {stream_rate:,.0f} messages/s, "
          f"peak {stream['peak_mb']:.0f} MB")  # fmt: skip
    print(f"rmo-bot digest send (compose + send + record): {our_rate:,.0f} messages/s, peak {ours['peak_mb']:.0f} MB, "
          f"{ours['failed']} refused")  # fmt: skip
    print(f"rmo-bot / sendmail floor: {our_rate / raw_rate:.2f}x; rmo-bot / stream floor: {our_rate / stream_rate:.2f}x "
          f"(target >= 0.8x); rmo-bot peak {ours['peak_mb']:.0f} MB (target < 200 MB)")  # fmt: skip
    print(f"load average (1 min) at start {load:.1f}, at end {os.getloadavg()[0]:.1f}, on {os.cpu_count()} CPUs "
          "(anything else running on this machine is in these figures)")  # fmt: skip


if __name__ == "__main__":
    main()
