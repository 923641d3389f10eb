"""Digest sending: a digest of 20 announcements to 10,000 subscribers through a local aiosmtpd sink;
messages per second and peak memory, beside two floors sending the very bytes rmo-bot sends, rendered
beforehand, with the same concurrency, in the same run (each side in a process of its own, so peak memory is
its own):

- aiosmtplib's `sendmail` (which re-normalises line ends and dot-stuffs each message as it goes);
- the stronger floor: a bare asyncio stream per connection doing EHLO once, then MAIL, RCPT, DATA and the
  already dot-stuffed CRLF bytes with their final dot, each answer read before the next command (the round
  trips rmo-bot's transaction makes), and nothing else.

Each side runs --rounds times, in ABBA order (raw, stream, rmo-bot, rmo-bot, stream, raw), and its best run
counts: another process's load then falls on every side alike.

    python bench/digest.py [--subscribers 10000] [--announcements 20] [--rounds 2]
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
SIDES = ("raw", "stream", "rmo-bot")


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


def run_side(side: str, tmp: Path, port: int, data: Path) -> None:
    """One measured side, in its own process, on its own copy of the store (`data`); prints a JSON line."""
    from bot.config import load_config

    config = load_config(_config(tmp, port), environ={})
    if side == "rmo-bot":
        from bot.clock import FrozenClock
        from bot.core import Core
        from bot.mail.digest_run import send_due

        with Core.open(config, data, FrozenClock(NOW)) as core:
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
        with Core.open(config, data, FrozenClock(NOW)) as core:
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
        run_side(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--announcements", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each side, in ABBA order; the best counts")
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
            results: dict[str, list[dict[str, float]]] = {side: [] for side in SIDES}
            for round_ in range(args.rounds):  # ABBA: a change in the machine's other load falls on every side
                for side in SIDES if round_ % 2 == 0 else SIDES[::-1]:
                    data = tmp / f"data-{side}-{round_}"  # a fresh copy each time: a run records who was sent
                    subprocess.run(["cp", "-r", str(tmp / "data"), str(data)], check=True)
                    out = subprocess.run([sys.executable, __file__, "--side", side, str(tmp), str(port), str(data)],
                                         check=True, capture_output=True, text=True).stdout  # fmt: skip
                    results[side].append(json.loads(out.strip().splitlines()[-1]))
    finally:
        controller.stop()
    rates = {side: [r["count"] / r["seconds"] for r in runs] for side, runs in results.items()}
    peaks = {side: max(r["peak_mb"] for r in runs) for side, runs in results.items()}
    raw_rate, stream_rate, our_rate = (max(rates[side]) for side in SIDES)
    failed = max(r["failed"] for r in results["rmo-bot"])

    def runs(side: str) -> str:
        return f"best of {len(rates[side])}: " + " / ".join(f"{r:,.0f}" for r in rates[side])

    print(
        f"{args.subscribers:,} subscribers, a digest of {args.announcements} announcements each, {CONNECTIONS} connections"
    )
    print(f"floor 1, aiosmtplib sendmail (prepared messages): {raw_rate:,.0f} messages/s ({runs('raw')}), "
          f"peak {peaks['raw']:.0f} MB")  # fmt: skip
    print(f"floor 2, prepared wire bytes straight to an asyncio stream: {stream_rate:,.0f} messages/s "
          f"({runs('stream')}), peak {peaks['stream']:.0f} MB")  # fmt: skip
    print(f"rmo-bot digest send (compose + send + record): {our_rate:,.0f} messages/s ({runs('rmo-bot')}), "
          f"peak {peaks['rmo-bot']:.0f} MB, {failed} refused")  # fmt: skip
    print(f"rmo-bot / sendmail floor: {our_rate / raw_rate:.2f}x; rmo-bot / stream floor: {our_rate / stream_rate:.2f}x "
          f"(target >= 0.8x); rmo-bot peak {peaks['rmo-bot']:.0f} MB (target < 200 MB)")  # fmt: skip
    print(f"load average (1 min) at start {load:.1f}, at end {os.getloadavg()[0]:.1f}, on {os.cpu_count()} CPUs "
          "(anything else running on this machine is in these figures)")  # fmt: skip


if __name__ == "__main__":
    main()
