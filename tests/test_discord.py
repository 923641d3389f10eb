"""The Discord bot, driven by gateway payloads like discord.py's own tests build them; every REST call
goes to the local fake Discord API, which records it."""

from __future__ import annotations

import asyncio
from email import message_from_bytes, policy
from urllib.parse import parse_qs, urlparse

import discord
import pytest

from bot.app import HealthBoard
from bot.errors import PlatformLoginError
from bot.platforms.discord.adapter import DiscordPlatform, invite_url
from tests.platform_checks import assert_discord_message
from tests.test_relay_e2e import until

USER = {"id": "2002", "username": "member", "discriminator": "0", "avatar": None, "global_name": "会員"}
SECRETARY = {"id": "2003", "username": "jimukyoku", "discriminator": "0", "avatar": None, "global_name": "事務局"}
GUILD = "7007"
SECRETARIAT_ROLE = "8008"


def _role(role_id: str, name: str, position: int) -> dict:
    return {"id": role_id, "name": name, "permissions": "0", "position": position, "color": 0, "hoist": False,
            "managed": False, "mentionable": False, "flags": 0}  # fmt: skip


def _guild() -> dict:
    """What the gateway sends for a server at start-up (trimmed to what the bot reads)."""
    return {
        "id": GUILD, "name": "小規模多機能自治推進ネットワーク会議", "icon": None, "owner_id": "1", "afk_timeout": 300,
        "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0, "features": [],
        "mfa_level": 0, "system_channel_flags": 0, "premium_tier": 0, "preferred_locale": "ja", "nsfw_level": 0,
        "roles": [_role(GUILD, "@everyone", 0), _role(SECRETARIAT_ROLE, "事務局", 1)], "emojis": [], "stickers": [],
        "member_count": 2, "members": [], "channels": [
            {"id": "900", "type": 0, "name": "お知らせ", "position": 0, "permission_overwrites": [], "guild_id": GUILD},
        ], "threads": [], "presences": [], "voice_states": [], "stage_instances": [], "guild_scheduled_events": [],
        "large": False, "unavailable": False,
    }  # fmt: skip


def _message(content: str, *, guild: bool, mentions: list[dict] | None = None) -> dict:
    payload = {
        "id": "3003", "channel_id": "900" if guild else "950", "author": USER, "content": content,
        "timestamp": "2026-11-25T01:00:00.000000+00:00", "edited_timestamp": None, "tts": False,
        "mention_everyone": False, "mentions": mentions or [], "mention_roles": [], "attachments": [], "embeds": [],
        "pinned": False, "type": 0,
    }  # fmt: skip
    if guild:
        payload["guild_id"] = GUILD
        payload["member"] = {"roles": [], "joined_at": "2025-01-01T00:00:00+00:00", "deaf": False, "mute": False}
    return payload


def _command(sub: str, options: list[dict] | None = None, *, user: dict = USER, roles: list[str] | None = None,
             locale: str = "ja", number: int = 1) -> dict:  # fmt: skip
    return {
        "id": f"44{number}", "application_id": "555", "type": 2, "token": f"token-{number}", "version": 1,
        "channel_id": "900", "guild_id": GUILD, "locale": locale, "guild_locale": "ja",
        "app_permissions": "0", "entitlements": [], "authorizing_integration_owners": {}, "context": 0,
        "attachment_size_limit": 8388608,
        "member": {"user": user, "roles": roles or [], "joined_at": "2025-01-01T00:00:00+00:00", "deaf": False, "flags": 0,
                   "mute": False, "permissions": "0"},
        "data": _data(sub, options),
    }  # fmt: skip


def _data(sub: str, options: list[dict] | None) -> dict:
    """/rmo's sub-command, or the secretariat's own /rmo-announce, /rmo-event, /rmo-withdraw, /rmo-correct."""
    own = {"announce": "9001", "event": "9002", "withdraw": "9003", "correct": "9004"}
    if sub in own:
        return {"id": own[sub], "name": f"rmo-{sub}", "type": 1, "options": options or []}
    return {"id": "9000", "name": "rmo", "type": 1, "options": [{"type": 1, "name": sub, "options": options or []}]}


