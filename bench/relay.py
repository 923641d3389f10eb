"""Relay speed, measured against baselines in the same run.

1. Latency: 1,000 mails at 20 per second into `rmo-bot run`; p50/p99 from the SMTP 250 to the fake Slack and
   Discord APIs receiving the post — beside a minimal aiosmtpd-to-HTTP forwarder doing the same trip — and the
   bot's longest loop stall meanwhile (its /healthz figure).
2. Intake rate: mails per second with durable writes (8 concurrent SMTP connections), with an empty store and
   with 10,000 announcements (in the intake's month-and-chunk files) and 10,000 events already stored, once
   the bot's catch-up after start is done — beside a bare aiosmtpd listener that only fsyncs each message.
3. Big posts: the time to render a 1 MB, 5 MB and 10 MB post for Slack and Discord (each channel gets at
   most ten messages, so this stays small however big the post); then each post sent to `rmo-bot run`, with
   the event loop's longest stall (its own `/healthz` figure) and the slowest `/healthz` answer meanwhile,
   while the post is taken, read and relayed and while three small posts follow it.

   Then the IMAP path (bench/imap.py): APPEND to a real Dovecot → the fake Slack API, p50/p99.

    python bench/relay.py [--latency-mails 1000] [--rate-mails 2000] [--stored 10000] [--events 10000]
                          [--only-big] [--imap-mails 20] [--parts big,latency,imap,rate]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiosmtplib  # noqa: E402

from bench.child import ChildServer  # noqa: E402
from bench.imap import baseline, imap_latency  # noqa: E402
from tests.botproc import LIST_ID, SECRETARIAT, BotProcess, write_config  # noqa: E402
from tests.fakes import FakeDiscord, FakeSlack  # noqa: E402

JST = ZoneInfo("Asia/Tokyo")
BODY = "近畿ブロック会議を下記のとおり開催します。\n日時：2027年1月20日（水）13:30～16:30\n会場：東近江市役所\n" * 12


def mail(number: int, tag: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"事務局 <{SECRETARIAT}>"
    message["To"] = "announce@rmo-network.example.jp"
    message["Subject"] = f"[RMO お知らせ] {tag} {number}"
    message["List-Id"] = f"RMO お知らせ <{LIST_ID}>"
    message["Message-ID"] = f"<{tag}-{number}@bench.example.jp>"
    message.set_content(BODY)
    return message


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


# ---------------------------------------------------------------------------------------------
# Baselines, each run as a child process: `python bench/relay.py --serve forwarder|fsync PORT [URL]`


def serve_baseline(kind: str, port: int, url: str, spool: str) -> None:
    from email.parser import BytesParser
    from email.policy import default

    import aiohttp
    from aiosmtpd.smtp import SMTP

    async def main() -> None:
        session = aiohttp.ClientSession()
        counter = iter(range(10**9))

        class Handler:
            async def handle_DATA(self, server, session_, envelope):  # noqa: N802
                if kind == "fsync":
                    path = os.path.join(spool, f"{next(counter)}.eml")

                    def write() -> None:
                        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
                        os.write(fd, envelope.original_content)
                        os.fsync(fd)
                        os.close(fd)

                    await asyncio.to_thread(write)
                    return "250 OK"
                parsed = BytesParser(policy=default).parsebytes(envelope.original_content)
                subject = str(parsed["Subject"])

                async def forward() -> None:
                    payload = {"channel": "C111", "text": subject, "metadata": {"event_payload": {"delivery": subject}}}
                    async with session.post(url + "chat.postMessage", json=payload) as response:
                        await response.read()

                asyncio.get_running_loop().create_task(forward())
                return "250 OK"

        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SMTP(Handler(), decode_data=False), "127.0.0.1", port)
        print("ready", flush=True)
        await server.serve_forever()

    asyncio.run(main())


class Baseline(ChildServer):
    def __init__(self, kind: str, url: str = "", spool: str = "") -> None:
        super().__init__(__file__, "--serve", kind, "{port}", url or "-", spool or "-")


# ---------------------------------------------------------------------------------------------


async def paced(port: int, count: int, rate: float, tag: str) -> dict[str, float]:
    """Send `count` mails at `rate` per second over one connection; returns subject → time of the 250."""
    accepted: dict[str, float] = {}
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=30) as smtp:
        start = time.monotonic()
        for number in range(count):
            await asyncio.sleep(max(0.0, start + number / rate - time.monotonic()))
            await smtp.send_message(mail(number, tag))
            accepted[f"{tag} {number}"] = time.monotonic()
    return accepted


def arrival_times(fake: FakeSlack | FakeDiscord, key: str) -> dict[str, float]:
    times: dict[str, float] = {}
    for call in fake.calls:
        if key == "slack":
            subject = (call.get("text") or "").split("\n")[0]
        else:
            subject = call["embeds"][0]["title"]
        times.setdefault(subject, call["_t"])
    return times


async def latency(args: argparse.Namespace, tmp: Path) -> None:
    slack, discord = FakeSlack(), FakeDiscord()
    for fake in (slack, discord):
        await fake.start()
        fake.calls = _Timestamped()
    config = write_config(tmp / "lat.toml", slack_url=slack.base_url, discord_url=discord.base_url)
    bot = BotProcess(config, tmp / "lat-data")
    await asyncio.to_thread(bot.start)
    sent = await paced(bot.port, args.latency_mails, 20.0, "lat")
    deadline = time.monotonic() + 60

    def arrived_all() -> bool:
        return all(len(arrival_times(f, k)) >= args.latency_mails for f, k in ((slack, "slack"), (discord, "discord")))

    while not arrived_all() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    stall = await asyncio.to_thread(loop_stall, bot)
    bot.stop()
    if not slack.calls:
        print("no posts arrived; the bot's log ends:\n" + "".join(bot.log[-15:]))
    for name, fake in (("Slack", slack), ("Discord", discord)):
        arrived = arrival_times(fake, name.lower())
        delays = [arrived[s] - t for s, t in sent.items() if s in arrived]
        missing = [s for s in sent if s not in arrived]
        if missing:
            print(f"({name}: not arrived: {missing[:5]})")
        print(f"rmo-bot  250 → {name:<7}: {len(delays)}/{len(sent)} arrived, p50 {pct(delays, 0.5):.1f} ms, "
              f"p99 {pct(delays, 0.99):.1f} ms, max {max(delays) * 1000:.1f} ms (target p99 < 20 ms)")  # fmt: skip
    print(f"rmo-bot longest loop stall meanwhile: {stall} ms (target < 50 ms)")
    slack.calls = _Timestamped()
    forwarder = Baseline("forwarder", slack.base_url)
    sent = await paced(forwarder.port, args.latency_mails, 20.0, "fwd")
    await asyncio.sleep(1)
    forwarder.stop()
    arrived = {c["text"].replace("[RMO お知らせ] ", ""): c["_t"] for c in slack.calls}
    missing = [s for s in sent if s not in arrived]
    if missing:
        print(f"(forwarder: {len(missing)} not arrived, e.g. {missing[:3]})")
    delays = [arrived[s] - t for s, t in sent.items() if s in arrived]
    print(f"bare forwarder 250 → Slack: {len(delays)}/{len(sent)} arrived, p50 {pct(delays, 0.5):.1f} ms, "
          f"p99 {pct(delays, 0.99):.1f} ms")  # fmt: skip
    for fake in (slack, discord):
        await fake.stop()


class _Timestamped(list):  # type: ignore[type-arg]
    """The fakes' call list, stamping each call with the moment it arrived."""

    def append(self, item: dict) -> None:  # type: ignore[override]
        item["_t"] = time.monotonic()
        super().append(item)


