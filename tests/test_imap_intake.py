"""The IMAP intake against a real Dovecot on loopback: `rmo-bot run` as a child reads the list's folder and
relays to fake Slack and Discord APIs; kills, restarts, a recreated mailbox and a wrong password lose and
double nothing."""

from __future__ import annotations

import asyncio
import re
import sys
from collections import Counter
from typing import TYPE_CHECKING

import aiohttp
import pytest

from tests.botproc import BotProcess, write_config
from tests.dovecot import USER, Dovecot
from tests.helpers import rmo_bot
from tests.test_relay_e2e import post, until

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fakes import FakeSlack

FOLDER = "RMO"
_NUMBER = re.compile(r"IMAP-(\d+)")


def imap_post(number: int, **kwargs: str) -> bytes:
    """A list post numbered `number` (its subject says IMAP-number), as the list server sends it."""
    return post(number, f"IMAP-{number} 研修会のお知らせ", f"研修会 {number} を開催します。", **kwargs).as_bytes()


def slack_counts(slack: FakeSlack) -> Counter[int]:
    """How often each numbered post reached the general Slack channel."""
    return Counter(int(m.group(1)) for c in slack.posted("C111") if (m := _NUMBER.search(c["text"])))


def _tracebacks(log: str) -> list[str]:
    """The tracebacks in a log (the fake Discord's missing gateway leaves some of its own)."""
    return re.findall(r"Traceback \(most recent call last\):\n(?:  .*\n)+.*", log)


@pytest.fixture
def dovecot(tmp_path):
    server = Dovecot(tmp_path / "dovecot", tls=True)
    server.start()
    server.recreate(FOLDER)
    yield server
    server.close()


def imap_bot(tmp_path: Path, fakes, dovecot: Dovecot, *, tls: str = "none", password: str | None = None,
             mark: str = "", intake: str = "") -> BotProcess:  # fmt: skip
    """The bot, configured to read `FOLDER` from `dovecot` (not started)."""
    slack, discord = fakes
    port = dovecot.ssl_port if tls == "ssl" else dovecot.port
    extra = f"""
[mail.imap]
host = "{"localhost" if tls != "none" else "127.0.0.1"}"
port = {port}
username = "{USER}"
folder = "{FOLDER}"
tls = "{tls}"
ca_file = "{dovecot.ca_file}"
{mark}
"""
    config = write_config(
        tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url, extra=extra, intake=intake
    )
    secret = dovecot.password if password is None else password
    return BotProcess(config, tmp_path / "data", env={"IMAP_PASSWORD": secret})


async def test_posts_present_before_start_and_appended_while_running_arrive_once(tmp_path, fakes, dovecot):
    """Ten posts waiting in the folder and five appended while the bot idles each reach Slack exactly once."""
    slack, _ = fakes
    for number in range(10):
        dovecot.append(imap_post(number), FOLDER)
    bot = imap_bot(tmp_path, fakes, dovecot)
    await asyncio.to_thread(bot.start)
    try:
        await until(lambda: len(slack_counts(slack)) >= 10, what="the ten waiting posts")
        await until(lambda: "IMAP intake reading" in bot.text() and "(IDLE)" in bot.text(), what="IDLE")
        for number in range(10, 15):
            await asyncio.to_thread(dovecot.append, imap_post(number), FOLDER)
            await until(lambda n=number: n in slack_counts(slack), what=f"appended post {number}")
        await asyncio.sleep(1)  # nothing more may follow
    finally:
        bot.stop()
    assert slack_counts(slack) == Counter(range(15))
    assert dovecot.uids(FOLDER, "UNSEEN") == [], "every relayed message is flagged \\Seen"
    assert not [t for t in _tracebacks(bot.text()) if "imap.py" in t or "aioimaplib" in t]


