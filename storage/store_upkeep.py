"""The store's upkeep of its journalled files (storage.journalled): waiting for their commits to be on disk,
and folding their journals into new snapshots in the background while the bot runs. Mixed into `Store`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from storage.journalled import JournalledStorage

if TYPE_CHECKING:
    from tinydb import TinyDB

    from storage.archive import MonthlyArchive
    from storage.journal_files import Syncer

__all__ = ["StoreUpkeep"]

_log = logging.getLogger(__name__)


class StoreUpkeep:
    """What `Store` does for its journalled files; it supplies the attributes declared here."""

    _dbs: dict[str, TinyDB]
    _archives: list[MonthlyArchive]
    _syncer: Syncer
    _background: bool

    def _journalled_storages(self) -> list[JournalledStorage]:
        found = [db.storage for db in self._dbs.values() if isinstance(db.storage, JournalledStorage)]
        return found + [storage for archive in self._archives for storage in archive.storages()]

    def sync(self) -> None:
        """Block until every commit so far is on disk (a thread's call: the fsyncs run on the store's syncer)."""
        self._syncer.wait()

    def compact_in_background(self) -> None:
        """From now on, journals are folded into their snapshots by `compact` only (a running bot)."""
        self._background = True
        for archive in self._archives:
            archive.background = True
        for storage in self._journalled_storages():
            storage.background = True

    async def compact(self, *, force: bool = False) -> int:
        """Fold every journal grown past its snapshot (with `force`, every journal): encoded a slice at a
        time between the loop's other work, written on a thread. Returns how many files were compacted."""
        import asyncio  # noqa: PLC0415 - only a running bot compacts this way; `rmo-bot ask` must not import it

        compacted = 0
        for storage in self._journalled_storages():
            steps = storage.compact_slices(force=force)
            if steps is None:
                continue
            _log.info("compacting %s: folding its journal into a new snapshot", storage.path.name)
            for _ in steps:
                await asyncio.sleep(0)
            written = None
            try:
                written = await asyncio.to_thread(storage.write_compaction)
            except OSError as exc:  # a full disk: the journal keeps every change, and is folded another time
                storage.compaction_failed(exc)
                continue
            finally:
                storage.end_compaction(written)
            compacted += 1
        return compacted
