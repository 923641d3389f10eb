"""Child process for the compaction crash test: the store as `rmo-bot run` drives it, its journal folded in
the background (bot.compactor) while every subscriber is rewritten again and again, saying when.

Each round N sets all 2,000 subscribers' bounce count to N in one commit, then prints "done N"; around each
compaction it prints "compacting" and "compacted". The parent kills this process at random instants and
checks that the store holds one whole round, never a mixture or a broken file.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path

from bot.compactor import Compactor
from storage.store import Store
from storage.subscribers import Subscriber

SUBSCRIBERS = 2000


class _Saying(Compactor):
    async def run(self, stop: asyncio.Event) -> None:
        store = self._store
        store.compact_in_background()
        original = store.compact

        async def compact() -> int:
            print("compacting", flush=True)
            done = await original()
            print("compacted", flush=True)
            return done

        store.compact = compact  # type: ignore[method-assign]
        await super().run(stop)


async def _rounds(store: Store) -> None:
    subscribers = store.subscribers
    current = subscribers.get("m0@example.jp")
    round_number = current.bounces if current else 0
    print(f"start {round_number}", flush=True)
    everyone = [Subscriber(f"m{i}@example.jp", blocks=("kinki",), confirmed=True) for i in range(SUBSCRIBERS)]
    while True:
        round_number += 1
        subscribers.save(dataclasses.replace(s, bounces=round_number) for s in everyone)
        print(f"done {round_number}", flush=True)
        await asyncio.sleep(0.005)


async def main() -> None:
    with Store.open(Path(sys.argv[1])) as store:
        stop = asyncio.Event()
        await asyncio.gather(_rounds(store), _Saying(store, interval=0.0).run(stop))


if __name__ == "__main__":
    asyncio.run(main())
