"""Meeting-reader accuracy and speed: precision and recall per field over tests/meetings/ (all fixtures, and
the held-out ones apart), and posts read per second.

    python bench/meetings.py [--rounds 20]

Per field, over the posts that should propose something: a reading is right when it equals expected.toml
(title and venue after NFKC and one space; times as instants). Precision = right / fields read,
recall = right / fields expected; "all right" counts an absent field read as absent too. The "proposal" row
is over every post: a proposal for a non-announcement is a false positive.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handlers.meetings.extract import read_meeting  # noqa: E402
from tests.meetings.corpus import FIELDS, JST, Post, cases, finder, got, present, read_post, want  # noqa: E402


def table(title: str, rows: list[tuple[dict[str, object], Post]]) -> None:
    places = finder()
    readings = [
        (case, read_meeting(p.subject, p.body, posted_at=p.posted_at, finder=places, tz=JST)) for case, p in rows
    ]
    print(f"\n{title}: {len(rows)} posts, {sum(1 for c, _ in rows if c['proposal'])} proposing")
    print(f"{'field':<24}{'precision':>10}{'recall':>8}{'all right':>11}")
    tp = sum(1 for c, r in readings if c["proposal"] and r is not None)
    fp = sum(1 for c, r in readings if not c["proposal"] and r is not None)
    fn = sum(1 for c, r in readings if c["proposal"] and r is None)
    right = sum(1 for c, r in readings if bool(c["proposal"]) == (r is not None))
    print(f"{'proposal':<24}{tp / max(1, tp + fp):>10.1%}{tp / max(1, tp + fn):>8.1%}{right / len(readings):>11.1%}")
    announcing = [(c, r) for c, r in readings if c["proposal"]]
    for name in FIELDS:
        read = expected = correct = correct_read = 0
        for case, reading in announcing:
            expect = want(case, name)
            value = got(reading, name) if reading is not None else ""
            read += present(value)
            expected += present(expect)
            correct += value == expect
            correct_read += present(value) and value == expect
        precision = correct_read / read if read else 1.0
        recall = correct_read / expected if expected else 1.0
        print(f"{name:<24}{precision:>10.1%}{recall:>8.1%}{correct / len(announcing):>11.1%}")
    wrong = [f"  {c['file']}: {n}" for c, r in announcing for n in FIELDS if r is None or got(r, n) != want(c, n)] + [
        f"  {c['file']}: proposal" for c, r in readings if bool(c["proposal"]) != (r is not None)
    ]
    if wrong:
        print("wrong:\n" + "\n".join(dict.fromkeys(wrong)))


def speed(posts: list[Post], rounds: int) -> None:
    places = finder()
    size = sum(len(p.body) for p in posts) / len(posts)
    started = time.perf_counter()
    for _ in range(rounds):
        for p in posts:
            read_meeting(p.subject, p.body, posted_at=p.posted_at, finder=places, tz=JST)
    per_second = rounds * len(posts) / (time.perf_counter() - started)
    big = [
        Post(p.file, p.subject, (p.body + "\n") * max(1, int(2048 // max(1, len(p.body)))), p.posted_at) for p in posts
    ]
    started = time.perf_counter()
    for _ in range(rounds):
        for p in big:
            read_meeting(p.subject, p.body, posted_at=p.posted_at, finder=places, tz=JST)
    big_per_second = rounds * len(big) / (time.perf_counter() - started)
    big_size = sum(len(p.body) for p in big) / len(big)
    print(
        f"\nspeed: {per_second:,.0f} posts/s at {size:,.0f} characters a post; "
        f"{big_per_second:,.0f} posts/s at {big_size:,.0f} characters (each body repeated to about 2 KB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    rows = [(case, read_post(str(case["file"]))) for case in cases()]
    table("all fixtures", rows)
    table("held out (written last, not tuned on)", [(c, p) for c, p in rows if c.get("holdout")])
    speed([p for _, p in rows], args.rounds)


if __name__ == "__main__":
    main()
