"""The core: the store and the handlers over it, with no event loop (what every command needs)."""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.outbox_signal import OutboxSignal
from handlers.answering import PLACEHOLDERS, Answerer
from handlers.messages import INTENTS
from storage.closing import ClosesOnExit
from storage.datafile import DataRules, DataSet, load_dataset
from storage.errors import StoreLockedError
from storage.store import Store

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.config import Config
    from bot.mail.link_mailer import OutboundLinkMailer
    from bot.relay_files import FileSteps
    from handlers.bounces import BounceHandler
    from handlers.commands import CommandDispatcher
    from handlers.commands.events import EventCommands
    from handlers.commands.proposals import ProposalCommands
    from handlers.commands.revisions import RevisionCommands
    from handlers.corrections import Corrections
    from handlers.digests import DigestService
    from handlers.intake import IntakePolicy, MailIntake, Routes
    from handlers.meetings.desk import MeetingDesk
    from handlers.meetings.reading import MeetingReading
    from handlers.messages import Lang
    from handlers.ports import Clock
    from handlers.reminders import ReminderService, ReminderSettings
    from storage.records import Proposal

__all__ = ["BUNDLED_DATA", "Core", "intake_policy", "load_bundled", "routes"]

_log = logging.getLogger(__name__)

BUNDLED_DATA = Path(__file__).parent / "data" / "network.toml"
# A typical post, read once at start (see `Core.warm_up`).
_WARM_UP_MAIL = (
    "From: =?utf-8?b?5LqL5YuZ5bGA?= <warm-up@example.jp>\r\nSubject: =?utf-8?b?6L+R55W/44OW44Ot44OD44Kv5Lya6K2w?=\r\n"
    "Date: Wed, 20 Jan 2027 09:00:00 +0900\r\nMessage-ID: <warm-up@example.jp>\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    "近畿ブロック会議を下記のとおり開催します。\r\n日時：2027年1月20日（水）13:30～16:30\r\n"
    "会場：東近江市役所\r\n申込締切：1月10日\r\nhttps://example.jp/form\r\n"
).encode()


