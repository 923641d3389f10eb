"""End to end, threads and revisions: `rmo-bot run` as a child against the fake Slack and Discord APIs — a
long post threads its parts, a reply on the list joins the first post's thread, a 【訂正】 post edits the first
one in place, and a withdrawal deletes it; a SIGKILL between parts doubles nothing."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import aiosmtplib
import pytest

from tests.botproc import BotProcess, write_config
from tests.helpers import rmo_bot
from tests.test_relay_e2e import post, until

if TYPE_CHECKING:
    from tests.fakes import FakeDiscord, FakeSlack

PAGES = "https://rmo.example.jp"
LONG = "\n\n".join(f"第{n}段落。" + "長い本文の続きです。" * 92 for n in range(50))[:46_000]  # 46,000 characters


@pytest.fixture
def bot(tmp_path, fakes):
    slack, discord = fakes
    config = write_config(
        tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url, public_url=PAGES
    )
    process = BotProcess(config, tmp_path / "data")
    process.start()
    yield process
    process.stop()


def reply(number: int, to: int, subject: str, body: str, *, chain: tuple[int, ...] = ()):
    message = post(number, subject, body)
    message["In-Reply-To"] = f"<post-{to}@rmo-network.example.jp>"
    message["References"] = " ".join(f"<post-{n}@rmo-network.example.jp>" for n in (*chain, to))
    return message


async def send(bot: BotProcess, message) -> None:
    await aiosmtplib.send(message, hostname="127.0.0.1", port=bot.port, timeout=30)


def slack_parts(slack: FakeSlack, channel: str) -> list[dict]:
    """Every message the channel holds now, top-level or in a thread."""
    return slack.messages.get(channel, [])


def delivered(slack: FakeSlack, discord: FakeDiscord, count: int = 1) -> bool:
    return len(slack_parts(slack, "C111")) >= count and len(discord.threads.messages) >= count


async def test_a_46000_character_post_gives_one_top_level_message_per_channel(fakes, bot):
    """A 46,000-character post is one top-level message per channel on both platforms, the rest in its thread."""
    assert len(LONG) >= 46_000
    slack, discord = fakes
    await send(bot, post(1, "長いお知らせ", LONG))
    # Ten parts each (MAX_PARTS): the last one says how much is shown and where the rest is.
    await until(lambda: len(slack.posted("C111")) >= 10 and len(discord.posted()) >= 10, what="every part")
    await asyncio.sleep(0.5)
    (top,) = slack.threads.top_level("C111")
    replies = slack.threads.thread("C111", top["ts"])
    assert len(replies) == len(slack.posted("C111")) - 1 == 9
    assert [c.get("thread_ts") for c in slack.posted("C111")] == [None] + [top["ts"]] * len(replies)
    assert top["reply_count"] == len(replies)
    assert f"{PAGES}/announcements/" in json.dumps(top["blocks"], ensure_ascii=False)
    (first,) = discord.threads.top_level("900")
    assert first["embeds"][0]["url"].startswith(f"{PAGES}/announcements/")
    assert [c["message"] for c in discord.called("start_thread")] == [first["id"]]
    rest = discord.threads.in_thread(first["id"])
    assert len(rest) == len(discord.posted()) - 1 == 9
    assert "(2/" in rest[0]["embeds"][0]["title"]


async def test_a_reply_lands_in_the_first_posts_thread_on_both(fakes, bot):
    """A list reply (In-Reply-To, then References) goes into the first post's thread on Slack and Discord."""
    slack, discord = fakes
    await send(bot, post(1, "研修会のご案内", "研修会を開催します。"))
    await until(lambda: delivered(slack, discord), what="the first post")
    await send(bot, reply(2, 1, "Re: 研修会のご案内", "会場は変更になりますか？"))
    await send(bot, reply(3, 2, "Re: Re: 研修会のご案内", "変更はありません。", chain=(1,)))
    await until(lambda: len(slack.posted("C111")) >= 3 and len(discord.posted("900")) >= 1
                and len(discord.posted()) >= 3, what="both replies")  # fmt: skip
    await asyncio.sleep(0.5)
    (top,) = slack.threads.top_level("C111")
    assert [m["text"].split("\n")[0] for m in slack.threads.thread("C111", top["ts"])] == [
        "Re: 研修会のご案内", "Re: Re: 研修会のご案内",
    ]  # fmt: skip
    (first,) = discord.threads.top_level("900")
    assert discord.threads.threads[first["id"]]["name"] == "研修会のご案内"
    titles = [m["embeds"][0]["title"] for m in discord.threads.in_thread(first["id"])]
    assert titles == ["Re: 研修会のご案内", "Re: Re: 研修会のご案内"]