async def test_sigkill_mid_batch_and_dovecot_restarts_lose_and_double_nothing(tmp_path, fakes, dovecot):
    """Over implicit TLS, a bot killed while it spools and a Dovecot restarted under it relay each post once."""
    slack, _ = fakes
    for number in range(40):
        dovecot.append(imap_post(number), FOLDER)
    bot = imap_bot(tmp_path, fakes, dovecot, tls="ssl")
    await asyncio.to_thread(bot.start)
    try:
        await until(lambda: "IMAP intake spooled" in bot.text(), what="a first batch spooled")
        await asyncio.to_thread(bot.kill)
        assert len(slack_counts(slack)) < 40, "killed mid-batch: some posts are still to come"
        await asyncio.to_thread(bot.start)
        await until(lambda: len(slack_counts(slack)) >= 40, what="all forty posts after the kill")

        await asyncio.to_thread(dovecot.stop)
        await asyncio.to_thread(dovecot.start)
        for number in range(40, 45):
            await asyncio.to_thread(dovecot.append, imap_post(number), FOLDER)
        await until(lambda: len(slack_counts(slack)) >= 45, what="posts appended after Dovecot's restart")
        await asyncio.sleep(1)
    finally:
        bot.stop()
    assert slack_counts(slack) == Counter(range(45))
    assert "IMAP connection failed" in bot.text(), "the restart was noticed and survived"


async def test_a_recreated_mailbox_starts_over_and_non_list_mail_is_quarantined(tmp_path, fakes, dovecot):
    """Over STARTTLS with mark = "move": a new UIDVALIDITY is read afresh (a repeat is not relayed twice), and a
    mail from another list is kept in quarantine, never relayed."""
    slack, _ = fakes
    dovecot.append(imap_post(1), FOLDER)
    dovecot.append(imap_post(2, list_id="other.example.org"), FOLDER)
    bot = imap_bot(tmp_path, fakes, dovecot, tls="starttls", mark='mark = "move"\ndone_folder = "RMO-done"')
    await asyncio.to_thread(bot.start)
    try:
        await until(lambda: 1 in slack_counts(slack), what="the list's post")
        await until(lambda: dovecot.uids(FOLDER) == [], what="both moved to the done folder")
        await asyncio.to_thread(dovecot.recreate, FOLDER)
        await asyncio.to_thread(dovecot.append, imap_post(1), FOLDER)  # the same post again, UID 1 anew
        await asyncio.to_thread(dovecot.append, imap_post(3), FOLDER)
        await until(lambda: 3 in slack_counts(slack), what="the post in the recreated mailbox")
        await asyncio.sleep(1)
    finally:
        bot.stop()
    assert slack_counts(slack) == Counter([1, 3])
    assert len(dovecot.uids("RMO-done")) == 4
    kept = rmo_bot("quarantine", "list", "--data-dir", bot.data_dir).stdout
    assert "is not one of ours" in kept
    assert re.search(r"Login: user=<rmo-bot>.*TLS", dovecot.log()), "the bot logged in after STARTTLS"


async def test_a_message_over_max_size_is_refused_with_its_start_kept(tmp_path, fakes, dovecot):
    """A mailbox message over `max_size` is not relayed or read whole: its start is kept with the reason."""
    slack, _ = fakes
    big = post(1, "IMAP-1 大きな添付", "大きな資料です。\n" + "詳細。" * 20_000).as_bytes()  # about 180 KB
    dovecot.append(big, FOLDER)
    dovecot.append(imap_post(2), FOLDER)
    bot = imap_bot(tmp_path, fakes, dovecot, intake="max_size = 50000\nkeep_refused_bytes = 4096")
    await asyncio.to_thread(bot.start)
    try:
        await until(lambda: 2 in slack_counts(slack), what="the small post")
        await until(lambda: dovecot.uids(FOLDER, "UNSEEN") == [], what="both marked handled")
    finally:
        bot.stop()
    assert slack_counts(slack) == Counter([2])
    [line] = rmo_bot("quarantine", "list", "--data-dir", bot.data_dir).stdout.splitlines()
    assert "rejected" in line
    assert "larger than [mail.intake] max_size" in line
    item = line.split()[0]
    shown = rmo_bot("quarantine", "show", item, "--data-dir", bot.data_dir).stdout
    assert int(re.search(r"size: (\d+) bytes", shown).group(1)) <= 4096
    released = rmo_bot("quarantine", "release", item, "--data-dir", bot.data_dir)
    assert released.returncode == 1
    assert "cannot be released" in released.stderr
    assert "over [mail.intake] max_size" in bot.text()


