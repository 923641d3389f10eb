"""`rmo-bot check-config`: the configuration validated, what `rmo-bot run` would start, and what to fix."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from bot import config_checks

if TYPE_CHECKING:
    import argparse

    from bot.config import Config

__all__ = ["check_config", "config_warnings", "what_run_starts"]


def _values(section: Any, prefix: str) -> list[tuple[str, str]]:  # noqa: ANN401 - any settings dataclass
    """Every text value of a settings section (and its sub-sections), as ("[table] key", value)."""
    found: list[tuple[str, str]] = []
    for f in dataclasses.fields(section):
        value = getattr(section, f.name)
        key = f.metadata.get("key") or f.name
        if dataclasses.is_dataclass(value):
            found += _values(value, f"{prefix}.{key}")
        elif isinstance(value, str):
            found.append((f"[{prefix}] {key}", value))
        elif isinstance(value, tuple):
            found += [(f"[{prefix}] {key}", item) for item in value if isinstance(item, str)]
    return found


def config_warnings(config: Config) -> list[str]:
    """What is configured but will not work as meant: stand-ins left from config.example.toml, links that
    would point nowhere, a platform with half its credentials."""
    from bot.app import slack_half_configured

    warnings = []
    sections = {"contact": config.contact, "mail": config.mail, "http": config.http, "slack": config.slack}
    for name, section in sections.items():
        for key, value in _values(section, name):
            what = config_checks.placeholder(value)
            if what:
                told = " (members are told 「未登録」 instead)" if name == "contact" else ""
                warnings.append(
                    f"{key} = {value!r} looks like {what} left from the example: fill in the real one{told}"
                )
    refusal = config_checks.digest_links(config.http.public_url)
    if refusal:
        warnings.append(refusal)
    if config.slack_configured and not config.slack_answers:
        warnings.append(slack_half_configured(config))
    if config.mail.outbound.host and not config.mail.outbound.from_address:
        warnings.append("[mail.outbound] from is empty: digests and confirmations need a From address")
    if config.facebook.page_id and not config.facebook_configured:
        warnings.append("FACEBOOK_PAGE_TOKEN is not set: posts for the Facebook page wait in the outbox")
    return warnings


def what_run_starts(config: Config) -> list[str]:
    """One line per part `rmo-bot run` starts with this configuration."""
    intake, imap, outbound = config.mail.intake, config.mail.imap, config.mail.outbound
    lines = [f"mail intake: {intake.protocol.upper()} on {intake.listen}"]
    if imap.host:
        lines.append(f"imap intake: {imap.username}@{imap.host}:{imap.port} {imap.folder} ({imap.tls}, {imap.auth})")
    pages = "the public pages, subscription pages and /healthz" if config.web.public else "subscription pages, /healthz"
    slack_http = config.slack_configured and config.slack.mode == "http"
    lines.append(f"http: {config.http.listen} ({pages}{', Slack events' if slack_http else ''})")
    reminders = ", ".join(f"{d} days" for d in config.reminders.days_before)
    lines.append(f"scheduler: reminders {reminders} before each meeting at {config.reminders.hour}:00; "
                 f"digests at {config.digest.hour}:00")  # fmt: skip
    sent_by = (
        f"sent through {outbound.host}:{outbound.port}" if outbound.host else "written to the data directory's outbox"
    )
    if config_checks.digest_links(config.http.public_url):
        sent_by += " (digests: none while [http] public_url is empty)"
    lines.append(f"digests and confirmations: {sent_by}")
    platforms = []
    if config.slack_configured:
        platforms.append(f"slack ({config.slack.mode} mode)" if config.slack_answers else "slack (posting only)")
    if config.discord_configured:
        platforms.append("discord")
    if config.console_enabled:
        platforms.append("console")
    lines.append(f"platforms: {', '.join(platforms) or 'none'}")
    lines.append(f"facebook page: {_facebook_state(config)}")
    files = config.attachments
    uploaded = "uploaded" if files.upload else "listed only"
    lines.append(f"attachments: {uploaded}; allowed: {' '.join(files.allowed_types) or 'none'}")
    return lines


def _facebook_state(config: Config) -> str:
    page = config.facebook.page_id
    if not page:
        return "not configured ([facebook] page_id is empty)"
    if not config.facebook_configured:
        return f"{page}, but FACEBOOK_PAGE_TOKEN is not set: posts for the Page wait in the outbox"
    return f"{page} (relay = {config.facebook.relay}, {config.facebook.api_base_url})"


def check_config(config: Config, args: argparse.Namespace) -> int:
    """Print the checked configuration, what `run` starts and every warning; 0 unless the file is invalid."""
    source = config.source or "built-in defaults (no config.toml)"
    print(f"configuration: {source}: OK")
    print(f"data directory: {config.data_dir(args.data_dir)}")
    print("rmo-bot run starts:")
    for line in what_run_starts(config):
        print(f"  {line}")
    print(f"secrets set in the environment: {', '.join(config.secrets.present()) or 'none'}")
    warnings = config_warnings(config)
    for warning in warnings:
        print(f"warning: {warning}")
    print(f"{len(warnings)} warning(s)" if warnings else "no warnings")
    return 0
