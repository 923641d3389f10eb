"""Which attachments are relayed as files (extension, declared type and first bytes), how they are grouped
within each platform's limits, how the intake keeps their bytes, and how the public page names them."""

from __future__ import annotations

import stat
from email.message import EmailMessage

import pytest

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from bot.web.files import content_disposition
from handlers.attachments import FileRules, extension_of, sniff
from storage.records import Announcement, Attachment
from tests.conftest import NOW

PDF = b"%PDF-1.4\n" + b"0" * 100
ZIP = b"PK\x03\x04" + b"0" * 100
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100
RULES = FileRules(allowed=frozenset({"pdf", "docx", "xls", "png", "txt", "csv"}))


def _file(name: str, content_type: str, data: bytes) -> Attachment:
    return Attachment(name, content_type, len(data), ref="0" * 32 + ".bin", kind=sniff(data))


@pytest.mark.parametrize(
    ("name", "content_type", "data", "relayed"),
    [
        ("研修会チラシ.pdf", "application/pdf", PDF, True),
        ("研修会チラシ.PDF", "application/octet-stream", PDF, True),
        ("申込書.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP, True),
        ("名簿.xls", "application/vnd.ms-excel", OLE, True),
        ("会場.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 10, True),
        ("日程.txt", "text/plain", "第2回 1月20日".encode("cp932"), True),
        ("名簿.csv", "text/csv", "氏名,所属\n".encode(), True),
        ("setup.exe", "application/octet-stream", b"MZ\x90\x00", False),
        ("チラシ.pdf.exe", "application/pdf", PDF, False),
        ("チラシ.pdf", "application/pdf", b"MZ\x90\x00" + b"0" * 10, False),
        ("チラシ.pdf", "text/html", PDF, False),
        ("地図.svg", "image/svg+xml", b"<svg onload='alert(1)'/>", False),
        ("お知らせ.txt", "text/plain", b"<html><script>alert(1)</script></html>", False),
        ("ページ.html", "text/html", b"<html></html>", False),
        ("資料.zip", "application/zip", ZIP, False),
        ("script.js", "text/javascript", b"alert(1)", False),
        ("noextension", "application/pdf", PDF, False),
    ],
)
def test_a_file_is_relayed_only_when_extension_type_and_bytes_agree(name, content_type, data, relayed):
    """Only an allowed extension whose declared type and first bytes fit it is relayed; never a program."""
    file_type = RULES.file_type(_file(name, content_type, data))
    assert (file_type is not None) is relayed
    if file_type is not None:
        assert file_type.content_type != "application/octet-stream"


def test_extensions_are_read_from_the_end():
    """The last extension counts, whatever its case, so "a.pdf.exe" is an .exe."""
    assert [extension_of(n) for n in ("a.PDF", "a.pdf.exe", "a", "a.pdf. ")] == ["pdf", "exe", "", "pdf"]


def test_discord_files_are_packed_within_the_message_limit_and_slack_files_within_the_file_limit():
    """Discord's files fill messages of at most its byte limit and ten files; Slack's limit is per file."""
    rules = FileRules(slack_max_bytes=250, discord_max_bytes=250)
    files = [_file(f"f{n}.pdf", "application/pdf", PDF) for n in range(12)]  # 109 bytes each
    files.insert(3, _file("big.pdf", "application/pdf", PDF + b"0" * 300))
    files.append(_file("x.exe", "application/octet-stream", b"MZ"))
    discord = rules.plan(files, "discord")
    assert discord.uploads == ((0, 1), (2, 4), (5, 6), (7, 8), (9, 10), (11, 12))
    assert discord.refused == ((3, "size"), (13, "type"))
    slack = rules.plan(files, "slack")
    assert slack.uploads == ((0, 1, 2, 4, 5, 6, 7, 8, 9, 10), (11, 12))
    assert slack.refused == ((3, "size"), (13, "type"))
    assert rules.plan(files, "facebook").uploads == ()
    listed_only = FileRules(upload=False).plan(files, "slack")
    assert listed_only.uploads == ()
    assert listed_only.refused == ((13, "type"),)


def test_the_public_page_names_a_file_safely_in_both_forms():
    """Content-Disposition carries an ASCII stand-in and the Japanese name in RFC 5987 form, and no quote,
    backslash, slash or control character gets through."""
    assert content_disposition("研修会チラシ（第2回）.pdf") == (
        "attachment; filename=\"attachment.pdf\"; filename*=UTF-8''"
        "%E7%A0%94%E4%BF%AE%E4%BC%9A%E3%83%81%E3%83%A9%E3%82%B7%EF%BC%88%E7%AC%AC2%E5%9B%9E%EF%BC%89.pdf"
    )
    tricky = content_disposition('a"b\\c/../d\r\nX-Evil: 1.pdf')
    assert "\r" not in tricky
    assert "\n" not in tricky
    assert tricky.startswith('attachment; filename="a_b_c_.._dX-Evil_1.pdf"; ')
    assert tricky.endswith("a%22b_c_.._dX-Evil%3A%201.pdf")


def test_the_intake_keeps_each_attachment_privately_before_the_post_is_on_record(tmp_path):
    """Accepting a post stores each attachment's bytes once, 0600 in announcements/files/, named by content;
    a program is not kept at all."""
    config = tmp_path / "config.toml"
    config.write_text('[mail.intake]\nlist_ids = ["announce.rmo-network.example.jp"]\n'
                      'allowed_senders = ["jimukyoku@rmo-network.example.jp"]\n', encoding="utf-8")  # fmt: skip
    message = EmailMessage()
    message["From"] = "jimukyoku@rmo-network.example.jp"
    message["List-Id"] = "<announce.rmo-network.example.jp>"
    message["Subject"] = "研修会のご案内"
    message["Message-ID"] = "<files-1@x>"
    message.set_content("チラシを添付します。")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="研修会チラシ.pdf")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="同じチラシ.pdf")
    message.add_attachment(b"MZ\x90\x00", maintype="application", subtype="octet-stream", filename="setup.exe")
    with Core.open(load_config(config, environ={}), tmp_path / "d", FrozenClock(NOW)) as core:
        (result,) = core.intake.process_batch([(message.as_bytes(), NOW, None)])
        stored = core.store.announcements.get(result.announcement.id)
        assert isinstance(stored, Announcement)
        first, second, program = stored.attachments
        assert (first.filename, first.kind, first.size) == ("研修会チラシ.pdf", "pdf", len(PDF))
        assert first.ref == second.ref
        assert (program.filename, program.kind, program.ref) == ("setup.exe", "executable", "")
        assert core.store.announcements.read_file(first.ref) == PDF
        assert core.store.announcements.read_file("../outbox.json") is None
    folder = tmp_path / "d" / "announcements" / "files"
    assert [p.name for p in folder.iterdir()] == [first.ref]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / first.ref).stat().st_mode) == 0o600
