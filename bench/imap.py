"""IMAP-to-API latency: posts appended to a real Dovecot's folder while `rmo-bot run` idles on it; p50/p99 from
the APPEND's OK to the fake Slack API receiving the post (the issue's target: each within 5 s) — beside a bare
aioimaplib client's APPEND → IDLE notice on the same server, the part of the trip that is Dovecot's own.

    python bench/imap.py [--mails 20]      (also run by bench/relay.py, beside the SMTP path's figures)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aioimaplib  # noqa: E402

from tests.botproc import BotProcess, write_config  # noqa: E402
from tests.dovecot import USER, Dovecot  # noqa: E402
from tests.fakes import FakeDiscord, FakeSlack  # noqa: E402
from tests.test_relay_e2e import post  # noqa: E402

FOLDER = "RMO"


class _Stamped(list):  # type: ignore[type-arg]
    """The fake's call list, stamping each call with the moment it arrived."""

    def append(self, item: dict) -> None:  # type: ignore[override]
        item["_t"] = time.monotonic()
        super().append(item)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


async def imap_latency(tmp: Path, mails: int = 20) -> None:
    """Print the append → Slack latencies of `mails` posts, each appended half a second after the last."""
    dovecot = Dovecot(tmp / "dovecot")
    dovecot.start()
    dovecot.recreate(FOLDER)
    slack, discord = FakeSlack(), FakeDiscord()
    for fake in (slack, discord):
        await fake.start()
    slack.calls = _Stamped()
    extra = f'[mail.imap]\nhost = "127.0.0.1"\nport = {dovecot.port}\nusername = "{USER}"\nfolder = "{FOLDER}"\ntls = "none"\n'
    config = write_config(tmp / "imap.toml", slack_url=slack.base_url, discord_url=discord.base_url, extra=extra)
    bot = BotProcess(config, tmp / "imap-data", env={"IMAP_PASSWORD": dovecot.password})
    await asyncio.to_thread(bot.start)
    appended: dict[str, float] = {}
    try:
        deadline = time.monotonic() + 30
        while "(IDLE)" not in bot.text() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for number in range(mails):
            tag = f"IMAP-bench-{number:04d}"  # no tag inside another
            raw = post(number, tag, f"研修会 {number} を開催します。").as_bytes()
            await asyncio.to_thread(dovecot.append, raw, FOLDER)
            appended[tag] = time.monotonic()
            await asyncio.sleep(0.5)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            arrived = {t for t in appended for c in slack.posted("C111") if t in c["text"]}
            if len(arrived) == len(appended):
                break
            await asyncio.sleep(0.1)
    finally:
        bot.stop()
        dovecot.close()
        for fake in (slack, discord):
            await fake.stop()
    delays: list[float] = []
    for tag, sent in appended.items():
        times = [c["_t"] for c in slack.posted("C111") if tag in c["text"]]
        if times:
            delays.append(min(times) - sent)
    if not delays:
        print("IMAP APPEND → Slack: nothing arrived; the bot's log ends:\n" + "".join(bot.log[-15:]))
        return
    within = sum(d <= 5 for d in delays)
    print(f"rmo-bot IMAP APPEND → Slack: {len(delays)}/{len(appended)} arrived, p50 {_pct(delays, 0.5):.1f} ms, "
          f"p99 {_pct(delays, 0.99):.1f} ms, max {max(delays) * 1000:.1f} ms; {within} within 5 s (target: all)")  # fmt: skip


async def bare_idle(dovecot: Dovecot, mails: int) -> list[float]:
    """Seconds from each APPEND's OK to the EXISTS a bare IDLE session is told of."""
    client = aioimaplib.IMAP4("127.0.0.1", dovecot.port)
    await client.wait_hello_from_server()
    await client.login(USER, dovecot.password)
    await client.select(FOLDER)
    delays = []
    for number in range(mails):
        idle = await client.idle_start(timeout=60)
        await asyncio.to_thread(dovecot.append, post(number, "bare", "x").as_bytes(), FOLDER)
        sent = time.monotonic()
        while not any(b"EXISTS" in line for line in await client.wait_server_push(timeout=10)):
            pass
        delays.append(time.monotonic() - sent)
        client.idle_done()
        await idle
    await client.logout()
    return delays


async def baseline(tmp: Path, mails: int) -> None:
    dovecot = Dovecot(tmp / "bare")
    dovecot.start()
    dovecot.recreate(FOLDER)
    try:
        delays = await bare_idle(dovecot, mails)
    finally:
        dovecot.close()
    print(f"bare aioimaplib APPEND → IDLE notice: p50 {_pct(delays, 0.5):.1f} ms, p99 {_pct(delays, 0.99):.1f} ms "
          "(Dovecot's own delay, part of the figure above)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mails", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(imap_latency(Path(tmp), args.mails))
        asyncio.run(baseline(Path(tmp), args.mails))


if __name__ == "__main__":
    main()
