"""The Slack app over HTTP: signed requests to the bot's own server, replies at the fake Web API."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
from email import message_from_bytes, policy
from urllib.parse import urlencode

import aiohttp

from tests.helpers import ROOT
from tests.platform_checks import assert_slack_blocks, assert_slack_view, slack_links, slack_shown
from tests.test_relay_e2e import until

SECRET = "test-signing-secret"


def _signed(body: str, *, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def _mention(event_id: str, text: str) -> str:
    return json.dumps({
        "token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": event_id,
        "event_time": int(time.time()), "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        "event": {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "ts": "1700000000.000100",
                  "channel": "C9", "event_ts": "1700000000.000100"},
    }, ensure_ascii=False)  # fmt: skip


async def _post(bot, body: str, headers: dict[str, str], content_type: str = "application/json") -> int:
    async with aiohttp.ClientSession() as session, session.post(
        f"http://127.0.0.1:{bot.http_port}/slack/events", data=body.encode(),
        headers={**headers, "Content-Type": content_type},
    ) as response:  # fmt: skip
        return response.status


async def test_a_mention_is_answered_in_its_thread_once(slack_bot):
    """A signed app_mention gets one answer in its thread, even when Slack retries the same event."""
    bot, slack = slack_bot
    body = _mention("Ev1", "入会するには？")
    assert await _post(bot, body, _signed(body)) == 200
    assert await _post(bot, body, {**_signed(body), "X-Slack-Retry-Num": "1"}) == 200
    await until(lambda: slack.posted("C9"), what="the answer")
    await asyncio.sleep(0.5)
    (answer,) = slack.posted("C9")
    assert answer["thread_ts"] == "1700000000.000100"
    assert "郵送" in answer["text"]


async def test_unsigned_stale_and_forged_requests_are_refused(slack_bot):
    """No signature, an old timestamp or the wrong secret: 401, and nothing is said."""
    bot, slack = slack_bot
    body = _mention("Ev2", "代表は？")
    assert await _post(bot, body, {}) == 401
    assert await _post(bot, body, _signed(body, timestamp=int(time.time()) - 600)) == 401
    assert await _post(bot, body, _signed(body, secret="not-the-secret")) == 401
    assert await _post(bot, body, {**_signed(body), "X-Slack-Request-Timestamp": "soon"}) == 401
    await asyncio.sleep(0.5)
    assert slack.posted("C9") == []


async def test_slash_command_answers_and_guards_announce(slack_bot):
    """/rmo meetings 兵庫 answers about the Kinki block; /rmo announce from a non-secretary is politely refused."""
    bot, slack = slack_bot
    url = f"http://127.0.0.1:{slack.port}/response/"
    for number, (user, text) in enumerate([("U1", "meetings 兵庫"), ("U1", "announce"), ("U1", "join")]):
        body = urlencode({"command": "/rmo", "text": text, "user_id": user, "channel_id": "C9", "team_id": "T1",
                          "response_url": f"{url}{number}", "trigger_id": "t", "api_app_id": "A1"})  # fmt: skip
        assert await _post(bot, body, _signed(body), "application/x-www-form-urlencoded") == 200
    await until(lambda: len(slack.responses()) >= 3, what="three responses")
    by_id = {r["id"]: r for r in slack.responses()}
    assert "近畿" in by_id["0"]["text"]
    assert "事務局の方だけ" in by_id["1"]["text"]
    assert "郵送" in by_id["2"]["text"]
    assert all(r["response_type"] == "ephemeral" for r in by_id.values())
    assert "announce refused for Slack user U1" in bot.text()


async def test_a_replayed_signed_command_acts_once(slack_bot):
    """The same signed /rmo request sent twice (a replay within Slack's window) is answered once."""
    bot, slack = slack_bot
    body = urlencode({"command": "/rmo", "text": "subscribe replay@example.jp", "user_id": "U1", "channel_id": "C9",
                      "team_id": "T1", "response_url": f"http://127.0.0.1:{slack.port}/response/r",
                      "trigger_id": "t", "api_app_id": "A1"})  # fmt: skip
    headers = _signed(body)
    assert await _post(bot, body, headers, "application/x-www-form-urlencoded") == 200
    assert await _post(bot, body, headers, "application/x-www-form-urlencoded") == 200
    await until(slack.responses, what="the answer")
    await asyncio.sleep(1.0)
    assert len(slack.responses()) == 1
    assert "a replayed Slack request" in bot.text()


async def _interaction(bot, payload: dict) -> tuple[int, str]:
    body = urlencode({"payload": json.dumps(payload, ensure_ascii=False)})
    async with aiohttp.ClientSession() as session, session.post(
        f"http://127.0.0.1:{bot.http_port}/slack/events", data=body.encode(),
        headers={**_signed(body), "Content-Type": "application/x-www-form-urlencoded"},
    ) as response:  # fmt: skip
        return response.status, await response.text()


def _submission(user: str, callback_id: str, values: dict | None = None, metadata: str = "") -> dict:
    return {
        "type": "view_submission", "team": {"id": "T1", "domain": "t"}, "user": {"id": user, "team_id": "T1"},
        "api_app_id": "A1", "token": "legacy", "trigger_id": "trig",
        "view": {"id": "V1", "type": "modal", "callback_id": callback_id, "private_metadata": metadata,
                 "state": {"values": values or {}}, "hash": "h", "team_id": "T1", "app_id": "A1"},
    }  # fmt: skip


BODY = "@everyone <!channel> 臨時の会議を開催します。「*重要*」 https://example.jp/kinki_2nd_meeting"


async def test_secretariat_announces_from_slack_with_a_preview(slack_bot):
    """/rmo announce opens the form; the preview shows Slack, Discord and e-mail; posting relays it everywhere."""
    bot, slack = slack_bot
    body = urlencode({"command": "/rmo", "text": "announce", "user_id": "USEC", "channel_id": "C9", "team_id": "T1",
                      "response_url": f"http://127.0.0.1:{slack.port}/response/a", "trigger_id": "trig-1",
                      "api_app_id": "A1"})  # fmt: skip
    assert await _post(bot, body, _signed(body), "application/x-www-form-urlencoded") == 200
    await until(lambda: slack.called("views.open"), what="the form")
    form = slack.called("views.open")[0]
    assert form["trigger_id"] == "trig-1"
    assert form["view"]["callback_id"] == "rmo_announce_draft"
    assert_slack_view(form["view"])

    values = {
        "title": {"value": {"type": "plain_text_input", "value": "【近畿ブロック】臨時会議のお知らせ"}},
        "body": {"value": {"type": "plain_text_input", "value": BODY}},
        "blocks": {"value": {"type": "multi_static_select", "selected_options": [{"value": "kinki"}]}},
    }
    status, text = await _interaction(bot, _submission("USEC", "rmo_announce_draft", values))
    assert status == 200
    preview = json.loads(text)
    assert preview["response_action"] == "update"
    assert_slack_view(preview["view"])
    headers = [b["text"]["text"] for b in preview["view"]["blocks"] if b["type"] == "header"]
    assert headers[1:] == ["Slack", "Discord", "メール"]
    shown = json.dumps(preview["view"], ensure_ascii=False)
    assert "Slackでは1件、Discordでは1件のメッセージになります" in shown
    discord_part = "".join(slack_shown(b) for b in preview["view"]["blocks"] if b["type"] == "rich_text")
    assert "「*重要*」 https://example.jp/kinki_2nd_meeting" in discord_part
    assert "\\" not in discord_part  # the Discord view shows no escaping backslash
    assert slack.posted("C111") == []  # nothing goes out before the secretariat confirms

    status, _ = await _interaction(
        bot, _submission("USEC", "rmo_announce_confirm", metadata=preview["view"]["private_metadata"])
    )
    assert status == 200
    await until(lambda: slack.posted("C111") and slack.posted("C222") and slack.posted("USEC"), what="the announcement")
    posted = slack.posted("C111")[0]
    assert posted["blocks"][0]["text"]["text"] == "【近畿ブロック】臨時会議のお知らせ"
    assert_slack_blocks(posted["blocks"])
    assert slack_shown(posted["blocks"][2]).replace("\u2060", "") == BODY
    assert slack_links(posted["blocks"][2]) == ["https://example.jp/kinki_2nd_meeting"]
    assert "&lt;!channel&gt;" in posted["text"]
    assert "投稿しました" in slack.posted("USEC")[0]["text"]
    assert_slack_blocks(slack.posted("USEC")[0]["blocks"])


async def test_a_forged_announcement_form_from_a_member_is_refused(slack_bot):
    """A view submission from someone outside the secretariat posts nothing."""
    bot, slack = slack_bot
    values = {"title": {"value": {"value": "偽"}}, "body": {"value": {"value": "偽のお知らせ"}}}
    status, text = await _interaction(bot, _submission("U1", "rmo_announce_draft", values))
    assert status == 200
    assert json.loads(text)["response_action"] == "errors"
    await _interaction(bot, _submission("U1", "rmo_announce_confirm", metadata=json.dumps(["偽", "偽のお知らせ", []])))
    await asyncio.sleep(0.5)
    assert slack.posted("C111") == []
    assert "refused (not the secretariat)" in bot.text()


async def test_a_draft_over_the_limit_is_refused_under_its_field(slack_bot):
    """A form whose body passes 3,000 characters is refused under the body field, as on any platform."""
    bot, slack = slack_bot
    values = {"title": {"value": {"value": "長すぎるお知らせ"}}, "body": {"value": {"value": "本" * 3001}}}
    status, text = await _interaction(bot, _submission("USEC", "rmo_announce_draft", values))
    assert status == 200
    assert json.loads(text) == {
        "response_action": "errors",
        "errors": {"body": "本文は3000文字までです（いまは3001文字です）。"},
    }
    assert slack.posted("C111") == []


def _home_opened(event_id: str, tab: str) -> str:
    return json.dumps({
        "token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": event_id,
        "event_time": int(time.time()), "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        "event": {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": tab, "event_ts": "1.1"},
    })  # fmt: skip


