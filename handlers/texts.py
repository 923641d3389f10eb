"""Every sentence the bot says, in Japanese and English. Code picks a key; this file says it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.messages import Lang

__all__ = ["say"]

_TEXTS: dict[str, tuple[str, str]] = {
    "kind.block_meeting": ("ブロック会議", "block meetings"),
    "kind.training": ("研修会", "trainings"),
    "events.header": ("{scope}{kind}の予定です。", "Upcoming {kind}{scope}:"),
    "events.header.next": ("{scope}次の{kind}です。", "The next {kind}{scope}:"),
    "events.none": (
        "{scope}予定されている{kind}は、現在ありません。",
        "There are no {kind}{scope} scheduled at the moment.",
    ),
    "events.scope.block": ("{block}ブロックの", " in the {block} block"),
    "events.scope.period": ("{period}の", " in {period}"),
    "events.scope.both": ("{period}の{block}ブロックの", " in the {block} block in {period}"),
    "events.via": ("（{place}は{block}ブロックです）", "({place} is in the {block} block.)"),
    "events.more": (
        "ほかにも予定があります。ブロック名や月を添えて聞くと絞り込めます。",
        "There are more: add a block or a month to your question to narrow it down.",
    ),
    "events.national_hint": (
        "ブロック名・都道府県名を添えると、そのブロックの予定をお答えします（例：「次の近畿ブロック会議は？」）。",
        'Add a block or prefecture to see that block\'s meetings (e.g. "next Kinki block meeting").',
    ),
    "events.will_announce": (
        "日程が決まり次第、お知らせします。",
        "Dates are announced here as soon as they are set.",
    ),
    "event.when": ("日時：{when}", "When: {when}"),
    "event.where": ("会場：{where}", "Where: {where}"),
    "event.online": ("オンライン：{url}", "Online: {url}"),
    "event.register": ("申込：{url}", "Register: {url}"),
    "event.deadline": ("申込締切：{when}", "Registration deadline: {when}"),
    "event.deadline_passed": ("申込締切：{when}（締切済み）", "Registration deadline: {when} (closed)"),
    "event.national": ("全国", "national"),
    "event.in_progress": ("【開催中】", " (in progress)"),
    "empty": (
        "ご質問をどうぞ。たとえば「入会するには？」「次の近畿ブロック会議はいつ？」のようにお尋ねください。",
        'Ask me a question, for example "How do we join?" or "When is the next Kinki block meeting?"',
    ),
    "officers.header": ("{network}の役員です。", "Officers of the {network}:"),
    "officers.role": ("{role}：{holders}", "{role}: {holders}"),
    "officers.block": ("{block}ブロック：{holder}", "{block} block: {holder}"),
    "officers.block_secretary": (
        "{block}ブロックのブロック幹事は{holder}です。",
        "The {block} block secretary is the {holder}.",
    ),
    "officers.block_secretaries": ("ブロック幹事：", "Block secretaries:"),
    "officers.none": (
        "役員の情報が登録されていません。事務局にお問い合わせください。",
        "No officers are on record; please ask the secretariat.",
    ),
    "block.info": (
        "{place}は{block}ブロックです。{block}ブロックの府県：{prefectures}。ブロック幹事：{secretary}。",
        "{place} is in the {block} block, which covers {prefectures}. Block secretary: {secretary}.",
    ),
    "block.info.self": (
        "{block}ブロックの府県：{prefectures}。ブロック幹事：{secretary}。",
        "The {block} block covers {prefectures}. Block secretary: {secretary}.",
    ),
    "block.next_meeting": (
        "次の{block}ブロック会議：{title}（{when}）",
        "Next {block} block meeting: {title} ({when})",
    ),
    "unknown": (
        (
            "すみません、そのご質問にはまだお答えできません。事務局が確認できるよう記録しました。"
            "お急ぎの場合は事務局（{secretariat_email}）にお問い合わせください。"
            "「ヘルプ」と送ると、お答えできることの一覧をご覧いただけます。"
        ),
        (
            "Sorry, I can't answer that yet. I've noted your question for the secretariat; if it is urgent, "
            'please contact the secretariat ({secretariat_email}). Send "help" to see what I can answer.'
        ),
    ),
    "internal_error": (
        "申し訳ありません、ただいまお答えできませんでした。少し時間をおいて、もう一度お試しください。",
        "Sorry, something went wrong on my side. Please try again in a little while.",
    ),
    "thanks": (
        "どういたしまして！ほかにもご質問があれば、いつでもどうぞ。",
        "You're welcome! Ask me anything else at any time.",
    ),
    "announce.refused": (
        "申し訳ありません。お知らせの投稿は事務局の方だけができます。ご質問はお気軽にどうぞ。",
        "Sorry, only the secretariat can post announcements. Questions are always welcome.",
    ),
    "announce.done": (
        "お知らせを投稿しました。{count}件のチャンネルに配信します。",
        "The announcement is posted and goes out to {count} channels.",
    ),
    "announce.form": (
        "お知らせの件名・本文・対象ブロックを入力してください。送る前にプレビューをお見せします。",
        "Enter the announcement's title, body and blocks; you will see a preview before it goes out.",
    ),
    "announce.preview": (
        "Slack・Discord・メールでの見え方です。よろしければ「投稿する」を押してください。",
        "This is how it will look on Slack, Discord and in e-mail. Press Post to send it.",
    ),
    "announce.gone": (
        "この下書きはもうありません（投稿済みか、古くなりました）。/rmo announce から作り直してください。",
        "This draft is gone (already posted, or too old). Start again with /rmo announce.",
    ),
    "announce.field.title": ("件名", "title"),
    "announce.field.body": ("本文", "body"),
    "announce.missing": ("{field}を入力してください。", "Please enter the {field}."),
    "announce.too_long": (
        "{field}は{limit}文字までです（いまは{length}文字です）。",
        "The {field} may be at most {limit} characters long (it is {length}).",
    ),
    "announce.unknown_blocks": (
        "次のブロックはありません：{unknown}。使えるのは {known} です。",
        "There is no such block: {unknown}. The blocks are {known}.",
    ),
    "secretariat.name": ("事務局", "Secretariat"),
    "home.header": ("今後の予定", "Coming up"),
    # What a verb of /rmo asks the answerer, in the asker's language.
    "question.join": ("入会するには？", "How do we join?"),
    "question.meetings": ("ブロック会議の予定は？", "upcoming block meetings"),
    "question.meetings.in": ("{place} ブロック会議の予定は？", "upcoming block meetings {place}"),
    "question.trainings": ("研修会の予定は？", "upcoming trainings"),
    "question.subscribe": ("お知らせをメールで受け取るには？", "How do I get the e-mail digest?"),
    "question.unsubscribe": ("メールの配信を停止するには？", "How do I stop the e-mail digest?"),
    "question.help": ("ヘルプ", "help"),
    "subscribe.sent": (
        "確認メールをお送りしました（既に登録済みの場合も同じメッセージです）。メールのリンクを開くと登録が完了します。",
        (
            "A confirmation mail is on its way (this message is the same if you were already subscribed). "
            "Open its link to start the digest."
        ),
    ),
    "unsubscribe.sent": (
        "ご登録があれば、配信停止のリンクをそのアドレスにお送りしました。",
        "If that address is subscribed, a link to stop the digest has been sent to it.",
    ),
    "mail.confirm.subject": (
        "【確認】お知らせメール配信の登録",
        "Please confirm your subscription to the network digest",
    ),
    "mail.confirm.body": (
        (
            "次のリンクを開くと、お知らせメールの配信が始まります（3日間有効）。\n{link}\n\n"
            "お心当たりのない場合は、このメールを破棄してください。配信は始まりません。\n"
        ),
        (
            "Open this link to start receiving the digest (valid for 3 days):\n{link}\n\n"
            "If you did not ask for it, ignore this mail: nothing will be sent.\n"
        ),
    ),
    "mail.unsubscribe.subject": ("【配信停止】お知らせメールの配信停止", "Stop the network digest"),
    "mail.unsubscribe.body": (
        "次のリンクを開くと、お知らせメールの配信を停止できます。\n{link}\n",
        "Open this link to stop the digest:\n{link}\n",
    ),
    "digest.unsubscribe_link": ("配信停止", "Unsubscribe"),
    "not_registered": ("未登録", "not registered yet"),
    "list.sep": ("、", ", "),
    "greeting": ("こんにちは！", "Hello!"),
    # What the meeting reader could not settle, shown beside a proposal ({detail}: what the post said).
    "doubt.weekday_mismatch": (
        "曜日が日付と合いません（{detail}）。日付と曜日のどちらが正しいかご確認ください。",
        "The weekday does not match the date ({detail}); please check which one is right.",
    ),
    "doubt.year_ambiguous": (
        "年の記載がなく、{detail} と読みましたが、別の年の可能性があります。",
        "No year was written; read as {detail}, but another year is possible.",
    ),
    "doubt.several_dates": (
        "複数の日付があります（{detail}）。最初の日付を開催日としました。",
        "Several dates are given ({detail}); the first was taken as the meeting's.",
    ),
    "doubt.no_time": ("開始時刻の記載がありません。", "No start time is given."),
    "doubt.no_date": ("新しい開催日が読み取れませんでした。", "The new date could not be read."),
    "doubt.block_unknown": ("どのブロックの会議か読み取れませんでした。", "The block could not be told from the post."),
    "doubt.several_blocks": (
        "複数のブロック名があります（{detail}）。最初のブロックとしました。",
        "Several blocks are named ({detail}); the first was taken.",
    ),
    "doubt.end_before_start": (
        "終了時刻が開始時刻より前になっています。終了時刻は空欄にしました。",
        "The end time is before the start; the end was left empty.",
    ),
    "doubt.date_past": (
        "開催日（{detail}）が投稿日より前です。年の誤記の可能性があります。",
        "The date ({detail}) is before the post was sent; the year may be a typo.",
    ),
    "doubt.deadline_after_start": (
        "申込締切（{detail}）が開催日より後になっています。",
        "The registration deadline ({detail}) is after the meeting starts.",
    ),
    "doubt.postponed": (
        "延期のお知らせですが、新しい日程が書かれていません。元の日程を中止として扱います。",
        "The meeting is postponed with no new date; the announced date is treated as cancelled.",
    ),
    "post.cut": (
        (
            "（この先は長いため省略しました。全文 {total:,} 文字のうち {shown:,} 文字を表示しています。"
            "全文はメーリングリストのメールでご覧ください。）"
        ),
        (
            "(The rest is too long to post here: {shown:,} of {total:,} characters are shown. "
            "Read the whole post in the mailing list's mail.)"
        ),
    ),
}


def say(key: str, lang: Lang, /, **values: object) -> str:
    """The text for `key` in `lang`, with `values` filled in."""
    ja, en = _TEXTS[key]
    template = ja if lang == "ja" else en
    return template.format(**values) if values else template
