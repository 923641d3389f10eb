"""The scripted scenario on both platforms: a member's seven questions, a refused announce, and the
secretariat's announcement with its preview — checked against what the fake APIs recorded."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from tests.test_discord import (
    SECRETARIAT_ROLE,
    SECRETARY,
    USER,
    _command,
    _interaction,
    _message,
)
from tests.test_relay_e2e import until
from tests.test_slack_http import _interaction as slack_interaction
from tests.test_slack_http import _mention, _post, _signed, _submission

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


async def test_scenario_on_discord(discord_bot):
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
    outbox = platform._core.store.outbox
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
