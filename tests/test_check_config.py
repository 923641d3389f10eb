"""`rmo-bot check-config` says what `run` starts and warns about what would not work; stand-ins reach nobody."""

from __future__ import annotations

import argparse

from bot.cli.check import check_config
from bot.config import load_config
from bot.testing import ChatHarness
from tests.conftest import NOW
from tests.test_config import EXAMPLE

# What config.example.toml used to carry in [contact]: the values a hurried deployment leaves in place.
OLD_PLACEHOLDERS = """
[contact]
secretariat_address = "〒000-0000 ○○県○○市○○町0-0（要記入）"
secretariat_email = "secretariat@example.org"
secretariat_phone = "000-000-0000"
application_form_url = "https://example.org/rmo/application-form.pdf"
facebook_url = "https://www.facebook.com/example-rmo-network"
"""


def _check(config, capsys) -> str:
    assert check_config(config, argparse.Namespace(data_dir=None)) == 0
    return capsys.readouterr().out


def test_placeholders_are_warned_about_and_never_told_to_members(tmp_path, capsys):
    """Each stand-in left from the example is named with its key, and members asking for the phone number
    or the address are told 「未登録」, never 000-000-0000 or example.org."""
    path = tmp_path / "config.toml"
    path.write_text(OLD_PLACEHOLDERS, encoding="utf-8")
    config = load_config(path, environ={})
    out = _check(config, capsys)
    for key in (
        "secretariat_address",
        "secretariat_email",
        "secretariat_phone",
        "application_form_url",
        "facebook_url",
    ):
        assert f"warning: [contact] {key} = " in out
    with ChatHarness.open(tmp_path / "d", now=NOW, config=config) as chat:
        contact = chat.say("事務局の連絡先は？")
        english = chat.say("How can I contact the secretariat?")
        joining = chat.say("入会申込書はどこ？")
    assert "電話：未登録" in contact
    for answer in (contact, english, joining):
        assert "000-000-0000" not in answer
        assert "example.org" not in answer
        assert "要記入" not in answer
    assert "not registered yet" in english


def test_the_example_configuration_has_no_placeholders_left(capsys):
    """config.example.toml as shipped carries no stand-in values: only the empty public_url is warned about."""
    out = _check(load_config(EXAMPLE, environ={}), capsys)
    assert "looks like" not in out
    assert "warning: [http] public_url is empty" in out
    assert "1 warning(s)" in out


def test_check_config_says_everything_run_starts(tmp_path, capsys):
    """Mail intake, IMAP, HTTP, the scheduler, digests, platforms and the Facebook page are each listed."""
    path = tmp_path / "config.toml"
    path.write_text(
        '[mail.intake]\nprotocol = "lmtp"\nlisten = "127.0.0.1:2400"\n'
        '[mail.imap]\nhost = "imap.rmo.example.jp"\nusername = "bot"\n'
        '[mail.outbound]\nhost = "smtp.rmo.example.jp"\nfrom = "rmo-bot <bot@rmo.example.jp>"\n'
        '[http]\npublic_url = "https://bot.rmo.example.jp"\n[slack]\nmode = "http"\n',
        encoding="utf-8",
    )
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DISCORD_TOKEN": "d"}
    out = _check(load_config(path, environ=env), capsys)
    assert "  mail intake: LMTP on 127.0.0.1:2400\n" in out
    assert "  imap intake: bot@imap.rmo.example.jp:993 INBOX (ssl, password)\n" in out
    assert "  http: 127.0.0.1:8080 (the public pages, subscription pages and /healthz, Slack events)\n" in out
    assert "  scheduler: reminders 7 days, 1 days before each meeting at 9:00; digests at 7:00\n" in out
    assert "  digests and confirmations: sent through smtp.rmo.example.jp:587\n" in out
    assert "  platforms: slack (http mode), discord\n" in out
    assert "  facebook page: not configured" in out
    assert "no warnings" in out


def test_a_slack_bot_token_alone_keeps_the_console_answering(capsys):
    """With SLACK_BOT_TOKEN but no SLACK_APP_TOKEN, Slack only posts, the console stays on, and both the
    running bot's warning and check-config say what to set."""
    config = load_config(None, environ={"SLACK_BOT_TOKEN": "xoxb-1"})
    assert config.slack_configured
    assert not config.slack_answers
    assert config.console_enabled
    out = _check(config, capsys)
    assert "  platforms: slack (posting only), console\n" in out
    assert (
        "warning: SLACK_APP_TOKEN is not set: Slack is posted to but hears no questions (the console answers "
        'instead); set it (an app-level token, xapp-…) or use [slack] mode = "http" with SLACK_SIGNING_SECRET'
    ) in out
    both = load_config(None, environ={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert both.slack_answers
    assert not both.console_enabled
