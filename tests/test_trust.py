"""Trust at the intake: only the secretariat is relayed as the secretariat, whatever a member writes."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from tests.conftest import NOW
from tests.helpers import rmo_bot, stored_bytes

LIST = "announce@rmo-network.example.jp"
SECRETARIAT = "jimukyoku@rmo-network.example.jp"


def _post(
    from_: str,
    *,
    reply_to: str | None = None,
    cc: str | None = None,
    message_id: str = "<t-1@x.jp>",
    subject: str = "[RMO お知らせ] 臨時総会のお知らせ",
) -> bytes:
    message = EmailMessage()
    message["From"] = from_
    message["To"] = LIST
    if reply_to:
        message["Reply-To"] = reply_to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["List-Id"] = "RMO お知らせ <announce.rmo-network.example.jp>"
    message["List-Post"] = f"<mailto:{LIST}>"
    message["Message-ID"] = message_id
    message.set_content("臨時総会を開催します。")
    return message.as_bytes()


@pytest.fixture
def core(tmp_path):
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[mail.intake]\nlist_ids = ["announce.rmo-network.example.jp"]\nallowed_senders = ["{SECRETARIAT}"]\n'
        'list_addresses = ["announce-owner@rmo-network.example.jp"]\n',
        encoding="utf-8",
    )
    with Core.open(load_config(config_file, environ={}), tmp_path / "d", FrozenClock(NOW)) as opened:
        yield opened


@pytest.mark.parametrize("header", ["reply_to", "cc"])
def test_a_member_writing_via_in_the_name_is_not_the_secretariat(core, header):
    """A member's From "Taro via RMO" with the secretariat in Reply-To or Cc is refused as the member, not relayed."""
    raw = _post('"Taro via RMO お知らせ" <member@member.example>', **{header: SECRETARIAT})
    (result,) = core.intake.process_batch([(raw, NOW, None)])
    assert result.status == "rejected"
    assert "member@member.example" in (result.reason or "")
    assert core.store.announcements.recent(5) == []
    assert core.store.outbox.pending() == []


@pytest.mark.parametrize("list_from", [LIST, "announce-owner@rmo-network.example.jp"])
def test_the_lists_own_dmarc_rewrite_is_unwrapped(core, list_from):
    """Mail From the list's own address (List-Post, or a configured one) names its author from Reply-To."""
    raw = _post(f'"事務局 via RMO お知らせ" <{list_from}>', reply_to=f"事務局 <{SECRETARIAT}>")
    (result,) = core.intake.process_batch([(raw, NOW, None)])
    assert result.status == "accepted", result.reason
    assert result.announcement is not None
    assert result.announcement.sender == SECRETARIAT
    assert result.announcement.sender_name == "事務局"


async def test_the_slack_usergroup_secretariat_is_known_right_after_boot(tmp_path):
    """Twenty seconds after the machine booted, a member of the secretariat's user group may announce."""
    from bot.platforms.slack.adapter import SlackPlatform
    from tests.fakes import FakeSlack

    fake = FakeSlack()
    await fake.start()
    fake.usergroup_members = ["UGROUP"]
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[slack]\nmode = "http"\napi_base_url = "{fake.base_url}"\nsecretariat_usergroup = "S1"\n', encoding="utf-8"
    )
    secrets = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s"}
    try:
        with Core.open(load_config(config_file, environ=secrets), tmp_path / "d", FrozenClock(NOW)) as opened:
            slack = SlackPlatform(opened, monotonic=lambda: 20.0)
            assert await slack.is_secretariat("UGROUP")
            assert not await slack.is_secretariat("UMEMBER")
    finally:
        await fake.stop()


@pytest.mark.parametrize("email", ["a|b@example.jp", "|@example.jp", "x|1|2@example.jp"])
def test_an_address_with_a_bar_confirms_and_unsubscribes(core, email):
    """Every address the form accepts round-trips through its signed links, "|" included."""
    token = core.digests.request(email, NOW)
    assert token is not None
    assert core.digests.confirm(token, NOW)
    assert core.store.subscribers.get(email).confirmed
    assert core.digests.unsubscribe(core.digests.unsubscribe_token(email, NOW), NOW)
    assert core.store.subscribers.get(email).unsubscribed


