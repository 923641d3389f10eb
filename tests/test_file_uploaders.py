"""The Slack and Discord uploaders against the fake APIs: what a retry finds of an earlier attempt, and
what it does then (issue 12, item 3)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from bot.errors import DeliveryUncertain
from bot.platforms.discord.files import SENT
from bot.relay_files import OutgoingFile

FILES = (
    OutgoingFile("研修会チラシ.pdf", "application/pdf", b"%PDF-1.4\n" + b"1" * 100),
    OutgoingFile("会場 地図.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"2" * 50),
)
SINCE = datetime.now(UTC)


async def test_slack_records_the_file_ids_before_sharing_them(slack):
    """The uploader records the file ids after the bytes are sent and before the completion shares them."""
    fake, poster = slack
    recorded: list[tuple[str, int]] = []
    await poster.upload("C111", FILES, key="d#files1", comment="📎 添付", since=SINCE, started="",
                        record=lambda token: recorded.append((token, len(fake.files.completions))))  # fmt: skip
    ((token, shared_before),) = recorded
    assert token.partition("@")[0] == ",".join(fake.files.files)
    assert shared_before == 0
    assert [f["name"] for f in fake.files.shared("C111")] == ["研修会チラシ.pdf", "会場 地図.png"]
    assert fake.files.completions[0]["initial_comment"] == "📎 添付"


async def test_slack_uploads_afresh_when_the_recorded_files_are_gone(slack):
    """Recorded file ids Slack no longer knows (never completed, since dropped) are replaced by a new upload."""
    fake, poster = slack
    recorded: list[str] = []
    await poster.upload("C111", FILES, key="d#files1", comment="📎", since=SINCE, started="F999998,F999999",
                        record=recorded.append)  # fmt: skip
    assert len(recorded) == 1
    assert len(fake.files.shared("C111")) == 2


async def test_slack_completes_recorded_files_that_were_uploaded_but_not_shared(slack):
    """Files whose bytes went up but whose completion never came are looked for again while Slack may still
    be sharing them, then completed, not uploaded again."""
    fake, poster = slack
    fake.files.upload_faults.script = ["", "", "", "", "500"]
    recorded: list[str] = []
    with pytest.raises(DeliveryUncertain, match="Slack error 500"):
        await poster.upload("C111", FILES, key="k", comment="📎", since=SINCE, started="", record=recorded.append)
    assert fake.files.shared("C111") == []
    with pytest.raises(DeliveryUncertain, match=r"does not show files .* yet") as waiting:
        await poster.upload(
            "C111", FILES, key="k", comment="📎", since=SINCE, started=recorded[0], record=recorded.append
        )
    assert 0 < waiting.value.retry_after <= 4
    ids, _, at = recorded[0].partition("@")
    assert int(at) > 0
    settled = f"{ids}@{int(at) - 60}"  # as if the first attempt were a minute old: Slack had time to show them
    await poster.upload("C111", FILES, key="k", comment="📎", since=SINCE, started=settled, record=recorded.append)
    assert len(recorded) == 1, "no new upload was started"
    assert [f["id"] for f in fake.files.shared("C111")] == ids.split(",")


async def test_discord_finds_a_landed_upload_in_the_channel_and_does_not_post_it_again(discord):
    """After an upload that landed unanswered, a retry beyond the nonce's life finds it in the channel."""
    fake, poster = discord
    recorded: list[str] = []
    await poster.upload("900", FILES, key="d#files1", comment="📎 添付", since=SINCE, started="",
                        record=recorded.append)  # fmt: skip
    (token,) = recorded
    assert token.startswith(SENT + "@")
    fake.nonces.clear()
    await poster.upload("900", FILES, key="d#files1", comment="📎 添付", since=SINCE, started=token,
                        record=recorded.append)  # fmt: skip
    (upload,) = fake.uploads("900")
    assert [f["filename"] for f in upload["files"]] == ["研修会チラシ.pdf", "会場 地図.png"]
    assert [f["data"] for f in upload["files"]] == [f.data for f in FILES]
    assert len(fake.attempts) == 1


async def test_discord_without_the_history_relies_on_the_nonce_and_says_so(discord, caplog):
    """Without Read Message History the retry is sent again with the same nonce (harmless while Discord
    remembers it), and a warning says the history could not be checked."""
    fake, poster = discord
    fake.history_forbidden = True
    for started in ("", SENT):
        await poster.upload("900", FILES, key="d#files1", comment="📎", since=SINCE, started=started,
                            record=lambda token: None)  # fmt: skip
    assert len(fake.attempts) == 2
    assert len(fake.uploads("900")) == 1
    assert any("only the nonce" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
