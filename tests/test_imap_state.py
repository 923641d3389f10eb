"""The IMAP intake's pieces that need no server: the UID state file, reading a FETCH answer, the token command."""

from __future__ import annotations

import sys

import pytest

from bot.config_sections import ImapSettings
from bot.mail.imap import ImapAuthError, ImapIntake, ImapState, fetched_messages
from storage.spool import Spool


def test_the_last_uid_survives_a_restart_and_a_new_uidvalidity_starts_over(tmp_path):
    """The recorded UID is read back by a new process's state; under another UIDVALIDITY it is 0 again."""
    path = tmp_path / "imap-state.json"
    ImapState(path).record("box", 7, 42)
    again = ImapState(path)
    assert again.last_uid("box", 7) == 42
    assert again.last_uid("box", 8) == 0
    assert again.last_uid("other", 7) == 0
    assert not list(tmp_path.glob(".*.tmp")), "written atomically, no temporary left"


def test_a_fetch_answer_yields_each_message_with_its_uid():
    """Each literal is paired with the UID of its FETCH line; a FETCH of flags alone yields nothing."""
    lines = [
        b"1 FETCH (UID 5 BODY[] {4}",
        bytearray(b"abcd"),
        b")",
        b"2 FETCH (FLAGS (\\Seen) UID 6)",
        b"3 FETCH (UID 9 BODY[] {2}",
        bytearray(b"xy"),
        b")",
        b"Fetch completed.",
    ]
    assert fetched_messages(lines) == [(5, b"abcd"), (9, b"xy")]


def _intake(tmp_path, command: str) -> ImapIntake:
    settings = ImapSettings(host="127.0.0.1", username="u", auth="xoauth2", token_command=command)
    return ImapIntake(settings, "", Spool(tmp_path / "spool"), lambda: None, {}, tmp_path / "state.json")


async def test_the_token_command_prints_the_token_and_a_failing_one_is_an_authentication_error(tmp_path):
    """token_command's output (stripped) is the token; a command that fails is reported as a refused login."""
    good = _intake(tmp_path, f"{sys.executable} -c \"print('ya29.fresh-token')\"")
    assert await good._token() == "ya29.fresh-token"
    bad = _intake(tmp_path, f"{sys.executable} -c \"import sys; sys.exit('no refresh token')\"")
    with pytest.raises(ImapAuthError, match="no refresh token"):
        await bad._token()
