"""A form is answered in the language it was shown in: its field errors and its confirmation, on Discord and
Slack, whatever language the words typed into it (or the post it corrects) are in; one answer never mixes."""

from __future__ import annotations

import json
import re

import aiosmtplib

from tests.test_discord import SECRETARIAT_ROLE, SECRETARY, _command, _interaction
from tests.test_relay_e2e import post, until
from tests.test_slack_http import _interaction as _slack_interaction
from tests.test_slack_http import _post, _signed, _submission
from tests.test_slack_revisions import _command as _slack_command

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]")


def _submit(form: dict, fields: dict[str, str]) -> dict:
    """A modal submission of `form` (the modal's interaction response) with `fields` typed in."""
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in fields.items()]
    return {"custom_id": form["data"]["custom_id"], "components": rows}


def _labels(form: dict) -> list[str]:
    return [c["components"][0]["label"] for c in form["data"]["components"]]


async def _open(platform, fake, text: str, locale: str, number: int) -> dict:
    """The secretariat runs /rmo-event `text` in `locale`: the modal it is shown."""
    seen = len(fake.callbacks)
    options = [{"type": 3, "name": "text", "value": text}]
    command = _command("event", options, user=SECRETARY, roles=[SECRETARIAT_ROLE], locale=locale, number=number)
    platform.parse("INTERACTION_CREATE", command)
    await until(lambda: len(fake.callbacks) > seen, what="the form")
    form = fake.callbacks[seen]
    assert form["type"] == 9  # MODAL
    return form


async def _answer(platform, fake, form: dict, fields: dict[str, str], number: int) -> str:
    """The form submitted with `fields` (the submission itself carries no locale): the private answer's text."""
    seen = len(fake.callbacks)
    platform.parse("INTERACTION_CREATE", _interaction(5, _submit(form, fields), number=number))
    await until(lambda: len(fake.callbacks) > seen, what="the answer to the form")
    return fake.callbacks[seen]["data"]["content"]


def _event(title: str, when: str, venue: str) -> dict[str, str]:
    return {"rmo-event-title": title, "rmo-event-when": when, "rmo-event-block": "kyushu",
            "rmo-event-venue": venue, "rmo-event-registration_url": ""}  # fmt: skip


async def _try(platform, fake, text: str, locale: str, fields: dict[str, str], number: int) -> tuple[dict, str]:
    """A fresh form (a Discord modal is answered once), submitted with `fields`: the form and its answer."""
    form = await _open(platform, fake, text, locale, number)
    return form, await _answer(platform, fake, form, fields, number + 1)


async def test_an_english_discord_add_form_is_answered_in_english_and_a_japanese_one_in_japanese(discord_bot):
    """/rmo-event add in English: the form, its date error and its confirmation are English; in Japanese,
    all Japanese, even with English words typed in."""
    platform, fake = discord_bot
    form, wrong = await _try(platform, fake, "add", "en-US", _event("九州ブロック会議", "来週の水曜", "長崎"), 20)
    assert form["data"]["title"] == "Add an event"
    assert not any(_JAPANESE.search(label) for label in _labels(form))
    assert wrong == "Please write the date and time as 2027-01-20 13:30-16:30."
    _, done = await _try(
        platform, fake, "add", "en-US", _event("九州ブロック会議", "2027-03-17 13:30-16:00", "長崎"), 22
    )
    assert done.startswith("Added: 九州ブロック会議 (")
    assert "登録" not in done

    form, wrong = await _try(platform, fake, "add", "ja", _event("Kyushu meeting", "next Wednesday", "Nagasaki"), 24)
    assert form["data"]["title"] == "予定の追加"
    assert wrong == "日時は「2027-01-20 13:30-16:30」の形で入力してください。"
    _, done = await _try(
        platform, fake, "add", "ja", _event("Kyushu meeting", "2027-03-18 13:30-16:00", "Nagasaki"), 26
    )
    assert done.startswith("登録しました：Kyushu meeting（")
    assert "Added" not in done


def _edit(when: str, venue: str) -> dict[str, str]:
    return {"rmo-proposal-title": "近畿ブロック会議（第2回）", "rmo-proposal-when": when, "rmo-proposal-venue": venue,
            "rmo-proposal-registration_url": "", "rmo-proposal-deadline": ""}  # fmt: skip


