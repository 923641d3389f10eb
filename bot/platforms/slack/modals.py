"""The secretariat's announcement form, its preview and a notice, as Slack modals (Block Kit views)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.platforms.preview import preview_of
from bot.platforms.slack.metadata import form_metadata, read_metadata
from bot.platforms.slack.reply import text_blocks
from bot.platforms.slack.text import plain_context
from handlers.commands import BODY_LIMIT, TITLE_LIMIT, DraftForm
from handlers.texts import say

if TYPE_CHECKING:
    from datetime import tzinfo

    from handlers.commands import AnnounceForm, AnnouncePreview, CorrectionForm
    from handlers.messages import Lang

__all__ = [
    "CONFIRM_VIEW", "DRAFT_VIEW", "POST_FIX_VIEW", "draft_modal", "draft_values", "notice_modal", "post_fix_modal",
    "post_fix_values", "preview_modal",
]  # fmt: skip

DRAFT_VIEW = "rmo_announce_draft"
CONFIRM_VIEW = "rmo_announce_confirm"
POST_FIX_VIEW = "rmo_post_correct"
_SLACK_BLOCKS, _OTHER_BLOCKS = 50, 20  # a modal holds 100 blocks


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150]}


def draft_modal(form: AnnounceForm) -> dict[str, Any]:
    """Title, body and target blocks, within the limits the dispatcher checks; in the asker's language."""
    lang = form.lang
    options = [{"text": _text(b.name if lang == "ja" else b.name_en), "value": b.key} for b in form.blocks]
    return {
        "type": "modal", "callback_id": DRAFT_VIEW, "title": _text(say("form.announce.title", lang)[:24]),
        "submit": _text(say("form.preview", lang)), "close": _text(say("form.cancel", lang)),
        "blocks": [
            plain_context(form.text),
            {"type": "input", "block_id": "title", "label": _text(say("form.field.title", lang)),
             "element": {"type": "plain_text_input", "action_id": "value", "max_length": TITLE_LIMIT}},
            {"type": "input", "block_id": "body", "label": _text(say("form.field.body", lang)),
             "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                         "max_length": BODY_LIMIT}},
            {"type": "input", "block_id": "blocks", "optional": True, "label": _text(say("form.field.blocks", lang)),
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
    draft, lang = preview.draft, preview.lang
    shown = preview_of(draft, tz)
    # The Slack post's own text blocks (as they will look), then what Discord and e-mail will show, as text.
    slack = [b for m in shown.slack for b in m["blocks"] if b["type"] == "rich_text"][:_SLACK_BLOCKS]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _text(draft.subject or "（件名なし）")},
        plain_context(preview.text),
        plain_context(shown.split_note(preview.lang)),
        {"type": "header", "text": _text("Slack")}, *slack,
        {"type": "header", "text": _text("Discord")}, *text_blocks(shown.discord_text, _OTHER_BLOCKS),
        {"type": "header", "text": _text(say("form.email", lang))}, *text_blocks(shown.email_text, _OTHER_BLOCKS),
    ]  # fmt: skip
    return {
        "type": "modal", "callback_id": CONFIRM_VIEW, "title": _text(say("form.preview", lang)),
        "submit": _text(say("form.post", lang)), "close": _text(say("form.back", lang)),
        # Only the draft's id travels with the view; the draft itself stays with the bot.
        "private_metadata": draft.id, "blocks": blocks,
    }  # fmt: skip


def notice_modal(text: str, lang: Lang) -> dict[str, Any]:
    """What became of a confirmation that posted nothing (refused, or the draft is gone)."""
    return {"type": "modal", "title": _text(say("form.notice", lang)), "close": _text(say("form.close", lang)),
            "blocks": text_blocks(text, 1)}  # fmt: skip


def post_fix_modal(form: CorrectionForm) -> dict[str, Any]:
    """A relayed post's correction: its subject and text, filled in as members read them now."""
    return {
        "type": "modal", "callback_id": POST_FIX_VIEW,
        "private_metadata": form_metadata(form.lang, id=form.announcement_id),
        "title": _text("投稿の訂正" if form.lang == "ja" else "Correct a post"),
        "submit": _text("訂正する" if form.lang == "ja" else "Correct"),
        "close": _text("キャンセル" if form.lang == "ja" else "Cancel"),
        "blocks": [
            plain_context(form.text),
            {"type": "input", "block_id": "title", "label": _text("件名" if form.lang == "ja" else "Subject"),
             "element": {"type": "plain_text_input", "action_id": "value", "max_length": TITLE_LIMIT,
                         "initial_value": form.subject[:TITLE_LIMIT]}},
            {"type": "input", "block_id": "body", "label": _text("本文" if form.lang == "ja" else "Text"),
             "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                         "max_length": BODY_LIMIT, "initial_value": form.body[:BODY_LIMIT]}},
        ],
    }  # fmt: skip


def post_fix_values(view: dict[str, Any]) -> tuple[str, str, str]:
    """The submitted correction: the post's id, the subject and the text, as typed."""
    values = view.get("state", {}).get("values", {})
    subject = values.get("title", {}).get("value", {}).get("value") or ""
    body = values.get("body", {}).get("value", {}).get("value") or ""
    return str(read_metadata(view).get("id") or ""), subject, body
