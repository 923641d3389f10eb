"""A flood of idle SMTP connections against `rmo-bot run` under a tight open-files limit.

1. 300 idle connections from one address, under a 256-descriptor limit (what once killed SMTP and HTTP):
   how many are held and refused, how long /healthz and a delivery from another address take meanwhile,
   and how many log lines the flood wrote.
2. 300 idle connections from 30 addresses (past the total cap), same limit: the same figures; a sender
   turned away with 421 retries each second until it is let in (once idle connections time out, after
   `idle_timeout`, 60 s by default).
3. 100 connections under a 64-descriptor limit (below the intake's cap, so descriptors run out), held for
   20 seconds: how many accept failures were logged, the CPU the bot spent meanwhile, and how long a
   delivery takes after the flood ends.

    python bench/flood.py [--hold 20] [--show-log]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import aiosmtplib  # noqa: E402

from tests.botproc import BotProcess, write_config  # noqa: E402
from tests.smtp_clients import small_message  # noqa: E402

NO_API = "http://127.0.0.1:9/"
ANSWER = 30.0  # seconds a request may take before it counts as no answer
LET_IN = 150.0  # seconds a sender turned away keeps retrying


def start(tmp: Path, name: str, open_files: tuple[int, int]) -> BotProcess:
    config = write_config(tmp / f"{name}.toml", slack_url=NO_API, discord_url=NO_API)
    bot = BotProcess(config, tmp / name, env={"SLACK_BOT_TOKEN": "", "DISCORD_TOKEN": ""}, open_files=open_files)
    bot.start()
    return bot


async def timed(what, limit: float = ANSWER) -> str:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(limit):
            result = await what
    except Exception as exc:
        return f"{type(exc).__name__} after {time.perf_counter() - started:.2f} s"
    return f"{result} in {(time.perf_counter() - started) * 1000:.0f} ms"


async def healthz(bot: BotProcess) -> int:
    while not bot.http_port:  # logged just after the intake's
        await asyncio.sleep(0.05)
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{bot.http_port}/healthz") as page:
        return page.status


async def deliver(bot: BotProcess, *, retry: bool = False) -> str:
    while True:
        try:
            await aiosmtplib.send(small_message(), hostname="127.0.0.1", port=bot.port, timeout=ANSWER)
        except aiosmtplib.SMTPConnectError:
            if not retry:
                raise
            await asyncio.sleep(1)
        else:
            return "delivered"


async def connect(port: int, source: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    try:
        greeting = await asyncio.wait_for(reader.readline(), 10)
    except TimeoutError:
        greeting = b"(none)"
    return reader, writer, greeting


def flood_lines(lines: list[str]) -> list[str]:
    """The log lines a flood may have caused: not the scheduler's ticks, not a delivery's verdict."""
    return [
        line for line in lines if not any(name in line for name in (" apscheduler.", " bot.scheduler.", " bot.relay:"))
    ]


async def idle_flood(tmp: Path, name: str, sources: list[str], *, show: bool) -> None:
    bot = start(tmp, name, (256, 256))
    await healthz(bot)  # started in full
    before = len(bot.log)
    flood = await asyncio.gather(*(connect(bot.port, s) for s in sources))
    greetings = [g[:3].decode(errors="replace") or "EOF" for _, _, g in flood]
    counts = {code: greetings.count(code) for code in sorted(set(greetings))}
    print(f"  greetings: {counts}")
    print(f"  /healthz: {await timed(healthz(bot))}")
    lines = flood_lines(bot.log[before:])
    print(f"  log lines during the flood: {len(lines)}")
    if show:
        print("".join(lines), end="")
    print(f"  delivery from 127.0.0.1: {await timed(deliver(bot, retry=True), LET_IN)}")
    for _, writer, _ in flood:
        writer.close()
    bot.stop()


def cpu_seconds(bot: BotProcess) -> float:
    """The child's CPU time so far (Linux /proc), or nan elsewhere."""
    try:
        fields = Path(f"/proc/{bot.proc.pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def exhausted(tmp: Path, hold: float, *, show: bool) -> None:
    bot = start(tmp, "exhausted", (64, 64))
    await healthz(bot)  # started in full
    before = len(bot.log)
    flood = [
        await asyncio.open_connection("127.0.0.1", bot.port, local_addr=(f"127.0.0.{2 + n // 10}", 0))
        for n in range(100)
    ]
    await asyncio.sleep(1)
    used = cpu_seconds(bot)
    await asyncio.sleep(hold)
    used = cpu_seconds(bot) - used
    lines = flood_lines(bot.log[before:])
    text = "".join(lines)
    ours, asyncio_own = text.count("out of file descriptors"), text.count("out of system resource")
    print(
        f"  {hold:.0f} s short of descriptors: {ours + asyncio_own} accept-failure records "
        f"({asyncio_own} from asyncio's own loop), {len(lines)} log lines, "
        f"CPU {100 * used / hold:.0f}% of a core"
    )
    if show:
        print(text, end="")
    for _, writer in flood:
        writer.close()
    print(f"  delivery once the flood closed: {await timed(deliver(bot))}")
    print(f"  /healthz: {await timed(healthz(bot))}")
    bot.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hold", type=float, default=20.0, help="seconds the descriptor flood lasts")
    parser.add_argument("--show-log", action="store_true", help="print the log lines the floods wrote")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        print("1. 300 idle connections from one address, 256 descriptors")
        await idle_flood(tmp, "one", ["127.0.0.2"] * 300, show=args.show_log)
        print("2. 300 idle connections from 30 addresses, 256 descriptors")
        await idle_flood(tmp, "many", [f"127.0.0.{2 + n // 10}" for n in range(300)], show=args.show_log)
        print("3. 100 connections, 64 descriptors")
        await exhausted(tmp, args.hold, show=args.show_log)


if __name__ == "__main__":
    asyncio.run(main())
