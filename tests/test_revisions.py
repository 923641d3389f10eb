"""Corrections and withdrawals on a real store: who may, what is queued, what the digest and the pages show,
and how the intake reads replies and 【訂正】 posts."""

from __future__ import annotations

import json
from datetime import timedelta
from email.message import EmailMessage

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import HealthBoard, build_components
from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from handlers.commands import Asker, Notice, parse_command
from storage.records import MessageRef
from storage.subscribers import Subscriber
from tests.botproc import LIST_ID, SECRETARIAT
from tests.conftest import NOW
from tests.helpers import rmo_bot

MEMBER = Asker("slack", "U1")
DESK = Asker("slack", "USEC", secretariat=True)


@pytest.fixture
def core(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[console]\nenabled = "off"\n[http]\npublic_url = "https://rmo.example.jp"\n'
        f'[mail.intake]\nlist_ids = ["{LIST_ID}"]\nallowed_senders = ["{SECRETARIAT}"]\n'
        '[slack]\ndefault_channels = ["C111"]\nblock_channels = { kinki = "C222" }\n'
        '[discord]\ndefault_channels = ["900"]\n',
        encoding="utf-8",
    )
    with Core.open(load_config(config, environ={}), tmp_path / "d", FrozenClock(NOW)) as opened:
        yield opened


def mail(number: int, subject: str, body: str, *, reply_to: int | None = None, references: tuple[int, ...] = ()):
    message = EmailMessage()
    message["From"] = f"事務局 <{SECRETARIAT}>"
    message["To"] = "announce@rmo-network.example.jp"
    message["Subject"] = subject
    message["List-Id"] = f"RMO <{LIST_ID}>"
    message["Message-ID"] = f"<post-{number}@rmo-network.example.jp>"
    if reply_to is not None:
        message["In-Reply-To"] = f"<post-{reply_to}@rmo-network.example.jp>"
    if references:
        message["References"] = " ".join(f"<post-{n}@rmo-network.example.jp>" for n in references)
    message.set_content(body)
    return message.as_bytes()


def ingest(core: Core, raw: bytes, minutes: int = 0):
    (result,) = core.intake.process_batch([(raw, NOW + timedelta(minutes=minutes), None)])
    return result


def test_replies_thread_under_the_first_post_of_the_discussion(core):
    """A reply names its first post; a reply to the reply names the same first post; strangers none."""
    first = ingest(core, mail(1, "研修会のご案内", "本文"))
    second = ingest(core, mail(2, "Re: 研修会のご案内", "質問です", reply_to=1), 1)
    third = ingest(core, mail(3, "Re: Re: 研修会のご案内", "回答です", reply_to=2, references=(1, 2)), 2)
    stranger = ingest(core, mail(4, "Re: 別の話", "…", reply_to=999), 3)
    assert second.announcement.thread_of == first.announcement.id
    assert third.announcement.thread_of == first.announcement.id
    assert stranger.announcement.thread_of == ""
    assert core.store.announcements.find_message("post-2@rmo-network.example.jp").id == second.announcement.id


def test_a_correction_post_edits_the_first_instead_of_posting_again(core):
    """A 【訂正】 post naming the first (by reply, by id, or by subject) queues edits, once, and no new post."""
    first = ingest(core, mail(1, "総会のご案内", "2月1日")).announcement
    by_reply = ingest(core, mail(2, "【訂正】総会のご案内", "2月8日", reply_to=1), 1)
    assert by_reply.status == "accepted"
    assert by_reply.reason == f"a correction of {first.id}: edited in place"
    assert {(d.platform, d.channel, d.action) for d in by_reply.deliveries} == {
        ("slack", "C111", "edit"), ("discord", "900", "edit"),
    }  # fmt: skip
    assert ingest(core, mail(2, "【訂正】総会のご案内", "2月8日", reply_to=1), 2).status == "duplicate"
    assert core.store.announcements.count() == 1
    assert core.store.announcements.get(first.id).body == "2月8日"
    by_id = ingest(core, mail(3, "【訂正】総会のご案内（日程）", f"{first.id} の訂正です。2月15日"), 3)
    assert (by_id.announcement.id, by_id.announcement.subject) == (first.id, "総会のご案内（日程）")
    by_subject = ingest(core, mail(4, "【訂正】 総会のご案内（日程）", "2月22日"), 4)
    assert by_subject.announcement.id == first.id
    assert core.store.announcements.get(first.id).body == "2月22日"
    assert len({d.id for d in core.store.outbox.pending()}) == 2 + 3 * 2
    unknown = ingest(core, mail(5, "【訂正】存在しない投稿", "…"), 5)
    assert unknown.revision is None
    assert unknown.announcement.subject == "【訂正】存在しない投稿"  # nothing to correct: relayed as it is