async def flood(port: int, count: int, tag: str, connections: int = 8) -> float:
    """Send `count` mails over `connections` parallel connections as fast as the server takes them."""
    queue = list(range(count))

    async def worker() -> None:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=60) as smtp:
            while queue:
                await smtp.send_message(mail(queue.pop(), tag))

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return count / (time.monotonic() - start)


def prefill(data_dir: Path, stored: int, events: int) -> None:
    """`stored` announcements and `events` events, as bench/scale.py's `build` writes them: the announcements
    in the intake's own month-and-chunk files (storage.archive.MonthlyArchive's, CHUNK documents each, as mails
    taken one by one leave them; one `add_many` would put a whole month in one file)."""
    from bench.scale import build  # not at the top: bench/scale.py imports this module

    build(data_dir, events=events, announcements=stored, subscribers=0)


def loop_stall(bot: BotProcess) -> int:
    """The bot's own figure for the event loop's longest stall since it started (its /healthz), -1 if unknown."""
    import json
    import urllib.error
    import urllib.request

    try:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{bot.http_port}/healthz", timeout=5) as reply:
                body = reply.read()
        except urllib.error.HTTPError as exc:  # 503: a platform is not connected (the fakes have no gateway)
            body = exc.read()
        return int(json.loads(body).get("loop_stall_ms", -1))
    except (OSError, ValueError):
        return -1


def intake_only(config: Path) -> Path:
    """The intake alone: no channels, so the senders' process does not also carry the fake APIs' load."""
    config.write_text(
        config.read_text()
        .replace('default_channels = ["C111"]', "default_channels = []")
        .replace('default_channels = ["900"]', "default_channels = []")
        .replace('block_channels = { kinki = "C222" }', "block_channels = {}")
        .replace('block_channels = { kinki = "901" }', "block_channels = {}")
    )
    return config


async def caught_up(bot: BotProcess, limit: float = 300) -> None:
    """Until the bot's catch-up after start is done (a big store's keys read, its reminders planned): the
    steady state, which the first mail after start (bench/scale.py's own row) is not."""
    deadline = time.monotonic() + limit
    while "catch-up done" not in bot.text() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