async def test_app_home_shows_what_is_coming_up(slack_bot):
    """Opening the Home tab publishes a valid view with the upcoming meetings and trainings; opening the
    Messages tab publishes nothing."""
    bot, slack = slack_bot
    messages_tab = _home_opened("EvMessages", "messages")
    assert await _post(bot, messages_tab, _signed(messages_tab)) == 200
    body = _home_opened("EvHome", "home")
    assert await _post(bot, body, _signed(body)) == 200
    await until(lambda: slack.called("views.publish"), what="the home view")
    await asyncio.sleep(0.5)  # a second publish, had the Messages tab caused one, would be here by now
    (published,) = slack.called("views.publish")
    assert published["user_id"] == "U1"
    assert published["view"]["type"] == "home"
    assert_slack_view(published["view"])
    shown = json.dumps(published["view"], ensure_ascii=False)
    assert "今後の予定" in shown
    assert "研修会" in shown
    texts = [
        e for b in published["view"]["blocks"] if b["type"] == "rich_text" for s in b["elements"] for e in s["elements"]
    ]
    assert not [e for e in texts if e["type"] == "text" and "https://" in e["text"]]  # every URL is a link


def test_manifest_declares_what_the_app_uses():
    """The one-paste manifest has the command, the events and exactly the scopes the code's API calls need."""
    import yaml

    manifest = yaml.safe_load((ROOT / "slack-manifest.yml").read_text(encoding="utf-8"))
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/rmo"]
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.im",
        "app_home_opened",
    }
    # chat.postMessage: chat:write; /rmo: commands; app_mention: app_mentions:read; message.im: im:history;
    # conversations.history (the relay's duplicate check): channels:history, groups:history;
    # usergroups.users.list (the secretariat's group): usergroups:read; chat.update / chat.delete (corrections,
    # withdrawals): chat:write; conversations.replies (a thread's parts after a crash): the history scopes;
    # files.getUploadURLExternal / completeUploadExternal / delete: files:write; files.info: files:read.
    # views.*, auth.test, apps.connections.open (the app token's own) and response_urls need none.
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted([
        "chat:write", "commands", "app_mentions:read", "im:history", "channels:history", "groups:history",
        "usergroups:read", "files:write", "files:read",
    ])  # fmt: skip
    used = set()
    pattern = r"\.((?:chat|conversations|users|usergroups|views|im|files|apps|auth)_\w+)\("
    for path in (ROOT / "bot").rglob("*.py"):
        used |= set(re.findall(pattern, path.read_text(encoding="utf-8")))
    assert used == {
        "chat_postMessage", "chat_update", "chat_delete", "conversations_history", "conversations_replies",
        "usergroups_users_list", "views_open", "views_publish", "files_getUploadURLExternal",
        "files_completeUploadExternal", "files_delete", "files_info", "auth_test", "apps_connections_open",
    }  # fmt: skip