async def test_only_the_secretariat_withdraws_and_corrects_in_its_language(core):
    """A member is refused; the secretariat's withdrawal and correction are queued for each chat channel."""
    post = ingest(core, mail(1, "【近畿ブロック】会議のご案内", "近畿ブロック会議を開催します。")).announcement
    commands = core.commands
    refused = await commands.dispatch(parse_command(f"withdraw {post.id}", MEMBER))
    assert isinstance(refused, Notice)
    assert refused.text == "投稿の訂正・取り下げは事務局のみが行えます。"
    refused_en = await commands.dispatch(parse_command(f"correct {post.id} the new text", MEMBER))
    assert refused_en.text == "Only the secretariat can correct or withdraw a post."
    usage = await commands.dispatch(parse_command("correct", DESK, lang_hint="en"))
    assert usage.key == "revise.usage.correct"
    corrected = await commands.dispatch(parse_command(f"correct {post.id} 会場が変わりました。", DESK))
    assert corrected.text == (
        f"投稿「【近畿ブロック】会議のご案内」（{post.id}）を訂正しました。3件のチャンネルで書き換えます。"
    )
    withdrawn = await commands.dispatch(parse_command(f"withdraw {post.id}", DESK, lang_hint="en"))
    assert withdrawn.text == (
        f"Post “【近畿ブロック】会議のご案内” ({post.id}) is withdrawn; it is being deleted from 3 channel(s)."
    )
    again = await commands.dispatch(parse_command(f"withdraw {post.id}", DESK))
    assert again.key == "revise.already_withdrawn"
    actions = [(d.action, d.channel) for d in core.store.outbox.pending() if d.action != "post"]
    assert actions == [("edit", "C111"), ("edit", "900"), ("edit", "C222"),
                       ("delete", "C111"), ("delete", "900"), ("delete", "C222")]  # fmt: skip
    unknown = await commands.dispatch(parse_command("withdraw a0000000000000000", DESK))
    assert unknown.text == "投稿 a0000000000000000 は見つかりません。"


async def test_the_digest_and_the_pages_show_the_correction_and_drop_the_withdrawn(core):
    """The digest and the post's page read the corrected text; a withdrawn post is gone from both (410)."""
    kept = ingest(core, mail(1, "総会のご案内", "2月1日に開催します。")).announcement
    gone = ingest(core, mail(2, "誤送信", "この投稿は誤りです。"), 1).announcement
    core.corrections.correct(kept.id, "2月8日に開催します。", "slack:USEC", NOW + timedelta(minutes=5))
    core.corrections.withdraw(gone.id, "slack:USEC", NOW + timedelta(minutes=6))
    digest = core.digests.compose(Subscriber("member@example.jp", confirmed=True), NOW + timedelta(hours=1))
    assert digest is not None
    assert [a.id for a in digest.announcements] == [kept.id]
    assert "2月8日に開催します。" in digest.text
    assert "2月1日" not in digest.text
    assert "誤送信" not in digest.text + digest.html
    http = next(c for c in build_components(core, HealthBoard(core)) if c.name == "http")
    async with TestClient(TestServer(http.web_app)) as client:  # type: ignore[attr-defined]
        page = await client.get(f"/announcements/{kept.id}")
        assert page.status == 200
        text = await page.text()
        assert "2月8日に開催します。" in text
        assert "訂正されました" in text
        withdrawn = await client.get(f"/announcements/{gone.id}?lang=en")
        assert withdrawn.status == 410
        assert "This post was withdrawn by the secretariat." in await withdrawn.text()
        front = await (await client.get("/")).text()
        assert "誤送信" not in front
        feed = await (await client.get("/feed.atom")).text()
        assert "誤送信" not in feed


