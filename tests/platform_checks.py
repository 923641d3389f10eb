"""What Slack and Discord accept, checked the way they check it: Block Kit through slack_sdk's own models, and
Discord's documented message and embed limits."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

__all__ = [
    "assert_discord_message",
    "assert_messages_fit",
    "assert_slack_blocks",
    "assert_slack_view",
    "slack_links",
    "slack_shown",
]

# https://discord.com/developers/docs/resources/message#embed-object-embed-limits and create-message
DISCORD_LIMITS = {"content": 2000, "title": 256, "description": 4096, "fields": 25, "field.name": 256,
                  "field.value": 1024, "footer": 2048, "author": 256, "embeds": 10, "total": 6000}  # fmt: skip


def _texts(value: object) -> list[str]:
    """Every text object's text inside a block (plain_text and mrkdwn), however deep."""
    if isinstance(value, dict):
        found = [value["text"]] if value.get("type") in {"plain_text", "mrkdwn"} else []
        return found + [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def assert_slack_blocks(blocks: list[dict[str, Any]], most: int = 50) -> None:
    """Each block parses as slack_sdk's model of its type, validates, and round-trips unchanged (nothing in it
    is unknown to Block Kit); text objects and rich_text stay within 3,000 characters."""
    assert 0 < len(blocks) <= most
    for raw in blocks:
        model = Block.parse(raw)
        assert model is not None, raw
        model.validate_json()
        assert model.to_dict() == raw, raw
        assert all(0 < len(t) <= 3000 for t in _texts(raw)), raw
        if raw["type"] == "rich_text":
            assert 0 < len(slack_shown(raw)) <= 3000
            assert all(e.get("text") for s in raw["elements"] for e in s["elements"])


def assert_slack_view(view: dict[str, Any]) -> None:
    """A modal or Home tab view: slack_sdk's View validates it, and each of its blocks as above."""
    View(**view).validate_json()
    assert_slack_blocks(view["blocks"], most=100)


def slack_shown(block: dict[str, Any]) -> str:
    """What a rich_text block shows: its elements' text, links as their text."""
    return "".join(e["text"] for s in block["elements"] for e in s["elements"])


def slack_links(block: dict[str, Any]) -> list[str]:
    """The URLs a rich_text block links."""
    return [e["url"] for s in block["elements"] for e in s["elements"] if e["type"] == "link"]


def assert_discord_message(payload: dict[str, Any]) -> None:
    """A create-message payload within Discord's documented limits, pinging nobody."""
    limits = DISCORD_LIMITS
    assert len(payload.get("content") or "") <= limits["content"]
    embeds = payload.get("embeds") or []
    assert len(embeds) <= limits["embeds"]
    total = 0
    for embed in embeds:
        title, description = embed.get("title", ""), embed.get("description", "")
        footer, author = (embed.get("footer") or {}).get("text", ""), (embed.get("author") or {}).get("name", "")
        fields = embed.get("fields", [])
        assert len(title) <= limits["title"]
        assert len(description) <= limits["description"]
        assert len(footer) <= limits["footer"]
        assert len(author) <= limits["author"]
        assert len(fields) <= limits["fields"]
        assert all(len(f["name"]) <= limits["field.name"] and len(f["value"]) <= limits["field.value"] for f in fields)
        total += len(title) + len(description) + len(footer) + len(author)
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= limits["total"]
    assert payload.get("allowed_mentions") == {"parse": []}


def assert_messages_fit(slack: list[dict[str, Any]], discord: list[dict[str, Any]]) -> None:
    """Every Slack message's blocks and every Discord payload, checked as above."""
    for message in slack:
        assert_slack_blocks(message["blocks"])
    for payload in discord:
        assert_discord_message(payload)
