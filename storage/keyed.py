"""A table's documents found by a key of their own, written by document id: a change costs what changed.

The repositories keep their records in memory and used to write a table whole (truncate, insert all);
over a journalled storage (storage.journalled) `write` commits only the documents given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinydb.table import Document

from storage.journalled_table import JournalledTable

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from tinydb.table import Table

__all__ = ["Keyed"]


class Keyed:
    """The documents of one table by key; `write` puts and deletes some of them in one commit."""

    def __init__(self, table: Table, key: Callable[[Mapping[str, Any]], str]) -> None:
        self._table = table
        self._key = key
        self._ids: dict[str, int] = {}
        # As read when opened, in id order (the repositories build from them, then let them go).
        self.docs: list[Document] = sorted(table.all(), key=lambda doc: doc.doc_id)
        for doc in self.docs:
            self._ids[key(doc)] = doc.doc_id

    def write(self, put: Iterable[dict[str, Any]] = (), delete: Iterable[str] = (), *, renew: bool = False) -> None:
        """Set these documents (new ones get an id; all of them with `renew`, so that the table's order of
        ids is the order of writes) and delete those keys, in one commit: all or nothing, so the ids known
        here change only once it is written."""
        docs: dict[int, dict[str, Any]] = {}
        new: dict[str, int] = {}
        removed = {key: self._ids[key] for key in delete if key in self._ids}
        for doc in put:
            key = self._key(doc)
            doc_id = new.get(key) if renew else self._ids.get(key) or new.get(key)
            if doc_id is None:
                if renew and key in self._ids:
                    removed[key] = self._ids[key]
                doc_id = new[key] = self._new_id()
            docs[doc_id] = doc
        if not (docs or removed):
            return
        if isinstance(self._table, JournalledTable):
            self._table.put(docs, list(removed.values()))
        else:  # a plain TinyDB file (tests and tools open one directly)
            for doc_id, doc in docs.items():
                self._table.upsert(Document(doc, doc_id=doc_id))
            if removed:
                self._table.remove(doc_ids=list(removed.values()))
        for key in removed:
            del self._ids[key]
        self._ids.update(new)

    def _new_id(self) -> int:
        # TinyDB's own counter (what `insert` uses), so that ids never repeat within the table.
        return int(self._table._get_next_id())  # type: ignore[no-untyped-call]  # noqa: SLF001
