"""The Facebook page: its rendering, its poster against the fake Graph API, and which posts go there."""

from __future__ import annotations

import re
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from bot.errors import ConfigError, DeliveryRejected, DeliveryRetryable, DeliveryTimeout, DeliveryUncertain
from bot.platforms.facebook.poster import FacebookPoster
from bot.platforms.facebook.render import TEXT_LIMIT, reference, render_facebook
from handlers.commands import AnnouncePreview, Asker, DraftForm, Published
from handlers.intake_rules import take_page_mark
from storage.records import Announcement
from tests.conftest import NOW
from tests.fakes import FakeGraph

JST = ZoneInfo("Asia/Tokyo")
PAGE = "123456789012345"
TOKEN = "fb-page-token"
SECRETARIAT = "jimukyoku@rmo-network.example.jp"


def announcement(body: str = "研修会を開催します。", subject: str = "研修会のお知らせ") -> Announcement:
    return Announcement(
        id="a0123456789abcdef", message_id="m1@x.jp", subject=subject, body=body, sender=SECRETARIAT,
        sender_name="事務局", received_at=NOW,
    )  # fmt: skip


def test_a_post_is_plain_text_with_its_link_and_reference_line():
    """Subject, body, who and when (no address), the reference line last; `link` is the public page."""
    (post,) = render_facebook(announcement(), PAGE, JST, f"a0123456789abcdef.facebook.{PAGE}",
                              pages_url="https://rmo.example.jp")  # fmt: skip
    lines = post["message"].split("\n")
    assert lines[:3] == ["研修会のお知らせ", "", "研修会を開催します。"]
    assert lines[-2].startswith("事務局 · ")
    assert lines[-1] == "[rmo a0123456789abcdef]" == reference(f"a0123456789abcdef.facebook.{PAGE}")
    assert SECRETARIAT not in post["message"]
    assert post["link"] == "https://rmo.example.jp/announcements/a0123456789abcdef"
    (unlinked,) = render_facebook(announcement(), PAGE, JST, "a0123456789abcdef.facebook.1")
    assert "link" not in unlinked


def test_a_long_post_is_cut_with_a_note_and_the_link_and_tags_stay_text():
    """A body past the limit is cut with a note naming the link; `@[id]` tags cannot notify anyone."""
    body = "@[100000000000001] さんへ\n\n" + "\n\n".join(f"第{n}段落。" + "あ" * 300 for n in range(100))
    (post,) = render_facebook(announcement(body), PAGE, JST, "a1.facebook.1", pages_url="https://rmo.example.jp")
    message = post["message"]
    assert len(message) <= TEXT_LIMIT + 5
    assert "@[" not in message
    assert "@ [100000000000001] さんへ" in message
    assert "省略しました" in message
    assert "全文 / Full text: https://rmo.example.jp/announcements/a0123456789abcdef" in message
    assert message.endswith("[rmo a1]")


def test_the_secretariats_mark_is_found_and_taken_out():
    """「【FB】」, "[fb]" and 「［ＦＢ］」 mark a post for the Page and leave the subject; other brackets stay."""
    assert take_page_mark("【FB】研修会のご案内") == ("研修会のご案内", True)
    assert take_page_mark("研修会のご案内 [fb]") == ("研修会のご案内", True)
    assert take_page_mark("［ＦＢ］【近畿ブロック】会議") == ("【近畿ブロック】会議", True)
    assert take_page_mark("【近畿ブロック】会議") == ("【近畿ブロック】会議", False)


@pytest.fixture
async def graph():
    api = FakeGraph(TOKEN)
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def poster(graph):
    posting = FacebookPoster(TOKEN, graph.base_url, timeout=1.0)
    yield posting
    await posting.close()


async def test_a_post_reaches_the_page_with_the_token_in_a_header(graph, poster):
    """The message and link arrive as posted; the token is a header, never part of the address."""
    await poster.post(PAGE, {"message": "本文\n[rmo a1]", "link": "https://rmo.example.jp/announcements/a1"})
    assert graph.posted(PAGE) == [
        {"page": PAGE, "message": "本文\n[rmo a1]", "link": "https://rmo.example.jp/announcements/a1"}
    ]


async def test_each_failure_reaches_the_lane_as_what_it_means(graph, poster):
    """A 500 may have landed, a page limit waits, no answer is a timeout, a bad token is refused for good."""
    graph.faults.script = ["500", "limit", "hang"]
    with pytest.raises(DeliveryUncertain):
        await poster.post(PAGE, {"message": "x"})
    with pytest.raises(DeliveryRetryable) as limited:
        await poster.post(PAGE, {"message": "x"})
    assert not isinstance(limited.value, DeliveryUncertain)
    assert limited.value.retry_after == 60.0
    with pytest.raises(DeliveryTimeout):
        await poster.post(PAGE, {"message": "x"})
    assert graph.posted() == []
    wrong = FacebookPoster("not-the-token", graph.base_url)
    try:
        with pytest.raises(DeliveryRejected):
            await wrong.post(PAGE, {"message": "x"})
    finally:
        await wrong.close()


