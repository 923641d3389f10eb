"""Rendering one announcement for Slack, Discord and e-mail: within limits, nobody pinged, nothing lost."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime

from bot.mail.render import render_email
from bot.platforms.common import split_text
from bot.platforms.discord.render import render_discord
from bot.platforms.slack.render import render_slack
from storage.records import Announcement, Attachment
from tests.conftest import JST, NOW
from tests.platform_checks import assert_discord_message, assert_slack_blocks, slack_links, slack_shown

TZ = JST


def _announcement(body: str, subject: str = "【近畿ブロック】会議のご案内") -> Announcement:
    return Announcement(
        id="a1", message_id="m1@x", subject=subject, body=body, sender="jimukyoku@rmo-network.example.jp",
        sender_name="事務局", received_at=datetime(2026, 11, 25, 10, tzinfo=JST),
        attachments=(Attachment("案内.pdf", "application/pdf", 123_456),),
    )  # fmt: skip


LONG = "\n\n".join(f"第{n}段落。" + "近畿ブロック会議の詳細です。" * 40 for n in range(1, 30))


def test_a_long_announcement_is_split_at_paragraphs_and_loses_nothing():
    """A 17,000-character body becomes (1/n)…(n/n) parts within each platform's limit, and joins back whole."""
    assert len(LONG) > 15_000
    slack = render_slack(_announcement(LONG), "C1", TZ, "a1.slack.C1")
    discord = render_discord(_announcement(LONG), "1", TZ, "a1.discord.1")
    assert len(slack) > 1
    assert len(discord) > 1
    assert slack[0]["blocks"][0]["text"]["text"].endswith(f"(1/{len(slack)})")
    assert discord[-1]["embeds"][0]["title"].endswith(f"({len(discord)}/{len(discord)})")
    for message in slack:
        assert len(message["blocks"]) <= 50
        assert_slack_blocks(message["blocks"])
        assert len(message["blocks"][0]["text"]["text"]) <= 150
    for message in discord:
        embed = message["embeds"][0]
        assert len(embed["description"]) <= 4096
        assert len(embed["title"]) <= 256
        assert len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"]) <= 6000
        assert_discord_message(message)
    paragraphs = [p for m in slack for p in slack_shown(m["blocks"][2]).split("\n\n")]
    assert paragraphs == LONG.split("\n\n")
    # The attachment list comes once, with the last part.
    assert ["案内.pdf" in str(m["blocks"]) for m in slack] == [False] * (len(slack) - 1) + [True]


def test_split_text_never_loses_a_character():
    """Even text with no paragraph or line breaks is cut into pieces that join back exactly."""
    text = "あ" * 10_001
    pieces = split_text(text, 3000)
    assert "".join(pieces) == text
    assert all(len(p) <= 3000 for p in pieces)


def test_nobody_is_pinged():
    """@everyone, <!channel>, user and role mentions are shown, never acted on."""
    body_text = "@everyone @here <!channel> <!here> <@U123> <@&456> & < >"
    (slack,) = render_slack(_announcement(body_text), "C1", TZ, "d")
    (discord,) = render_discord(_announcement(body_text), "1", TZ, "d")
    body = slack["blocks"][2]
    assert body["type"] == "rich_text"
    assert [e["type"] for s in body["elements"] for e in s["elements"]] == ["text"]  # no user or broadcast element
    shown = slack_shown(body)
    assert "<!channel>" not in shown
    assert "<@U123>" not in shown
    assert "@everyone" not in shown
    assert shown.replace("\u2060", "") == body_text
    assert "<!channel>" not in slack["text"]
    assert "link_names" not in slack
    assert "parse" not in slack
    assert discord["allowed_mentions"] == {"parse": []}
    description = discord["embeds"][0]["description"]
    assert "@everyone" not in description
    assert "<@U123>" not in description
    assert description.replace("\u200b", "") == body_text


def test_discord_markdown_is_shown_as_written():
    """Asterisks and underscores in a mail are text, not formatting."""
    (discord,) = render_discord(_announcement("*重要* __締切__ `code` a > b\n> 引用"), "1", TZ, "d")
    assert discord["embeds"][0]["description"] == "\\*重要\\* \\_\\_締切\\_\\_ \\`code\\` a > b\n\\> 引用"
    assert_discord_message(discord)


def test_email_view():
    """The e-mail view carries the subject, the byline, the text and the attachments."""
    view = render_email(_announcement("本文です。"), TZ)
    assert view["subject"] == "【近畿ブロック】会議のご案内"
    assert "事務局 <jimukyoku@rmo-network.example.jp> · 2026年11月25日（水）10:00" in view["text"]
    assert "📎 案内.pdf (application/pdf, 121 KB)" in view["text"]


def test_a_body_of_control_characters_fits_and_is_shown_as_written():
    """A body full of & and < fits Slack's limits and is shown as written, unescaped, in every part."""
    body = "&<>" * 2000
    messages = render_slack(_announcement(body), "C1", TZ, "d")
    for message in messages:
        assert_slack_blocks(message["blocks"])
    assert "".join(slack_shown(m["blocks"][2]) for m in messages) == body


