"""What the intake is told by the configuration: which posts are genuine, where they go, how much of what is
not relayed is kept."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = ["IntakePolicy", "Retention", "Routes", "take_page_mark"]

# 「【FB】」, "[FB]", 「［ＦＢ］」 or "[Facebook]" anywhere in a subject: the secretariat asks for the Page.
_PAGE_MARK = re.compile(r"\s*[【\[［]\s*(?:[fｆ][bｂ]|facebook)\s*[】\]］]\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Retention:
    """How much of what is not relayed is kept: refused mail only its start (headers and a prefix; nobody
    releases it), mail accepted but unreadable whole (the secretariat may release it); in all at most
    `max_bytes`, the oldest going first, and nothing longer than `days`."""

    refused_bytes: int = 64 * 1024
    max_bytes: int = 256 * 1024 * 1024
    days: int = 90


@dataclass(frozen=True, slots=True)
class IntakePolicy:
    """Which posts are genuine: from these lists, by these authors, and never the bot's own mail."""

    list_ids: frozenset[str]
    allowed_senders: frozenset[str]
    own_addresses: frozenset[str] = frozenset()
    dkim: Literal["off", "verify", "require"] = "off"
    # The list's own From addresses: only mail from one of these is a list's DMARC rewrite to unwrap.
    list_addresses: frozenset[str] = frozenset()
    retention: Retention = field(default_factory=Retention)
    # Subject tags that are the list's whatever its name (lower case, without brackets): "rmo", "お知らせ".
    subject_tags: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        list_ids: Iterable[str],
        senders: Iterable[str],
        own: Iterable[str] = (),
        dkim: str = "off",
        list_addresses: Iterable[str] = (),
        retention: Retention | None = None,
        subject_tags: Iterable[str] = (),
    ) -> IntakePolicy:
        return cls(
            frozenset(i.strip().lower() for i in list_ids),
            frozenset(s.strip().lower() for s in senders),
            frozenset(o.strip().lower() for o in own if o),
            "require" if dkim == "require" else "verify" if dkim == "verify" else "off",
            frozenset(a.strip().lower() for a in list_addresses),
            retention or Retention(),
            frozenset(t.strip().strip("[]()【】").strip().lower() for t in subject_tags if t.strip()),
        )


def take_page_mark(subject: str) -> tuple[str, bool]:
    """The subject without the secretariat's 「【FB】」 mark, and whether it had one."""
    clean, count = _PAGE_MARK.subn(" ", subject)
    return (" ".join(clean.split()), True) if count else (subject, False)


@dataclass(frozen=True, slots=True)
class Routes:
    """Where announcements go: every platform's default channels, and a channel per block; and the pages
    (the Facebook page) that carry posts only, never reminders: every post, or with `pages_on_request`
    only those the secretariat marks."""

    default: Mapping[str, Sequence[str]] = field(default_factory=dict)
    blocks: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    pages: Mapping[str, Sequence[str]] = field(default_factory=dict)
    pages_on_request: bool = True

    def to_pages(self, source: str, marked: bool) -> bool:
        """Whether a post from `source` ("mail", "chat", "reminder"), marked or not, goes to the pages."""
        return source != "reminder" and (marked or not self.pages_on_request)

    def destinations(self, blocks: Iterable[str], *, pages: bool = False) -> list[tuple[str, str]]:
        """(platform, channel) pairs for an announcement naming `blocks`, each once (the pages too, with
        `pages`)."""
        found: list[tuple[str, str]] = []
        for platform, channels in self.default.items():
            found += [(platform, c) for c in channels]
        for platform, by_block in self.blocks.items():
            found += [(platform, by_block[b]) for b in blocks if b in by_block]
        if pages:
            for platform, channels in self.pages.items():
                found += [(platform, c) for c in channels]
        return list(dict.fromkeys(found))
