"""The secretariat corrects and withdraws a relayed post from Slack: `/rmo correct ID` opens a form filled in
with the post, its submission edits the post in place, `/rmo withdraw ID` deletes it; members are refused."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import aiosmtplib
from slack_sdk.models.views import View

from tests.test_relay_e2e import post, until
from tests.test_slack_http import _interaction, _post, _signed, _submission


def _command(slack, text: str, user: str, trigger: str) -> str:
    return urlencode({"command": "/rmo", "text": text, "user_id": user, "channel_id": "C9", "team_id": "T1",
                      "response_url": f"http://127.0.0.1:{slack.port}/response/{trigger}", "trigger_id": trigger,
                      "api_app_id": "A1"})  # fmt: skip


async def test_the_secretariat_corrects_with_a_form_and_withdraws_from_slack(slack_bot):
    """A member's /rmo withdraw is refused; the secretariat's correction form edits the post, its withdrawal deletes it."""
    bot, slack = slack_bot
    message = post(1, "【近畿ブロック】会議のご案内", "会場：東近江市役所")
    await aiosmtplib.send(message, hostname="127.0.0.1", port=bot.port, timeout=30)
    await until(lambda: slack.messages.get("C111") and slack.messages.get("C222"), what="the post")
    announcement = slack.posted("C111")[0]["metadata"]["event_payload"]["announcement"]

    body = _command(slack, f"withdraw {announcement}", "U1", "t-1")
    assert await _post(bot, body, _signed(body), "application/x-www-form-urlencoded") == 200
    await until(slack.responses, what="the refusal")
    assert slack.responses()[0]["text"] == "投稿の訂正・取り下げは事務局のみが行えます。"

    body = _command(slack, f"correct {announcement}", "USEC", "t-2")
    assert await _post(bot, body, _signed(body), "application/x-www-form-urlencoded") == 200
    await until(lambda: slack.called("views.open"), what="the correction form")
    view = slack.called("views.open")[0]["view"]
    View(**view).validate_json()  # a valid Block Kit modal
    assert json.loads(view["private_metadata"]) == {"id": announcement, "lang": "ja"}
    assert view["blocks"][2]["element"]["initial_value"] == "会場：東近江市役所"

    values = {
        "title": {"value": {"type": "plain_text_input", "value": "【近畿ブロック】会議のご案内（会場変更）"}},
        "body": {"value": {"type": "plain_text_input", "value": "会場：八日市文化芸術会館"}},
    }
    status, _ = await _interaction(bot, _submission("U1", "rmo_post_correct", values, announcement))
    assert status == 200
    assert slack.called("chat.update") == []  # a forged submission from a member changes nothing
    status, _ = await _interaction(bot, _submission("USEC", "rmo_post_correct", values, announcement))
    assert status == 200
    await until(lambda: len(slack.called("chat.update")) >= 2 and slack.posted("USEC"), what="the edits")
    for channel in ("C111", "C222"):
        (shown,) = slack.messages[channel]
        assert "八日市文化芸術会館" in json.dumps(shown["blocks"], ensure_ascii=False)
        assert "（会場変更）" in shown["blocks"][0]["text"]["text"]
    assert "訂正しました" in slack.posted("USEC")[0]["text"]

    body = _command(slack, f"withdraw {announcement}", "USEC", "t-3")
    assert await _post(bot, body, _signed(body), "application/x-www-form-urlencoded") == 200
    await until(lambda: not slack.messages.get("C111") and not slack.messages.get("C222"), what="the deletions")
    assert len(slack.called("chat.delete")) == 2
    await until(lambda: len(slack.responses()) >= 2, what="the answer to the withdrawal")
    assert "取り下げました" in slack.responses()[-1]["text"]
    assert len(slack.posted("C111")) == 1  # corrected and withdrawn, never posted twice
