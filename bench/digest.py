"""Digest sending: a digest of 20 announcements to 10,000 subscribers through a local aiosmtpd sink;
messages per second and peak memory, beside raw aiosmtplib sending the same prepared messages with the
same concurrency, in the same run: the very bytes rmo-bot sends, rendered beforehand (each side in a process of its own, so peak memory is its own).

    python bench/digest.py [--subscribers 10000] [--announcements 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
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
        import aiosmtplib

        from bot.clock import FrozenClock
        from bot.core import Core
        from bot.mail.compose import DigestRenderer

        # The very bytes rmo-bot sends, prepared beforehand; sent with aiosmtplib's own sendmail.
        renderer = DigestRenderer(config)
        with Core.open(config, tmp / "data-raw", FrozenClock(NOW)) as core:
            messages = [renderer.render(d, NOW) for s in core.digests.due(NOW) if (d := core.digests.compose(s, NOW))]
        queue = list(reversed(messages))

        async def worker() -> None:
            async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=30) as smtp:
                while queue:
                    recipient, raw = queue.pop()
                    await smtp.sendmail("rmo-bot@bench.example.jp", [recipient], raw)

        async def all_of_them() -> None:
            await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))

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

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            prepare(tmp, args.subscribers, args.announcements)
            subprocess.run(["cp", "-r", str(tmp / "data"), str(tmp / "data-raw")], check=True)
            results = {}
            for side in ("raw", "rmo-bot"):
                out = subprocess.run([sys.executable, __file__, "--side", side, str(tmp), str(port)],
                                     check=True, capture_output=True, text=True).stdout  # fmt: skip
                results[side] = json.loads(out.strip().splitlines()[-1])
    finally:
        controller.stop()
    raw, ours = results["raw"], results["rmo-bot"]
    raw_rate = raw["count"] / raw["seconds"]
    our_rate = ours["count"] / ours["seconds"]
    print(
        f"{args.subscribers:,} subscribers, a digest of {args.announcements} announcements each, {CONNECTIONS} connections"
    )
    print(f"raw aiosmtplib (prepared messages): {raw_rate:,.0f} messages/s, peak {raw['peak_mb']:.0f} MB")
    print(f"rmo-bot digest send (compose + send + record): {our_rate:,.0f} messages/s, peak {ours['peak_mb']:.0f} MB, "
          f"{ours['failed']} refused")  # fmt: skip
    print(f"rmo-bot / raw: {our_rate / raw_rate:.2f}x (target >= 0.8x); peak memory target < 200 MB")


if __name__ == "__main__":
    main()
