"""The secretariat's announcement form and its preview, as Slack modals (Block Kit views)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.mail.render import render_email
from bot.platforms.discord.render import render_discord
from bot.platforms.slack.render import escape_mrkdwn, render_slack

if TYPE_CHECKING:
    from datetime import tzinfo

    from storage.records import Announcement, Block

__all__ = ["CONFIRM_VIEW", "DRAFT_VIEW", "draft_modal", "draft_values", "preview_modal"]

DRAFT_VIEW = "rmo_announce_draft"
CONFIRM_VIEW = "rmo_announce_confirm"


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150]}


def draft_modal(blocks: tuple[Block, ...]) -> dict[str, Any]:
    """Title, body and target blocks."""
    options = [{"text": _text(f"{b.name} / {b.name_en}"), "value": b.key} for b in blocks]
    return {
        "type": "modal", "callback_id": DRAFT_VIEW, "title": _text("お知らせの作成"),
        "submit": _text("プレビュー / Preview"), "close": _text("キャンセル"),
        "blocks": [
            {"type": "input", "block_id": "title", "label": _text("件名 / Title"),
             "element": {"type": "plain_text_input", "action_id": "value", "max_length": 150}},
            {"type": "input", "block_id": "body", "label": _text("本文 / Body"),
             "element": {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 3000}},
            {"type": "input", "block_id": "blocks", "optional": True, "label": _text("対象ブロック / Blocks"),
             "element": {"type": "multi_static_select", "action_id": "value", "options": options}},
        ],
    }  # fmt: skip


def draft_values(view: dict[str, Any]) -> tuple[str, str, list[str]]:
    """(title, body, block keys) from a submitted draft form."""
    values = view.get("state", {}).get("values", {})
    title = values.get("title", {}).get("value", {}).get("value") or ""
    body = values.get("body", {}).get("value", {}).get("value") or ""
    chosen = values.get("blocks", {}).get("value", {}).get("selected_options") or []
    return title, body, [o["value"] for o in chosen]


def preview_modal(announcement: Announcement, tz: tzinfo) -> dict[str, Any]:
    """How the announcement will look on Slack, Discord and in e-mail, with a button to post it."""
    slack = render_slack(announcement, "preview", tz)
    discord = render_discord(announcement, "preview", tz)
    email = render_email(announcement, tz)
    sections = [
        ("*Slack*", "\n".join(b["text"]["text"] for m in slack for b in m["blocks"] if b["type"] == "section")),
        ("*Discord*", escape_mrkdwn("\n".join(m["embeds"][0].get("description", "") for m in discord))),
        ("*メール / E-mail*", escape_mrkdwn(email["text"])),
    ]
    blocks: list[dict[str, Any]] = [{"type": "header", "text": _text(announcement.subject or "（件名なし）")}]
    for label, text in sections:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"{label}\n{text}"[:2900], "verbatim": True}}
        )
    return {
        "type": "modal", "callback_id": CONFIRM_VIEW, "title": _text("プレビュー / Preview"),
        "submit": _text("投稿する / Post"), "close": _text("戻る / Back"),
        # Only the draft's id travels with the view; the draft itself stays with the bot.
        "private_metadata": announcement.id, "blocks": blocks,
    }  # fmt: skip