class Core(ClosesOnExit):
    """The store and the handlers over it: everything a command needs, with no event loop."""

    def __init__(self, config: Config, store: Store, clock: Clock) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        # Rung by everything that queues deliveries; the running relay answers it.
        self.outbox_signal = OutboxSignal()
        # Told of every new proposal (the running bot shows it to the secretariat in chat).
        self.proposal_listeners: list[Callable[[Proposal], object]] = []
        self.answerer = Answerer(
            store.knowledge,
            store.events,
            store.unanswered,
            clock,
            config.timezone,
            config.contact.as_placeholders(),
            self.pages_url,
            store.conversations,
        )

    # The mail, digest and reminder parts are built on first use: `rmo-bot ask` needs none of them.

    @functools.cached_property
    def intake(self) -> MailIntake:
        from bot.mail.dkim import dkim_verifier  # noqa: PLC0415 - see above
        from handlers.intake import MailIntake  # noqa: PLC0415

        store, config = self.store, self.config
        return MailIntake(
            store.knowledge,
            store.announcements,
            store.outbox,
            store.quarantine,
            intake_policy(config),
            routes(config),
            store.mail_batch,
            self.outbox_signal,
            self.bounces,
            self.digests,
            dkim_verifier() if config.mail.intake.dkim != "off" else None,
            self.meetings,
            self.corrections,
        )

    @functools.cached_property
    def proposal_commands(self) -> ProposalCommands:
        """The secretariat's decisions on meetings read from posts, for every chat platform."""
        from handlers.commands.proposals import ProposalCommands  # noqa: PLC0415 - see above

        store = self.store
        return ProposalCommands(self.meetings, store.announcements, store.knowledge, self.clock, self.config.timezone)

    @functools.cached_property
    def meetings(self) -> MeetingDesk:
        """Meetings read from posts, proposed to the secretariat; accepting one plans its reminders."""
        from handlers.meetings.desk import MeetingDesk  # noqa: PLC0415 - see above
        from handlers.meetings.extract import read_meeting  # noqa: PLC0415
        from handlers.places import PlacesOf  # noqa: PLC0415

        store = self.store
        places, tz = PlacesOf(store.knowledge), self.config.timezone

        def reader(subject: str, body: str, posted_at: datetime) -> MeetingReading | None:
            return read_meeting(subject, body, posted_at=posted_at, finder=places.finder(), tz=tz)

        return MeetingDesk(
            store.events, store.proposals, reader,
            auto_accept=self.config.calendar.auto_accept, on_change=lambda now: self.reminders.plan_changed(now),  # noqa: PLW0108 - lazily: reminders need the intake
            on_proposal=lambda proposal: [listener(proposal) for listener in self.proposal_listeners],
        )  # fmt: skip

    @functools.cached_property
    def bounces(self) -> BounceHandler:
        from handlers.bounces import BounceHandler  # noqa: PLC0415 - see above

        return BounceHandler(self.digests, self.store.secret(), self.config.digest.bounce_threshold)

    @functools.cached_property
    def digests(self) -> DigestService:
        from handlers.digests import DigestService  # noqa: PLC0415 - see above

        store = self.store
        return DigestService(
            store.subscribers, store.announcements, store.events, store.secret(), self.config.timezone,
            store.subscriber_batch, hour=self.config.digest.hour, pages=self.pages_url, network=self.network_name,
        )  # fmt: skip

    def network_name(self, lang: Lang) -> str:
        """The network's name in `lang` (from the data file), or "" before one is imported."""
        info = self.store.knowledge.network()
        if info is None:
            return ""
        return info.name_en or info.name if lang == "en" else info.name

    @property
    def pages_url(self) -> str:
        """Where the public pages are ([http] public_url), or "" when they are off or have no public address."""
        return self.config.http.public_url.rstrip("/") if self.config.web.public else ""

    @functools.cached_property
    def file_steps(self) -> FileSteps:
        """[attachments] over the store's kept files: what the relay uploads, and how the text lists the rest."""
        from bot.relay_files import FileSteps  # noqa: PLC0415 - see above

        return FileSteps(self.config.file_rules, self.store.announcements, self.pages_url)

    @functools.cached_property
    def reminders(self) -> ReminderService:
        from handlers.reminders import ReminderService  # noqa: PLC0415 - see above

        store = self.store
        return ReminderService(
            store.events, store.reminders, self.intake, self.config.timezone, reminder_settings(self.config),
        )  # fmt: skip

    @functools.cached_property
    def link_mailer(self) -> OutboundLinkMailer:
        """Confirmation and unsubscribe mail, queued so that answers never wait for (or reveal) them."""
        from bot.mail.link_mailer import OutboundLinkMailer  # noqa: PLC0415 - see above

        return OutboundLinkMailer(self)

    @functools.cached_property
    def commands(self) -> CommandDispatcher:
        """The one `/rmo` dispatcher every chat platform and the console share."""
        from handlers.commands import AnnounceDesk, ChatSubscriptions, CommandDispatcher  # noqa: PLC0415

        store, clock = self.store, self.clock
        desk = AnnounceDesk(self.intake, store.knowledge, clock, author_name=self.config.contact.secretariat_name)
        subscriptions = ChatSubscriptions(self.digests, store.subscribers, self.link_mailer, clock)
        return CommandDispatcher(self.answerer, desk, subscriptions, self.event_commands, self.revision_commands)

    @functools.cached_property
    def corrections(self) -> Corrections:
        """Withdrawals and corrections of relayed posts: from chat, the command line and the list."""
        from handlers.corrections import Corrections  # noqa: PLC0415 - see above

        store = self.store
        return Corrections(
            store.announcements, store.revisions, store.outbox, routes(self.config), store.mail_batch,
            self.outbox_signal,
        )  # fmt: skip

    @functools.cached_property
    def revision_commands(self) -> RevisionCommands:
        from handlers.commands.revisions import RevisionCommands  # noqa: PLC0415 - see above

        return RevisionCommands(self.corrections, self.clock)

    @functools.cached_property
    def event_commands(self) -> EventCommands:
        """`/rmo event …` and `rmo-bot events add|move|cancel`: the calendar kept by hand."""
        from handlers.commands.events import EventCommands  # noqa: PLC0415 - see above

        store = self.store
        return EventCommands(
            store.events, self.proposal_commands, store.knowledge, self.clock, self.config.timezone,
            on_change=lambda now: self.reminders.plan_changed(now),  # noqa: PLW0108 - lazily, as for the meetings
        )  # fmt: skip

    @classmethod
    def open(cls, config: Config, data_dir: Path, clock: Clock, *, read_only_fallback: bool = False) -> Core:
        """Open the data directory (seeding it with the bundled data on first use).

        With `read_only_fallback`, a directory another process holds is opened read-only instead of
        refused: its files are only ever replaced whole, so reading them is safe.
        """
        try:
            store = Store.open(data_dir)
        except StoreLockedError:
            if not read_only_fallback:
                raise
            store = Store.open(data_dir, writable=False)
        try:
            if store.writable and store.knowledge.network() is None:
                changed = store.apply(load_bundled(config), now=clock.now())
                _log.info("seeded %s with the bundled network data (%s)", data_dir, changed)
        except BaseException:
            store.close()
            raise
        return cls(config, store, clock)

    def warm_up(self) -> None:
        """Do before the event loop runs what the first post would do on it: build the block finders and
        compile the mail and meeting readers' patterns (tens of milliseconds, once), and load the names
        dictionary (50 ms: SudachiPy holds the interpreter while it loads, so a worker thread loading it
        stalled the loop 35-80 ms)."""
        from handlers.intake import IntakeResult  # noqa: PLC0415 - see above
        from handlers.readings import load_dictionary  # noqa: PLC0415
        from storage.records import Announcement  # noqa: PLC0415

        load_dictionary()

        reading = self.intake.read(_WARM_UP_MAIL, trusted=True)
        if isinstance(reading, IntakeResult):  # never: the sample is a plain post
            return
        self.intake.warm_up(reading.subject, reading.body)
        now = self.clock.now()
        self.meetings.read(Announcement("warm-up", "warm-up", reading.subject, reading.body, "", now))

    def load_data_file(self, path: Path) -> DataSet:
        """Parse and validate a data file against this store's blocks."""
        blocks = tuple(b.key for b in self.store.knowledge.blocks())
        return load_dataset(path, rules=data_rules(self.config, blocks))

    def close(self) -> None:
        self.store.close()


