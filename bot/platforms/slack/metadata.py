"""What travels with a Slack form in its `private_metadata`: the ids it acts on and the language it was
shown in, so that what a submission is told is in the form's language, never guessed from what was typed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from handlers.messages import Lang

__all__ = ["form_metadata", "read_metadata", "view_language"]


def form_metadata(lang: Lang, **ids: str) -> str:
    """The `private_metadata` of a form shown in `lang` that acts on `ids` (Slack allows 3,000 characters)."""
    return json.dumps({**ids, "lang": lang})


def read_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """A submitted form's metadata; a bare id (a form opened before the language travelled with it) is its id."""
    raw = str(view.get("private_metadata") or "")
    try:
        meta = json.loads(raw) if raw else {}
    except ValueError:
        meta = None
    return meta if isinstance(meta, dict) else {"id": raw}


def view_language(view: dict[str, Any]) -> Lang:
    """The language the submitted form was shown in (Japanese, the network's own, when it does not say)."""
    return "en" if read_metadata(view).get("lang") == "en" else "ja"
