"""Tables that tell their `JournalledStorage` which documents each operation touched (storage.journalled).

TinyDB's updaters get the table as a dict of documents by id; here they get a view over the stored table
that notes every document reached through it, since an update changes a document in place. An update or a
removal by condition finds its documents first (a read), then changes them by id, so that a commit holds
the documents changed, not every one the condition looked at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinydb import TinyDB
from tinydb.table import Table

from storage.journalled import JournalledStorage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence

    from tinydb.queries import QueryLike

__all__ = ["JournalledTable", "JournalledTinyDB"]

Doc = dict[str, Any]


class _Touched:
    """The table as TinyDB's updaters see it (document ids as ints), noting every document they reach."""

    __slots__ = ("cleared", "raw", "touched")

    def __init__(self, raw: dict[str, Doc]) -> None:
        self.raw = raw
        self.touched: set[str] = set()
        self.cleared = False

    def __getitem__(self, doc_id: int) -> Doc:
        key = str(doc_id)
        doc = self.raw[key]
        self.touched.add(key)  # the updater may change it in place
        return doc

    def __setitem__(self, doc_id: int, doc: Doc) -> None:
        key = str(doc_id)
        self.raw[key] = doc
        self.touched.add(key)

    def pop(self, doc_id: int, *default: Doc | None) -> Doc | None:
        key = str(doc_id)
        self.touched.add(key)
        return self.raw.pop(key, *default)

    def __delitem__(self, doc_id: int) -> None:
        self.pop(doc_id)

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self.raw

    def keys(self) -> list[int]:
        return [int(k) for k in self.raw]

    def __iter__(self) -> Iterator[int]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.raw)

    def update(self, docs: Mapping[int, Doc]) -> None:
        for doc_id, doc in docs.items():
            self[doc_id] = doc

    def clear(self) -> None:
        self.raw.clear()
        self.touched.clear()
        self.cleared = True


class JournalledTable(Table):
    """A TinyDB table that tells its `JournalledStorage` which documents each operation touched."""

    def _update_table(self, updater: Callable[[dict[int, Mapping[Any, Any]]], None]) -> None:
        storage = self._storage
        assert isinstance(storage, JournalledStorage)
        tables = storage.read()
        if tables is None:  # an empty store; `read` always gives one once loaded
            tables = {}
        raw = tables.setdefault(self.name, {})
        view = _Touched(raw)
        try:
            updater(view)  # type: ignore[arg-type]
        except BaseException:
            storage.forget()  # as if TinyDB had read the file afresh: what the updater changed is gone
            raise
        finally:
            self.clear_cache()
        storage.touched(self.name, view.cleared, view.touched)

    # A condition reaches every document; found first, the documents are then changed by id alone.

    def update(
        self,
        fields: Mapping[Any, Any] | Callable[[MutableMapping[Any, Any]], None],
        cond: QueryLike | None = None,
        doc_ids: Iterable[int] | None = None,
    ) -> list[int]:
        if cond is not None and doc_ids is None:
            doc_ids = [doc.doc_id for doc in self.search(cond)]
            if not doc_ids:
                return []
        return super().update(fields, doc_ids=doc_ids)

    def remove(self, cond: QueryLike | None = None, doc_ids: Iterable[int] | None = None) -> list[int]:
        if cond is not None and doc_ids is None:
            doc_ids = [doc.doc_id for doc in self.search(cond)]
            if not doc_ids:
                return []
        return super().remove(doc_ids=doc_ids)

    def put(self, docs: dict[int, Doc], removed: Sequence[int] = ()) -> None:
        """Set these documents by id and delete those, in one commit."""

        def updater(table: dict[int, Mapping[Any, Any]]) -> None:
            table.update(docs)  # a _Touched view: one by one, noted
            for doc_id in removed:
                table.pop(doc_id, None)

        self._update_table(updater)


class JournalledTinyDB(TinyDB):
    table_class = JournalledTable
