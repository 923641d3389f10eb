"""The digests' and the subscription pages' sentences, in Japanese and English; `handlers.texts.say` speaks
them."""

from __future__ import annotations

__all__ = ["PAGE_TEXTS"]

PAGE_TEXTS: dict[str, tuple[str, str]] = {
    "digest.subject": ("【{network}】お知らせまとめ {day}", "{network}: digest of {day}"),
    "digest.news": ("■ 新しいお知らせ", "■ New announcements"),
    "digest.changes": ("■ 変更・中止になった予定", "■ Changed or cancelled meetings"),
    "digest.coming": ("■ 今後の予定", "■ Coming up"),
    "digest.read_more": ("（続きは {url} でお読みいただけます）", "(Read the rest at {url})"),
    "digest.read_more_link": ("続きを読む", "Read the rest"),
    "digest.attachments": ("添付ファイル：{files}", "Attachments: {files}"),
    "digest.more_files": ("　ほか{count}件", " and {count} more"),
    "digest.more_posts": ("ほかに{count}件のお知らせがあります：{url}", "{count} more announcements: {url}"),
    "digest.unsubscribe_line": ("配信停止：{link}", "Unsubscribe: {link}"),
    "digest.manage_top": ("配信の変更・停止：{link}", "Change or stop this digest: {link}"),
    "digest.manage_link": (
        "配信の設定を変更する（頻度・言語・ブロック・停止）",
        "Change how often, language, blocks, or stop",
    ),
    "digest.footer": (
        (
            "このメールは、{email} が{network}のお知らせメール（{frequency}）に登録されているためお送りしています。"
            "配信の頻度・言語・ブロックの変更や配信停止は、次のページからいつでもできます。"
        ),
        (
            "You get this mail because {email} is subscribed to the {network} digest ({frequency}). "
            "You can change how often it comes, its language and blocks, or stop it, at any time here:"
        ),
    ),
    "digest.frequency.daily": ("毎日", "daily"),
    "digest.frequency.weekly": ("毎週", "weekly"),
    "web.footer_list": ("メーリングリスト：{lists}", "Mailing list: {lists}"),
    "web.form.lang": ("メールの言語", "Language of the mail"),
    "web.form.blocks": ("ブロック（選ばなければ全ブロック）", "Blocks (none chosen: all of them)"),
    "web.form.in_english": ("英語のフォーム", "This form in English"),
    "web.sent.title": ("確認メールをお送りしました", "Check your mail"),
    "web.sent.body": (
        "{email} 宛てに確認メールをお送りしました。メールのリンクを開くと登録が完了します（3日間有効）。",
        "A confirmation mail is on its way to {email}. Open its link to complete the subscription (valid 3 days).",
    ),
    "web.bad_address.title": ("メールアドレスを確認してください", "Please check the address"),
    "web.bad_address.body": (
        "「{email}」はメールアドレスとして受け付けられません（半角英数字のアドレスをお使いください）。何も送信していません。",
        "“{email}” is not an address we can send to (use an address in ASCII letters). Nothing was sent.",
    ),
    "web.no_address.body": (
        "メールアドレスが入力されていません。何も送信していません。",
        "No address was entered. Nothing was sent.",
    ),
    "web.form.again": ("登録フォームに戻る", "Back to the form"),
    "web.too_many.title": ("しばらくしてからお試しください", "Please try again later"),
    "web.too_many.body": (
        "この接続元からの申し込みが続いたため、一時的に受け付けを止めています。1時間ほどしてから、もう一度お試しください。",
        "Too many requests came from this connection, so the form is paused for it. Please try again in an hour.",
    ),
    "web.bad_link.title": ("このリンクは使えません", "This link does not work"),
    "web.bad_link.body": (
        (
            "リンクが無効か、期限が切れています。何も変更していません。"
            "最新のメールにあるリンクを使うか、登録フォームからもう一度お申し込みください。"
        ),
        (
            "The link is not valid or has expired; nothing was changed. "
            "Use the link in your latest mail, or subscribe again with the form."
        ),
    ),
    "web.confirm.title": ("配信登録の確認", "Confirm your subscription"),
    "web.confirm.body": (
        "{email} へのお知らせメールの配信を始めます。よろしければ下のボタンを押してください。",
        "The digest will be sent to {email}. Press the button to start it.",
    ),
    "web.confirm.button": ("登録する", "Subscribe"),
    "web.confirmed.title": ("登録しました", "Subscribed"),
    "web.confirmed.body": (
        "{email} へのお知らせメール（{frequency}）の配信を始めます。設定は毎回のメールのリンクから変更できます。",
        "The digest ({frequency}) will be sent to {email}. The link in every digest lets you change it.",
    ),
    "web.unsubscribe.title": ("配信の停止", "Unsubscribe"),
    "web.unsubscribe.body": (
        "{email} へのお知らせメールの配信を停止します。よろしければ下のボタンを押してください。",
        "The digest to {email} will stop. Press the button to stop it.",
    ),
    "web.unsubscribe.button": ("配信を停止する", "Unsubscribe"),
    "web.unsubscribed.title": ("配信を停止しました", "Unsubscribed"),
    "web.unsubscribed.body": (
        "{email} には今後お知らせメールをお送りしません。再開するには、もう一度ご登録ください。",
        "No more digests will be sent to {email}. To start again, subscribe once more.",
    ),
    "web.manage.title": ("配信の設定", "Your digest settings"),
    "web.manage.body": ("{email} へのお知らせメールの設定です。", "The settings of the digest sent to {email}."),
    "web.manage.save": ("設定を保存する", "Save the settings"),
    "web.manage.saved.title": ("設定を保存しました", "Settings saved"),
    "web.manage.saved.body": (
        "{email} へのお知らせメールは、次回から新しい設定（{frequency}）でお送りします。",
        "The digest to {email} follows the new settings ({frequency}) from the next one on.",
    ),
    "web.manage.stop": ("配信をやめる場合", "To stop the digest"),
}