def test_posted_messages_survive_a_reopen(core, tmp_path):
    """What each delivery became is on disk once committed, and read back by the next process."""
    core.store.posted.record("a1", "slack", "C111", (MessageRef("C111", "1.000001"), MessageRef("C111", "1.000002")))
    with core.store.mail_batch():
        core.store.posted.commit()
    core.close()
    again = Core.open(core.config, tmp_path / "d", FrozenClock(NOW))
    try:
        post = again.store.posted.get("a1", "slack", "C111")
        assert post is not None
        assert post.first == MessageRef("C111", "1.000001")
        assert len(post.parts) == 2
    finally:
        again.close()


def test_the_command_line_corrects_from_a_file_and_says_what_is_wrong(tmp_path):
    """`rmo-bot announcements correct ID --file F` corrects a stored post; a missing file or id is one clear line."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[console]\nenabled = "off"\n[mail.intake]\nlist_ids = ["{LIST_ID}"]\nallowed_senders = ["{SECRETARIAT}"]\n'
        '[slack]\ndefault_channels = ["C111"]\n',
        encoding="utf-8",
    )
    data = tmp_path / "data"
    eml = tmp_path / "post.eml"
    eml.write_bytes(mail(1, "総会のご案内", "2月1日に開催します。"))
    ingested = json.loads(rmo_bot("ingest", eml, "--json", "--config", config, "--data-dir", data).stdout)
    post_id = ingested["announcement"]["id"]
    text = tmp_path / "corrected.txt"
    text.write_text("2月8日に開催します。\n", encoding="utf-8")
    done = rmo_bot("announcements", "correct", post_id, "--file", text, "--subject", "総会のご案内（日程変更）",
                   "--lang", "en", "--config", config, "--data-dir", data)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"Post “総会のご案内（日程変更）” ({post_id}) is corrected; it is being updated in 1 channel(s)."
    )
    shown = json.loads(rmo_bot("announcements", "show", post_id, "--data-dir", data).stdout)
    assert (shown["subject"], shown["body"]) == ("総会のご案内（日程変更）", "2月8日に開催します。")
    assert shown["corrected_at"] is not None
    missing = rmo_bot("announcements", "correct", post_id, "--config", config, "--data-dir", data)
    assert missing.returncode == 1
    assert (
        missing.stderr.strip()
        == "rmo-bot: error: announcements correct needs --file FILE with the corrected text (UTF-8)"
    )
    unknown = rmo_bot("announcements", "withdraw", "a0000000000000000", "--config", config, "--data-dir", data)
    assert (unknown.returncode, unknown.stdout.strip()) == (1, "投稿 a0000000000000000 は見つかりません。")


def test_only_the_newest_posted_records_are_kept(tmp_path):
    """The posted-messages file keeps the newest records only, so it stays small however long the bot runs."""
    from tinydb import TinyDB

    from storage.posted import PostedMessages

    with TinyDB(tmp_path / "posted.json") as db:
        posted = PostedMessages(db, kept=3)
        for number in range(5):
            posted.record(f"a{number}", "slack", "C111", (MessageRef("C111", f"1.00000{number}"),))
        posted.record("a2", "slack", "C111", (MessageRef("C111", "2.000000"),))  # corrected: the newest now
        posted.record("a5", "slack", "C111", (MessageRef("C111", "1.000005"),))
        posted.commit()
        assert [p.announcement_id for p in PostedMessages(db).of("a2")] == ["a2"]
        assert [key for key in ("a0", "a1", "a2", "a3", "a4", "a5") if PostedMessages(db).get(key, "slack", "C111")] == [
            "a2", "a4", "a5",
        ]  # fmt: skip
