"""The scripted scenario on both platforms: a member's seven questions, a refused announce, and the
secretariat's announcement with its preview — checked against what the fake APIs recorded. Then the same
`/rmo` conversation on Slack, Discord and the console over one core: the same neutral reply at every step."""

from __future__ import annotations

import json
from types import SimpleNamespace
from urllib.parse import urlencode

import discord
import pytest
from aiohttp import web

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from bot.platforms.discord.adapter import DiscordPlatform
from bot.platforms.discord.reply import reply_for_discord
from bot.platforms.slack.adapter import SlackPlatform
from bot.platforms.slack.reply import reply_for_slack
from bot.testing import ChatHarness
from handlers.messages import Reply
from tests.conftest import CALENDAR, JST, NOW
from tests.fakes import FakeDiscord, FakeSlack
from tests.platform_checks import assert_discord_message, assert_slack_blocks
from tests.test_discord import (
    GUILD,
    SECRETARIAT_ROLE,
    SECRETARY,
    USER,
    _command,
    _guild,
    _interaction,
    _message,
)
from tests.test_relay_e2e import until
from tests.test_slack_http import SECRET, _mention, _post, _signed, _submission
from tests.test_slack_http import _interaction as slack_interaction

QUESTIONS = [
    ("入会するには？", "郵送"),
    ("次の近畿ブロック会議はいつ？", "近畿"),
    ("代表は誰ですか", "雲南市長"),
    ("研修会の予定を教えてください", "研修会"),
    ("事務局の連絡先は？", "事務局"),
    ("How do we join the network?", "post"),
    ("Who are the officers?", "Unnan"),
]


async def test_scenario_on_slack(slack_bot):
    """Slack: seven answers in the questions' languages, a refusal, then a previewed announcement relayed."""
    bot, slack = slack_bot
    for number, (question, _) in enumerate(QUESTIONS):
        body = _mention(f"EvS{number}", question)
        assert await _post(bot, body, _signed(body)) == 200
        await until(lambda n=number: len(slack.posted("C9")) > n, what=f"answer {number}")
    for (question, fact), call in zip(QUESTIONS, slack.posted("C9"), strict=True):
        assert fact in call["text"], question
    for user, number in (("U1", "x"), ("USEC", "y")):
        body = urlencode({"command": "/rmo", "text": "announce", "user_id": user, "channel_id": "C9", "team_id": "T1",
                          "response_url": f"http://127.0.0.1:{slack.port}/response/{number}", "trigger_id": f"t-{number}",
                          "api_app_id": "A1"})  # fmt: skip
        assert await _post(bot, body, _signed(body), "application/x-www-form-urlencoded") == 200
    await until(lambda: slack.responses() and slack.called("views.open"), what="refusal and form")
    assert "事務局の方だけ" in slack.responses()[0]["text"]
    assert slack.called("views.open")[0]["trigger_id"] == "t-y"
    values = {"title": {"value": {"value": "全体のお知らせ"}}, "body": {"value": {"value": "総会を開催します。"}}}
    _, text = await slack_interaction(bot, _submission("USEC", "rmo_announce_draft", values))
    preview = json.loads(text)["view"]
    await slack_interaction(bot, _submission("USEC", "rmo_announce_confirm", metadata=preview["private_metadata"]))
    await until(lambda: slack.posted("C111"), what="the announcement in the default channel")
    assert slack.posted("C111")[0]["blocks"][0]["text"]["text"] == "全体のお知らせ"


