"""Questions the bot could not answer, kept by month for the secretariat.

Recording one is on the answer path, so it is a line in a journal (`unanswered.journal`, see `storage.journal`),
not an fsynced rewrite of the month's file; the journal is folded into the monthly files every hundred questions
and at close. A fold that a crash cut short is done again at the next start without recording a question twice.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import TYPE_CHECKING, Any

from storage.records import UnansweredQuestion

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from storage.archive import MonthlyArchive
    from storage.journal import Journal

__all__ = ["TinyUnansweredRepository"]


_FOLD_AFTER = 100  # journal lines: past this many, they are folded into the monthly files


class TinyUnansweredRepository:
    """Unanswered questions, partitioned by month, the latest ones in a journal."""

    def __init__(self, archive: MonthlyArchive, journal: Journal) -> None:
        self._archive = archive
        self._journal = journal
        self._folded_whole = False  # whether the last fold in this process finished (see `fold`)

    def record(self, question: UnansweredQuestion) -> None:
        self._journal.append(question.to_doc())
        if len(self._journal.records) >= _FOLD_AFTER:
            self.fold()

    def recent(self, limit: int | None = None) -> list[UnansweredQuestion]:
        latest_first = reversed(self._journal.records)
        journalled = sorted(latest_first, key=lambda doc: str(doc.get("asked_at")), reverse=True)
        docs: Iterator[dict[str, Any]] = _once(itertools.chain(journalled, self._archive.iter_docs(newest_first=True)))
        if limit is not None:
            docs = itertools.islice(docs, limit)
        return [UnansweredQuestion.from_doc(doc) for doc in docs]

    def fold(self) -> None:
        """Move the journal's questions into their months' files (durably), then empty it. Only a fold after
        one that did not finish (a crash, a failed write) looks in the months' files for what is there already,
        and then reads each month concerned once."""
        kept: set[tuple[object, object]] = set()
        if not self._folded_whole:
            months = {self._archive.partition_of(datetime.fromisoformat(d["asked_at"])) for d in self._journal.records}
            kept = {
                (doc.get("asked_at"), doc.get("text"))
                for partition in self._archive.partitions()
                if partition.split(".")[0] in months
                for doc in self._archive.docs_in(partition)
            }
        new: list[tuple[datetime, dict[str, Any]]] = [
            (datetime.fromisoformat(doc["asked_at"]), doc)
            for doc in self._journal.records
            if (doc.get("asked_at"), doc.get("text")) not in kept  # already folded before a crash
        ]
        self._folded_whole = False
        if new:
            self._archive.append_many(new)
        self._journal.clear()
        self._folded_whole = True  # the journal holds only what came after: the next fold need not look

    def close(self) -> None:
        """Fold the journal (when there is anything to fold) and let go of it."""
        self._journal.close_folded(self.fold, "unanswered")


def _once(docs: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Each question once: after a fold that a crash cut short, the journal and a month's file both hold it."""
    seen: set[tuple[object, object]] = set()
    for doc in docs:
        key = (doc.get("asked_at"), doc.get("text"))
        if key not in seen:
            seen.add(key)
            yield doc
