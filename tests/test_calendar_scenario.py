"""The calendar, scripted through Slack and Discord (fake APIs on loopback, the bot as a child process):
a post arrives, the secretariat is shown the proposal on both, presses 登録, a member asks and gets the
meeting, its reminders are planned and the .ics feed has it; a move post moves it everywhere — the
answer, the reminders, the feed (a higher SEQUENCE) and the digest's "changed" section."""

from __future__ import annotations

import asyncio
import json
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import aiosmtplib
from icalendar import Calendar

from storage.store import Store
from tests.botproc import BotProcess, write_config
from tests.fakes import FakeDiscord, FakeSlack
from tests.helpers import rmo_bot
from tests.platform_checks import assert_discord_message, assert_slack_blocks
from tests.test_discord import SECRETARIAT_ROLE, SECRETARY, USER, _guild
from tests.test_relay_e2e import until
from tests.test_slack_http import SECRET, _mention, _post, _signed

MAILS = Path(__file__).parent / "meetings"
START = "2026-12-01T10:00:00+09:00"
EVENT = "kinki-2027-01-20"


def _config(tmp_path: Path, slack: FakeSlack, discord: FakeDiscord) -> Path:
    config = write_config(tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url,
                          senders=("jimukyoku@rmo-network.example.jp",))  # fmt: skip
    text = (
        config.read_text()
        .replace('list_ids = ["', 'list_ids = ["announce.rmo-network.example.jp", "')
        .replace("[slack]\n", '[slack]\nmode = "http"\nsecretariat_users = ["USEC"]\nsecretariat_channel = "CSEC"\n')
        .replace("[discord]\n", f'[discord]\nsecretariat_channel = "950"\nsecretariat_roles = ["{SECRETARIAT_ROLE}"]\n')
        .replace("[http]\n", '[http]\npublic_url = "https://rmo.example.jp"\n')
    )
    config.write_text(text)
    return config


def _press_on_slack(card: dict, action: str, response: str) -> str:
    block = next(b for b in card["blocks"] if b["type"] == "actions")
    button = next(e for e in block["elements"] if e["action_id"] == action)
    return "payload=" + urlencode({"x": json.dumps({
        "type": "block_actions", "team": {"id": "T1", "domain": "t"}, "user": {"id": "USEC", "team_id": "T1", "username": "jimukyoku", "name": "jimukyoku"},
        "api_app_id": "A1", "token": "legacy", "trigger_id": "1.2.3", "response_url": response,
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "CSEC", "is_ephemeral": False},
        "channel": {"id": "CSEC", "name": "jimukyoku"}, "message": {"ts": "1.1", "text": card["text"]},
        "actions": [{"action_id": action, "block_id": block["block_id"], "value": button["value"],
                     "type": "button", "action_ts": "1.2"}],
    }, ensure_ascii=False)})[2:]  # fmt: skip


def _press_on_discord(card: dict, verb: str) -> dict:
    custom_id = next(c["custom_id"] for row in card["components"] for c in row["components"]
                     if c["custom_id"].startswith(f"rmo-proposal:{verb}:"))  # fmt: skip
    message = {"id": "7001", "channel_id": "950", "author": {"id": "1001", "username": "rmo-bot", "discriminator": "0",
               "avatar": None, "bot": True}, "content": "", "timestamp": "2026-12-01T01:00:00.000000+00:00",
               "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
               "mention_roles": [], "attachments": [], "embeds": card["embeds"], "pinned": False, "type": 0,
               "components": card["components"]}  # fmt: skip
    return {
        "id": "4401", "application_id": "555", "type": 3, "token": "token-press", "version": 1,
        "channel_id": "950", "guild_id": "7007", "locale": "ja", "guild_locale": "ja", "app_permissions": "0",
        "entitlements": [], "authorizing_integration_owners": {}, "context": 0, "attachment_size_limit": 8388608,
        "member": {"user": SECRETARY, "roles": [SECRETARIAT_ROLE], "joined_at": "2025-01-01T00:00:00+00:00",
                   "deaf": False, "mute": False, "flags": 0, "permissions": "0"},
        "data": {"custom_id": custom_id, "component_type": 2}, "message": message,
    }  # fmt: skip


async def _calendar(bot: BotProcess) -> Calendar:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{bot.http_port}/calendar.ics") as r:
        return Calendar.from_ical(await r.read())


def _sequence(calendar: Calendar) -> int:
    return next(int(e["SEQUENCE"]) for e in calendar.walk("VEVENT") if str(e["UID"]).startswith(f"{EVENT}@"))


def _reminders(data: Path) -> set[str]:
    with Store.open(data, writable=False) as store:  # beside the running bot, as a command reads it
        return {r.id for r in store.reminders.for_event(EVENT) if r.status == "pending"}