async def test_the_discord_event_edit_form_is_titled_as_an_edit_and_answered_in_its_language(discord_bot):
    """/rmo-event edit ID opens the event-edit form (not the meeting-proposal one) in the asker's language;
    its date error and its confirmation are in that language."""
    platform, fake = discord_bot
    edit, good = "edit kinki-2026-2", "2027-01-20 13:30-16:30"
    form, wrong = await _try(platform, fake, edit, "en-US", _edit("そのうち", "近江八幡市文化会館"), 30)
    assert form["data"]["title"] == "Correct an event"
    assert not any(_JAPANESE.search(label) for label in _labels(form))
    assert wrong == "Please write the date and time as 2027-01-20 13:30-16:30."
    _, done = await _try(platform, fake, edit, "en-US", _edit(good, "近江八幡市文化会館"), 32)
    assert done.startswith("Corrected: 近畿ブロック会議（第2回） (")
    assert "修正しました" not in done

    form, wrong = await _try(platform, fake, edit, "ja", _edit("someday", "Omihachiman Hall"), 34)
    assert form["data"]["title"] == "予定の修正"
    assert wrong == "日時は「2027-01-20 13:30-16:30」の形で入力してください。"
    _, done = await _try(platform, fake, edit, "ja", _edit(good, "Omihachiman Hall"), 36)
    assert done.startswith("修正しました：近畿ブロック会議（第2回）（")
    assert "Corrected" not in done


def _typed(subject: str, body: str) -> dict:
    return {"title": {"value": {"type": "plain_text_input", "value": subject}},
            "body": {"value": {"type": "plain_text_input", "value": body}}}  # fmt: skip


async def test_a_slack_post_correction_form_is_answered_in_its_own_language(slack_bot):
    """The Japanese correction form (`/rmo correct ID`) is answered in Japanese when English is typed into it;
    a form the metadata says was English is answered in English over a Japanese post: its too-long error too."""
    bot, slack = slack_bot
    message = post(1, "【近畿ブロック】会議のご案内", "会場：東近江市役所")
    await aiosmtplib.send(message, hostname="127.0.0.1", port=bot.port, timeout=30)
    await until(lambda: slack.messages.get("C111") and slack.messages.get("C222"), what="the post")
    announcement = slack.posted("C111")[0]["metadata"]["event_payload"]["announcement"]

    body = _slack_command(slack, f"correct {announcement}", "USEC", "t-1")
    assert await _post(bot, body, _signed(body), "application/x-www-form-urlencoded") == 200
    await until(lambda: slack.called("views.open"), what="the correction form")
    view = slack.called("views.open")[0]["view"]
    assert view["title"]["text"] == "投稿の訂正"
    metadata = view["private_metadata"]
    assert json.loads(metadata) == {"id": announcement, "lang": "ja"}

    typed = _typed("Kinki block meeting", "Venue: Yokaichi Hall")
    status, _ = await _slack_interaction(bot, _submission("USEC", "rmo_post_correct", typed, metadata))
    assert status == 200
    await until(lambda: slack.posted("USEC"), what="the confirmation")
    assert slack.posted("USEC")[0]["text"].startswith("投稿「Kinki block meeting」")
    assert "corrected" not in slack.posted("USEC")[0]["text"]

    english = json.dumps({"id": announcement, "lang": "en"})
    typed = _typed("【近畿ブロック】会議のご案内", "会場：" + "八" * 3001)
    status, text = await _slack_interaction(bot, _submission("USEC", "rmo_post_correct", typed, english))
    assert status == 200
    assert json.loads(text)["errors"] == {"body": "The new text must be at most 3,000 characters (it has 3,004)."}
    typed = _typed("【近畿ブロック】会議のご案内", "会場：八日市文化芸術会館")
    status, _ = await _slack_interaction(bot, _submission("USEC", "rmo_post_correct", typed, english))
    assert status == 200
    await until(lambda: len(slack.posted("USEC")) >= 2, what="the second confirmation")
    answer = slack.posted("USEC")[1]["text"]
    assert answer.startswith("Post “【近畿ブロック】会議のご案内”")
    assert "訂正しました" not in answer
