"""Child process for the crash test: rewrites the whole event store again and again, saying when.

Each round N gives all 300 events the title "vN", then prints "done N". The parent kills this process
at random instants and checks that the store holds one whole round, never a mixture or a broken file.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from storage.records import Event
from storage.store import Store

EVENTS = 300


def main() -> None:
    data_dir = Path(sys.argv[1])
    start = datetime(2027, 1, 1, 10, tzinfo=ZoneInfo("Asia/Tokyo"))
    with Store.open(data_dir) as store:
        current = store.events.get("e0")
        round_number = int(current.title[1:]) if current else 0
        print(f"start {round_number}", flush=True)
        while True:
            round_number += 1
            title = f"v{round_number}"
            store.events.upsert_many(
                (Event(f"e{i}", "training", title, start + timedelta(hours=i), venue=None) for i in range(EVENTS)),
                at=start,  # only titles change, which is no change a member hears of: any instant will do
            )
            print(f"done {round_number}", flush=True)


if __name__ == "__main__":
    main()
