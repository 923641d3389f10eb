"""Child process for the compaction crash test: the store as `rmo-bot run` drives it, its journal folded in
the background (bot.compactor's loop, here forced to fold whatever the journal holds) while writes go on.

The store holds 2,000 subscribers (written once). Round N adds the subscriber roundN@example.jp and sets
the bounce count of base subscriber N mod 2,000 to N, in one commit, then prints "done N"; around each
compaction it prints "compacting" and "compacted". The parent kills this process at random instants and
checks that the store holds exactly the rounds acknowledged (or one more), never fewer, never a mixture.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path

from storage.store import Store
from storage.subscribers import Subscriber

BASE = 2000


def base(n: int) -> Subscriber:
    return Subscriber(f"m{n}@example.jp", blocks=("kinki", "kanto", "tohoku"), confirmed=True)


async def _rounds(store: Store) -> None:
    subscribers = store.subscribers
    if subscribers.get(base(0).email) is None:
        subscribers.save(base(n) for n in range(BASE))
    round_number = sum(1 for s in subscribers.all() if s.email.startswith("round"))
    print(f"start {round_number}", flush=True)
    while True:
        round_number += 1
        subscribers.save([Subscriber(f"round{round_number}@example.jp", confirmed=True),
                          dataclasses.replace(base(round_number % BASE), bounces=round_number)])  # fmt: skip
        print(f"done {round_number}", flush=True)
        await asyncio.sleep(0.001)


async def _compactions(store: Store) -> None:
    store.compact_in_background()
    while True:
        print("compacting", flush=True)
        await store.compact(force=True)
        print("compacted", flush=True)
        await asyncio.sleep(0.01)


async def main() -> None:
    with Store.open(Path(sys.argv[1])) as store:
        await asyncio.gather(_rounds(store), _compactions(store))


if __name__ == "__main__":
    asyncio.run(main())