async def test_a_correction_post_edits_the_first_on_both_and_the_page_shows_it(fakes, bot, tmp_path):
    """A 【訂正】 post answering the first one edits it in place on both platforms instead of posting again."""
    slack, discord = fakes
    await send(bot, post(1, "総会のご案内", "日時：2月1日 13:00"))
    await until(lambda: delivered(slack, discord), what="the first post")
    await send(bot, reply(2, 1, "【訂正】総会のご案内", "日時：2月8日 13:00（訂正）"))
    await until(lambda: slack.called("chat.update") and discord.called("edit"), what="the edits")
    await send(bot, reply(2, 1, "【訂正】総会のご案内", "日時：2月8日 13:00（訂正）"))  # a re-delivery
    await asyncio.sleep(1.0)
    assert len(slack.posted()) == 1
    assert len(discord.posted()) == 1
    (update,) = slack.called("chat.update")
    assert update["ts"] == slack.threads.top_level("C111")[0]["ts"]
    assert "2月8日" in slack.threads.top_level("C111")[0]["text"]
    (edit,) = discord.called("edit")
    assert "2月8日" in discord.threads.top_level("900")[0]["embeds"][0]["description"]
    assert edit["message"] == discord.threads.top_level("900")[0]["id"]
    bot.stop()
    listed = json.loads(rmo_bot("announcements", "list", "--json", "--data-dir", bot.data_dir).stdout)
    assert [(a["subject"], a["corrected_at"] is not None) for a in listed] == [("総会のご案内", True)]


async def test_a_withdrawal_deletes_every_part_on_both(fakes, bot):
    """`rmo-bot announcements withdraw` (while the bot is stopped) deletes the post and its thread on both,
    through a 500 and a 429."""
    slack, discord = fakes
    await send(bot, post(1, "長いお知らせ", LONG[:12_000]))
    await until(lambda: len(slack.posted("C111")) >= 4 and len(discord.posted()) >= 3, what="every part")
    await asyncio.sleep(0.5)
    bot.stop()
    (listed,) = json.loads(rmo_bot("announcements", "list", "--json", "--data-dir", bot.data_dir).stdout)
    done = rmo_bot("announcements", "withdraw", listed["id"], "--lang", "en", "--config", bot.config,
                   "--data-dir", bot.data_dir)  # fmt: skip
    assert "is withdrawn" in done.stdout
    slack.faults.script = ["500", "429"]  # the deletions are retried like posts, and done once
    slack.faults.retry_after = 1
    bot.start()
    await until(lambda: not slack.messages.get("C111") and not discord.threads.top_level("900")
                and not discord.threads.top_level("901"), what="every message deleted")  # fmt: skip
    assert slack.faults.script == []
    assert len({c["ts"] for c in slack.called("chat.delete")}) == len(slack.posted())
    assert {c["message"] for c in discord.called("delete")} == {c["id"] for c in discord.nonces.values()}
    assert json.loads(rmo_bot("announcements", "list", "--json", "--data-dir", bot.data_dir).stdout) == []
    # Deleting the first message leaves its thread: it is archived and no longer named after the subject.
    await until(lambda: discord.called("modify_thread"), what="the thread archived")
    assert [(t["name"], t["thread_metadata"]["archived"]) for t in discord.threads.threads.values()] == [
        ("取り下げられた投稿", True)]  # fmt: skip


async def test_a_correction_that_changes_the_subject_renames_the_thread(fakes, bot, tmp_path):
    """A correction with a new subject renames the post's Discord thread; a post that never had a thread is
    withdrawn without one (Discord's unknown channel is no failure)."""
    _, discord = fakes
    await send(bot, post(1, "長いお知らせ", LONG[:12_000]))
    await until(lambda: len(discord.posted()) >= 4, what="every part")  # the first, then three in its thread
    await send(bot, post(2, "短いお知らせ", "本文です。"))
    await until(lambda: len(discord.posted()) >= 5, what="the short post")
    await asyncio.sleep(0.5)
    bot.stop()
    listed = json.loads(rmo_bot("announcements", "list", "--json", "--data-dir", bot.data_dir).stdout)
    ids = {a["subject"]: a["id"] for a in listed}
    text = tmp_path / "corrected.txt"
    text.write_text(LONG[:12_000].replace("第0段落。", "第0段落（訂正）。"), encoding="utf-8")
    rmo_bot("announcements", "correct", ids["長いお知らせ"], "--file", text, "--subject", "長いお知らせ（日程変更）",
            "--config", bot.config, "--data-dir", bot.data_dir)  # fmt: skip
    rmo_bot("announcements", "withdraw", ids["短いお知らせ"], "--config", bot.config, "--data-dir", bot.data_dir)
    bot.start()
    await until(lambda: len(discord.called("modify_thread")) >= 2 and discord.called("delete"),
                what="the rename and the deletion")  # fmt: skip
    await asyncio.sleep(0.5)
    (thread,) = discord.threads.threads.values()
    assert (thread["name"], thread["thread_metadata"]["archived"]) == ("長いお知らせ（日程変更）", False)
    changes = [(c["channel"] == thread["id"], c["name"]) for c in discord.called("modify_thread")]
    assert sorted(changes) == [(False, "取り下げられた投稿"), (True, "長いお知らせ（日程変更）")]
    assert "第0段落（訂正）" in json.dumps(discord.threads.top_level("900"), ensure_ascii=False)
    assert [m["embeds"][0]["title"] for m in discord.threads.top_level("900")] == ["長いお知らせ（日程変更） (1/4)"]