async def test_facebooks_duplicate_refusal_counts_as_posted(graph, poster):
    """Error 506 (the Page already shows this text) is no failure: the post is there."""
    graph.refuse_duplicates = True
    await poster.post(PAGE, {"message": "同じ本文\n[rmo a1]"})
    await poster.post(PAGE, {"message": "同じ本文\n[rmo a1]"})
    assert len(graph.posted(PAGE)) == 1
    assert len(graph.attempts) == 2


async def test_the_feed_check_finds_a_landed_post_across_pages_of_the_feed(graph, poster):
    """After a timeout the feed is read back page by page; only a message ending with the reference counts."""
    graph.faults.script = ["landed-hang"]
    with pytest.raises(DeliveryTimeout):
        await poster.post(PAGE, {"message": "本文\n[rmo a1]"})
    for number in range(250):  # newer posts push it to the feed's third page
        await poster.post(PAGE, {"message": f"他の投稿 {number}\n[rmo b{number}]"})
    await poster.post(PAGE, {"message": "[rmo a2] を引用しただけの投稿\n[rmo b999]"})
    assert await poster.posted_parts(PAGE, f"a1.facebook.{PAGE}", NOW) == {1}
    assert await poster.posted_parts(PAGE, f"a2.facebook.{PAGE}", NOW) == set()
    assert len(graph.feed_reads) == 6  # three pages for each look
    graph.feed_faults.script = ["500"]
    with pytest.raises(DeliveryUncertain):
        await poster.posted_parts(PAGE, f"a1.facebook.{PAGE}", NOW)


def _mail(subject: str, number: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"事務局 <{SECRETARIAT}>"
    message["To"] = "announce@rmo-network.example.jp"
    message["Subject"] = subject
    message["List-Id"] = "RMO お知らせ <announce.rmo-network.example.jp>"
    message["Message-ID"] = f"<fb-{number}@x.jp>"
    message.set_content("研修会を開催します。")
    return message.as_bytes()


def _core(tmp_path, relay: str) -> Core:
    config_file = tmp_path / f"{relay}.toml"
    config_file.write_text(
        f'[mail.intake]\nlist_ids = ["announce.rmo-network.example.jp"]\nallowed_senders = ["{SECRETARIAT}"]\n'
        f'[slack]\ndefault_channels = ["C111"]\n[facebook]\npage_id = "{PAGE}"\nrelay = "{relay}"\n',
        encoding="utf-8",
    )
    return Core.open(load_config(config_file, environ={}), tmp_path / relay, FrozenClock(NOW))


def test_secretariat_choice_sends_only_marked_posts_and_never_reminders(tmp_path):
    """With "secretariat-choice" only a 【FB】 post (mail or chat) gets a Page delivery, its subject without the
    mark; with "all" every post does; a reminder never."""
    with _core(tmp_path, "secretariat-choice") as core:
        marked, plain = core.intake.process_batch(
            [(_mail("【FB】研修会", 1), NOW, None), (_mail("総会", 2), NOW, None)]
        )
        assert [(d.platform, d.channel) for d in marked.deliveries] == [("slack", "C111"), ("facebook", PAGE)]
        assert marked.announcement is not None
        assert marked.announcement.subject == "研修会"
        assert [d.platform for d in plain.deliveries] == ["slack"]
        secretariat = Asker("slack", "USEC", secretariat=True)
        preview = core.commands.draft(secretariat, DraftForm("[FB] 総会のお知らせ", "総会を開催します。"))
        assert isinstance(preview, AnnouncePreview)
        assert preview.draft.subject == "総会のお知らせ"
        published = core.commands.confirm(secretariat, preview.draft.id)
        assert isinstance(published, Published)
        assert published.deliveries == 2
        reminder = Announcement(id="r1", message_id="r1", subject="【FB】明日", body="", sender="", received_at=NOW,
                                source="reminder")  # fmt: skip
        assert [d.platform for d in core.intake.publish(reminder, marked=True)] == ["slack"]
    with _core(tmp_path, "all") as core:
        (result,) = core.intake.process_batch([(_mail("総会", 3), NOW, None)])
        assert [d.platform for d in result.deliveries] == ["slack", "facebook"]


def test_the_facebook_section_is_checked_and_its_token_never_read_from_the_file(tmp_path):
    """A page id that is no number, an unknown relay mode and a token in the file are refused by name."""
    config_file = tmp_path / "config.toml"
    for text, problem in (
        ('page_id = "my-page"', "[facebook] page_id: expected a numeric id"),
        ('relay = "some"', "[facebook] relay"),
        ('page_token = "EAAB"', "secrets are not read from files"),
    ):
        config_file.write_text(f"[facebook]\n{text}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=re.escape(problem)):
            load_config(config_file, environ={})
    config_file.write_text(f'[facebook]\npage_id = "{PAGE}"\n', encoding="utf-8")
    assert not load_config(config_file, environ={}).facebook_configured
    assert load_config(config_file, environ={"FACEBOOK_PAGE_TOKEN": TOKEN}).facebook_configured
