"""Every sentence the bot says, in Japanese and English. Code picks a key; this file (and, for the calendar
and the public pages, `texts_calendar.py`) says it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.texts_calendar import CALENDAR_TEXTS
from handlers.texts_pages import PAGE_TEXTS

if TYPE_CHECKING:
    from handlers.messages import Lang

__all__ = ["say"]

_TEXTS: dict[str, tuple[str, str]] = {
    "kind.block_meeting": ("ブロック会議", "block meetings"),
    "kind.training": ("研修会", "trainings"),
    "events.header": ("{scope}{kind}の予定です。", "Upcoming {kind}{scope}:"),
    "events.header.next": ("{scope}次の{kind}です。", "The next {kind}{scope}:"),
    "events.header.next.one": ("{scope}次の{kind}です。", "The next {one}{scope}:"),
    "kind1.block_meeting": ("ブロック会議", "block meeting"),
    "kind1.training": ("研修会", "training"),
    "events.none": (
        "{scope}予定されている{kind}は、現在ありません。",
        "There are no {kind}{scope} scheduled at the moment.",
    ),
    "events.scope.block": ("{block}ブロックの", " in the {block} block"),
    "events.scope.period": ("{period}の", " in {period}"),
    "events.scope.both": ("{period}の{block}ブロックの", " in the {block} block in {period}"),
    "events.via": ("（{place}は{block}ブロックです）", "({place} is in the {block} block.)"),
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
    "officers.role_of_block": ("{block}ブロックの{role}", "{role} of the {block} block"),
    "officers.of_city": ("{holder}は、{network}の{role}です。", "The {holder} is the {role} of the {network}."),
    "members.listed": (
        "{city}は、{network}の会員として登録されています。",
        "{city} is listed as a member of the {network}.",
    ),
    "members.not_listed": (
        (
            "{city}は、ボットが知っている会員一覧には載っていません（一覧はすべての会員を載せていないことがあります）。"
            "確かなことは事務局（{email}）にお問い合わせください。"
        ),
        (
            "{city} is not in the list of members the bot knows (the list may not be complete). "
            "For certain, please ask the secretariat ({email})."
        ),
    ),
    "console.empty_calendar": (
        (
            "（カレンダーにはまだ予定がありません。メーリングリストの開催案内から読み取った予定は、事務局が"
            "確認すると登録されます（rmo-bot events proposals）。試すには: "
            "rmo-bot import examples/calendar.toml --data-dir ./trial-data）"
        ),
        (
            "(The calendar has no meetings yet. Meetings read from the list's announcements go on it once the "
            "secretariat confirms them (rmo-bot events proposals). To try the bot: "
            "rmo-bot import examples/calendar.toml --data-dir ./trial-data)"
        ),
    ),
    "event.cancelled": ("■ {day}の{title}{place}は中止になりました。", "• {title} on {day}{place} has been cancelled."),
    "event.moved_from": ("（{day}から日程が変更になりました）", "(moved from {day})"),
    "events.more_count": (
        "ほかに{count}件あります。「全部」「一覧」と添えるか、ブロック名や月を添えて聞くと絞り込めます。",
        "There are {count} more: ask for all of them, or add a block or a month to narrow it down.",
    ),
    "events.more_count.all": (
        (
            "ほかに{count}件あります。ブロック名を添えて聞くと（例：「/rmo meetings 近畿」）、"
            "そのブロックの予定をすべてご覧いただけます。"
        ),
        'There are {count} more: ask for one block (for example "/rmo meetings Kinki") to see all of its meetings.',
    ),
    "events.instead": ("その後の{scope}{kind}はこちらです。", "The next {kind}{scope} after that:"),
    "events.calendar_link": (
        "予定の一覧とカレンダーアプリへの追加：{url}",
        "All meetings, and how to add them to your calendar app: {url}",
    ),
    "events.header.last": ("{scope}前回の{kind}です。", "The most recent of the {kind}{scope}:"),
    "events.header.past": ("{scope}{kind}はこちらでした。", "{kind}{scope} held:"),
    "events.none.past": (
        "{scope}これまでの{kind}は記録されていません。",
        "There is no record of {kind}{scope} held so far.",
    ),
    "events.none.past.period": ("{scope}{kind}の開催は記録されていません。", "There is no record of {kind}{scope}."),
    "events.next_instead": ("次の{scope}{one}はこちらです。", "The next {one}{scope}:"),
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
        "{place}は{block}ブロックです。{block}ブロックの都道府県：{prefectures}。ブロック幹事：{secretary}。",
        "{place} is in the {block} block, which covers {prefectures}. Block secretary: {secretary}.",
    ),
    "block.info.self": (
        "{block}ブロックの都道府県：{prefectures}。ブロック幹事：{secretary}。",
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
    "unknown.block": (
        (
            "{block}ブロックについては、ブロック会議や研修会の日程とブロック幹事をお答えできます"
            "（例：「次の{block}ブロック会議は？」）。"
        ),
        (
            'About the {block} block, I can tell you its meetings, trainings and block secretary (e.g. "next '
            '{block} block meeting?").'
        ),
    ),
    "internal_error": (
        "申し訳ありません、ただいまお答えできませんでした。少し時間をおいて、もう一度お試しください。",
        "Sorry, something went wrong on my side. Please try again in a little while.",
    ),
    "greeting": (
        "こんにちは。小規模多機能自治推進ネットワーク会議のボットです。",
        "Hello! I am the bot of the Network Conference for Promoting Small-Scale Multi-Functional Self-Governance.",
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
    "files.type": ("この種類のファイルは添付していません", "not attached: this type of file is not relayed"),
    "files.size": ("大きすぎるため添付していません", "not attached: too large to upload here"),
    "files.missing": ("ファイルが保存されていないため添付していません", "not attached: the file was not kept"),
    "files.download": ("ダウンロード：{url}", "download: {url}"),
    "files.caption": ("📎 「{subject}」の添付ファイル", "📎 Attachments of “{subject}”"),
    "files.caption_part": (
        "📎 「{subject}」の添付ファイル（{number}/{count}）",
        "📎 Attachments of “{subject}” ({number}/{count})",
    ),
}


_TEXTS.update(CALENDAR_TEXTS)
_TEXTS.update(PAGE_TEXTS)


def say(key: str, lang: Lang, /, **values: object) -> str:
    """The text for `key` in `lang`, with `values` filled in."""
    ja, en = _TEXTS[key]
    template = ja if lang == "ja" else en
    return template.format(**values) if values else template