def test_every_attachment_is_listed_within_discords_limits():
    """Forty attachments are all listed, in embeds that stay within Discord's field and size limits."""
    many = tuple(
        Attachment(f"資料その{n:02d}_とても長いファイル名の説明付き.pdf", "application/pdf", 1000 + n)
        for n in range(40)
    )
    announcement = Announcement(
        id="a2", message_id="m2@x", subject="資料一覧", body="本文" * 1500, sender="s@x.example",
        received_at=datetime(2026, 11, 25, 10, tzinfo=JST), attachments=many,
    )  # fmt: skip
    messages = render_discord(announcement, "1", TZ, "d")
    listed = "".join(f["value"] for m in messages for f in m["embeds"][0].get("fields", []))
    assert all(f"資料その{n:02d}" in listed for n in range(40))
    for m in messages:
        embed = m["embeds"][0]
        fields = embed.get("fields", [])
        assert len(fields) <= 25
        assert all(len(f["value"]) <= 1024 for f in fields)
        size = len(embed["title"]) + len(embed.get("description", "")) + len(embed["footer"]["text"])
        assert size + sum(len(f["name"]) + len(f["value"]) for f in fields) <= 6000
    assert len({m["nonce"] for m in messages}) == len(messages)


FORMATTED = (
    "「*重要*」「_注意_」「~取消~」「`コード`」\n> 引用のような行\n"
    "申込：https://example.jp/kinki_2nd_meeting_form?id=1&a=b_c。詳細（https://example.jp/a_(b)_c）"
)


def test_slack_shows_formatting_characters_literally_and_links_urls():
    """Slack gets the text as plain rich_text elements (no mrkdwn) and each URL, underscores and all, as a link."""
    (slack,) = render_slack(_announcement(FORMATTED), "C1", TZ, "d")
    assert_slack_blocks(slack["blocks"])
    assert not [b for b in slack["blocks"] if b["type"] == "section"]
    body = slack["blocks"][2]
    assert slack_shown(body) == FORMATTED
    assert slack_links(body) == ["https://example.jp/kinki_2nd_meeting_form?id=1&a=b_c", "https://example.jp/a_(b)_c"]
    assert all("style" not in e for s in body["elements"] for e in s["elements"])


def test_discord_escapes_markdown_but_leaves_urls_whole():
    """Discord's text escapes the formatting characters as discord.py does, and no URL gets a backslash."""
    (discord,) = render_discord(_announcement(FORMATTED, subject="*重要* 会議_案内"), "1", TZ, "d")
    embed = discord["embeds"][0]
    assert "https://example.jp/kinki_2nd_meeting_form?id=1&a=b_c" in embed["description"]
    assert "\\*重要\\*" in embed["description"]
    assert "\\_注意\\_" in embed["description"]
    assert "\\~取消\\~" in embed["description"]
    assert "\\`コード\\`" in embed["description"]
    assert "\n\\> 引用" in embed["description"]
    assert embed["title"] == "\\*重要\\* 会議\\_案内"
    assert_discord_message(discord)


def test_a_long_subject_is_cut_after_escaping_within_the_title_limit():
    """A 300-character subject of underscores is escaped and cut with its part marker inside 256 characters."""
    messages = render_discord(_announcement(LONG, subject="_" * 300), "1", TZ, "d")
    for number, message in enumerate(messages, start=1):
        title = message["embeds"][0]["title"]
        marker = f" ({number}/{len(messages)})"
        assert len(title) <= 256
        assert title.endswith("…" + marker)
        assert title.removesuffix("…" + marker) == "\\_" * ((256 - len(marker) - 1) // 2)  # no escape cut in half


def test_discord_answers_show_each_listed_event_once():
    """An answer's listed events become one card each and leave its text; with more than fit, they stay text."""
    from bot.platforms.discord.reply import reply_for_discord
    from handlers.messages import Reply

    listings = tuple(f"■ 会議{n}\n　日時：1月{n}日\n　申込締切：1月{n}日" for n in range(1, 13))
    few = Reply(
        "予定です。\n" + "\n".join(listings[:3]) + "\n詳しくは https://x.jp/a_b",
        "ja",
        "meetings",
        None,
        (),
        listings[:3],
    )
    payload = reply_for_discord(few, TZ)
    assert_discord_message(payload)
    assert [e.get("title") for e in payload["embeds"]] == [None, "会議1", "会議2", "会議3"]
    assert payload["embeds"][0]["description"] == "予定です。\n詳しくは https://x.jp/a_b"
    assert payload["embeds"][1]["description"] == "日時：1月1日\n申込締切：1月1日"
    many = Reply("予定です。\n" + "\n".join(listings), "ja", "meetings", None, (), listings)
    payload = reply_for_discord(many, TZ)
    assert_discord_message(payload)
    assert [e.get("title") for e in payload["embeds"]] == [None]
    assert payload["embeds"][0]["description"].count("■ 会議") == 12


def test_two_corrections_of_one_length_render_their_own_text():
    """Two texts of one post with the same length and correction time are split apart, never from each other."""
    first = Announcement(id="a-same", message_id="m-same@x", subject="総会", body="10時に開始します。",
                         sender="jimukyoku@rmo-network.example.jp", received_at=NOW)  # fmt: skip
    second = dataclasses.replace(first, body="11時に開始します。")
    for render in (render_slack, render_discord):
        assert "10時" in json.dumps(render(first, "C1", JST), ensure_ascii=False)
        shown = json.dumps(render(second, "C1", JST), ensure_ascii=False)
        assert "11時" in shown
        assert "10時" not in shown
