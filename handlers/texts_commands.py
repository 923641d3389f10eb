"""The chat commands' descriptions (Discord's slash commands and their options), in Japanese and English;
`handlers.texts.say` speaks them."""

from __future__ import annotations

__all__ = ["COMMAND_TEXTS"]

COMMAND_TEXTS: dict[str, tuple[str, str]] = {
    "cmd.rmo": ("小規模多機能自治推進ネットワーク会議のボット", "The network's bot: questions, meetings, joining"),
    "cmd.ask": ("ボットに質問する", "Ask the bot a question"),
    "cmd.ask.question": (
        "質問（例：次の近畿ブロック会議はいつ？）",
        "Your question (e.g. when is the next Kinki meeting?)",
    ),
    "cmd.join": ("入会方法", "How to join the network"),
    "cmd.meetings": ("ブロック会議の予定", "Coming block meetings"),
    "cmd.trainings": ("研修会の予定", "Coming trainings"),
    "cmd.option.block": ("ブロック", "Block"),
    "cmd.option.place": ("都道府県・市町村名（例：兵庫、雲南市）", "Prefecture or city (e.g. Hyogo, Unnan)"),
    "cmd.subscribe": ("お知らせをメールで受け取る", "Get the announcements by e-mail"),
    "cmd.unsubscribe": ("メールの配信を停止する", "Stop the e-mail digest"),
    "cmd.option.email": ("メールアドレス", "E-mail address"),
    "cmd.help": ("使い方", "How to use the bot"),
    "cmd.announce": ("お知らせを投稿する（事務局）", "Post an announcement (secretariat)"),
    "cmd.withdraw": ("リレーした投稿を取り下げる（事務局）", "Withdraw a relayed post (secretariat)"),
    "cmd.correct": ("リレーした投稿を訂正する（事務局）", "Correct a relayed post (secretariat)"),
    "cmd.option.post": ("投稿のID（a で始まる）", "The post's id (starts with a)"),
    "cmd.correct.text": ("訂正後の本文", "The corrected text"),
    "cmd.event": ("カレンダーの予定を管理する（事務局）", "Keep the calendar (secretariat)"),
    "cmd.event.text": (
        "list / add / move / cancel / proposals と、その内容",
        "list / add / move / cancel / proposals and what to change",
    ),
    "form.announce.title": ("お知らせの作成", "New announcement"),
    "form.field.title": ("件名", "Title"),
    "form.field.body": ("本文", "Body"),
    "form.field.blocks": ("対象ブロック", "Blocks"),
    "form.field.blocks_typed": ("対象ブロック（例：kinki, kyushu）", "Blocks (e.g. kinki, kyushu)"),
    "form.preview": ("プレビュー", "Preview"),
    "form.post": ("投稿する", "Post"),
    "form.back": ("戻る", "Back"),
    "form.cancel": ("キャンセル", "Cancel"),
    "form.close": ("閉じる", "Close"),
    "form.notice": ("お知らせ", "Announcement"),
    "form.email": ("メール", "E-mail"),
}