async def test_scenario_on_discord(discord_bot, discord_core):
    """Discord: seven answers, a refusal, then a previewed announcement queued."""
    platform, fake = discord_bot
    me = {"id": "1001", "username": "rmo-bot", "discriminator": "0", "avatar": None, "bot": True}
    for number, (question, _) in enumerate(QUESTIONS):
        payload = _message(f"<@1001> {question}", guild=True, mentions=[me])
        payload["id"] = f"31{number}"
        platform.parse("MESSAGE_CREATE", payload)
        await until(lambda n=number: len(fake.posted("900")) > n, what=f"answer {number}")
    for (question, fact), call in zip(QUESTIONS, fake.posted("900"), strict=True):
        assert fact in call["embeds"][0]["description"], question
    outbox = discord_core.store.outbox
    platform.parse("INTERACTION_CREATE", _command("announce", user=USER, number=8))
    platform.parse("INTERACTION_CREATE", _command("announce", user=SECRETARY, roles=[SECRETARIAT_ROLE], number=9))
    await until(lambda: len(fake.callbacks) >= 2, what="refusal and form")
    assert "事務局の方だけ" in fake.callbacks[0]["data"]["content"]
    assert fake.callbacks[1]["type"] == 9
    fields = {"rmo-title": "全体のお知らせ", "rmo-body": "総会を開催します。", "rmo-blocks": ""}
    submit = {"custom_id": fake.callbacks[1]["data"]["custom_id"],
              "components": [{"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in fields.items()]}  # fmt: skip
    platform.parse("INTERACTION_CREATE", _interaction(5, submit, number=10))
    await until(lambda: len(fake.callbacks) >= 3, what="the preview")
    button = fake.callbacks[2]["data"]["components"][0]["components"][0]
    message = {"id": "6007", "channel_id": "900", "content": "", "author": me, "attachments": [], "embeds": [],
               "mentions": [], "mention_roles": [], "mention_everyone": False, "pinned": False, "tts": False,
               "type": 20, "flags": 64, "timestamp": "2026-11-25T01:00:00.000000+00:00", "edited_timestamp": None}  # fmt: skip
    platform.parse("INTERACTION_CREATE", _interaction(3, {"custom_id": button["custom_id"], "component_type": 2},
                                                      number=11, message=message))  # fmt: skip
    await until(lambda: len(fake.callbacks) >= 4, what="the confirmation")
    assert "投稿しました" in fake.callbacks[3]["data"]["content"]
    assert {(d.platform, d.channel) for d in outbox.pending()} == {("discord", "900")}


# The same /rmo conversation everywhere ----------------------------------------------------------------------

# (the words after /rmo, the intent or notice the console's neutral reply has, its language)
CONVERSATION = [
    ("help", "help", "ja"),
    ("join", "join", "ja"),
    ("meetings 近畿", "meetings", "ja"),
    ("trainings", "trainings", "ja"),
    ("ask 代表は誰ですか", "officers", "ja"),
    ("subscribe", "subscribe", "ja"),
    ("announce", "announce.refused", "ja"),
]
ENGLISH = [
    ("ask When is the next Kinki block meeting?", "meetings", "en"),
    ("meetings kinki", "meetings", "en"),
]
_OPTION = {"ask": "question", "meetings": "place", "subscribe": "email", "unsubscribe": "email"}


@pytest.fixture
async def everywhere(tmp_path):
    """Slack (HTTP mode, served in this process), Discord and the console over one core, as `rmo-bot run`
    builds them: one data directory with the test calendar, one frozen clock, one dispatcher."""
    fake_slack, fake_discord = FakeSlack(), FakeDiscord()
    await fake_slack.start()
    await fake_discord.start()
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[slack]\nmode = "http"\napi_base_url = "{fake_slack.base_url}"\nsecretariat_users = ["USEC"]\n'
        f'default_channels = ["C111"]\n[discord]\napi_base_url = "{fake_discord.base_url}"\n'
        f'secretariat_roles = ["{SECRETARIAT_ROLE}"]\ndefault_channels = ["900"]\nguild_ids = ["{GUILD}"]\n',
        encoding="utf-8",
    )
    secrets = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "DISCORD_TOKEN": "discord-test-token"}
    clock = FrozenClock(NOW)
    with Core.open(load_config(config_file, environ=secrets), tmp_path / "d", clock) as core:
        core.store.apply(core.load_data_file(CALENDAR), now=core.clock.now())
        slack = SlackPlatform(core)
        web_app = web.Application()
        slack.route(web_app)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server = SimpleNamespace(http_port=site._server.sockets[0].getsockname()[1])
        platform = DiscordPlatform(core)
        async with platform.client:
            await platform.client.login("discord-test-token")
            platform.parse("GUILD_CREATE", _guild())
            yield ChatHarness(core, clock), (server, fake_slack), (platform, fake_discord)
        await runner.cleanup()
    await fake_slack.stop()
    await fake_discord.stop()


def _topic(reply) -> tuple[str, str, str]:
    """What a neutral reply says, and in what language: (intent or notice key, lang, text)."""
    return (reply.intent if isinstance(reply, Reply) else reply.key), reply.lang, reply.text


async def _on_slack(slack, text: str, number: int) -> dict:
    server, fake = slack
    body = urlencode({"command": "/rmo", "text": text, "user_id": "U1", "channel_id": "C9", "team_id": "T1",
                      "response_url": f"http://127.0.0.1:{fake.port}/response/r{number}", "trigger_id": "t",
                      "api_app_id": "A1"})  # fmt: skip
    assert await _post(server, body, _signed(body), "application/x-www-form-urlencoded") == 200
    await until(lambda: [r for r in fake.responses() if r["id"] == f"r{number}"], what=f"Slack's /rmo {text}")
    return next(r for r in fake.responses() if r["id"] == f"r{number}")


async def _on_discord(discord_side, text: str, number: int, locale: str = "ja") -> dict:
    platform, fake = discord_side
    verb, _, rest = text.partition(" ")
    options = [{"type": 3, "name": _OPTION[verb], "value": rest}] if rest else []
    platform.parse("INTERACTION_CREATE", _command(verb, options, locale=locale, number=number))
    await until(lambda: [c for c in fake.callbacks if c["id"] == f"44{number}"], what=f"Discord's /rmo {text}")
    return next(c for c in fake.callbacks if c["id"] == f"44{number}")["data"]


def _slack_shows(reply) -> dict:
    return {key: reply_for_slack(reply)[key] for key in ("text", "blocks")}


def _discord_shows(reply) -> dict:
    if not isinstance(reply, Reply):
        return {"content": reply.text}
    return {"embeds": [discord.Embed.from_dict(e).to_dict() for e in reply_for_discord(reply, JST)["embeds"]]}


async def _same_everywhere(everywhere, steps, start: int) -> None:
    """Each step on the console gives the expected neutral reply; Slack and Discord show exactly it."""
    chat, slack, discord_side = everywhere
    for number, (text, topic, lang) in enumerate(steps, start=start):
        neutral = await chat.send(f"/rmo {text}")
        assert _topic(neutral)[:2] == (topic, lang), text
        slack_sent = await _on_slack(slack, text, number)
        assert_slack_blocks(slack_sent["blocks"])
        assert {key: slack_sent[key] for key in ("text", "blocks")} == _slack_shows(neutral), text
        discord_sent = await _on_discord(discord_side, text, number)
        assert_discord_message(discord_sent)
        assert {key: discord_sent[key] for key in _discord_shows(neutral)} == _discord_shows(neutral), text


async def test_the_same_rmo_conversation_on_every_platform(everywhere):
    """help, join, meetings 近畿, trainings, ask, subscribe without an address and a member's announce get the
    same neutral reply on the console, Slack and Discord."""
    await _same_everywhere(everywhere, CONVERSATION, start=1)
    chat, _, _ = everywhere
    assert "郵送" in (await chat.send("/rmo join")).text
    assert "/rmo subscribe" in (await chat.send("/rmo subscribe")).text


async def test_english_rmo_commands_are_answered_in_english_everywhere(everywhere):
    """English words after the verb, or Discord's English client with none, get the English answer."""
    await _same_everywhere(everywhere, ENGLISH, start=20)
    chat, _, discord_side = everywhere
    joining = await chat.send("/rmo ask How do we join?")
    assert _topic(joining)[:2] == ("join", "en")
    sent = await _on_discord(discord_side, "join", 30, locale="en-US")
    assert sent["embeds"] == _discord_shows(joining)["embeds"]
    assert "post" in joining.text
