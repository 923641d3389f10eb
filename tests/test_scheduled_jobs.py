"""The running bot's scheduled jobs, end to end: a digest run to 2,000 subscribers killed three times
with SIGKILL (nobody gets two copies, nobody is skipped; the mail goes to a real aiosmtpd server on loopback,
which, like any MTA, keeps a message only once its final dot has arrived), and a due reminder posted once."""

from __future__ import annotations

import asyncio
import random
import re
import threading
from collections import Counter
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from bot.clock import FrozenClock, SystemClock
from bot.config import load_config
from bot.core import Core
from storage.digest_journal import JOURNAL, DigestJournal
from tests.botproc import BotProcess, free_port, write_config
from tests.fakes import FakeDiscord, FakeSlack
from tests.helpers import seed_digest_run
from tests.test_relay_e2e import until

SUBSCRIBERS = 2_000
KILLS = 3
JST = ZoneInfo("Asia/Tokyo")


class Mailbox:
    """Every message the server kept: (recipient, Message-ID)."""

    def __init__(self) -> None:
        self.kept: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.kept.extend((rcpt, str(message["Message-ID"])) for rcpt in envelope.rcpt_tos)
        return "250 OK"


def _prepare(config_path, data, now: datetime) -> None:
    with Core.open(load_config(config_path, environ={}), data, FrozenClock(now)) as core:
        seed_digest_run(core, now, subscribers=SUBSCRIBERS, announcements=5, body_repeat=20)


@pytest.mark.slow
async def test_sigkill_during_a_digest_run_neither_doubles_nor_skips(tmp_path):
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    now = SystemClock(JST).now()
    config = write_config(
        tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url,
        outbound=f'host = "127.0.0.1"\nport = {smtp.port}\nstarttls = false\n',
        # Due at once (the run starts at the bot's first tick), and the next run a day away: a fixed hour would
        # make a second run due mid-test when the test crosses it.
        extra=f"[digest]\nhour = {now.hour}\n",
        public_url="https://rmo.example.jp",  # digests need it for their links
    )  # fmt: skip
    data = tmp_path / "data"
    _prepare(config, data, now)
    bot = BotProcess(config, data)
    rng = random.Random(11)
    marks = sorted(rng.sample(range(200, SUBSCRIBERS - 200), KILLS))
    try:
        await asyncio.to_thread(bot.start)
        for mark in marks:
            try:
                await until(lambda m=mark: len(mailbox.kept) >= m, timeout=120, what=f"{mark} digests kept")
            except AssertionError:
                print(len(mailbox.kept), "".join(line for line in bot.log if "discord" not in line.lower())[-5000:])
                raise
            await asyncio.sleep(rng.uniform(0, 0.02))
            await asyncio.to_thread(bot.kill)
            assert (data / JOURNAL).exists(), "the kill must land in the middle of the run"
            await asyncio.to_thread(bot.start)
        await until(lambda: "digests: " in bot.text(), timeout=180, what="the resumed run to finish")
        await asyncio.sleep(0.5)
    finally:
        bot.stop()
        smtp.stop()
        await slack.stop()
        await discord.stop()
    copies = Counter(rcpt for rcpt, _ in mailbox.kept)
    twice = sorted(r for r, n in copies.items() if n > 1)
    missing = sorted({f"member{i:05d}@example.jp" for i in range(SUBSCRIBERS)} - set(copies))
    assert twice == [], f"{len(twice)} got two copies, e.g. {twice[:3]}"
    assert missing == [], f"{len(missing)} were skipped, e.g. {missing[:3]}"
    assert not (data / JOURNAL).exists()
    with Core.open(load_config(config, environ={}), data, SystemClock(JST)) as core:
        assert all(s.last_digest_at is not None for s in core.store.subscribers.all())
        assert core.digests.due(SystemClock(JST).now()) == []
    in_doubt = sum(int(n) for n in re.findall(r"right after the end of (\d+) message", bot.text()))
    print(f"\n{KILLS} kills during {SUBSCRIBERS:,} digests: each received exactly once ({in_doubt} in doubt)")


def test_an_interrupted_journal_is_read_as_the_server_saw_it(tmp_path):
    """`C` without `D`: the final dot was on its way, so it counts as sent; `F`: refused, still due; a line
    cut by the kill is ignored; an outbox file named in `C` counts only if it is there."""
    run_at = datetime(2026, 11, 25, 7, 0, tzinfo=JST)
    written = tmp_path / "x.eml"
    written.write_bytes(b"mail")
    (tmp_path / JOURNAL).write_text(
        f"run {run_at.isoformat()}\n"
        "C a@example.jp\nD a@example.jp\n"
        "C b@example.jp\n"
        "C c@example.jp\nF c@example.jp 550 no such user\n"
        "C h@example.jp\nR h@example.jp\n"  # the final dot got a 4xx, then the kill came during the retry
        "Q d@example.jp\n"
        f"C e@example.jp {written}\nC f@example.jp {tmp_path / 'never.eml'}\n"
        "C g@exam",
        encoding="utf-8",
    )
    run = DigestJournal(tmp_path).interrupted()
    assert run is not None
    assert run.run_at == run_at
    assert run.sent == {"a@example.jp", "b@example.jp", "e@example.jp"}
    assert run.in_doubt == {"b@example.jp"}
    assert run.refused == {"c@example.jp": "550 no such user"}
    assert run.quiet == {"d@example.jp"}