def reminder_settings(config: Config) -> ReminderSettings:
    from handlers.reminders import ReminderSettings  # noqa: PLC0415 - see Core

    return ReminderSettings(
        days_before=tuple(config.reminders.days_before),
        deadline_days_before=tuple(config.reminders.deadline_days_before),
        hour=config.reminders.hour,
        grace=timedelta(hours=config.reminders.grace_hours),
    )


def intake_policy(config: Config) -> IntakePolicy:
    """Which posts are genuine, from [mail.intake] (and the bot's own From, to refuse loops)."""
    from email.utils import getaddresses  # noqa: PLC0415 - see Core

    from handlers.intake import IntakePolicy, Retention  # noqa: PLC0415 - see Core

    intake = config.mail.intake
    own = [addr for _, addr in getaddresses([config.mail.outbound.from_address]) if addr]
    return IntakePolicy.of(
        intake.list_ids,
        intake.allowed_senders,
        own,
        intake.dkim,
        intake.list_addresses,
        Retention(intake.keep_refused_bytes, intake.quarantine_max_bytes, intake.quarantine_days),
        intake.subject_tags,
    )


def routes(config: Config) -> Routes:
    """Each platform's default and per-block channels, from [slack] and [discord]; the Page from [facebook]."""
    from handlers.intake import Routes  # noqa: PLC0415 - see Core

    page = config.facebook.page_id
    return Routes(
        default={"slack": config.slack.default_channels, "discord": config.discord.default_channels},
        blocks={"slack": dict(config.slack.block_channels), "discord": dict(config.discord.block_channels)},
        pages={"facebook": (page,)} if page else {},
        pages_on_request=config.facebook.relay != "all",
    )


def data_rules(config: Config, known_blocks: tuple[str, ...] = ()) -> DataRules:
    """What the handlers understand, for validating a data file."""
    return DataRules(config.timezone, INTENTS, PLACEHOLDERS, known_blocks)


def load_bundled(config: Config) -> DataSet:
    """The network's built-in knowledge, from the seed description."""
    return load_dataset(BUNDLED_DATA, rules=data_rules(config))