def test_a_second_text_under_the_same_message_id_is_kept_not_dropped(core):
    """A post re-sent with the same Message-ID but another text is quarantined with the reason; a true
    re-delivery stays a silent duplicate; released, the second text goes out as a post of its own."""
    original = _post(f"事務局 <{SECRETARIAT}>", message_id="<same@x.jp>")
    changed = original.replace("臨時総会を開催します。".encode(), "臨時総会は中止します。".encode())
    assert changed != original
    (first,) = core.intake.process_batch([(original, NOW, None)])
    (again,) = core.intake.process_batch([(original, NOW, None)])
    (other,) = core.intake.process_batch([(changed, NOW, None)])
    assert (first.status, again.status, other.status) == ("accepted", "duplicate", "quarantined")
    assert "same Message-ID" in other.reason
    kept = core.store.quarantine.get(other.quarantine_id)
    assert kept is not None
    assert kept.reason == other.reason
    (released,) = core.intake.process_batch([(core.store.quarantine.raw(other.quarantine_id), NOW, None)], trusted=True)
    assert released.status == "accepted"
    assert released.announcement.id != first.announcement.id
    assert "中止" in core.store.announcements.get(released.announcement.id).body


async def test_chat_cannot_flood_a_mailbox_with_link_mails(chat):
    """Thirty `/rmo subscribe` and `/rmo unsubscribe` naming one address mail it at most three links an hour,
    and every asker gets the same answer."""
    answers = {(await chat.send("/rmo subscribe target@example.jp")).text for _ in range(30)}
    await chat.mail_sent()
    outbox = chat.core.store.directory / "outbox-mail"
    assert len(list(outbox.glob("*.eml"))) == 3
    assert len(answers) == 1
    chat.core.digests.add_confirmed("member@example.jp", NOW, lang="ja", frequency="daily", blocks=())
    left = {(await chat.send("/rmo unsubscribe member@example.jp")).text for _ in range(30)}
    await chat.mail_sent()
    assert len(list(outbox.glob("*.eml"))) == 6
    assert len(left) == 1
    chat.clock.moment = NOW + timedelta(hours=1, minutes=1)
    await chat.send("/rmo subscribe target@example.jp")
    await chat.mail_sent()
    assert len(list(outbox.glob("*.eml"))) == 7  # an hour later the address may be mailed again


def test_refused_mail_is_kept_bounded_and_releasable_mail_whole(tmp_path):
    """Of refused mail only the start is kept, all kept mail stays under its cap (oldest refused first), old
    mail is dropped, `quarantine list` says what was cut, and unreadable list posts are kept whole."""
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[mail.intake]\nlist_ids = ["announce.rmo-network.example.jp"]\nallowed_senders = ["{SECRETARIAT}"]\n'
        "keep_refused_bytes = 4096\nquarantine_max_bytes = 40000\nquarantine_days = 30\n",
        encoding="utf-8",
    )
    big = "長い本文です。\n" * 20_000  # far over 4,096 bytes
    with Core.open(load_config(config_file, environ={}), tmp_path / "d", FrozenClock(NOW)) as core:
        refused = [
            _post('"Stranger" <stranger@elsewhere.example>', message_id=f"<r-{n}@x.jp>").replace(
                "臨時総会を開催します。".encode(), big.encode()
            )
            for n in range(12)
        ]
        results = [core.intake.process_batch([(raw, NOW + timedelta(minutes=n), None)])[0] for n, raw in
                   enumerate(refused)]  # fmt: skip
        assert {r.status for r in results} == {"rejected"}
        box = core.store.quarantine
        kept = box.list()
        assert all(q.truncated and q.kept == 4096 and q.size > 100_000 for q in kept)
        assert all(len(box.raw(q.id)) == 4096 for q in kept)
        assert sum(q.kept for q in kept) <= 40000
        assert [q.id for q in kept] == [r.quarantine_id for r in results][-len(kept) :]  # the newest stayed
    listed = rmo_bot("quarantine", "list", "--config", config_file, "--data-dir", tmp_path / "d").stdout
    assert listed.count("(first 4,096 of ") == len(kept)
    with Core.open(load_config(config_file, environ={}), tmp_path / "d", FrozenClock(NOW)) as core:
        box = core.store.quarantine
        unreadable = _post(f"事務局 <{SECRETARIAT}>", message_id="<bin@x.jp>").replace(
            "臨時総会を開催します。".encode(), b"\x00\x01\x02\x03\x04\x05" * 1000
        )
        (whole,) = core.intake.process_batch([(unreadable, NOW + timedelta(days=31), None)])
        assert whole.status == "quarantined"
        assert box.raw(whole.quarantine_id) == unreadable
        assert [q.id for q in box.list()] == [whole.quarantine_id]  # a month later the refused ones are gone
        assert not any((tmp_path / "d" / "quarantine").glob("r*.eml"))
    listed = rmo_bot("quarantine", "list", "--config", config_file, "--data-dir", tmp_path / "d").stdout
    assert "bytes kept" not in listed
    assert whole.quarantine_id in listed


