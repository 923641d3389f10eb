"""The secretariat's announcement form, its preview and a notice, as Slack modals (Block Kit views)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.platforms.preview import EMAIL_LABEL, preview_of
from bot.platforms.slack.render import escape_mrkdwn
from handlers.commands import BODY_LIMIT, TITLE_LIMIT, DraftForm

if TYPE_CHECKING:
    from datetime import tzinfo

    from handlers.commands import AnnounceForm, AnnouncePreview, CorrectionForm

__all__ = [
    "CONFIRM_VIEW", "DRAFT_VIEW", "POST_FIX_VIEW", "draft_modal", "draft_values", "notice_modal", "post_fix_modal",
    "post_fix_values", "preview_modal",
]  # fmt: skip

DRAFT_VIEW = "rmo_announce_draft"
CONFIRM_VIEW = "rmo_announce_confirm"
POST_FIX_VIEW = "rmo_post_correct"


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150]}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900], "verbatim": True}}


def draft_modal(form: AnnounceForm) -> dict[str, Any]:
    """Title, body and target blocks, within the limits the dispatcher checks."""
    options = [{"text": _text(f"{b.name} / {b.name_en}"), "value": b.key} for b in form.blocks]
    return {
        "type": "modal", "callback_id": DRAFT_VIEW, "title": _text("お知らせの作成"),
        "submit": _text("プレビュー / Preview"), "close": _text("キャンセル"),
        "blocks": [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": escape_mrkdwn(form.text)}]},
            {"type": "input", "block_id": "title", "label": _text("件名 / Title"),
             "element": {"type": "plain_text_input", "action_id": "value", "max_length": TITLE_LIMIT}},
            {"type": "input", "block_id": "body", "label": _text("本文 / Body"),
             "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                         "max_length": BODY_LIMIT}},
            {"type": "input", "block_id": "blocks", "optional": True, "label": _text("対象ブロック / Blocks"),
             "element": {"type": "multi_static_select", "action_id": "value", "options": options}},
        ],
    }  # fmt: skip


def draft_values(view: dict[str, Any]) -> DraftForm:
    """The submitted draft form, as typed."""
    values = view.get("state", {}).get("values", {})
    title = values.get("title", {}).get("value", {}).get("value") or ""
    body = values.get("body", {}).get("value", {}).get("value") or ""
    chosen = values.get("blocks", {}).get("value", {}).get("selected_options") or []
    return DraftForm(title, body, tuple(o["value"] for o in chosen))


def preview_modal(preview: AnnouncePreview, tz: tzinfo) -> dict[str, Any]:
    """How the announcement will look on Slack, Discord and in e-mail, with a button to post it."""
    draft = preview.draft
    shown = preview_of(draft, tz)
    sections = [
        ("*Slack*", shown.slack_text),
        ("*Discord*", escape_mrkdwn(shown.discord_shown)),
        (f"*{EMAIL_LABEL}*", escape_mrkdwn(shown.email_text)),
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _text(draft.subject or "（件名なし）")},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape_mrkdwn(preview.text)}]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape_mrkdwn(shown.split_note(preview.lang))}]},
    ]
    blocks.extend(_section(f"{label}\n{text}") for label, text in sections)
    return {
        "type": "modal", "callback_id": CONFIRM_VIEW, "title": _text("プレビュー / Preview"),
        "submit": _text("投稿する / Post"), "close": _text("戻る / Back"),
        # Only the draft's id travels with the view; the draft itself stays with the bot.
        "private_metadata": draft.id, "blocks": blocks,
    }  # fmt: skip


def notice_modal(text: str) -> dict[str, Any]:
    """What became of a confirmation that posted nothing (refused, or the draft is gone)."""
    return {"type": "modal", "title": _text("お知らせ / Announcement"), "close": _text("閉じる / Close"),
            "blocks": [_section(escape_mrkdwn(text))]}  # fmt: skip


def post_fix_modal(form: CorrectionForm) -> dict[str, Any]:
    """A relayed post's correction: its subject and text, filled in as members read them now."""
    return {
        "type": "modal", "callback_id": POST_FIX_VIEW, "private_metadata": form.announcement_id,
        "title": _text("投稿の訂正" if form.lang == "ja" else "Correct a post"),
        "submit": _text("訂正する" if form.lang == "ja" else "Correct"),
        "close": _text("キャンセル" if form.lang == "ja" else "Cancel"),
        "blocks": [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": escape_mrkdwn(form.text)}]},
            {"type": "input", "block_id": "title", "label": _text("件名 / Subject"),
             "element": {"type": "plain_text_input", "action_id": "value", "max_length": TITLE_LIMIT,
                         "initial_value": form.subject[:TITLE_LIMIT]}},
            {"type": "input", "block_id": "body", "label": _text("本文 / Text"),
             "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                         "max_length": BODY_LIMIT, "initial_value": form.body[:BODY_LIMIT]}},
        ],
    }  # fmt: skip


def post_fix_values(view: dict[str, Any]) -> tuple[str, str, str]:
    """The submitted correction: the post's id, the subject and the text, as typed."""
    values = view.get("state", {}).get("values", {})
    subject = values.get("title", {}).get("value", {}).get("value") or ""
    body = values.get("body", {}).get("value", {}).get("value") or ""
    return str(view.get("private_metadata") or ""), subject, body
