"""Questions the bot could not answer, kept by month for the secretariat."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from storage.records import UnansweredQuestion

if TYPE_CHECKING:
    from storage.archive import MonthlyArchive

__all__ = ["TinyUnansweredRepository"]


class TinyUnansweredRepository:
    """Unanswered questions, partitioned by month."""

    def __init__(self, archive: MonthlyArchive) -> None:
        self._archive = archive

    def record(self, question: UnansweredQuestion) -> None:
        self._archive.append(question.asked_at, question.to_doc())

    def recent(self, limit: int | None = None) -> list[UnansweredQuestion]:
        docs = self._archive.iter_docs(newest_first=True)
        if limit is not None:
            docs = itertools.islice(docs, limit)
        return [UnansweredQuestion.from_doc(doc) for doc in docs]
