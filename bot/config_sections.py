"""The settings sections of the configuration file, one frozen dataclass per table, each field declared once
with its default, check and documentation (`setting(...)`); `bot.config` validates and builds them."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, TypeVar

from bot import config_checks as checks
from handlers.attachments import DEFAULT_ALLOWED

__all__ = [
    "AttachmentsSettings",
    "BotSettings",
    "CalendarSettings",
    "ConsoleSettings",
    "ContactSettings",
    "DigestSettings",
    "DiscordSettings",
    "FacebookSettings",
    "HttpSettings",
    "ImapSettings",
    "IntakeSettings",
    "Key",
    "MailSettings",
    "OutboundSettings",
    "RemindersSettings",
    "SlackSettings",
    "WebSettings",
    "setting",
]

Check = Callable[[Any], str | None]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Key:
    """One configuration key: its type, default, check and a line of documentation."""

    kind: str  # "str", "int", "bool", "list[str]", "list[int]", "dict[str,str]"
    default: Any
    check: Check | None = None
    doc: str = ""


def setting(default: T, check: Check | None = None, doc: str = "", *, key: str | None = None) -> T:
    """A field of a settings section: its default, check, documentation and (when it is no Python
    name, like `from`) the key it has in the file."""
    if isinstance(default, (list, dict)):
        msg = "defaults are immutable: use a tuple or a MappingProxyType"
        raise TypeError(msg)
    meta = {"check": check, "doc": doc, "key": key}
    if isinstance(default, Mapping):  # a read-only table, made afresh for each instance
        frozen = dict(default)
        return typing.cast("T", field(default_factory=lambda: MappingProxyType(frozen), metadata=meta))
    made: T = field(default=default, metadata=meta)
    return made


_NO_CHANNELS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class BotSettings:
    timezone: str = setting("Asia/Tokyo", checks.timezone, "time zone for dates shown and times read")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = setting(
        "INFO", checks.one_of("DEBUG", "INFO", "WARNING", "ERROR"), "logging level"
    )
    data_dir: str = setting("", None, "data directory (relative to this file); --data-dir overrides")


@dataclass(frozen=True, slots=True)
class ContactSettings:
    secretariat_name: str = setting("", None, "the secretariat's name as members know it")
    secretariat_address: str = setting("", None, "postal address for application forms")
    secretariat_email: str = setting("", None, "the secretariat's e-mail address")
    secretariat_phone: str = setting("", None, "the secretariat's phone number")
    application_form_url: str = setting("", checks.url, "where to download the application form")
    facebook_url: str = setting("", checks.url, "the network's Facebook page")
    website_url: str = setting("", checks.url, "the network's website")
    mailing_list: str = setting("", None, "the mailing list's address or page")

    def as_placeholders(self) -> dict[str, str]:
        """Every value by its key, as FAQ answers use them (`{secretariat_email}`)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass(frozen=True, slots=True)
class ConsoleSettings:
    enabled: Literal["auto", "on", "off"] = setting(
        "auto", checks.one_of("auto", "on", "off"), "auto: on when no chat platform is set up"
    )


@dataclass(frozen=True, slots=True)
class SlackSettings:
    mode: Literal["socket", "http"] = setting(
        "socket", checks.one_of("socket", "http"), "Socket Mode needs no public URL"
    )
    api_base_url: str = setting("https://slack.com/api/", checks.api_url, "Slack Web API base URL")
    default_channels: tuple[str, ...] = setting((), checks.ids, "channel ids that receive every announcement")
    block_channels: Mapping[str, str] = setting(_NO_CHANNELS, checks.block_map, "block key -> channel id")
    secretariat_users: tuple[str, ...] = setting((), checks.ids, "Slack user ids allowed to announce")
    secretariat_usergroup: str = setting("", None, "a Slack user group (id) whose members may announce")
    secretariat_channel: str = setting("", None, "where meetings read from posts are proposed (default: DMs)")


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    api_base_url: str = setting("https://discord.com/api/v10", checks.api_url, "Discord REST API base URL")
    default_channels: tuple[str, ...] = setting((), checks.ids, "channel ids that receive every announcement")
    block_channels: Mapping[str, str] = setting(_NO_CHANNELS, checks.block_map, "block key -> channel id")
    guild_ids: tuple[str, ...] = setting((), checks.ids, "guilds whose slash commands are synced")
    secretariat_roles: tuple[str, ...] = setting((), checks.ids, "Discord role ids allowed to announce")
    secretariat_channel: str = setting("", None, "a private channel id where meetings read from posts are proposed")


