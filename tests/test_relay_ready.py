"""The relay takes spooled mail only once the catch-up has read the announcements' keys, never before."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

from bot.catch_up import CatchUp
from bot.relay import RelayService
from tests.botproc import LIST_ID, SECRETARIAT
from tests.test_relay_e2e import until


def mail(number: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"事務局 <{SECRETARIAT}>"
    message["To"] = "announce@rmo-network.example.jp"
    message["Subject"] = f"[RMO お知らせ] 第{number}号"
    message["List-Id"] = f"RMO お知らせ <{LIST_ID}>"
    message["Message-ID"] = f"<ready-{number}@rmo-network.example.jp>"
    message.set_content("本文です。")
    return bytes(message)


async def test_spooled_mail_waits_for_the_catch_ups_keys_and_is_taken_right_after(chat):
    """Mail spooled before the keys are read stays spooled; once the catch-up has read them it is processed."""
    core = chat.core
    catch_up = CatchUp(core.reminders, core.store.announcements, core.clock)
    relay = RelayService(core.store, core.intake, core.outbox_signal, {}, core.config.timezone,
                         ready=catch_up.keys_read)  # fmt: skip
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    core.store.spool.put_many([mail(1)])
    relay.spooled()
    for _ in range(20):  # the relay's tasks get every chance to run
        await asyncio.sleep(0)
    assert relay.processed == 0
    assert len(core.store.spool.pending()) == 1
    await catch_up.run(stop)
    assert catch_up.keys_read.is_set()
    await until(lambda: relay.processed >= 1)
    stop.set()
    await running
    assert core.store.spool.pending() == []
    assert relay.processed == 1