async def test_unsubscribe_answers_before_its_mail_is_sent(tmp_path):
    """`/rmo unsubscribe` for a subscriber answers while the mail server has not yet taken the link mail (so
    the answer takes no longer than for a stranger), and the mail still goes out afterwards."""
    import asyncio

    from aiosmtpd.smtp import SMTP

    from bot.testing import ChatHarness
    from tests.botproc import free_port

    release, received = asyncio.Event(), []

    class Holding:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            await release.wait()
            received.extend(envelope.rcpt_tos)
            return "250 OK"

    port = free_port()
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(Holding()), "127.0.0.1", port)
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[mail.outbound]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\nfrom = "rmo-bot <bot@example.jp>"\n',
        encoding="utf-8",
    )
    try:
        with ChatHarness.open(tmp_path / "d", now=NOW, config=load_config(config_file, environ={})) as chat:
            chat.core.digests.add_confirmed("member@example.jp", NOW, lang="ja", frequency="daily", blocks=())
            member = await chat.send("/rmo unsubscribe member@example.jp")
            stranger = await chat.send("/rmo unsubscribe stranger@example.jp")
            assert member.text == stranger.text
            assert received == []  # both answered while the server still holds the mail
            release.set()
            await chat.mail_sent()
    finally:
        server.close()
    assert received == ["member@example.jp"]


def test_the_digests_mailto_unsubscribe_works_at_the_intake(tmp_path):
    """Mail to the address a digest's List-Unsubscribe names, with its subject, unsubscribes that subscriber;
    a forged token changes nothing; `subscribers list --json` shows the result."""
    import json
    import re
    from email import message_from_bytes, policy

    from bot.mail.compose import DigestRenderer
    from storage.records import Announcement

    config_file = tmp_path / "config.toml"
    config_file.write_text(
        '[mail.intake]\naddresses = ["rmo-bot@rmo-network.example.jp"]\n'
        '[mail.outbound]\nfrom = "rmo-bot <rmo-bot@rmo-network.example.jp>"\n',
        encoding="utf-8",
    )
    with Core.open(load_config(config_file, environ={}), tmp_path / "d", FrozenClock(NOW)) as core:
        core.digests.add_confirmed("member@example.jp", NOW - timedelta(days=2), lang="ja", frequency="daily",
                                   blocks=())  # fmt: skip
        core.store.announcements.add_many([Announcement(id="a1", message_id="m1@x", subject="お知らせ", body="本文",
                                                        sender=SECRETARIAT, received_at=NOW - timedelta(hours=1))])  # fmt: skip
        digest = core.digests.compose(core.store.subscribers.get("member@example.jp"), NOW)
        _, raw = DigestRenderer(core.config).render(digest, NOW)
        header = message_from_bytes(raw, policy=policy.default)["List-Unsubscribe"]
        address, subject = re.search(r"<mailto:([^?>]+)\?subject=([^>]+)>", str(header)).groups()
        subject = subject.replace("%20", " ")

        def request(subject_line: str, message_id: str) -> bytes:
            mail = EmailMessage()
            mail["From"] = "member@example.jp"
            mail["To"] = address
            mail["Subject"] = subject_line
            mail["Message-ID"] = message_id
            mail.set_content("")
            return f"Delivered-To: {address}\r\n".encode() + mail.as_bytes()

        (forged,) = core.intake.process_batch([(request("unsubscribe " + "A" * 40, "<f@x>"), NOW, None)])
        assert not core.store.subscribers.get("member@example.jp").unsubscribed
        (asked,) = core.intake.process_batch([(request(subject, "<u@x>"), NOW, None)])
        assert asked.status == forged.status == "rejected"
        assert asked.reason == "an unsubscribe request by mail: done"
        assert core.store.subscribers.get("member@example.jp").unsubscribed
        assert core.store.outbox.pending() == []
    listed = rmo_bot("subscribers", "list", "--json", "--config", config_file, "--data-dir", tmp_path / "d")
    (row,) = json.loads(listed.stdout)
    assert row == {"email": "member@example.jp", "lang": "ja", "frequency": "daily", "blocks": [],
                   "confirmed": True, "suspended": False, "unsubscribed": True}  # fmt: skip