@dataclass(frozen=True, slots=True)
class FacebookSettings:
    page_id: str = setting("", checks.digits, "the Page's numeric id (its token is FACEBOOK_PAGE_TOKEN)")
    relay: Literal["all", "secretariat-choice"] = setting(
        "secretariat-choice", checks.one_of("all", "secretariat-choice"),
        "all posts, or only those the secretariat marks 【FB】 / [FB] in the subject",
    )  # fmt: skip
    api_base_url: str = setting("https://graph.facebook.com/v21.0", checks.api_url, "Graph API base URL")


@dataclass(frozen=True, slots=True)
class IntakeSettings:
    listen: str = setting("127.0.0.1:8025", checks.listen, "where the SMTP/LMTP intake listens")
    protocol: Literal["smtp", "lmtp"] = setting("smtp", checks.one_of("smtp", "lmtp"), "lmtp when behind Postfix")
    addresses: tuple[str, ...] = setting((), checks.emails, "recipient addresses the intake accepts")
    list_ids: tuple[str, ...] = setting((), None, "List-Id values (inside the angle brackets) accepted")
    allowed_senders: tuple[str, ...] = setting((), checks.emails, "author addresses allowed to announce")
    list_addresses: tuple[str, ...] = setting(
        (), checks.emails, "the list's own From addresses, beside its List-Post (for unwrapping DMARC rewrites)"
    )
    subject_tags: tuple[str, ...] = setting((), None, 'subject tags that are the list\'s, beside its name ("[RMO]")')
    max_size: int = setting(10 * 1024 * 1024, checks.positive, "largest message accepted, in bytes")
    max_connections: int = setting(100, checks.positive, "SMTP/LMTP connections open at once, at most")
    max_connections_per_client: int = setting(20, checks.positive, "of them from one address (IPv6: one /64)")
    idle_timeout: int = setting(60, checks.positive, "seconds a connection may wait for the next command")
    keep_refused_bytes: int = setting(64 * 1024, checks.positive, "how much of a refused mail is kept (its start)")
    quarantine_max_bytes: int = setting(
        256 * 1024 * 1024, checks.positive, "all kept mail together at most this big: the oldest goes first"
    )
    quarantine_days: int = setting(90, checks.positive, "kept mail older than this many days is dropped")
    dkim: Literal["off", "verify", "require"] = setting(
        "off", checks.one_of("off", "verify", "require"), "check DKIM signatures (dkimpy)"
    )


@dataclass(frozen=True, slots=True)
class OutboundSettings:
    host: str = setting("", checks.host, "SMTP server; empty writes mail to the data directory's outbox")
    port: int = setting(587, checks.port, "SMTP port")
    from_address: str = setting("", checks.address, "From address of mail the bot sends", key="from")
    username: str = setting("", None, "SMTP user (the password is SMTP_PASSWORD)")
    starttls: bool = setting(default=True, doc="use STARTTLS")
    connections: int = setting(4, checks.positive, "SMTP connections a digest run sends over at once")
    dkim_key_file: str = setting("", None, "a PEM private key to DKIM-sign the bot's mail with; empty: the MTA signs")
    dkim_selector: str = setting("", None, "the DKIM selector its public key is published under")
    dkim_domain: str = setting("", checks.host, "the signing domain (d=); empty: the domain of `from`")


