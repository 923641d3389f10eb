"""The reminders' index by due time answers exactly as a scan of every reminder, through any sequence of writes."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta

from storage.reminders import Reminder
from storage.store import Store
from tests.conftest import JST

T0 = datetime(2027, 1, 1, 9, tzinfo=JST)


def _scan(reminders, now):
    return [
        r.id
        for r in sorted(reminders.all(), key=lambda r: (r.due_at, r.id))
        if r.status == "pending" and r.due_at <= now
    ]


def test_due_matches_a_full_scan_through_moves_sends_and_restarts(tmp_path):
    """3,000 random writes (moves, sends, skips, new reminders, the same due again) and a reopen: `due` always equals the scan."""
    rng = random.Random(1203)
    with Store.open(tmp_path / "d", durable=False) as store:
        reminders = store.reminders
        reminders.save(Reminder(f"r{n}", f"e{n // 3}", "7d", T0 + timedelta(hours=n)) for n in range(600))
        for step in range(3000):
            current = reminders.get(f"r{rng.randrange(700)}")
            if current is None:
                current = Reminder(f"r{600 + step}", "new", "1d", T0 + timedelta(hours=rng.randrange(900)))
            choice = rng.random()
            if choice < 0.4:
                changed = dataclasses.replace(
                    current, due_at=T0 + timedelta(hours=rng.randrange(900)), status="pending"
                )
            elif choice < 0.7:
                changed = dataclasses.replace(current, status=rng.choice(["sent", "skipped", "obsolete"]))
            elif choice < 0.85:
                changed = dataclasses.replace(current, late=not current.late)  # the same due, another field
            else:
                changed = current
            reminders.save([changed])
            if step % 250 == 0:
                now = T0 + timedelta(hours=rng.randrange(900))
                assert [r.id for r in reminders.due(now)] == _scan(reminders, now)
        final = T0 + timedelta(hours=450)
        expected = _scan(reminders, final)
        assert [r.id for r in reminders.due(final)] == expected
    with Store.open(tmp_path / "d", durable=False) as store:
        assert [r.id for r in store.reminders.due(final)] == expected
    assert expected
