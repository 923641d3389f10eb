"""The network's standing knowledge in TinyDB: network, blocks, officers, members and FAQ."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from storage.documents import natural_key, replacer
from storage.records import Block, Channel, FaqEntry, Member, NetworkInfo, Officer

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from tinydb import TinyDB

__all__ = ["TinyKnowledgeRepository"]

R = TypeVar("R")


# Flat records (tuples become lists in JSON and back).


def _flat_doc(record: object) -> dict[str, Any]:
    assert dataclasses.is_dataclass(record)
    doc: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        doc[f.name] = list(value) if isinstance(value, tuple) else value
    return doc


def _flat_record(cls: type[R], doc: Mapping[str, Any]) -> R:
    assert dataclasses.is_dataclass(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in doc.items() if k in names}
    return cls(**kwargs)


def _network_doc(info: NetworkInfo) -> dict[str, Any]:
    doc = _flat_doc(info)
    doc["founded"] = info.founded.isoformat()
    doc["channels"] = [_flat_doc(c) for c in info.channels]
    return doc


def _network_record(doc: Mapping[str, Any]) -> NetworkInfo:
    plain = dict(doc)
    channels = tuple(_flat_record(Channel, c) for c in plain.pop("channels", []))
    plain["founded"] = date.fromisoformat(plain["founded"])
    info = _flat_record(NetworkInfo, plain)
    return dataclasses.replace(info, channels=channels)


class TinyKnowledgeRepository:
    """Knowledge in one small file; parsed once and kept until the next write."""

    def __init__(self, db: TinyDB) -> None:
        self._db = db
        self._cache: dict[str, tuple[Any, ...]] = {}
        self._network: NetworkInfo | None = None

    def _records(self, table: str, cls: type[R]) -> tuple[R, ...]:
        cached = self._cache.get(table)
        if cached is None:
            cached = tuple(_flat_record(cls, doc) for doc in self._db.table(table).all())
            self._cache[table] = cached
        return cached

    def network(self) -> NetworkInfo | None:
        if self._network is None:
            docs = self._db.table("network").all()
            self._network = _network_record(docs[0]) if docs else None
        return self._network

    def blocks(self) -> tuple[Block, ...]:
        return self._records("blocks", Block)

    def officers(self) -> tuple[Officer, ...]:
        return self._records("officers", Officer)

    def members(self) -> tuple[Member, ...]:
        return self._records("members", Member)

    def faq(self) -> tuple[FaqEntry, ...]:
        return self._records("faq", FaqEntry)

    # Writes: each replaces or upserts by the record's natural key; returns how many changed.

    def replace_network(self, info: NetworkInfo) -> int:
        table = self._db.table("network")
        doc = _network_doc(info)
        if [dict(d) for d in table.all()] == [doc]:
            return 0
        table.truncate()
        table.insert(doc)
        self._network = None
        return 1

    def upsert_blocks(self, blocks: Iterable[Block]) -> int:
        return self._upsert("blocks", ("key",), (_flat_doc(b) for b in blocks))

    def upsert_members(self, members: Iterable[Member]) -> int:
        return self._upsert("members", ("name", "prefecture"), (_flat_doc(m) for m in members))

    def upsert_faq(self, entries: Iterable[FaqEntry]) -> int:
        return self._upsert("faq", ("id",), (_flat_doc(e) for e in entries))

    def replace_officers(self, officers: Iterable[Officer]) -> int:
        # Officers carry no stable id and a file lists them all: a new list replaces the old one.
        table = self._db.table("officers")
        docs = [_flat_doc(o) for o in officers]
        if [dict(d) for d in table.all()] == docs:
            return 0
        self._cache.pop("officers", None)
        table.truncate()
        table.insert_multiple(docs)
        return len(docs)

    def _upsert(self, table_name: str, key: tuple[str, ...], docs: Iterable[dict[str, Any]]) -> int:
        table = self._db.table(table_name)
        existing = {natural_key(doc, key): doc for doc in table.all()}
        replace: dict[int, dict[str, Any]] = {}
        new: list[dict[str, Any]] = []
        for doc in docs:
            old = existing.get(natural_key(doc, key))
            if old is None:
                new.append(doc)
            elif dict(old) != doc:
                replace[old.doc_id] = doc
        if replace:
            by_key = {natural_key(doc, key): doc for doc in replace.values()}
            table.update(replacer(key, by_key), doc_ids=list(replace))
        if new:
            table.insert_multiple(new)
        if replace or new:
            self._cache.pop(table_name, None)
        return len(replace) + len(new)