async def test_the_secretariats_user_group_may_announce(slack_bot):
    """A member of the configured secretariat user group gets the announcement form."""
    bot, slack = slack_bot
    slack.usergroup_members = ["UGROUP"]
    body = urlencode({"command": "/rmo", "text": "announce", "user_id": "UGROUP", "channel_id": "C9", "team_id": "T1",
                      "response_url": f"http://127.0.0.1:{slack.port}/response/g", "trigger_id": "trig-g",
                      "api_app_id": "A1"})  # fmt: skip
    assert await _post(bot, body, _signed(body), "application/x-www-form-urlencoded") == 200
    await until(lambda: slack.called("views.open"), what="the form for a user group member")
    assert slack.called("views.open")[0]["trigger_id"] == "trig-g"


async def test_a_replayed_post_button_posts_once(slack_bot):
    """The same confirmation delivered twice (a replay within Slack's window) posts the announcement once."""
    bot, slack = slack_bot
    values = {"title": {"value": {"value": "一度だけ"}}, "body": {"value": {"value": "本文。" * 900}}}
    _, text = await _interaction(bot, _submission("USEC", "rmo_announce_draft", values))
    metadata = json.loads(text)["view"]["private_metadata"]
    assert len(metadata) < 100  # only the draft's id travels, however long the body
    for _ in range(2):
        await _interaction(bot, _submission("USEC", "rmo_announce_confirm", metadata=metadata))
    await until(lambda: slack.posted("C111"), what="the announcement")
    await asyncio.sleep(1.0)
    assert len({c["metadata"]["event_payload"]["announcement"] for c in slack.posted("C111")}) == 1
    assert len(slack.posted("USEC")) == 1


