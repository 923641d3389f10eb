"""The /rmo dispatcher on a real store: verbs, language, the announce flow and subscriptions, through the
console harness and the neutral API every platform calls."""

from __future__ import annotations

import json
import logging
from email import message_from_bytes, policy

import pytest

from bot.config import load_config
from bot.testing import ChatHarness
from handlers.commands import (
    AnnounceForm,
    AnnouncePreview,
    Asker,
    Command,
    DraftForm,
    Notice,
    Published,
    command_language,
    parse_command,
)
from tests.conftest import CALENDAR, NOW
from tests.platform_checks import assert_slack_view

MEMBER = Asker("slack", "U1")
SECRETARIAT = Asker("slack", "USEC", secretariat=True)


def test_the_verb_is_english_and_the_words_after_it_decide_the_language():
    """The first word is the verb in any width; the rest, not an address, sets the language, the hint only
    when the rest says nothing; text without a verb is a question."""
    assert parse_command("meetings 近畿", MEMBER) == Command("meetings", "近畿", MEMBER)
    assert parse_command("  ＪＯＩＮ ", MEMBER).verb == "join"
    assert parse_command("", MEMBER).verb == "help"
    assert parse_command("入会するには？", MEMBER) == Command("ask", "入会するには？", MEMBER)
    assert command_language(parse_command("meetings 近畿", MEMBER)) == "ja"
    assert command_language(parse_command("meetings kinki", MEMBER)) == "en"
    assert command_language(parse_command("subscribe Member@Example.jp", MEMBER)) == "ja"
    assert command_language(parse_command("subscribe member@example.jp", MEMBER, lang_hint="en")) == "en"
    assert command_language(parse_command("meetings 近畿", MEMBER, lang_hint="en")) == "ja"


async def test_the_console_understands_rmo(chat, caplog):
    """`/rmo join`, `/rmo meetings 近畿` and `/rmo help` answer on the console as the questions they stand for;
    `/rmo announce` there is refused politely, and logged."""
    join = await chat.send("/rmo join")
    assert (join.intent, join.lang) == ("join", "ja")
    assert join.text == chat.say("入会するには？")
    meetings = await chat.send("/rmo meetings 近畿")
    assert (meetings.intent, meetings.block) == ("meetings", "kinki")
    assert "近畿ブロック会議（第2回）" in meetings.text
    assert (await chat.send("/rmo help")).intent == "help"
    assert (await chat.send("次の近畿ブロック会議は？")).intent == "meetings"  # a plain line is still a question
    with caplog.at_level(logging.WARNING):
        refused = await chat.send("/rmo announce")
    assert isinstance(refused, Notice)
    assert refused.key == "announce.refused"
    assert "事務局の方だけ" in chat.platform.render(refused)
    assert "announce refused for Console user test (not the secretariat)" in caplog.text


async def test_only_the_secretariat_gets_the_form(chat):
    """The secretariat gets the form with every block to choose from; a member gets the refusal in their language."""
    form = await chat.core.commands.dispatch(Command("announce", "", SECRETARIAT))
    assert isinstance(form, AnnounceForm)
    assert [b.key for b in form.blocks][:2] == ["hokkaido", "tohoku"]
    refused = await chat.core.commands.dispatch(Command("announce", "", MEMBER, lang_hint="en"))
    assert isinstance(refused, Notice)
    assert refused.text == "Sorry, only the secretariat can post announcements. Questions are always welcome."


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        (DraftForm("", "本文です。"), "title", "件名を入力"),
        (DraftForm("件" * 151, "本文です。"), "title", "150文字まで"),
        (DraftForm("件名", "本" * 3001), "body", "本文は3000文字までです（いまは3001文字です）"),
        (DraftForm("件名", "本文です。", ("kinki", "atlantis")), "blocks", "atlantis"),
    ],
    ids=["no title", "long title", "long body", "unknown block"],
)
def test_a_draft_out_of_bounds_is_refused_with_a_clear_message(chat, form, field, words):
    """A missing or too long title or body, or a block that does not exist, is refused naming its field."""
    refused = chat.core.commands.draft(SECRETARIAT, form)
    assert isinstance(refused, Notice)
    assert refused.field == field
    assert words in refused.text
    assert chat.core.store.outbox.pending() == []


def test_blocks_are_taken_by_key_or_by_name(chat):
    """「近畿ブロック」, "Kyushu" and "kinki" name blocks; the draft keeps each key once."""
    preview = chat.core.commands.draft(
        SECRETARIAT, DraftForm("総会のお知らせ", "本文。", ("近畿ブロック", "Kyushu", "kinki"))
    )
    assert isinstance(preview, AnnouncePreview)
    assert preview.draft.blocks == ("kinki", "kyushu")


