"""End to end: `rmo-bot run` as a child, mail sent over SMTP, and local fake Slack and Discord APIs."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

import aiohttp
import aiosmtplib
import pytest

from tests.botproc import LIST_ID, SECRETARIAT, BotProcess, write_config
from tests.conftest import JST
from tests.helpers import rmo_bot
from tests.platform_checks import assert_discord_message, assert_slack_blocks, slack_links, slack_shown


def post(number: int, subject: str, body: str, *, sender: str = SECRETARIAT, list_id: str = LIST_ID) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"事務局 <{sender}>"
    message["To"] = "announce@rmo-network.example.jp"
    message["Subject"] = f"[RMO お知らせ] {subject}"
    message["List-Id"] = f"RMO お知らせ <{list_id}>"
    message["List-Post"] = "<mailto:announce@rmo-network.example.jp>"
    message["Message-ID"] = f"<post-{number}@rmo-network.example.jp>"
    message["Date"] = format_datetime(datetime(2026, 11, 25, 9, number % 60, tzinfo=JST))
    message.set_content(
        body + "\n\n_______________________________________________\n"
        "RMO お知らせ mailing list -- announce@rmo-network.example.jp\n"
        "To unsubscribe send an email to announce-leave@rmo-network.example.jp\n"
    )
    return message


async def until(condition, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
def bot(tmp_path, fakes):
    slack, discord = fakes
    config = write_config(tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url)
    process = BotProcess(config, tmp_path / "data")
    process.start()
    yield process
    process.stop()


def _without(call: dict, *keys: str) -> dict:
    return {k: v for k, v in call.items() if k not in keys}


FORMATTED = (
    "「*重要*」「_注意_」「~取消~」「`コード`」\n> 返信の引用のような行\n"
    "申込はこちら：https://forms.example.org/kinki_2nd_meeting_form"
)


async def test_accepted_posts_arrive_in_both_as_rendered(tmp_path, fakes, bot):
    """Every accepted post reaches Slack and Discord exactly as `ingest --json` renders it, shown as written
    with its links clickable and nobody pinged; others never."""
    slack, discord = fakes
    posts = [
        post(
            1,
            "【近畿ブロック】第2回ブロック会議のご案内",
            "近畿ブロック会議を1月20日に開催します。\n①会場：東近江市役所\n②申込締切：1月10日",
        ),
        post(2, "研修会のお知らせ", "@everyone <!channel> <@U123> <@&456> 研修会を開催します。"),
        post(3, "他のリストから", "relay me", list_id="other.example.org"),
        post(4, "なりすまし", "relay me", sender="someone@example.org"),
        post(5, "*重要* 書式_文字", FORMATTED),
    ]
    for message in posts:
        await aiosmtplib.send(message, hostname="127.0.0.1", port=bot.port, timeout=30)
    await until(lambda: len(slack.posted()) >= 4 and len(discord.posted()) >= 4, what="posts at both fakes")
    await asyncio.sleep(0.5)  # nothing more may follow
    assert sorted(c["channel"] for c in slack.posted()) == ["C111", "C111", "C111", "C222"]
    assert sorted(c["channel"] for c in discord.posted()) == ["900", "900", "900", "901"]
    assert {c["auth"] for c in slack.posted()} == {"Bearer xoxb-test-token"}
    assert {c["auth"] for c in discord.posted()} == {"Bot discord-test-token"}

    # What arrived is what the preview shows, payload for payload.
    for message in [*posts[:2], posts[4]]:
        eml = tmp_path / "preview.eml"
        eml.write_bytes(message.as_bytes())
        preview = json.loads(
            rmo_bot("ingest", eml, "--json", "--config", bot.config, "--data-dir", tmp_path / "p").stdout
        )
        assert preview["status"] == "accepted"
        for payload in preview["render"]["slack"]:
            assert payload in [_without(c, "method", "auth") for c in slack.posted(payload["channel"])]
        discord_arrived = [_without(c, "channel", "auth") for c in discord.posted()]
        for payload in preview["render"]["discord"]:
            assert payload in discord_arrived

    first = slack.posted("C222")[0]
    assert first["blocks"][0]["text"]["text"] == "【近畿ブロック】第2回ブロック会議のご案内"
    assert "①会場：東近江市役所" in slack_shown(first["blocks"][2])
    assert "announce-leave" not in json.dumps(slack.calls, ensure_ascii=False)
    mention = next(c for c in slack.posted("C111") if "研修会" in c["text"])
    assert "<!channel>" not in json.dumps(mention, ensure_ascii=False)
    assert "<@U123>" not in json.dumps(mention, ensure_ascii=False)
    assert "&lt;!channel&gt;" in mention["text"]
    assert slack_shown(mention["blocks"][2]).replace("\u2060", "").startswith("@everyone <!channel> <@U123>")
    assert "link_names" not in mention
    assert "parse" not in mention
    for call in slack.posted():
        assert_slack_blocks(call["blocks"])
    for call in discord.posted():
        assert_discord_message(_without(call, "channel", "auth"))
    # Formatting characters arrive as plain text and the URL, underscores and all, as a link (Slack) or
    # without a backslash in it (Discord).
    formatted = next(c for c in slack.posted("C111") if "書式" in c["text"])
    body = formatted["blocks"][2]
    assert slack_shown(body).startswith(FORMATTED)
    assert all(e["type"] in {"text", "link"} and "style" not in e for s in body["elements"] for e in s["elements"])
    assert slack_links(body) == ["https://forms.example.org/kinki_2nd_meeting_form"]
    assert formatted["blocks"][0]["text"] == {"type": "plain_text", "text": "*重要* 書式_文字", "emoji": False}
    on_discord = next(c for c in discord.posted("900") if "書式" in c["embeds"][0]["title"])["embeds"][0]
    assert "https://forms.example.org/kinki_2nd_meeting_form" in on_discord["description"]
    assert "\\*重要\\*" in on_discord["description"]
    assert "\n\\> 返信の引用のような行" in on_discord["description"]
    assert on_discord["title"] == "\\*重要\\* 書式\\_文字"
    # The fake Discord API has no gateway, so the Discord chat platform keeps failing to connect and is
    # restarted with back-off — and the relay went on regardless.
    await until(lambda: "discord failed: " in bot.text(), what="the Discord platform's failure")
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{bot.http_port}/healthz") as page:
        health = await page.json()
    assert (page.status, health["quarantined"], health["outbox_backlog"]) == (503, 2, 0)
    assert health["discord"].startswith("retrying: ")
    bot.stop()
    kept = rmo_bot("quarantine", "list", "--data-dir", bot.data_dir).stdout
    assert "is not one of ours" in kept
    assert "someone@example.org is not allowed" in kept


async def test_outages_and_rate_limits_delay_but_lose_nothing(tmp_path, fakes, bot):
    """429s with Retry-After, 500s, a hang and 30 s of refused connections: all arrive, in order per channel."""
    slack, discord = fakes
    slack.faults.script = ["429", "500", "hang"]
    slack.faults.retry_after = 1
    discord.faults.script = ["429", "429", "429"]
    discord.faults.retry_after = 0.5
    outage = asyncio.create_task(slack.refuse_for(30))
    for number in range(10):
        await aiosmtplib.send(
            post(100 + number, f"お知らせ第{number}号", f"本文 {number}"), hostname="127.0.0.1", port=bot.port
        )
    await outage
    await until(
        lambda: len(slack.posted("C111")) >= 10 and len(discord.posted("900")) >= 10, timeout=120, what="all posts"
    )
    order = [c["text"].split("\n")[0] for c in slack.posted("C111")]
    assert order == [f"お知らせ第{n}号" for n in range(10)]
    assert [c["embeds"][0]["title"] for c in discord.posted("900")] == [f"お知らせ第{n}号" for n in range(10)]
    assert "retrying in" in bot.text()