def test_a_journal_cut_before_its_first_line_reached_nobody(tmp_path):
    """Killed (or a power cut) between creating the journal and its first line: no run is blocked by it."""
    (tmp_path / JOURNAL).write_bytes(b"")
    run = DigestJournal(tmp_path).interrupted()
    assert run is not None
    assert run.sent == set()
    (tmp_path / JOURNAL).write_bytes(b"run 2026-11-2")
    assert DigestJournal(tmp_path).interrupted().sent == set()


def test_the_journal_reads_back_what_was_stored_past_its_first_room_and_stops_at_a_torn_line(tmp_path):
    """The lines go through a memory map of a file written out in zeros (storage/digest_journal.py): 40,000
    recipients (more than the first room holds) read back as written, though the journal was never closed;
    a line the kill cut (a zero inside it) ends the journal there."""
    run_at = datetime(2026, 11, 25, 7, 0, tzinfo=JST)
    journal = DigestJournal(tmp_path)
    journal.start(run_at)
    emails = [f"member{n:05d}@example.jp" for n in range(40_000)]
    for email in emails:
        journal.committing(email)
        journal.done(email)
    journal.committing("last@example.jp")  # killed here: the final dot was on its way
    assert (tmp_path / JOURNAL).stat().st_size > 1 << 20  # it grew
    run = DigestJournal(tmp_path).interrupted()  # read while the writer still has it open, as after a kill
    assert run is not None
    assert run.run_at == run_at
    assert run.sent == {*emails, "last@example.jp"}
    assert run.in_doubt == {"last@example.jp"}
    journal.close()
    raw = (tmp_path / JOURNAL).read_bytes()
    cut = raw.index(b"C member00002@")
    (tmp_path / JOURNAL).write_bytes(raw[: cut + 9] + b"\0" * 7 + raw[cut + 16 :])  # its middle never stored
    assert DigestJournal(tmp_path).interrupted().sent == {"member00000@example.jp", "member00001@example.jp"}


def test_a_zero_byte_in_a_refusal_does_not_cut_the_journal_and_a_second_start_begins_afresh(tmp_path):
    """A zero byte ends the journal when it is read; the server's refusal text may hold one. And a journal
    started again begins a new run from its first byte, with every byte of its room written out."""
    journal = DigestJournal(tmp_path)
    journal.start(datetime(2026, 11, 24, 7, 0, tzinfo=JST))
    journal.done("old@example.jp")
    run_at = datetime(2026, 11, 25, 7, 0, tzinfo=JST)
    journal.start(run_at)
    journal.refused("a@example.jp", "550 bad\0thing")
    journal.done("b@example.jp")
    run = DigestJournal(tmp_path).interrupted()
    journal.close()
    assert run is not None
    assert run.run_at == run_at
    assert run.refused == {"a@example.jp": "550 bad?thing"}
    assert run.sent == {"b@example.jp"}
    size = (tmp_path / JOURNAL).stat()
    assert size.st_blocks * 512 >= size.st_size  # no hole a store could fault in on a full disk


async def test_the_running_bot_posts_a_due_reminder_once_across_a_restart(tmp_path):
    """`rmo-bot run` itself: its scheduler's first tick posts a reminder that fell due an hour ago to the
    block's channels (once, though the bot is restarted), through the outbox."""
    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    due = SystemClock(JST).now() - timedelta(hours=1)
    meeting = (due + timedelta(days=7)).replace(hour=13, minute=30, second=0, microsecond=0)
    calendar = tmp_path / "calendar.toml"
    calendar.write_text(
        f'[[events]]\nid = "kinki-next"\nkind = "block_meeting"\nblock = "kinki"\ntitle = "近畿ブロック会議（臨時）"\n'
        f'starts_at = {meeting.isoformat()}\nstatus = "scheduled"\n',
        encoding="utf-8",
    )
    config = write_config(
        tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url,
        extra=f"[reminders]\nhour = {due.hour}\ndays_before = [7]\ndeadline_days_before = []\n",
    )  # fmt: skip
    data = tmp_path / "data"
    with Core.open(load_config(config, environ={}), data, SystemClock(JST)) as core:
        core.store.apply(core.load_data_file(calendar), now=core.clock.now())
    bot = BotProcess(config, data)
    try:
        await asyncio.to_thread(bot.start)
        await until(lambda: len(slack.posted("C222")) >= 1, timeout=60, what="the reminder in the block's channel")
        await until(lambda: len(discord.posted("901")) >= 1, timeout=60, what="the reminder on Discord")
        bot.stop()
        await asyncio.to_thread(bot.start)
        await until(lambda: "scheduler running" in bot.text(), timeout=30, what="the scheduler after the restart")
        await asyncio.sleep(2)
    finally:
        bot.stop()
        await slack.stop()
        await discord.stop()
    posts = [c for c in slack.posted("C222") if "近畿ブロック会議（臨時）" in str(c)]
    assert len(posts) == 1, posts
    assert len([c for c in slack.posted("C111") if "近畿ブロック会議（臨時）" in str(c)]) == 1  # and the general one
    assert len([c for c in discord.posted("901") if "近畿ブロック会議（臨時）" in str(c)]) == 1