@dataclass(frozen=True, slots=True)
class ImapSettings:
    host: str = setting("", checks.host, "IMAP server of a mailbox subscribed to the list; empty: no IMAP intake")
    port: int = setting(993, checks.port, "IMAP port (993 with tls = ssl, 143 with starttls or none)")
    username: str = setting("", None, "the mailbox's user (the secret is IMAP_PASSWORD or IMAP_OAUTH2_TOKEN)")
    folder: str = setting("INBOX", None, "the folder the list's posts arrive in")
    tls: Literal["ssl", "starttls", "none"] = setting(
        "ssl", checks.one_of("ssl", "starttls", "none"), "implicit TLS, STARTTLS, or none (loopback only)"
    )
    ca_file: str = setting("", None, "a CA certificate file to check the server against (default: the system's)")
    auth: Literal["password", "xoauth2"] = setting(
        "password", checks.one_of("password", "xoauth2"), "a password (app password) or an OAuth 2 token"
    )
    token_command: str = setting("", None, "xoauth2: a command that prints a fresh access token")
    mark: Literal["flag", "move"] = setting(
        "flag", checks.one_of("flag", "move"), "how a spooled message is marked handled on the server"
    )
    flag: str = setting("\\Seen", None, 'mark = "flag": the flag or keyword set')
    done_folder: str = setting("", None, 'mark = "move": the folder handled messages are moved to')
    poll_interval: int = setting(60, checks.positive, "seconds between checks where the server offers no IDLE")


@dataclass(frozen=True, slots=True)
class MailSettings:
    intake: IntakeSettings = field(default_factory=IntakeSettings)
    imap: ImapSettings = field(default_factory=ImapSettings)
    outbound: OutboundSettings = field(default_factory=OutboundSettings)


@dataclass(frozen=True, slots=True)
class RemindersSettings:
    days_before: tuple[int, ...] = setting((7, 1), checks.days, "send a reminder this many days before each meeting")
    deadline_days_before: tuple[int, ...] = setting(
        (3,), checks.days, "and this many days before a registration deadline"
    )
    hour: int = setting(9, checks.hour, "the local hour reminders go out at")
    grace_hours: int = setting(
        12, checks.positive, "a reminder missed while the bot was down is sent this late at most"
    )


@dataclass(frozen=True, slots=True)
class DigestSettings:
    hour: int = setting(7, checks.hour, "the local hour digests go out at (daily ones every day, weekly ones weekly)")
    bounce_threshold: int = setting(3, checks.positive, "permanent bounces before an address is suspended")


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    auto_accept: bool = setting(
        default=False, doc="put meetings read from posts on the calendar unasked when nothing is in doubt"
    )


@dataclass(frozen=True, slots=True)
class AttachmentsSettings:
    upload: bool = setting(default=True, doc="upload a post's attachments to Slack and Discord (else list them)")
    allowed_types: tuple[str, ...] = setting(
        DEFAULT_ALLOWED, checks.file_types, "extensions relayed and served as files (never programs, scripts, HTML)"
    )
    slack_max_bytes: int = setting(100 * 1024 * 1024, checks.positive, "largest file uploaded to Slack, in bytes")
    discord_max_bytes: int = setting(
        10 * 1024 * 1024, checks.positive, "most bytes of files in one Discord message (10 MiB without boosts)"
    )


@dataclass(frozen=True, slots=True)
class WebSettings:
    public: bool = setting(default=True, doc="serve the public pages: /, /announcements/ID, /feed.atom, the calendars")


@dataclass(frozen=True, slots=True)
class HttpSettings:
    listen: str = setting("127.0.0.1:8080", checks.listen, "where the HTTP server listens")
    public_url: str = setting("", checks.url, "URL the server is reached at from outside, for links in mail")
    trusted_proxies: tuple[str, ...] = setting((), checks.networks, "proxies whose X-Forwarded-For is believed")
