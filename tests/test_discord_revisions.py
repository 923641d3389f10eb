"""`/rmo-correct` and `/rmo-withdraw` on Discord: the secretariat's are queued for every chat channel, a
member's are refused, each answer in one language."""

from __future__ import annotations

from tests.conftest import NOW
from tests.test_discord import SECRETARIAT_ROLE, SECRETARY, _command
from tests.test_relay_e2e import until


async def test_the_secretariat_corrects_and_withdraws_from_discord(discord_bot, discord_core):
    """A member's /rmo-withdraw is refused; the secretariat's correction and withdrawal go to the outbox."""
    platform, fake = discord_bot
    draft = discord_core.intake.draft("総会のご案内", "2月1日に開催します。", "jimukyoku@example.jp", "事務局", (), NOW)
    discord_core.intake.publish(draft)
    post = [{"type": 3, "name": "post", "value": draft.id}]
    platform.parse("INTERACTION_CREATE", _command("withdraw", post, number=1))
    correct = [*post, {"type": 3, "name": "text", "value": "2月8日に開催します。"}]
    platform.parse("INTERACTION_CREATE", _command("correct", correct, user=SECRETARY, roles=[SECRETARIAT_ROLE],
                                                  number=2))  # fmt: skip
    await until(lambda: len(fake.callbacks) >= 2, what="two answers")
    platform.parse("INTERACTION_CREATE", _command("withdraw", post, user=SECRETARY, roles=[SECRETARIAT_ROLE],
                                                  locale="en-US", number=3))  # fmt: skip
    await until(lambda: len(fake.callbacks) >= 3, what="the third answer")
    by_id = {c["id"]: c["data"]["content"] for c in fake.callbacks}
    assert by_id["441"] == "投稿の訂正・取り下げは事務局のみが行えます。"
    assert by_id["442"] == f"投稿「総会のご案内」（{draft.id}）を訂正しました。1件のチャンネルで書き換えます。"
    assert by_id["443"] == f"Post “総会のご案内” ({draft.id}) is withdrawn; it is being deleted from 1 channel(s)."
    queued = [(d.action, d.platform, d.channel) for d in discord_core.store.outbox.pending()]
    assert queued == [("post", "discord", "900"), ("edit", "discord", "900"), ("delete", "discord", "900")]
    assert discord_core.store.announcements.get(draft.id).withdrawn