@pytest.mark.parametrize("size", [100_000, 3_000_000])
def test_a_huge_post_becomes_a_bounded_number_of_messages(core, size):
    """However long a post, each channel gets at most ten messages within the platform's limits, the text in
    order, and the last one says how much was shown and where the whole text is."""
    from bot.platforms.common import MAX_PARTS
    from bot.platforms.discord.render import render_discord
    from bot.platforms.slack.render import render_slack
    from tests.platform_checks import assert_messages_fit, slack_shown

    paragraph = "近畿ブロック会議のご案内です。&<>*_#\n" * 20 + "\n"
    body = (paragraph * (size // len(paragraph) + 1))[:size]
    raw = _post(f"事務局 <{SECRETARIAT}>", message_id=f"<huge-{size}@x.jp>").replace(
        "臨時総会を開催します。".encode(), body.encode()
    )
    (result,) = core.intake.process_batch([(raw, NOW, None)])
    announcement = result.announcement
    assert announcement is not None
    slack = render_slack(announcement, "C1", core.config.timezone, "d1")
    discord = render_discord(announcement, "900", core.config.timezone, "d2")
    assert 1 < len(slack) <= MAX_PARTS
    assert 1 < len(discord) <= MAX_PARTS
    assert_messages_fit(slack, discord)
    shown = "".join(sections := [slack_shown(b) for m in slack for b in m["blocks"] if b["type"] == "rich_text"])
    assert shown.replace("\n", "")[:1000] == announcement.body.replace("\n", "")[:1000]
    if size > 100_000:
        assert f"全文 {len(announcement.body):,} 文字のうち" in sections[-1]
        assert "全文 " in discord[-1]["embeds"][0]["description"]


def test_a_big_text_is_kept_in_a_file_of_its_own_and_read_back_whole(core, tmp_path):
    """A post's big text is stored beside the month's file, not in it (later writes to that file stay small),
    and comes back whole after a restart."""
    from storage.records import BIG_BODY

    body = ("近畿ブロック会議の資料です。" * 40 + "\n") * (BIG_BODY // 500)
    raw = _post(f"事務局 <{SECRETARIAT}>", message_id="<big-1@x.jp>").replace(
        "臨時総会を開催します。".encode(), body.encode()
    )
    small = _post(f"事務局 <{SECRETARIAT}>", message_id="<small-1@x.jp>")
    big_result, small_result = core.intake.process_batch([(raw, NOW, None), (small, NOW, None)])
    assert big_result.status == small_result.status == "accepted"
    assert big_result.announcement is not None
    assert big_result.announcement.body_ref
    folder = tmp_path / "d" / "announcements"
    (month,) = {p.name.split(".")[0] for p in folder.glob("*.json*")}  # its snapshot, or its journal so far
    assert len(stored_bytes(folder / f"{month}.json")) < 10_000
    assert (folder / "bodies" / big_result.announcement.body_ref).read_text(encoding="utf-8").startswith(body[:100])
    announcement_id = big_result.announcement.id
    core.store.close()
    with Core.open(core.config, tmp_path / "d", FrozenClock(NOW)) as reopened:
        again = reopened.store.announcements.get(announcement_id)
        assert again is not None
        assert again.body == big_result.announcement.body
        (re_sent,) = reopened.intake.process_batch([(raw, NOW, None)])
        assert re_sent.status == "duplicate"


async def test_a_big_post_is_read_in_a_worker_process_as_it_would_be_here(core):
    """The worker process (a fresh interpreter) reads a big post's text exactly as the bot itself does."""
    from bot.mail.reading import BIG_POST, TextReader
    from handlers.intake import MailText, read_text

    body = "東海ブロック会議の報告です。\n" * (BIG_POST // 20)
    raw = _post(f"事務局 <{SECRETARIAT}>", message_id="<big-2@x.jp>").replace(
        "臨時総会を開催します。".encode(), body.encode()
    )
    small = _post(f"事務局 <{SECRETARIAT}>", message_id="<small-2@x.jp>")
    reader = TextReader()
    try:
        big_text, small_text = await reader.texts([raw, small])
    finally:
        reader.close()
    assert small_text is None  # read in a thread by the caller
    here = read_text(raw)
    assert isinstance(big_text, MailText)
    assert isinstance(here, MailText)
    assert (big_text.mail.subject, big_text.body, big_text.problem) == (here.mail.subject, here.body, None)
    (result,) = core.intake.process_batch(
        [(raw, NOW, None)], readings=core.intake.read_batch([(raw, NOW, None)], texts=[big_text])
    )
    assert result.status == "accepted"
    assert result.announcement.body.startswith("東海ブロック会議")


async def test_the_loop_watch_measures_a_stall_and_says_so_once(caplog):
    """A callback that blocks the event loop shows up as the longest stall, with one warning line."""
    import asyncio
    import time

    from bot.loop_watch import LoopWatch

    watch = LoopWatch(interval=0.01, warn_after=0.2)
    stop = asyncio.Event()
    running = asyncio.create_task(watch.run(stop))
    await asyncio.sleep(0.05)
    for _ in range(2):
        time.sleep(0.3)  # noqa: ASYNC251 - the very kind of work that must never run on the loop
        await asyncio.sleep(0.05)
    stop.set()
    await running
    assert watch.longest >= 0.25
    assert watch.figures()["loop_stall_ms"] >= 250
    assert [r.message for r in caplog.records if "event loop was blocked" in r.message][:2] == [
        "the event loop was blocked for 0.3 s (a big post, a slow disk?)"
    ]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("[rmo-network:00002] 近畿ブロック会議のご案内", "近畿ブロック会議のご案内"),
        ("[kinki-ml 123] 近畿ブロック会議のご案内", "近畿ブロック会議のご案内"),
        ("Re: [rmo-network:00002] 近畿ブロック会議のご案内", "Re: 近畿ブロック会議のご案内"),
        ("(elena 01234) 近畿ブロック会議のご案内", "近畿ブロック会議のご案内"),
        ("[00123] 近畿ブロック会議のご案内", "近畿ブロック会議のご案内"),
        ("[RMO事務局] [お知らせ:0042] 研修会", "研修会"),
        ("[近畿ブロック] 会議のご案内", "[近畿ブロック] 会議のご案内"),
        ("[2027] 年間計画", "[2027] 年間計画"),
        ("[研修 3] 地域運営組織の研修", "[研修 3] 地域運営組織の研修"),
        ("[お知らせ 00042] 研修会", "研修会"),
        ("【1月】ブロック会議", "【1月】ブロック会議"),
        ("(再送) 研修会のご案内", "(再送) 研修会のご案内"),
    ],
)
def test_numbered_and_configured_subject_tags_are_the_lists(tmp_path, subject, expected):
    """A leading numbered tag is a list manager's whatever name it carries, and so is a tag configured in
    `[mail.intake] subject_tags`; other bracketed words are the secretariat's and stay."""
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[mail.intake]\nlist_ids = ["announce.rmo-network.example.jp"]\nallowed_senders = ["{SECRETARIAT}"]\n'
        'subject_tags = ["[RMO事務局]"]\n',
        encoding="utf-8",
    )
    raw = _post(f"事務局 <{SECRETARIAT}>", subject=subject)
    with Core.open(load_config(config_file, environ={}), tmp_path / "d", FrozenClock(NOW)) as core:
        (result,) = core.intake.process_batch([(raw, NOW, None)])
    assert result.status == "accepted"
    assert result.announcement.subject == expected