async def test_a_meeting_from_a_post_to_the_calendar_and_moved_everywhere(tmp_path):
    """The whole calendar flow on Slack and Discord, from the post to the digest."""
    slack, discord = FakeSlack(), FakeDiscord()
    discord.serve_gateway = True
    guild = _guild()
    guild["channels"].append({"id": "950", "type": 0, "name": "事務局", "position": 1, "permission_overwrites": [],
                              "guild_id": "7007"})  # fmt: skip
    discord.guilds = [guild]
    for fake in (slack, discord):
        await fake.start()
    data = tmp_path / "data"
    config = _config(tmp_path, slack, discord)
    added = rmo_bot("subscribers", "add", "member@example.jp", "--confirmed", "--frequency", "daily", "--now", START,
                    "--config", config, "--data-dir", data)  # fmt: skip
    assert added.returncode == 0, added.stderr
    bot = BotProcess(config, data, env={"SLACK_SIGNING_SECRET": SECRET}, args=("--now", START))
    await asyncio.to_thread(bot.start)
    try:
        await until(lambda: bot.http_port and discord.connected, what="the bot's HTTP server and Discord gateway")

        # A post announces the meeting: the secretariat is shown it on Slack and on Discord.
        post = message_from_bytes((MAILS / "01_kinki_iso2022jp.eml").read_bytes(), policy=policy.compat32)
        await aiosmtplib.send(post, hostname="127.0.0.1", port=bot.port)
        await until(lambda: slack.posted("CSEC"), what="the proposal on Slack")
        await until(lambda: discord.posted("950"), what="the proposal on Discord")
        (card,) = slack.posted("CSEC")
        assert_slack_blocks(card["blocks"])
        assert_discord_message(discord.posted("950")[0])
        assert "カレンダーに登録しますか" in card["text"]
        assert "令和8年度 第2回近畿ブロック会議" in card["text"]
        assert "ドーンセンター" in card["text"]
        assert [e["text"]["text"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
            "登録", "修正", "登録しない"]  # fmt: skip
        (discord_card,) = discord.posted("950")
        assert discord_card["allowed_mentions"] == {"parse": []}
        assert "令和8年度 第2回近畿ブロック会議" in discord_card["embeds"][0]["description"]

        # A member presses it: refused. The secretariat presses 登録: the card says so, the meeting is on.
        response = f"http://127.0.0.1:{slack.port}/response/1"
        body = _press_on_slack(card, "rmo_proposal_accept", response)
        assert await _post(bot, body, _signed(body), "application/x-www-form-urlencoded") == 200
        await until(slack.responses, what="the decided card")
        (decided,) = slack.responses()
        assert decided["replace_original"] is True
        assert "jimukyokuさんが登録しました" in decided["text"]
        assert not [b for b in decided["blocks"] if b["type"] == "actions"]
        assert_slack_blocks(decided["blocks"])
        assert {f"{EVENT}:2027-01-20:7d", f"{EVENT}:2027-01-20:1d"} <= _reminders(data)
        assert _sequence(await _calendar(bot)) == 0

        # A member asks on Slack: the meeting, with the calendar page.
        question = _mention("Ev-cal-1", "次の近畿ブロック会議は？")
        assert await _post(bot, question, _signed(question)) == 200
        await until(lambda: slack.posted("C9"), what="the answer")
        answer = slack.posted("C9")[0]["text"]
        assert "2027年1月20日（水）13:30～16:30" in answer
        assert "https://rmo.example.jp/" in answer

        # A post moves it: decided on Discord this time.
        moved = message_from_bytes((MAILS / "31_move_arrow.eml").read_bytes(), policy=policy.compat32)
        await aiosmtplib.send(moved, hostname="127.0.0.1", port=bot.port)
        await until(lambda: len(discord.posted("950")) == 2, what="the move proposal on Discord")
        move_card = discord.posted("950")[1]
        assert "日程変更" in move_card["embeds"][0]["title"]
        member_press = _press_on_discord(move_card, "accept")
        member_press["member"] = {**member_press["member"], "user": USER, "roles": []}
        await discord.dispatch("INTERACTION_CREATE", member_press)
        await until(lambda: discord.callbacks, what="the refusal")
        assert discord.callbacks[0]["data"]["flags"] & 64  # ephemeral: for the member's eyes only
        await discord.dispatch("INTERACTION_CREATE", {**_press_on_discord(move_card, "accept"), "id": "4402"})
        await until(lambda: len(discord.callbacks) == 2, what="the decided card on Discord")
        updated = discord.callbacks[1]
        assert updated["type"] == 7  # UPDATE_MESSAGE: the card itself says what was decided
        assert "登録しました" in updated["data"]["embeds"][0]["description"]
        assert updated["data"]["components"] == []
        await until(lambda: f"{EVENT}:2027-01-27:7d" in _reminders(data), what="the new day's reminders")
        assert not {r for r in _reminders(data) if ":2027-01-20:" in r}
        assert _sequence(await _calendar(bot)) == 1

        again = _mention("Ev-cal-2", "次の近畿ブロック会議は？")
        assert await _post(bot, again, _signed(again)) == 200
        await until(lambda: len(slack.posted("C9")) == 2, what="the second answer")
        answer = slack.posted("C9")[1]["text"]
        assert "2027年1月27日（水）" in answer
        assert "2027年1月20日（水）から日程が変更になりました" in answer
    finally:
        bot.stop()
        for fake in (slack, discord):
            await fake.stop()

    # The next digest tells of the move.
    tomorrow = "2026-12-02T07:00:00+09:00"
    preview = rmo_bot(
        "digest", "preview", "member@example.jp", "--now", tomorrow, "--config", config, "--data-dir", data
    )
    assert preview.returncode == 0, preview.stderr
    assert "変更・中止になった予定" in preview.stdout
    assert "2027年1月20日" in preview.stdout