def test_a_confirmed_draft_is_published_once_in_the_askers_language(chat):
    """A member's click posts nothing and leaves the draft; the secretariat's posts it once, in the draft's
    language, and a replayed click finds nothing to post."""
    commands = chat.core.commands
    preview = commands.draft(SECRETARIAT, DraftForm("General meeting", "The general meeting is on 20 January."))
    assert isinstance(preview, AnnouncePreview)
    assert preview.lang == "en"
    assert preview.draft.sender_name == "Secretariat"  # no [contact] secretariat_name: the default text
    refused = commands.confirm(MEMBER, preview.draft.id)
    assert isinstance(refused, Notice)
    assert refused.key == "announce.refused"
    published = commands.confirm(SECRETARIAT, preview.draft.id)
    assert isinstance(published, Published)
    assert published.text == f"The announcement is posted and goes out to {published.deliveries} channels."
    assert chat.core.store.announcements.get(preview.draft.id) is not None
    again = commands.confirm(SECRETARIAT, preview.draft.id)
    assert isinstance(again, Notice)
    assert again.key == "announce.gone"


def test_the_author_is_the_configured_secretariat_name(tmp_path):
    """`[contact] secretariat_name` signs announcements from chat."""
    config_file = tmp_path / "config.toml"
    config_file.write_text('[contact]\nsecretariat_name = "ネットワーク事務局（雲南市）"\n', encoding="utf-8")
    config = load_config(config_file, environ={})
    with ChatHarness.open(tmp_path / "d", now=NOW, config=config, data_files=(CALENDAR,)) as chat:
        preview = chat.core.commands.draft(SECRETARIAT, DraftForm("総会のお知らせ", "総会を開催します。"))
        assert isinstance(preview, AnnouncePreview)
        assert preview.draft.sender_name == "ネットワーク事務局（雲南市）"
        assert preview.lang == "ja"


def test_only_the_latest_hundred_drafts_are_kept(chat):
    """Drafts never confirmed do not pile up: the oldest of 101 is gone."""
    commands = chat.core.commands
    drafts = [commands.draft(SECRETARIAT, DraftForm(f"お知らせ{n}", "本文。")) for n in range(101)]
    first = drafts[0]
    assert isinstance(first, AnnouncePreview)
    gone = commands.confirm(SECRETARIAT, first.draft.id)
    assert isinstance(gone, Notice)
    assert gone.key == "announce.gone"
    last = drafts[-1]
    assert isinstance(last, AnnouncePreview)
    assert isinstance(commands.confirm(SECRETARIAT, last.draft.id), Published)


async def test_subscribing_from_the_console_mails_the_link_only(chat):
    """`/rmo subscribe ADDRESS` mails a confirmation link; `/rmo unsubscribe` of an address nobody
    subscribed answers the same as for one that is, and mails nothing."""
    sent = await chat.send("/rmo subscribe Member@Example.jp")
    assert isinstance(sent, Notice)
    assert sent.key == "subscribe.sent"
    await chat.mail_sent()
    outbox = chat.core.store.directory / "outbox-mail"
    (mail_file,) = outbox.glob("*.eml")
    mail = message_from_bytes(mail_file.read_bytes(), policy=policy.default)
    assert mail["To"] == "member@example.jp"
    assert "/confirm?token=" in mail.get_content()
    left = await chat.send("/rmo unsubscribe nobody@example.jp")
    assert isinstance(left, Notice)
    assert left.text == "ご登録があれば、配信停止のリンクをそのアドレスにお送りしました。"
    await chat.mail_sent()
    assert len(list(outbox.glob("*.eml"))) == 1


