"""The data file (TOML) the secretariat maintains: its sections, what each may hold, and parsing it whole.

Reading a single field (and naming the line of an error) is storage/datafile_fields.py's.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any, cast

from storage.datafile_fields import URL, FieldReader, short_times
from storage.errors import DataFileError, DataFileErrors
from storage.records import (
    EVENT_KINDS,
    EVENT_SOURCES,
    EVENT_STATUSES,
    Block,
    Channel,
    Event,
    EventKind,
    EventSource,
    EventStatus,
    FaqEntry,
    Member,
    NetworkInfo,
    Officer,
    Venue,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

__all__ = ["BLOCK_KEYS", "DataRules", "DataSet", "load_dataset", "parse_dataset"]

BLOCK_KEYS = (
    "hokkaido",
    "tohoku",
    "kanto",
    "shinetsu",
    "hokuriku",
    "tokai",
    "kinki",
    "chugoku",
    "shikoku",
    "kyushu",
)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_BRACED = re.compile(r"\{([^{}]*)\}")
_SECTIONS = ("network", "blocks", "officers", "members", "faq", "events")


@dataclass(frozen=True, slots=True)
class DataSet:
    """Everything one data file carries; a section the file lacks is None (left alone on import)."""

    network: NetworkInfo | None = None
    blocks: tuple[Block, ...] | None = None
    officers: tuple[Officer, ...] | None = None
    members: tuple[Member, ...] | None = None
    faq: tuple[FaqEntry, ...] | None = None
    events: tuple[Event, ...] | None = None
    sections: tuple[str, ...] = field(default=())


class _Parser(FieldReader):
    """The sections of a data file and what each may hold."""

    def __init__(self, path: str, text: str, default_tz: tzinfo, placeholders: Iterable[str] = ()) -> None:
        super().__init__(path, text, default_tz)
        self.placeholders = frozenset(placeholders)

    def network(self, raw: object) -> NetworkInfo:
        allowed = (
            "name", "name_en", "founded", "founded_ja", "founding_members", "founders", "founders_en", "purpose",
            "purpose_en", "policy_title", "policy_title_en", "policy", "policy_en", "meetings_note",
            "meetings_note_en", "channels",
        )  # fmt: skip
        row = self.check_keys(raw, "network", None, allowed)
        founded = row.get("founded")
        if not isinstance(founded, date) or isinstance(founded, datetime):
            raise self.fail("network", None, "founded", f"expected a date like 2015-02-17, got {founded!r}")
        members = row.get("founding_members", 0)
        if not isinstance(members, int) or members < 0:
            raise self.fail("network", None, "founding_members", f"expected a whole number, got {members!r}")
        channels = []
        for i, ch in enumerate(row.get("channels", [])):
            ch_row = self.check_keys(ch, "network.channels", i, [f.name for f in Channel.__dataclass_fields__.values()])
            values = {k: self.text_field(ch_row, "network.channels", i, k) or "" for k in Channel.__dataclass_fields__}
            channels.append(Channel(**values))

        def txt(key: str, *, required: bool = False) -> str:
            return self.text_field(row, "network", None, key, required=required) or ""

        return NetworkInfo(
            name=txt("name", required=True),
            name_en=txt("name_en"),
            founded=founded,
            founded_ja=txt("founded_ja"),
            founding_members=members,
            founders=self.text_list(row, "network", None, "founders"),
            founders_en=self.text_list(row, "network", None, "founders_en"),
            purpose=txt("purpose"),
            purpose_en=txt("purpose_en"),
            policy_title=txt("policy_title"),
            policy_title_en=txt("policy_title_en"),
            policy=self.text_list(row, "network", None, "policy"),
            policy_en=self.text_list(row, "network", None, "policy_en"),
            meetings_note=txt("meetings_note"),
            meetings_note_en=txt("meetings_note_en"),
            channels=tuple(channels),
        )

    def blocks(self, data: dict[str, Any]) -> tuple[Block, ...]:
        blocks: list[Block] = []
        for i, raw in enumerate(self.rows(data, "blocks")):
            with self.collecting():  # a bad entry is reported, and the next one read all the same
                row = self.check_keys(
                    raw, "blocks", i, ("key", "names", "names_en", "prefectures", "secretary", "secretary_en")
                )
                key = self.text_field(row, "blocks", i, "key")
                assert key is not None
                if not _ID.match(key):
                    raise self.fail("blocks", i, "key", f"expected a short key like kinki, got {key!r}")
                names = self.text_list(row, "blocks", i, "names")
                if not names:
                    raise self.fail("blocks", i, "names", 'give at least one name, e.g. names = ["近畿"]')
                blocks.append(
                    Block(
                        key=key,
                        names=names,
                        names_en=self.text_list(row, "blocks", i, "names_en"),
                        prefectures=self.text_list(row, "blocks", i, "prefectures"),
                        secretary=self.text_field(row, "blocks", i, "secretary", required=False),
                        secretary_en=self.text_field(row, "blocks", i, "secretary_en", required=False),
                    )
                )
        self.unique((b.key for b in blocks), "blocks", "key")
        return tuple(blocks)

    def officers(self, data: dict[str, Any], block_keys: set[str]) -> tuple[Officer, ...]:
        officers: list[Officer] = []
        allowed = ("role", "role_en", "holder", "holder_en", "city", "prefecture", "block")
        for i, raw in enumerate(self.rows(data, "officers")):
            with self.collecting():  # a bad entry is reported, and the next one read all the same
                row = self.check_keys(raw, "officers", i, allowed)
                block = self.text_field(row, "officers", i, "block", required=False)
                if block is not None and block not in block_keys:
                    raise self.fail(
                        "officers",
                        i,
                        "block",
                        f"unknown block {block!r} (blocks: {', '.join(sorted(block_keys))})",
                    )
                officers.append(
                    Officer(
                        role=self.text_field(row, "officers", i, "role") or "",
                        role_en=self.text_field(row, "officers", i, "role_en", required=False) or "",
                        holder=self.text_field(row, "officers", i, "holder") or "",
                        holder_en=self.text_field(row, "officers", i, "holder_en", required=False) or "",
                        city=self.text_field(row, "officers", i, "city", required=False),
                        prefecture=self.text_field(row, "officers", i, "prefecture", required=False),
                        block=block,
                    )
                )
        return tuple(officers)

    def members(self, data: dict[str, Any]) -> tuple[Member, ...]:
        members: list[Member] = []
        for i, raw in enumerate(self.rows(data, "members")):
            with self.collecting():  # a bad entry is reported, and the next one read all the same
                row = self.check_keys(raw, "members", i, ("name", "name_en", "prefecture"))
                members.append(
                    Member(
                        name=self.text_field(row, "members", i, "name") or "",
                        prefecture=self.text_field(row, "members", i, "prefecture", required=False),
                        name_en=self.text_field(row, "members", i, "name_en", required=False),
                    )
                )
        # Same-named municipalities exist (府中市 in Tokyo and in Hiroshima): a member is its name and prefecture.
        self.unique((f"{m.name} ({m.prefecture or '-'})" for m in members), "members", "name")
        return tuple(members)

    def faq(self, data: dict[str, Any], intents: Iterable[str]) -> tuple[FaqEntry, ...]:
        entries: list[FaqEntry] = []
        known = set(intents)
        allowed = ("id", "intent", "keywords", "question", "question_en", "answer", "answer_en")
        for i, raw in enumerate(self.rows(data, "faq")):
            with self.collecting():  # a bad entry is reported, and the next one read all the same
                row = self.check_keys(raw, "faq", i, allowed)
                intent = self.text_field(row, "faq", i, "intent") or ""
                if intent not in known:
                    raise self.fail(
                        "faq", i, "intent", f"unknown intent {intent!r} (intents: {', '.join(sorted(known))})"
                    )
                entries.append(
                    FaqEntry(
                        id=self.text_field(row, "faq", i, "id") or "",
                        intent=intent,
                        keywords=self.text_list(row, "faq", i, "keywords"),
                        question=self.text_field(row, "faq", i, "question") or "",
                        question_en=self.text_field(row, "faq", i, "question_en") or "",
                        answer=self.template(row, i, "answer"),
                        answer_en=self.template(row, i, "answer_en"),
                    )
                )
        self.unique((e.id for e in entries), "faq", "id")
        return tuple(entries)

    def events(self, data: dict[str, Any], block_keys: set[str]) -> tuple[Event, ...]:
        events: list[Event] = []
        allowed = (
            "id", "kind", "block", "title", "title_en", "starts_at", "ends_at", "venue", "registration_url",
            "registration_deadline", "status", "source", "announcement_id",
        )  # fmt: skip
        for i, raw in enumerate(self.rows(data, "events")):
            with self.collecting():  # a bad entry is reported, and the next one read all the same
                row = self.check_keys(raw, "events", i, allowed)
                event_id = self.text_field(row, "events", i, "id") or ""
                ident = f'id "{event_id}"'
                if not _ID.match(event_id):
                    raise self.fail("events", i, "id", f"expected letters, digits, '-', '_' or '.', got {event_id!r}")
                kind = row.get("kind")
                if kind not in EVENT_KINDS:
                    raise self.fail(
                        "events", i, "kind", f"expected one of {', '.join(EVENT_KINDS)}, got {kind!r}", ident
                    )
                status = row.get("status", "scheduled")
                if status not in EVENT_STATUSES:
                    raise self.fail(
                        "events",
                        i,
                        "status",
                        f"expected one of {', '.join(EVENT_STATUSES)}, got {status!r}",
                        ident,
                    )
                source = row.get("source", "import")
                if source not in EVENT_SOURCES:
                    raise self.fail(
                        "events", i, "source", f"expected one of {', '.join(EVENT_SOURCES)}, got {source!r}"
                    )
                block = self.text_field(row, "events", i, "block", required=False)
                if block is not None and block not in block_keys:
                    raise self.fail(
                        "events",
                        i,
                        "block",
                        f"unknown block {block!r} (blocks: {', '.join(sorted(block_keys))})",
                        ident,
                    )
                if kind == "block_meeting" and block is None:
                    raise self.fail("events", i, None, 'a block_meeting needs "block"', ident)
                starts_at = self.when(row, "events", i, "starts_at", required=True)
                assert starts_at is not None
                ends_at = self.when(row, "events", i, "ends_at", required=False)
                if ends_at is not None and ends_at < starts_at:
                    raise self.fail("events", i, "ends_at", "ends before it starts", ident)
                events.append(
                    Event(
                        id=event_id,
                        kind=cast("EventKind", kind),
                        title=self.text_field(row, "events", i, "title") or "",
                        title_en=self.text_field(row, "events", i, "title_en", required=False),
                        starts_at=starts_at,
                        ends_at=ends_at,
                        block=block,
                        venue=self.venue(row.get("venue"), i, ident),
                        registration_url=self.url_field(row, "events", i, "registration_url"),
                        registration_deadline=self.when(row, "events", i, "registration_deadline", required=False),
                        status=cast("EventStatus", status),
                        source=cast("EventSource", source),
                        announcement_id=self.text_field(row, "events", i, "announcement_id", required=False),
                    )
                )
        self.unique((e.id for e in events), "events", "id")
        return tuple(events)

    def venue(self, raw: object, index: int, ident: str) -> Venue | None:
        if raw is None:
            return None
        if isinstance(raw, str):
            return Venue(description=raw.replace("\r\n", "\n")) if raw.strip() else None
        row = self.check_keys(raw, "events", index, ("description", "address", "online_url"))
        online = row.get("online_url") or None
        if online is not None and not (isinstance(online, str) and URL.match(online)):
            raise self.fail("events", index, "venue", f"online_url: expected an http(s) URL, got {online!r}", ident)
        texts: dict[str, str | None] = {}
        for key in ("description", "address"):
            value = row.get(key)
            if value is not None and not isinstance(value, str):
                raise self.fail("events", index, "venue", f"{key}: expected text, got {value!r}", ident)
            texts[key] = value.replace("\r\n", "\n") if value and value.strip() else None
        if not (online or texts["description"] or texts["address"]):
            return None
        return Venue(texts["description"], texts["address"], online)

    def template(self, row: dict[str, Any], index: int, key: str) -> str:
        text = self.text_field(row, "faq", index, key) or ""
        unknown = sorted({name for name in _BRACED.findall(text) if name not in self.placeholders})
        if unknown:
            known = ", ".join(sorted(self.placeholders)) or "none"
            raise self.fail("faq", index, key, f"unknown placeholder {{{unknown[0]}}} (known: {known})")
        return text


@dataclass(frozen=True, slots=True)
class DataRules:
    """What a data file may name: the intents of FAQ entries, the {placeholders} of their answers, blocks
    beyond the ten standard ones, and the time zone of times written without an offset."""

    default_tz: tzinfo
    intents: tuple[str, ...] = ()
    placeholders: tuple[str, ...] = ()
    known_blocks: tuple[str, ...] = ()


def parse_dataset(text: str, *, path: str, rules: DataRules) -> DataSet:
    """Parse and validate a whole data file; raise DataFileError naming the line and field (DataFileErrors,
    naming each, when there is more than one)."""
    parser = _Parser(path, text, rules.default_tz, rules.placeholders)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        short = short_times(text)
        if short:
            problems = [
                DataFileError(path, line, parser.locate.entry(line, key),
                              f"a time needs its seconds and Japan's offset: write {key} = {fixed}")
                for line, key, fixed in short
            ]  # fmt: skip
            raise DataFileErrors(problems) if len(problems) > 1 else problems[0] from None
        found = re.search(r"line (\d+)", str(exc))
        raise DataFileError(path, int(found.group(1)) if found else None, "TOML", str(exc)) from None
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        raise parser.fail(unknown[0], None, None, f"unknown section (sections: {', '.join(_SECTIONS)})")
    blocks = parser.blocks(data) if "blocks" in data else None
    block_keys = set(BLOCK_KEYS) | set(rules.known_blocks) | {b.key for b in blocks or ()}
    network = None
    with parser.collecting():
        network = parser.network(data["network"]) if "network" in data else None
    dataset = DataSet(
        network=network,
        blocks=blocks,
        officers=parser.officers(data, block_keys) if "officers" in data else None,
        members=parser.members(data) if "members" in data else None,
        faq=parser.faq(data, rules.intents) if "faq" in data else None,
        events=parser.events(data, block_keys) if "events" in data else None,
        sections=tuple(s for s in _SECTIONS if s in data),
    )
    if len(parser.errors) == 1:
        raise parser.errors[0]
    if parser.errors:
        raise DataFileErrors(parser.errors)
    return dataset


def load_dataset(path: Path, *, rules: DataRules) -> DataSet:
    """Read a data file from disk; see parse_dataset."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(str(path), None, "file", f"cannot read it: {exc}") from None
    return parse_dataset(text, path=str(path), rules=rules)