async def test_a_post_given_up_part_way_is_still_withdrawn_and_never_finished(fakes, bot):
    """A post whose second part Slack refuses for good is given up on; withdrawn, its first part is deleted,
    and a retry of the outbox never posts the rest."""
    slack, _ = fakes
    slack.faults.script = ["ok", *["refuse"] * 5]  # part 1 lands, part 2 is refused five times
    await send(bot, post(1, "長いお知らせ", LONG[:7_000]))
    await until(lambda: "giving up on" in bot.text(), what="the refused delivery given up on")
    assert len(slack.messages.get("C111", [])) == 1
    bot.stop()
    (listed,) = json.loads(rmo_bot("announcements", "list", "--json", "--data-dir", bot.data_dir).stdout)
    rmo_bot("announcements", "withdraw", listed["id"], "--config", bot.config, "--data-dir", bot.data_dir)
    rmo_bot("outbox", "retry", "--data-dir", bot.data_dir)
    bot.start()
    await until(lambda: not slack.messages.get("C111"), what="the first part deleted")
    await asyncio.sleep(1.0)  # nothing more may follow
    assert not slack.messages.get("C111")
    assert [c.get("metadata", {}).get("event_payload", {}).get("part") for c in slack.posted("C111")] == [1]


async def test_sigkill_between_parts_threads_the_rest_and_doubles_nothing(fakes, bot):
    """Killed while the first part's answer is outstanding, the bot finds that part again and threads the rest."""
    slack, discord = fakes
    slack.faults.script = ["landed-hang"]
    discord.faults.script = ["landed-hang"]
    await send(bot, post(1, "長いお知らせ", LONG[:12_000]))
    await until(lambda: slack.messages.get("C111") and discord.threads.top_level("900"), what="part 1 landed")
    await asyncio.to_thread(bot.kill)
    await asyncio.to_thread(bot.start)
    await until(lambda: len(slack.messages.get("C111", [])) >= 4 and len(discord.threads.messages) >= 3,
                what="the rest after the restart")  # fmt: skip
    await asyncio.sleep(1.0)
    for channel in ("C111", "C222"):
        parts = [m["metadata"]["event_payload"]["part"] for m in slack.messages.get(channel, [])]
        assert sorted(parts) == list(range(1, len(parts) + 1))
    (top,) = slack.threads.top_level("C111")
    assert len(slack.threads.thread("C111", top["ts"])) == len(slack.messages["C111"]) - 1
    (first,) = discord.threads.top_level("900")
    titles = [m["embeds"][0]["title"] for m in discord.threads.in_thread(first["id"])]
    assert len(titles) == len(set(titles)) >= 2
    assert "already posted; not posting it again" in bot.text()


async def test_a_reply_to_a_post_deleted_in_the_channel_is_posted_in_the_channel(fakes, bot):
    """When someone deleted the first post's message, a reply to it is posted in the channel, not lost."""
    slack, discord = fakes
    await send(bot, post(1, "研修会のご案内", "研修会を開催します。"))
    await until(lambda: delivered(slack, discord), what="the first post")
    slack.messages["C111"].clear()  # deleted by a channel admin
    discord.threads.messages.clear()
    await send(bot, reply(2, 1, "Re: 研修会のご案内", "会場は変更になりますか？"))
    await until(lambda: slack.threads.top_level("C111") and discord.threads.top_level("900"), what="the reply")
    assert "thread_ts" not in slack.posted("C111")[-1]
    assert discord.threads.top_level("900")[0]["embeds"][0]["title"] == "Re: 研修会のご案内"
    assert "the thread's first message is gone" in bot.text()