async def test_subscribing_from_slack_sends_the_confirmation_only(slack_bot):
    """/rmo subscribe EMAIL answers the same for anyone and mails a confirmation link, nothing more."""
    bot, slack = slack_bot
    for number, text in enumerate(["subscribe member@example.jp", "subscribe member@example.jp"]):
        body = urlencode({"command": "/rmo", "text": text, "user_id": "U1", "channel_id": "C9", "team_id": "T1",
                          "response_url": f"http://127.0.0.1:{slack.port}/response/s{number}", "trigger_id": "t",
                          "api_app_id": "A1"})  # fmt: skip
        assert await _post(bot, body, _signed(body), "application/x-www-form-urlencoded") == 200
    await until(lambda: len(slack.responses()) >= 2, what="both answers")
    first, second = (r["text"] for r in slack.responses())
    assert first == second
    assert "確認メール" in first
    outbox = bot.data_dir / "outbox-mail"
    await until(lambda: outbox.is_dir() and len(list(outbox.glob("*.eml"))) >= 2, what="the confirmation mails")
    mail = message_from_bytes(next(outbox.glob("*.eml")).read_bytes(), policy=policy.default)
    assert mail["To"] == "member@example.jp"
    assert "/confirm?token=" in mail.get_content()


async def _health(bot) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{bot.http_port}/healthz") as response:
        return response.status, await response.json()


async def test_healthz_says_what_is_alive(slack_bot):
    """/healthz reports the store, the mail intake, the scheduler and each platform's connection, the event
    loop's longest stall, the outbox's backlog, the quarantine's count and the last digest run."""
    bot, _ = slack_bot
    seen: list[dict] = []

    async def settled() -> bool:
        status, health = await _health(bot)
        seen.append({"status": status, **health})
        return health["slack"] != "connecting" and health["discord"] != "connecting"

    for _ in range(600):
        if await settled():
            break
        await asyncio.sleep(0.1)
    health = seen[-1]
    assert {"store", "mail", "http", "scheduler", "slack", "discord"} <= set(health)
    assert health["store"] == health["mail"] == health["scheduler"] == "running"
    assert health["slack"] == "connected"  # HTTP mode: Slack accepted the token (auth.test)
    # This fake Discord serves no gateway: the platform says it is retrying, and the bot is not healthy.
    assert health["discord"].startswith("retrying: ")
    assert health["ok"] is False
    assert health["status"] == 503
    assert health["loop"] == "running"
    assert isinstance(health["loop_stall_ms"], int)
    assert health["outbox_backlog"] == 0
    assert health["quarantined"] == 0
    assert health["digest_last_run"] is None


async def test_the_secretariat_adds_an_event_with_the_slack_form(slack_bot):
    """/rmo event add opens the add form; a bad time is shown under its field; a good one is on the calendar
    (the public calendar feed has it) and the secretariat is told by DM."""
    bot, slack = slack_bot
    body = urlencode({"command": "/rmo", "text": "event add", "user_id": "USEC", "channel_id": "C9", "team_id": "T1",
                      "response_url": f"http://127.0.0.1:{slack.port}/response/e", "trigger_id": "trig-e",
                      "api_app_id": "A1"})  # fmt: skip
    assert await _post(bot, body, _signed(body), "application/x-www-form-urlencoded") == 200
    await until(lambda: slack.called("views.open"), what="the add form")
    view = slack.called("views.open")[0]["view"]
    assert view["callback_id"] == "rmo_event_add"
    assert_slack_view(view)
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "title", "when", "block", "venue", "registration_url"]  # fmt: skip

    def values(when: str) -> dict:
        typed = {"title": "東海ブロック会議（臨時）", "when": when, "block": "東海", "venue": "浜松市役所",
                 "registration_url": ""}  # fmt: skip
        return {k: {"value": {"type": "plain_text_input", "value": v}} for k, v in typed.items()}

    status, text = await _interaction(bot, _submission("USEC", "rmo_event_add", values("来週の水曜")))
    assert status == 200
    assert json.loads(text)["response_action"] == "errors"
    assert "when" in json.loads(text)["errors"]
    status, text = await _interaction(bot, _submission("USEC", "rmo_event_add", values("2027-03-10 13:30-16:30")))
    assert status == 200
    await until(lambda: slack.posted("USEC"), what="the DM")
    assert "登録しました：東海ブロック会議（臨時）" in slack.posted("USEC")[0]["text"]
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{bot.http_port}/calendar/tokai.ics") as r,
    ):
        assert "tokai-2027-03-10@" in (await r.text()).replace("\r\n ", "")