async def test_the_secretariat_keeps_the_calendar_with_rmo_event(chat):
    """`/rmo event add|move|cancel|list` change the calendar through the event repository (the change is
    recorded, the reminders follow, the answer follows); a member is refused, a bad line gets the usage."""
    events = chat.core.store.events
    refused = await chat.core.commands.dispatch(Command("event", "cancel kinki-2026-2", MEMBER))
    assert refused.key == "event.refused"
    assert events.get("kinki-2026-2").status == "scheduled"
    added = await chat.core.commands.dispatch(
        Command("event", "add 2027-03-10 13:30-16:30 tokai 東海ブロック会議（臨時） @ 浜松市役所", SECRETARIAT)
    )
    assert added.key == "event.added"
    new = events.get("tokai-2027-03-10")
    assert (new.kind, new.block, new.title, new.source) == (
        "block_meeting",
        "tokai",
        "東海ブロック会議（臨時）",
        "chat",
    )
    assert new.venue.description == "浜松市役所"
    assert any(r.event_id == "tokai-2027-03-10" for r in chat.core.store.reminders.all())
    moved = await chat.core.commands.dispatch(Command("event", "move kinki-2026-2 2027-01-27 13:30-16:30", SECRETARIAT))
    assert moved.key == "event.moved"
    assert [c.kind for c in events.changes_since(NOW.replace(year=2000))] == ["moved"]
    assert "2027年1月27日（水）" in chat.say("次の近畿ブロック会議は？")
    cancelled = await chat.core.commands.dispatch(Command("event", "cancel tokai-2027-03-10", SECRETARIAT))
    assert cancelled.key == "event.cancelled_now"
    assert events.get("tokai-2027-03-10").status == "cancelled"
    listing = await chat.core.commands.dispatch(Command("event", "list", SECRETARIAT))
    assert "kinki-2026-2" in listing.text
    assert "tokai-2027-03-10" not in listing.text
    usage = await chat.core.commands.dispatch(Command("event", "add next tuesday", SECRETARIAT))
    assert usage.key == "event.usage"
    english = await chat.core.commands.dispatch(Command("event", "add 2027-03-10 10:00 atlantis Meeting", SECRETARIAT))
    assert english.key == "event.unknown_block"


async def test_the_console_as_the_secretariat_keeps_the_calendar_in_text(chat):
    """`rmo-bot console --secretariat` takes `/rmo event …` lines; the plain console refuses them."""
    from bot.platforms.console.adapter import ConsolePlatform

    plain = await chat.send("/rmo event list")
    assert plain.key == "event.refused"
    desk = ConsolePlatform(chat.core.commands, user="jimukyoku", secretariat=True)
    done = await desk.handle("/rmo event cancel kinki-2026-2")
    assert desk.render(done).startswith("中止にしました：近畿ブロック会議（第2回）")
    assert chat.core.store.events.get("kinki-2026-2").status == "cancelled"


async def test_event_edit_opens_a_filled_form_and_its_submission_changes_the_event(chat):
    """`/rmo event edit ID` gives the form filled in with the event as it is (Slack's modal carries the id); a
    submission with a new venue changes it, recorded as a new venue; a bad time names its field."""
    from bot.platforms.slack.proposals import edit_modal, edit_values
    from handlers.commands import EventEdit, ProposalCorrection

    edit = await chat.core.commands.dispatch(Command("event", "edit kinki-2026-2", SECRETARIAT))
    assert isinstance(edit, EventEdit)
    assert edit.values.when == "2027-01-20 13:30-16:30"
    assert edit.values.title == "近畿ブロック会議（第2回）"
    view = edit_modal(edit)
    assert_slack_view(view)
    assert json.loads(view["private_metadata"]) == {"id": "kinki-2026-2", "lang": "ja"}
    fields = {b["block_id"]: b["element"].get("initial_value", "") for b in view["blocks"] if b["type"] == "input"}
    assert fields["when"] == "2027-01-20 13:30-16:30"
    typed = {**fields, "venue": "近江八幡市文化会館"}
    submitted = {"private_metadata": view["private_metadata"],
                 "state": {"values": {k: {"value": {"value": v}} for k, v in typed.items()}}}  # fmt: skip
    event_id, form = edit_values(submitted)
    commands = chat.core.event_commands
    wrong = commands.edit_form(SECRETARIAT, event_id, ProposalCorrection(form.title, "そのうち", form.venue))
    assert (wrong.key, wrong.field) == ("proposal.invalid.when", "when")
    assert commands.edit_form(MEMBER, event_id, form).key == "event.refused"
    assert commands.edit_form(SECRETARIAT, event_id, form).key == "event.edited"
    assert chat.core.store.events.get("kinki-2026-2").venue.description == "近江八幡市文化会館"
    assert [c.kind for c in chat.core.store.events.changes_since(NOW.replace(year=2000))] == ["venue"]


def test_the_correction_and_notice_forms_are_valid_block_kit():
    """The correction form and the notice modal validate against slack_sdk's View and Block models."""
    from bot.platforms.slack.modals import notice_modal
    from bot.platforms.slack.proposals import correction_modal
    from handlers.commands import ProposalCorrection

    typed = ProposalCorrection("近畿ブロック会議", "2027-01-20 13:30-16:30", "東近江市役所", "https://x.jp/a_b", "")
    assert_slack_view(correction_modal("p0123456789", typed, "https://hooks.example/r", "ja"))
    notice = notice_modal("「*重要*」の下書きは見つかりません。<!channel>", "ja")
    assert_slack_view(notice)
    assert notice["title"]["text"] == "お知らせ"