async def bot_flood(
    config: Path, data_dir: Path, mails: int, tag: str, *, settle: bool = False
) -> tuple[float, float, int]:
    """Flood `rmo-bot run` on `data_dir` with `mails` over 8 connections (after its catch-up, with `settle`):
    (mails/s answered 250, mails/s stored as announcements, the loop's longest stall in ms by then)."""
    bot = BotProcess(config, data_dir)
    await asyncio.to_thread(bot.start, 300)
    try:
        if settle:
            await caught_up(bot)
        start = time.monotonic()
        rate = await flood(bot.port, mails, tag)
        while sum("accepted a" in line for line in bot.log) < mails and time.monotonic() - start < 300:
            await asyncio.sleep(0.05)
        stored_rate = mails / (time.monotonic() - start)
        stall = await asyncio.to_thread(loop_stall, bot)
    finally:
        bot.stop()
    return rate, stored_rate, stall


async def bare_flood(tmp: Path, mails: int) -> float:
    """The baseline: a bare aiosmtpd listener that only writes and fsyncs each message (in a thread)."""
    spool = tmp / f"bare-spool-{time.monotonic_ns()}"
    spool.mkdir()
    bare = Baseline("fsync", spool=str(spool))
    try:
        return await flood(bare.port, mails, "bare")
    finally:
        bare.stop()


async def intake_rate(args: argparse.Namespace, tmp: Path) -> None:
    """The bare listener, the bot on an empty store, on the full store, on an empty store again, the bare
    listener again (this machine's disk and load drift: each ratio compares the means of runs around it)."""
    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    bare = [await bare_flood(tmp, args.rate_mails)]
    print(f"bare aiosmtpd + fsync per message: {bare[0]:,.0f} mails/s")
    results: dict[str, list[float]] = {}
    full_label = f"{args.stored:,} stored, {args.events:,} events"
    for run, (label, stored) in enumerate((("empty store", 0), (full_label, args.stored), ("empty store", 0))):
        data_dir = tmp / f"rate-{stored}-{run}"
        if stored:
            await asyncio.to_thread(prefill, data_dir, stored, args.events)
        config = write_config(tmp / f"rate-{run}.toml", slack_url=slack.base_url, discord_url=discord.base_url)
        # After the catch-up: the store's size, not the start's background work, is what is compared.
        rate, stored_rate, stall = await bot_flood(
            intake_only(config), data_dir, args.rate_mails, f"rate{run}", settle=True
        )
        results.setdefault(label, []).append(rate)
        print(f"rmo-bot intake ({label}): {rate:,.0f} mails/s answered 250 (spooled, fsynced); "
              f"{stored_rate:,.0f} mails/s stored as announcements with their deliveries queued; "
              f"longest loop stall {stall} ms (target < 50 ms)")  # fmt: skip
    bare.append(await bare_flood(tmp, args.rate_mails))
    print(f"bare aiosmtpd + fsync per message: {bare[1]:,.0f} mails/s")
    empty, full, floor = statistics.mean(results["empty store"]), results[full_label][0], statistics.mean(bare)
    print(f"rmo-bot / bare: {empty / floor:.2f}x (means of two runs each; target >= 0.8x, and >= 200 mails/s); "
          f"slow-down from empty to {args.stored:,} stored: {empty / full:.2f}x (target <= 1.5x)")  # fmt: skip
    await slack.stop()
    await discord.stop()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve_baseline(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-mails", type=int, default=1000)
    parser.add_argument("--rate-mails", type=int, default=2000)
    parser.add_argument("--stored", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=10_000, help="events in the store of --stored announcements")
    parser.add_argument("--only-big", action="store_true", help="only the big-post rendering figures")
    parser.add_argument("--imap-mails", type=int, default=20, help="posts appended through Dovecot (0: none)")
    parser.add_argument("--parts", default="big,latency,imap,rate", help="which parts to run, comma-separated")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if args.only_big:
        parts = {"big"}
    if "big" in parts:
        from bench.big_posts import big_post_live, big_posts  # here: it imports this module

        big_posts()
        with tempfile.TemporaryDirectory() as tmp:
            for megabytes in (1, 5, 10):
                asyncio.run(big_post_live(Path(tmp), megabytes))
    with tempfile.TemporaryDirectory() as tmp:
        if "latency" in parts:
            asyncio.run(latency(args, Path(tmp)))
        if "imap" in parts and args.imap_mails:  # the IMAP path beside the SMTP one
            asyncio.run(imap_latency(Path(tmp), args.imap_mails))
            asyncio.run(baseline(Path(tmp), args.imap_mails))
        if "rate" in parts:
            asyncio.run(intake_rate(args, Path(tmp)))


if __name__ == "__main__":
    main()
