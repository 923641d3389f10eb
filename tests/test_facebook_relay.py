"""The Facebook outbox lane end to end: `rmo-bot run` as a child, mail over SMTP, and a fake Graph API that
answers 500s, hangs and lets posts land without an answer."""

from __future__ import annotations

import json

import aiosmtplib
import pytest

from tests.botproc import BotProcess, write_config
from tests.fakes import FakeDiscord, FakeGraph, FakeSlack
from tests.helpers import rmo_bot
from tests.test_relay_e2e import post, until

PAGE = "123456789012345"
TOKEN = "fb-page-token"
PUBLIC = "https://rmo.example.jp"


@pytest.fixture
async def fakes():
    slack, discord, graph = FakeSlack(), FakeDiscord(), FakeGraph(TOKEN)
    for fake in (slack, discord, graph):
        await fake.start()
    yield slack, discord, graph
    for fake in (slack, discord, graph):
        await fake.stop()


def _config(tmp_path, fakes, relay: str = "all"):
    slack, discord, graph = fakes
    extra = f'[facebook]\npage_id = "{PAGE}"\nrelay = "{relay}"\napi_base_url = "{graph.base_url}"\n'
    return write_config(tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url,
                        extra=extra, public_url=PUBLIC)  # fmt: skip


@pytest.fixture
def bot(tmp_path, fakes):
    process = BotProcess(_config(tmp_path, fakes), tmp_path / "data", env={"FACEBOOK_PAGE_TOKEN": TOKEN})
    process.start()
    yield process
    process.stop()


async def test_the_page_gets_each_post_once_through_500s_and_timeouts(tmp_path, fakes, bot):
    """500s, a hang, and posts that land with a 500 or no answer at all: the Page shows every post once, in
    order, exactly as `ingest --json` renders it."""
    _, _, graph = fakes
    graph.faults.script = ["500", "landed-500", "hang", "landed-hang", "500"]
    graph.feed_faults.script = ["500"]  # the first look at the feed fails too: it is asked again
    for number in range(6):
        await aiosmtplib.send(post(200 + number, f"お知らせ第{number}号", f"本文 {number} @[100000000000001]"),
                              hostname="127.0.0.1", port=bot.port)  # fmt: skip
    await until(lambda: any(p["message"].startswith("お知らせ第5号") for p in graph.posted(PAGE)), timeout=180,
                what="the last post on the Page")  # fmt: skip
    bot.stop()
    posted = graph.posted(PAGE)
    assert [p["message"].split("\n")[0] for p in posted] == [f"お知らせ第{n}号" for n in range(6)]
    assert len(graph.attempts) > 6
    assert graph.faults.script == []
    assert bot.text().count("was already posted; not posting it again") == 2  # landed-500 and landed-hang
    assert all("@[" not in p["message"] for p in posted)
    assert all(p["link"].startswith(f"{PUBLIC}/announcements/a") for p in posted)

    eml = tmp_path / "preview.eml"
    eml.write_bytes(post(200, "お知らせ第0号", "本文 0 @[100000000000001]").as_bytes())
    preview = json.loads(rmo_bot("ingest", eml, "--json", "--config", bot.config, "--data-dir", tmp_path / "p").stdout)
    assert preview["render"]["facebook"] == [{k: v for k, v in posted[0].items() if k != "page"}]


async def test_check_config_says_whether_the_page_is_configured(tmp_path, fakes):
    """`check-config` names the Page and its relay setting, or says the token is missing."""
    config = _config(tmp_path, fakes, relay="secretariat-choice")
    ready = rmo_bot("check-config", "--config", config, env={"FACEBOOK_PAGE_TOKEN": TOKEN}).stdout
    assert f"facebook page: {PAGE} (relay = secretariat-choice" in ready
    assert "FACEBOOK_PAGE_TOKEN" in ready.split("secrets set in the environment:")[1]
    missing = rmo_bot("check-config", "--config", config).stdout
    assert "FACEBOOK_PAGE_TOKEN is not set" in missing


async def test_a_post_that_landed_before_a_crash_is_not_posted_again(tmp_path, fakes):
    """The bot is killed while Facebook holds the answer to a post that landed: after the restart the feed
    shows it, so it is not sent again, and the next post follows."""
    _, _, graph = fakes
    graph.faults.script = ["landed-hang"]
    process = BotProcess(_config(tmp_path, fakes), tmp_path / "data", env={"FACEBOOK_PAGE_TOKEN": TOKEN})
    process.start()
    try:
        await aiosmtplib.send(
            post(300, "総会のお知らせ", "総会を開催します。"), hostname="127.0.0.1", port=process.port
        )
        await until(lambda: len(graph.posted(PAGE)) == 1, what="the post landing")
        process.kill()
        process.start()
        await aiosmtplib.send(post(301, "研修会のお知らせ", "研修会を開催します。"), hostname="127.0.0.1",
                              port=process.port)  # fmt: skip
        await until(lambda: len(graph.posted(PAGE)) >= 2, what="the next post")
        await until(lambda: "was already posted; not posting it again" in process.text(), what="the feed check")
    finally:
        process.stop()
    assert [p["message"].split("\n")[0] for p in graph.posted(PAGE)] == ["総会のお知らせ", "研修会のお知らせ"]
    assert graph.feed_reads  # the restarted bot looked before posting
