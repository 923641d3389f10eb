"""Rendering one announcement for Slack, Discord and e-mail: within limits, nobody pinged, nothing lost."""

from __future__ import annotations

from datetime import datetime

from bot.mail.render import render_email
from bot.platforms.common import split_text
from bot.platforms.discord.render import render_discord
from bot.platforms.slack.render import render_slack
from storage.records import Announcement, Attachment
from tests.conftest import JST

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
        assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"] if b["type"] == "section")
        assert len(message["blocks"][0]["text"]["text"]) <= 150
    for message in discord:
        embed = message["embeds"][0]
        assert len(embed["description"]) <= 4096
        assert len(embed["title"]) <= 256
        assert len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"]) <= 6000
    paragraphs = [p for m in slack for p in m["blocks"][2]["text"]["text"].split("\n\n")]
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
    body = "@everyone @here <!channel> <!here> <@U123> <@&456> & < >"
    (slack,) = render_slack(_announcement(body), "C1", TZ, "d")
    (discord,) = render_discord(_announcement(body), "1", TZ, "d")
    section = slack["blocks"][2]["text"]["text"]
    assert "<!channel>" not in section
    assert "<@U123>" not in section
    assert "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;@&amp;456&gt; &amp; &lt; &gt;" in section
    assert "<!channel>" not in slack["text"]
    assert "link_names" not in slack
    assert "parse" not in slack
    assert discord["allowed_mentions"] == {"parse": []}
    assert "@everyone" in discord["embeds"][0]["description"]


def test_discord_markdown_is_shown_as_written():
    """Asterisks and underscores in a mail are text, not formatting."""
    (discord,) = render_discord(_announcement("*重要* __締切__ `code` a > b\n> 引用"), "1", TZ, "d")
    assert discord["embeds"][0]["description"] == "\\*重要\\* \\_\\_締切\\_\\_ \\`code\\` a > b\n\\> 引用"


def test_email_view():
    """The e-mail view carries the subject, the byline, the text and the attachments."""
    view = render_email(_announcement("本文です。"), TZ)
    assert view["subject"] == "【近畿ブロック】会議のご案内"
    assert "事務局 <jimukyoku@rmo-network.example.jp> · 2026年11月25日（水）10:00" in view["text"]
    assert "📎 案内.pdf (application/pdf, 121 KB)" in view["text"]


def test_escaping_never_pushes_a_section_over_slacks_limit():
    """A body full of & and < still fits: sections are measured after escaping."""
    body = "&<>" * 2000
    messages = render_slack(_announcement(body), "C1", TZ, "d")
    assert all(len(b["text"]["text"]) <= 3000 for m in messages for b in m["blocks"] if b["type"] == "section")
    text = "".join(m["blocks"][2]["text"]["text"] for m in messages)
    assert text == body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
