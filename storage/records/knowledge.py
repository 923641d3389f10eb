"""Knowledge records: what the network is, its blocks, officers, members and FAQ, and what it could not answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

__all__ = ["Block", "Channel", "FaqEntry", "Member", "NetworkInfo", "Officer", "UnansweredQuestion"]

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Block:
    """One of the ten regional blocks (ブロック)."""

    key: str
    names: tuple[str, ...]
    names_en: tuple[str, ...]
    prefectures: tuple[str, ...]
    secretary: str | None = None
    secretary_en: str | None = None

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def name_en(self) -> str:
        return self.names_en[0] if self.names_en else self.key.capitalize()


@dataclass(frozen=True, slots=True)
class Officer:
    """An officer (役員): 代表, 副代表, 参与 or a block secretary (ブロック幹事)."""

    role: str
    role_en: str
    holder: str
    holder_en: str
    city: str | None = None
    prefecture: str | None = None
    block: str | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """A member municipality, organisation or individual, as far as the store knows it."""

    name: str
    prefecture: str | None = None
    name_en: str | None = None


@dataclass(frozen=True, slots=True)
class FaqEntry:
    """A question the secretariat answers once; keywords select it within its intent."""

    id: str
    intent: str
    keywords: tuple[str, ...]
    question: str
    question_en: str
    answer: str
    answer_en: str


@dataclass(frozen=True, slots=True)
class Channel:
    """One of the network's ways of sharing information (mailing list, Facebook, meetings …)."""

    name: str
    name_en: str
    timing: str
    timing_en: str
    content: str
    content_en: str


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    """What the network is: its name, founding, purpose and activity policy."""

    name: str
    name_en: str
    founded: date
    founded_ja: str
    founding_members: int
    founders: tuple[str, ...]
    founders_en: tuple[str, ...]
    purpose: str
    purpose_en: str
    policy_title: str = ""
    policy_title_en: str = ""
    policy: tuple[str, ...] = ()
    policy_en: tuple[str, ...] = ()
    meetings_note: str = ""
    meetings_note_en: str = ""
    channels: tuple[Channel, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    """A question the bot could not answer, kept for the secretariat."""

    text: str
    lang: str
    asked_at: datetime
    platform: str
    intent_guess: str | None = None

    def to_doc(self) -> Doc:
        return {
            "text": self.text,
            "lang": self.lang,
            "asked_at": self.asked_at.isoformat(),
            "platform": self.platform,
            "intent_guess": self.intent_guess,
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> UnansweredQuestion:
        return cls(
            text=doc["text"],
            lang=doc["lang"],
            asked_at=datetime.fromisoformat(doc["asked_at"]),
            platform=doc["platform"],
            intent_guess=doc.get("intent_guess"),
        )