async def test_a_server_without_idle_or_move_is_polled_and_copied_from(tmp_path, fakes):
    """Where the server offers no IDLE and no MOVE, the folder is polled and handled mail copied away."""
    slack, _ = fakes
    server = Dovecot(tmp_path / "plain", idle=False)
    server.start()
    try:
        server.recreate(FOLDER)
        server.append(imap_post(1), FOLDER)
        mark = 'mark = "move"\ndone_folder = "RMO-done"\npoll_interval = 1'
        bot = imap_bot(tmp_path, fakes, server, mark=mark)
        await asyncio.to_thread(bot.start)
        try:
            await until(lambda: 1 in slack_counts(slack), what="the waiting post")
            await asyncio.to_thread(server.append, imap_post(2), FOLDER)
            await until(lambda: 2 in slack_counts(slack), what="the post found by polling")
            await until(lambda: server.uids(FOLDER) == [], what="both copied away and expunged")
        finally:
            bot.stop()
        assert "every 1 s" in bot.text()
        assert slack_counts(slack) == Counter([1, 2])
        assert len(server.uids("RMO-done")) == 2
    finally:
        server.close()


async def test_an_xoauth2_token_from_token_command_logs_in_and_a_refused_one_fails_healthz(tmp_path, fakes):
    """XOAUTH2 with the token `token_command` prints: posts arrive; with a refused token, /healthz is 503."""
    slack, _ = fakes
    server = Dovecot(tmp_path / "oauth", token="ya29.good-token")
    server.start()
    try:
        server.recreate(FOLDER)
        server.append(imap_post(1), FOLDER)
        script = tmp_path / "token.py"  # as a provider's refresh-token exchange would print it
        script.write_text("print('ya29.good-token')\n", encoding="utf-8")
        command = f'token_command = "{sys.executable} {script}"'
        bot = imap_bot(tmp_path, fakes, server, mark=f'auth = "xoauth2"\n{command}')
        await asyncio.to_thread(bot.start)
        try:
            await until(lambda: 1 in slack_counts(slack), what="the post read with XOAUTH2")
        finally:
            bot.stop()
        (tmp_path / "refused").mkdir()
        refused = imap_bot(tmp_path / "refused", fakes, server, mark='auth = "xoauth2"')
        refused.extra_env["IMAP_OAUTH2_TOKEN"] = "ya29.expired"
        await asyncio.to_thread(refused.start)
        try:
            await until(lambda: "IMAP login refused" in refused.text(), what="the refused token's report")
            assert await _health(refused) == (503, "failing: authentication")
        finally:
            refused.stop()
        assert "ya29" not in bot.text() + refused.text(), "a token is never logged"
    finally:
        server.close()


async def _health(bot: BotProcess) -> tuple[int, str]:
    """/healthz's status and the IMAP intake's state in it."""
    await until(lambda: bot.http_port, what="the HTTP server's port")
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{bot.http_port}/healthz") as page:
        return page.status, (await page.json())["imap"]


async def test_a_wrong_password_logs_one_line_a_minute_and_fails_healthz(tmp_path, fakes, dovecot):
    """A refused login is one clear log line (no traceback) however often it is retried, and /healthz is 503."""
    bot = imap_bot(tmp_path, fakes, dovecot, password="wrong")
    await asyncio.to_thread(bot.start)
    try:
        await until(lambda: "IMAP login refused" in bot.text(), what="the refused login's report")
        await until(lambda: bot.http_port, what="the HTTP server's port")
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{bot.http_port}/healthz"
            async with session.get(url) as page:
                status, health = page.status, await page.json()
        await asyncio.sleep(3)  # a retry loop a second would have logged again by now
    finally:
        bot.stop()
    assert status == 503
    assert health["imap"] == "failing: authentication"
    assert bot.text().count("IMAP login refused") == 1
    assert not [t for t in _tracebacks(bot.text()) if "imap.py" in t or "aioimaplib" in t]
    assert "Authentication failed" in bot.text(), "the server's own words are in the line"
