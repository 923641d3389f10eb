"""A real GNU Mailman 3 list in front of the bot: what the list decorates, the relay undoes."""

from __future__ import annotations

import asyncio
import json
from email.header import Header
from email.message import EmailMessage
from email.mime.text import MIMEText
from email.utils import formatdate

import pytest

from tests.botproc import BotProcess, write_config
from tests.mailman.harness import Mailman, ensure_venv
from tests.test_relay_e2e import until

pytestmark = pytest.mark.mailman

LIST = "announce@lists.example.org"
SENDER = "jimukyoku@example.org"


def _utf8() -> bytes:
    msg = EmailMessage()
    msg["From"] = f"事務局 <{SENDER}>"
    msg["To"] = LIST
    msg["Subject"] = "【近畿ブロック】第2回ブロック会議のご案内"
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = "<mm-utf8@example.org>"
    msg.set_content("会員各位\n\n近畿ブロック会議を1月20日（水）13時30分から東近江市役所で開催します。\n\n事務局\n")
    return msg.as_bytes()


def _iso2022jp() -> bytes:
    msg = MIMEText("会員の皆様へ\n\n年末年始の事務局休業は12月28日から1月4日までです。\n", "plain", "iso-2022-jp")
    msg["From"] = f"{Header('事務局', 'iso-2022-jp').encode()} <{SENDER}>"
    msg["To"] = LIST
    msg["Subject"] = Header("年末年始の休業のお知らせ", "iso-2022-jp")
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = "<mm-jis@example.org>"
    raw = msg.as_bytes()
    assert b"\x1b$B" in raw
    return raw


async def test_mailman_posts_arrive_undecorated(tmp_path):
    """Posts through a real announce list reach Slack and Discord without its [tag] or footer."""
    from tests.fakes import FakeDiscord, FakeSlack

    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    config = write_config(
        tmp_path / "config.toml",
        slack_url=slack.base_url,
        discord_url=discord.base_url,
        list_id="announce.lists.example.org",
        senders=(SENDER,),
    )
    bot = BotProcess(config, tmp_path / "data")
    bot.start()
    mailman_bin = await asyncio.to_thread(ensure_venv)
    try:
        with Mailman("127.0.0.1", bot.port, mailman=mailman_bin) as mailman:
            mailman.create_list(LIST, "RMO Announce", posters=[SENDER])
            mailman.subscribe(LIST, "rmo-bot@intake.example.org")
            for raw in (_utf8(), _iso2022jp()):
                await asyncio.to_thread(mailman.post, raw)
            await until(lambda: len(slack.posted("C111")) >= 2 and len(discord.posted("900")) >= 2, timeout=60,
                        what="both posts relayed")  # fmt: skip
    finally:
        bot.stop()
        await slack.stop()
        await discord.stop()
    titles = {c["text"].split("\n")[0] for c in slack.posted("C111")}
    assert titles == {"【近畿ブロック】第2回ブロック会議のご案内", "年末年始の休業のお知らせ"}
    everything = json.dumps(slack.calls + discord.calls, ensure_ascii=False)
    assert "[RMO Announce]" not in everything
    assert "announce-leave@" not in everything
    assert "年末年始の事務局休業は12月28日から1月4日までです。" in everything
    assert "近畿ブロック会議を1月20日（水）13時30分から東近江市役所で開催します。" in everything
    assert all("jimukyoku@example.org" in c["embeds"][0]["footer"]["text"] for c in discord.posted())
    assert [c["channel"] for c in slack.posted("C222")] == ["C222"]  # the 近畿 post also went to its block
