"""The calendar's forms on Slack: a meeting read from a post as a card with 登録 / 修正 / 登録しない, the
correction form, and the form that adds an event (`/rmo event add`). Only the proposal's id travels with a
button; the bot decides the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.platforms.slack.metadata import form_metadata, read_metadata
from bot.platforms.slack.text import escape_mrkdwn, plain_context, rich_text
from handlers.commands import EventDraft, ProposalCorrection
from handlers.texts import say

if TYPE_CHECKING:
    from handlers.commands import EventEdit, EventForm
    from handlers.commands.proposals import ProposalCard
    from handlers.messages import Lang

__all__ = [
    "ACCEPT",
    "ADD_VIEW",
    "EDIT",
    "EDIT_VIEW",
    "FIX_VIEW",
    "REJECT",
    "correction_modal",
    "correction_values",
    "edit_modal",
    "edit_values",
    "event_modal",
    "event_values",
    "proposal_message",
]

ACCEPT, EDIT, REJECT = "rmo_proposal_accept", "rmo_proposal_edit", "rmo_proposal_reject"
FIX_VIEW = "rmo_proposal_fix"
ADD_VIEW = "rmo_event_add"
EDIT_VIEW = "rmo_event_edit"
_FIELDS = ("title", "when", "venue", "registration_url", "deadline")


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150]}


def proposal_message(card: ProposalCard) -> dict[str, Any]:
    """`text` and `blocks` for chat.postMessage (or a response_url that replaces the card once decided)."""
    lang = card.lang
    blocks: list[dict[str, Any]] = [rich_text(card.heading[:2900]), rich_text("\n".join(card.lines)[:2900])]
    if card.doubts:
        blocks.append(plain_context("\n".join(f"⚠️ {d}" for d in card.doubts)))
    if card.decided:
        blocks.append(plain_context(card.decided))
    else:
        pid = card.proposal.id
        blocks.append({"type": "actions", "block_id": f"proposal-{pid}", "elements": [
            {"type": "button", "action_id": ACCEPT, "value": pid, "style": "primary",
             "text": _plain(say("proposal.button.accept", lang))},
            {"type": "button", "action_id": EDIT, "value": pid, "text": _plain(say("proposal.button.edit", lang))},
            {"type": "button", "action_id": REJECT, "value": pid, "style": "danger",
             "text": _plain(say("proposal.button.reject", lang))},
        ]})  # fmt: skip
    return {"text": escape_mrkdwn(card.text)[:3900], "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def _field(name: str, value: str, lang: Lang, *, optional: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "max_length": 300}
    if value:
        element["initial_value"] = value[:300]
    return {"type": "input", "block_id": name, "optional": optional,
            "label": _plain(say(f"proposal.field.{name}", lang)), "element": element}  # fmt: skip


def event_modal(form: EventForm) -> dict[str, Any]:
    """The form that adds an event: title, date and time, block, venue, registration URL."""
    lang = form.lang
    return {
        "type": "modal", "callback_id": ADD_VIEW, "title": _plain(say("event.form.title", lang)[:24]),
        "submit": _plain(say("event.form.save", lang)[:24]),
        "close": _plain("キャンセル" if lang == "ja" else "Cancel"), "private_metadata": form_metadata(lang),
        "blocks": [
            plain_context(form.text),
            _field("title", "", lang), _field("when", "", lang), _field("block", "", lang),
            _field("venue", "", lang, optional=True), _field("registration_url", "", lang, optional=True),
        ],
    }  # fmt: skip


def edit_modal(form: EventEdit) -> dict[str, Any]:
    """The form that corrects an event on the calendar, filled in with how it is now."""
    view = correction_modal(form.event_id, form.values, "", form.lang)
    view.update({"callback_id": EDIT_VIEW, "private_metadata": form_metadata(form.lang, id=form.event_id),
                 "title": _plain(say("event.edit.title", form.lang)[:24])})  # fmt: skip
    view["blocks"].insert(0, plain_context(form.text))
    return view


def edit_values(view: dict[str, Any]) -> tuple[str, ProposalCorrection]:
    """The submitted edit form: the event's id and what was typed."""
    event_id, _, typed = correction_values(view)
    return event_id, typed


def event_values(view: dict[str, Any]) -> EventDraft:
    """The submitted add form, as typed."""
    values = view.get("state", {}).get("values", {})
    typed = {name: values.get(name, {}).get("value", {}).get("value") or "" for name in
             ("title", "when", "block", "venue", "registration_url")}  # fmt: skip
    return EventDraft(**typed)


def correction_modal(proposal_id: str, values: ProposalCorrection, response_url: str, lang: Lang) -> dict[str, Any]:
    """The correction form, filled in with what was read; submitting it puts the corrected meeting on."""

    def field(name: str, value: str, *, optional: bool = False) -> dict[str, Any]:
        return _field(name, value, lang, optional=optional)

    return {
        "type": "modal", "callback_id": FIX_VIEW, "title": _plain(say("proposal.form.title", lang)[:24]),
        "submit": _plain(say("proposal.form.save", lang)[:24]),
        "close": _plain("キャンセル" if lang == "ja" else "Cancel"),
        # The card's response_url travels with the form, so the card can say what was decided.
        "private_metadata": form_metadata(lang, id=proposal_id, response_url=response_url),
        "blocks": [
            field("title", values.title), field("when", values.when), field("venue", values.venue),
            field("registration_url", values.registration_url, optional=True),
            field("deadline", values.deadline, optional=True),
        ],
    }  # fmt: skip


def correction_values(view: dict[str, Any]) -> tuple[str, str, ProposalCorrection]:
    """The submitted correction form: the proposal's id, the card's response_url, and what was typed."""
    meta = read_metadata(view)
    values = view.get("state", {}).get("values", {})
    typed = {name: values.get(name, {}).get("value", {}).get("value") or "" for name in _FIELDS}
    return str(meta.get("id", "")), str(meta.get("response_url", "")), ProposalCorrection(**typed)
