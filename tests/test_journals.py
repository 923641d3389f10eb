"""The journals on the answer path: a follow-up's subject and an unanswered question survive a restart and a kill,
at one appended line an answer."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from storage.conversations import Conversation
from storage.records import UnansweredQuestion
from storage.store import Store

AT = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Asia/Tokyo"))

_KILLED_WRITER = """
import os, signal, sys
from datetime import datetime
from storage.conversations import Conversation
from storage.records import UnansweredQuestion
from storage.store import Store
store = Store.open(__import__("pathlib").Path(sys.argv[1]))
store.conversations.put(Conversation("slack:U1:C1", "meetings", "kyushu", datetime.fromisoformat(sys.argv[2])))
os.kill(os.getpid(), signal.SIGKILL)
"""

_KILLED_ASKER = """
import os, signal, sys
from datetime import datetime
from storage.records import UnansweredQuestion
from storage.store import Store
store = Store.open(__import__("pathlib").Path(sys.argv[1]))
store.unanswered.record(UnansweredQuestion("明日の天気は？", "ja", datetime.fromisoformat(sys.argv[2]), "slack"))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_conversation_survives_a_killed_process(tmp_path):
    """A subject kept just before the process is killed with SIGKILL is there when the bot starts again."""
    result = subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(tmp_path / "d"), AT.isoformat()], check=False)
    assert result.returncode == -signal.SIGKILL
    with Store.open(tmp_path / "d") as store:
        kept = store.conversations.get("slack:U1:C1")
    assert kept == Conversation("slack:U1:C1", "meetings", "kyushu", AT)


def test_an_answer_appends_a_line_and_close_folds_the_journal(tmp_path):
    """Keeping a subject appends to the journal and leaves the file alone; closing folds the journal into it."""
    with Store.open(tmp_path / "d") as store:
        store.conversations.put(Conversation("slack:U1:C1", "meetings", "tohoku", AT))
        store.conversations.put(Conversation("slack:U2:C1", "trainings", None, AT))
        journal = (tmp_path / "d" / "conversations.journal").read_text(encoding="utf-8")
        assert len(journal.splitlines()) == 2
        assert not (tmp_path / "d" / "conversations.json").exists()
    assert (tmp_path / "d" / "conversations.journal").read_bytes() == b""
    with Store.open(tmp_path / "d") as store:
        assert store.conversations.get("slack:U2:C1") == Conversation("slack:U2:C1", "trainings", None, AT)


def test_a_torn_journal_line_is_skipped(tmp_path):
    """A last line cut short by a crash is skipped; the lines before it still count."""
    with Store.open(tmp_path / "d") as store:
        store.conversations.put(Conversation("slack:U1:C1", "meetings", "tohoku", AT))
        store.conversations.fold()
        store.conversations.put(Conversation("slack:U1:C1", "officers", "kinki", AT + timedelta(minutes=2)))
        journal = tmp_path / "d" / "conversations.journal"
        journal.write_bytes(journal.read_bytes() + b'{"key": "slack:U9:C1", "inte')
        later = journal.read_bytes()
    journal.write_bytes(later)  # as the crash left it: closing had folded and emptied it
    with Store.open(tmp_path / "d", writable=False) as store:
        assert store.conversations.get("slack:U1:C1") == Conversation(
            "slack:U1:C1", "officers", "kinki", AT + timedelta(minutes=2)
        )
        assert store.conversations.get("slack:U9:C1") is None


def test_a_read_only_view_writes_nothing(tmp_path):
    """While another process writes the directory, a read-only view remembers a subject in memory only."""
    Store.open(tmp_path / "d").close()
    with Store.open(tmp_path / "d", writable=False) as store:
        store.conversations.put(Conversation("cli:U1:-", "meetings", "kinki", AT))
        assert store.conversations.get("cli:U1:-") is not None
    assert not (tmp_path / "d" / "conversations.journal").exists()


def test_an_unanswered_question_survives_a_killed_process_and_is_folded_once(tmp_path):
    """A question recorded just before a SIGKILL is listed after the restart, and folding it into its month's
    file again (as after a fold that a crash cut short) does not list it twice."""
    result = subprocess.run([sys.executable, "-c", _KILLED_ASKER, str(tmp_path / "d"), AT.isoformat()], check=False)
    assert result.returncode == -signal.SIGKILL
    journal = tmp_path / "d" / "unanswered.journal"
    left = journal.read_bytes()
    with Store.open(tmp_path / "d") as store:
        assert [q.text for q in store.unanswered.recent()] == ["明日の天気は？"]
    assert journal.read_bytes() == b""
    journal.write_bytes(left)  # the crash came after the fold's write, before the journal was emptied
    with Store.open(tmp_path / "d") as store:
        assert store.unanswered.recent() == [UnansweredQuestion("明日の天気は？", "ja", AT, "slack")]
        store.unanswered.fold()
        assert len(store.unanswered.recent()) == 1
