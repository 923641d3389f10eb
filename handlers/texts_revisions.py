"""The sentences about relayed posts' threads, corrections and withdrawals, in Japanese and English."""

from __future__ import annotations

__all__ = ["REVISION_TEXTS"]

REVISION_TEXTS: dict[str, tuple[str, str]] = {
    "post.whole": (
        "全文（{parts}件に分けて、続きはスレッドに投稿）",
        "The whole post ({parts} parts; the rest is in the thread)",
    ),
    "post.split": (
        "Slackでは{slack}件、Discordでは{discord}件のメッセージになります（1件目をチャンネルに、続きはそのスレッドに投稿）。",
        "Slack gets {slack} message(s), Discord {discord} (the first in the channel, the rest in its thread).",
    ),
    "revise.refused": (
        "投稿の訂正・取り下げは事務局のみが行えます。",
        "Only the secretariat can correct or withdraw a post.",
    ),
    "revise.usage.withdraw": (
        "取り下げる投稿のIDを指定してください（例：/rmo withdraw a0123456789abcdef）。",
        "Name the post to withdraw, e.g. /rmo withdraw a0123456789abcdef.",
    ),
    "revise.usage.correct": (
        "訂正する投稿のIDと新しい本文を指定してください（例：/rmo correct a0123456789abcdef 新しい本文）。",
        "Name the post and give its new text, e.g. /rmo correct a0123456789abcdef the new text.",
    ),
    "revise.unknown": ("投稿 {id} は見つかりません。", "There is no post {id}."),
    "revise.already_withdrawn": ("投稿 {id} はすでに取り下げられています。", "Post {id} has already been withdrawn."),
    "revise.withdrawn": (
        "投稿「{subject}」（{id}）を取り下げました。{channels}件のチャンネルから削除します。",
        "Post “{subject}” ({id}) is withdrawn; it is being deleted from {channels} channel(s).",
    ),
    "revise.corrected": (
        "投稿「{subject}」（{id}）を訂正しました。{channels}件のチャンネルで書き換えます。",
        "Post “{subject}” ({id}) is corrected; it is being updated in {channels} channel(s).",
    ),
    "revise.too_long": (
        "新しい本文は{limit:,}文字以内にしてください（{length:,}文字あります）。",
        "The new text must be at most {limit:,} characters (it has {length:,}).",
    ),
    "revise.form": (
        "「{subject}」の訂正：新しい件名と本文を入力してください。投稿済みのメッセージがその場で書き換わります。",
        "Correct “{subject}”: enter the new subject and text; the posted messages are changed in place.",
    ),
    # The name a withdrawn post's Discord thread is given (it outlives the message it started from).
    "revise.thread_withdrawn": ("取り下げられた投稿", "Withdrawn post"),
    "revise.form_too_long": (
        (
            "投稿 {id} は長いためフォームでは訂正できません。"
            "rmo-bot announcements correct {id} --file ファイル で訂正してください。"
        ),
        "Post {id} is too long for the form: correct it with rmo-bot announcements correct {id} --file FILE.",
    ),
    "page.withdrawn": ("この投稿は事務局により取り下げられました。", "This post was withdrawn by the secretariat."),
    "page.corrected": ("{when}に訂正されました。", "Corrected on {when}."),
}