async def test_commands_sync_once_and_guild_scoped(discord_bot, tmp_path):
    """/rmo and the secretariat's commands are synced to the configured guild at login, and not again when
    the command set is unchanged."""
    platform, fake = discord_bot
    assert [s["guild"] for s in fake.synced] == [GUILD]
    rmo = next(c for c in fake.synced[0]["commands"] if c["name"] == "rmo")
    names = {o["name"] for o in rmo["options"]}
    assert names == {"ask", "join", "meetings", "trainings", "subscribe", "unsubscribe", "help"}
    await platform._setup()
    assert len(fake.synced) == 1


def _options(command: dict) -> list[dict]:
    """Every command, sub-command and option in a synced command, however deep."""
    return [command, *(o for option in command.get("options", []) for o in _options(option))]


async def test_every_command_and_option_is_described_in_english_and_japanese(discord_bot):
    """Each command, sub-command and option has a description and a Japanese localisation, none mixing both
    languages; `block` offers the ten blocks; the secretariat's commands are hidden from members."""
    _, fake = discord_bot
    commands = fake.synced[0]["commands"]
    assert {c["name"] for c in commands} == {"rmo", "rmo-announce", "rmo-event", "rmo-withdraw", "rmo-correct"}
    for command in commands:
        for item in _options(command):
            description, japanese = item["description"], item.get("description_localizations", {}).get("ja")
            assert description, item["name"]
            assert japanese, item["name"]
            assert description.isascii(), item["name"]
            assert not japanese.isascii(), item["name"]
            assert len(description) <= 100
            assert len(japanese) <= 100
    rmo = next(c for c in commands if c["name"] == "rmo")
    assert "default_member_permissions" not in rmo or rmo["default_member_permissions"] is None
    for verb in ("meetings", "trainings"):
        sub = next(o for o in rmo["options"] if o["name"] == verb)
        block = next(o for o in sub["options"] if o["name"] == "block")
        assert [c["value"] for c in block["choices"]] == [
            "hokkaido",
            "tohoku",
            "kanto",
            "shinetsu",
            "hokuriku",
            "tokai",
            "kinki",
            "chugoku",
            "shikoku",
            "kyushu",
        ]
        assert all(c["name"].isascii() and not c["name_localizations"]["ja"].isascii() for c in block["choices"])
    for name in ("rmo-announce", "rmo-event", "rmo-withdraw", "rmo-correct"):
        secretariat = next(c for c in commands if c["name"] == name)
        assert int(secretariat["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
        assert secretariat.get("contexts") in (None, [0])
        assert secretariat.get("dm_permission") in (None, False)


def test_the_invite_asks_for_exactly_what_the_bot_uses():
    """The invite link asks for View Channel, Send Messages, Embed Links and Read Message History, nothing else."""
    query = parse_qs(urlparse(invite_url(555)).query)
    wanted = discord.Permissions(view_channel=True, send_messages=True, embed_links=True, attach_files=True,
                                 read_message_history=True, create_public_threads=True,
                                 send_messages_in_threads=True)  # fmt: skip
    assert int(query["permissions"][0]) == wanted.value
    assert not discord.Permissions(int(query["permissions"][0])).use_application_commands
    assert query["scope"][0].split() == ["bot", "applications.commands"]


async def test_mentions_and_dms_are_answered_without_pings(discord_bot):
    """A mention in a channel and a DM are answered as embeds that ping nobody."""
    platform, fake = discord_bot
    me = {"id": "1001", "username": "rmo-bot", "discriminator": "0", "avatar": None, "bot": True}
    platform.parse("MESSAGE_CREATE", _message("<@1001> 次の近畿ブロック会議はいつ？", guild=True, mentions=[me]))
    platform.parse("MESSAGE_CREATE", _message("Who is the representative?", guild=False))
    platform.parse("MESSAGE_CREATE", _message("ただの雑談です", guild=True))  # no mention: not for the bot
    await until(lambda: len(fake.posted()) >= 2, what="two answers")
    await asyncio.sleep(0.3)
    assert len(fake.posted()) == 2
    by_channel = {c["channel"]: c for c in fake.posted()}
    header, card = by_channel["900"]["embeds"]  # the answer's text, then the meeting's card
    assert header["description"] == "近畿ブロックの次のブロック会議です。"
    assert card["title"] == "近畿ブロック会議（第2回）"
    assert card["description"].startswith("日時：2027年1月20日（水）13:30～16:30\n会場：")
    assert "申込締切：2027年1月10日（日）17:00" in card["description"]
    assert "Mayor of Unnan" in by_channel["950"]["embeds"][0]["description"]
    assert all(c["allowed_mentions"]["parse"] == [] for c in fake.posted())


async def test_slash_commands_answer_and_announce_is_for_the_secretariat(discord_bot):
    """/rmo meetings 兵庫 answers privately; /rmo announce is refused to members and allowed to the secretariat."""
    platform, fake = discord_bot
    platform.parse(
        "INTERACTION_CREATE", _command("meetings", [{"type": 3, "name": "place", "value": "兵庫"}], number=1)
    )
    platform.parse("INTERACTION_CREATE", _command("announce", number=2))
    platform.parse("INTERACTION_CREATE", _command("announce", user=SECRETARY, roles=[SECRETARIAT_ROLE], number=3))
    await until(lambda: len(fake.callbacks) >= 3, what="three interaction responses")
    by_id = {c["id"]: c for c in fake.callbacks}
    meetings = by_id["441"]["data"]
    shown = "".join(e.get("title", "") + e.get("description", "") for e in meetings["embeds"])
    assert shown.count("近畿ブロック会議（第2回）") == 1  # each meeting once, not as text and again as a card
    assert "2027年1月20日（水）13:30～16:30" in shown
    assert "申込締切：2027年1月10日（日）17:00" in shown
    assert meetings["flags"] & 64  # ephemeral
    assert_discord_message(meetings)
    assert "事務局の方だけ" in by_id["442"]["data"]["content"]
    assert by_id["443"]["type"] == 9  # the secretariat gets the announcement form


async def test_a_block_chosen_from_the_list_gets_one_card_per_meeting_in_the_askers_language(discord_bot):
    """/rmo meetings with 近畿 chosen from the block list, from an English client, answers in English: each
    meeting once, as a card with its date, venue, registration link and deadline, and no Japanese label."""
    platform, fake = discord_bot
    chosen = [{"type": 3, "name": "block", "value": "kinki"}]
    platform.parse("INTERACTION_CREATE", _command("meetings", chosen, locale="en-US", number=1))
    await until(lambda: fake.callbacks, what="the answer")
    answer = fake.callbacks[0]["data"]
    assert_discord_message(answer)
    header, *cards = answer["embeds"]
    assert header["description"].startswith("Upcoming block meetings in the Kinki block:")
    assert [c["title"] for c in cards] == ["近畿ブロック会議（第2回） [Kinki]"]
    (card,) = cards
    assert card["description"].startswith("When: Wed 20 Jan 2027, 13:30–16:30 JST\n")
    assert "Register: https://forms.example.org/kinki-2026-2" in card["description"]
    assert "Registration deadline:" in card["description"]
    assert not [label for label in ("申込", "日時", "会場", " / ") if label in card["description"]]


def _interaction(kind: int, data: dict, *, number: int, user: dict = SECRETARY, roles: list[str] | None = None,
                 message: dict | None = None) -> dict:  # fmt: skip
    payload = _command("x", number=number, user=user, roles=roles if roles is not None else [SECRETARIAT_ROLE])
    payload["type"] = kind
    payload["data"] = data
    if message is not None:
        payload["message"] = message
    return payload


async def _draft(platform, fake, fields: dict[str, str]) -> dict:
    """The secretariat opens /rmo announce and submits `fields`: the interaction response to the form."""
    platform.parse("INTERACTION_CREATE", _command("announce", user=SECRETARY, roles=[SECRETARIAT_ROLE], number=5))
    await until(lambda: fake.callbacks, what="the form")
    submit = {"custom_id": fake.callbacks[0]["data"]["custom_id"],
              "components": [{"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in fields.items()]}  # fmt: skip
    platform.parse("INTERACTION_CREATE", _interaction(5, submit, number=6))
    await until(lambda: len(fake.callbacks) >= 2, what="the answer to the form")
    return fake.callbacks[1]


async def test_secretariat_announces_from_discord_with_a_preview(discord_bot, discord_core):
    """/rmo announce opens a form; its preview shows Discord, Slack and e-mail; the button queues the post."""
    platform, fake = discord_bot
    outbox = discord_core.store.outbox
    platform.parse("INTERACTION_CREATE", _command("announce", user=SECRETARY, roles=[SECRETARIAT_ROLE], number=5))
    await until(lambda: fake.callbacks, what="the form")
    form = fake.callbacks[0]
    assert form["type"] == 9  # MODAL
    assert form["data"]["custom_id"] == "rmo-announce:445"  # one form per interaction
    assert form["data"]["title"] == "お知らせの作成"  # in the asker's language only
    assert [c["components"][0]["label"] for c in form["data"]["components"]] == [
        "件名", "本文", "対象ブロック（例：kinki, kyushu）"]  # fmt: skip

    fields = {
        "rmo-title": "【九州ブロック】臨時会議のお知らせ",
        "rmo-body": "@everyone 臨時会議を開催します。「*重要*」 https://example.jp/kyushu_extra_meeting",
        "rmo-blocks": "kyushu",
    }
    submit = {"custom_id": form["data"]["custom_id"],
              "components": [{"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in fields.items()]}  # fmt: skip
    platform.parse("INTERACTION_CREATE", _interaction(5, submit, number=6))
    await until(lambda: len(fake.callbacks) >= 2, what="the preview")
    preview = fake.callbacks[1]["data"]
    titles = [e.get("title") for e in preview["embeds"]]
    assert titles[0] == "【九州ブロック】臨時会議のお知らせ"
    assert titles[1:] == ["Slack", "メール"]
    assert preview["flags"] & 64
    assert "Slackでは1件、Discordでは1件のメッセージになります" in preview["content"]
    assert_discord_message(preview)
    slack_view = preview["embeds"][1]["description"]
    assert "「\\*重要\\*」 https://example.jp/kyushu_extra_meeting" in slack_view  # shown as written, URL whole
    button = preview["components"][0]["components"][0]
    assert button["label"] == "投稿する"
    assert outbox.pending() == []  # nothing goes out before the button

    message = {"id": "6006", "channel_id": "900", "content": "プレビュー", "author": {"id": "1001", "username": "rmo-bot",
               "discriminator": "0", "avatar": None, "bot": True}, "attachments": [], "embeds": [], "mentions": [],
               "mention_roles": [], "mention_everyone": False, "pinned": False, "tts": False, "type": 20, "flags": 64,
               "timestamp": "2026-11-25T01:00:00.000000+00:00", "edited_timestamp": None}  # fmt: skip
    platform.parse("INTERACTION_CREATE", _interaction(3, {"custom_id": button["custom_id"], "component_type": 2},
                                                      number=7, message=message))  # fmt: skip
    await until(lambda: len(fake.callbacks) >= 3, what="the confirmation")
    assert "投稿しました" in fake.callbacks[2]["data"]["content"]
    assert {(d.platform, d.channel) for d in outbox.pending()} == {("discord", "900")}
    stored = discord_core.store.announcements.get(button["custom_id"].split(":", 1)[1])
    assert stored is not None
    assert stored.blocks == ("kyushu",)
    assert stored.source == "chat"


async def test_a_member_cannot_post_a_draft_and_a_long_preview_fits(discord_bot, discord_core):
    """A 3,000-character draft previews within Discord's 6,000-character limit; only the secretariat's click posts."""
    platform, fake = discord_bot
    outbox = discord_core.store.outbox
    preview = await _draft(platform, fake, {"rmo-title": "長いお知らせ", "rmo-body": "本文。" * 1000, "rmo-blocks": ""})
    assert preview["type"] == 4, preview  # accepted by the fake, which refuses more than 6,000 characters
    button = preview["data"]["components"][0]["components"][0]
    message = {"id": "6008", "channel_id": "900", "content": "", "author": USER, "attachments": [], "embeds": [],
               "mentions": [], "mention_roles": [], "mention_everyone": False, "pinned": False, "tts": False,
               "type": 20, "flags": 64, "timestamp": "2026-11-25T01:00:00.000000+00:00", "edited_timestamp": None}  # fmt: skip
    platform.parse("INTERACTION_CREATE", _interaction(3, {"custom_id": button["custom_id"], "component_type": 2},
                                                      number=7, user=USER, roles=[], message=message))  # fmt: skip
    await until(lambda: len(fake.callbacks) >= 3, what="the refusal")
    assert "事務局の方だけ" in fake.callbacks[2]["data"]["content"]
    assert outbox.pending() == []


async def test_discord_comes_back_after_a_failure(discord_bot):
    """After its client closed (a failed run), the platform logs in again with a fresh client."""
    platform, fake = discord_bot
    await platform.client.close()
    stop = asyncio.Event()
    logins = fake.logins
    running = asyncio.create_task(platform.run(stop))
    await until(lambda: fake.logins > logins, what="a second login")
    stop.set()  # the fake has no gateway behind its URL: discord.py keeps retrying on loopback until stopped
    await asyncio.wait_for(running, 30)
    assert fake.logins == logins + 1
    assert platform.client.is_closed()


async def test_subscribing_from_discord_sends_the_confirmation_only(discord_bot, tmp_path):
    """/rmo subscribe EMAIL answers privately and the same for anyone, mails a confirmation link (nothing
    else), and /rmo unsubscribe mails the link to the mailbox itself, in the member's language."""
    platform, fake = discord_bot
    address = [{"type": 3, "name": "email", "value": "member@example.jp"}]
    platform.parse("INTERACTION_CREATE", _command("subscribe", address, number=1))
    platform.parse("INTERACTION_CREATE", _command("subscribe", address, user=SECRETARY, number=2))
    platform.parse("INTERACTION_CREATE", _command("unsubscribe", address, locale="en-US", number=3))
    await until(lambda: len(fake.callbacks) >= 3, what="three interaction responses")
    by_id = {c["id"]: c["data"] for c in fake.callbacks}
    assert by_id["441"]["content"] == by_id["442"]["content"]
    assert "確認メール" in by_id["441"]["content"]
    assert all(data["flags"] & 64 for data in by_id.values())  # only the member sees the answer
    outbox = tmp_path / "d" / "outbox-mail"
    await until(lambda: outbox.is_dir() and len(list(outbox.glob("*.eml"))) >= 3, what="the three mails")
    mails = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in outbox.glob("*.eml")]
    assert {m["To"] for m in mails} == {"member@example.jp"}
    subjects = sorted(str(m["Subject"]) for m in mails)
    assert subjects == [
        "Stop the network digest",
        "【確認】お知らせメール配信の登録",
        "【確認】お知らせメール配信の登録",
    ]
    assert all("token=" in m.get_content() for m in mails)
    assert not fake.posted()  # nothing in the channel


async def test_a_draft_over_the_limit_is_refused_on_discord_as_everywhere(discord_bot, discord_core):
    """A submitted form whose body passes 3,000 characters gets the same refusal as on any platform, no preview."""
    platform, fake = discord_bot
    fields = {"rmo-title": "長すぎるお知らせ", "rmo-body": "本" * 3001, "rmo-blocks": "近畿ブロック"}
    refusal = (await _draft(platform, fake, fields))["data"]
    assert refusal["content"] == "本文は3000文字までです（いまは3001文字です）。"
    assert "components" not in refusal or not refusal["components"]  # no "post" button
    assert discord_core.store.outbox.pending() == []


async def test_the_gateway_is_the_configured_apis_not_discords(discord_bot):
    """The platform asks the configured API where its gateway is and connects there (never to Discord's own),
    identifying with the bot's token, until it is ready."""
    platform, fake = discord_bot
    await platform.client.close()
    fake.serve_gateway = True
    stop = asyncio.Event()
    running = asyncio.create_task(platform.run(stop))
    await until(lambda: platform.client.is_ready(), what="READY from the fake gateway")  # noqa: PLW0108 - a new client
    stop.set()
    await asyncio.wait_for(running, 30)
    assert fake.gateway_dials[0].startswith("/gateway?v=10&encoding=json")
    assert [i["token"] for i in fake.identified] == ["discord-test-token"]


async def test_healthz_tells_a_refused_token_apart_from_a_connected_gateway(tmp_path, fake_discord, discord_core):
    """/healthz's Discord state is "failed" while the token is refused (also while the supervisor waits to try
    again) and "connected" once the gateway is up."""
    board = HealthBoard(discord_core)
    platform = DiscordPlatform(discord_core, sync_state=tmp_path / "sync", link=board.link("discord"))
    board.states["discord"] = "running"  # as the supervisor says while run() runs
    assert board.report()["discord"] == "connecting"
    fake_discord.refuse_logins = True
    stop = asyncio.Event()
    running = asyncio.create_task(platform.run(stop))
    with pytest.raises(PlatformLoginError, match="DISCORD_TOKEN"):  # the supervisor tries again in a minute
        await running
    assert board.report()["discord"] == "failed: Discord refused the bot token"
    board.states["discord"] = "restarting after PlatformLoginError"  # as the supervisor says meanwhile
    assert board.report()["discord"] == "failed: Discord refused the bot token"
    board.states["discord"] = "running"
    fake_discord.refuse_logins, fake_discord.serve_gateway = False, True
    stop = asyncio.Event()
    running = asyncio.create_task(platform.run(stop))
    await until(lambda: board.report()["discord"] == "connected", what="READY from the fake gateway")
    stop.set()
    await running


async def test_the_secretariat_adds_an_event_with_the_discord_form(discord_bot, discord_core):
    """/rmo event add opens a five-field form; submitted, the event is on the calendar and the answer is
    private; a member's /rmo event is refused privately."""
    platform, fake = discord_bot
    add = [{"type": 3, "name": "text", "value": "add"}]
    member = _command("event", add, number=8)
    platform.parse("INTERACTION_CREATE", member)
    await until(lambda: fake.callbacks, what="the refusal")
    assert "事務局の方だけ" in fake.callbacks[0]["data"]["content"]
    assert fake.callbacks[0]["data"]["flags"] & 64
    platform.parse("INTERACTION_CREATE", _command("event", add, user=SECRETARY, roles=[SECRETARIAT_ROLE], number=9))
    await until(lambda: len(fake.callbacks) >= 2, what="the form")
    form = fake.callbacks[1]
    assert form["type"] == 9  # MODAL
    fields = {"rmo-event-title": "九州ブロック会議（臨時）", "rmo-event-when": "2027-03-17 13:30-16:00",
              "rmo-event-block": "kyushu", "rmo-event-venue": "長崎市役所", "rmo-event-registration_url": ""}  # fmt: skip
    submit = {"custom_id": form["data"]["custom_id"],
              "components": [{"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in fields.items()]}  # fmt: skip
    platform.parse("INTERACTION_CREATE", _interaction(5, submit, number=10))
    await until(lambda: len(fake.callbacks) >= 3, what="the outcome")
    assert "登録しました：九州ブロック会議（臨時）" in fake.callbacks[2]["data"]["content"]
    event = discord_core.store.events.get("kyushu-2027-03-17")
    assert (event.block, event.source, event.venue.description) == ("kyushu", "chat", "長崎市役所")
