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
    "proposal.heading.announce": (
        "メーリングリストの開催案内から読み取った予定です。カレンダーに登録しますか？（{subject}）",
        "A meeting read from an announcement on the list. Put it on the calendar? ({subject})",
    ),
    "proposal.heading.move": (
        "日程変更の案内から読み取りました。カレンダーの予定をこの日時に変更しますか？（{subject}）",
        "A change of date read from the list. Move the meeting on the calendar to this time? ({subject})",
    ),
    "proposal.heading.cancel": (
        "中止の案内から読み取りました。カレンダーの予定を中止にしますか？（{subject}）",
        "A cancellation read from the list. Mark the meeting on the calendar as cancelled? ({subject})",
    ),
    "proposal.will_cancel": ("→ 中止として登録します", "→ it will be marked as cancelled"),
    "proposal.doubts": ("確認してください：", "Please check:"),
    "proposal.accepted": ("✅ {who}さんが登録しました。", "✅ Put on the calendar by {who}."),
    "proposal.rejected": ("✖ {who}さんが「登録しない」にしました。", "✖ Not put on the calendar ({who})."),
    "proposal.button.accept": ("登録", "Add"),
    "proposal.button.edit": ("修正", "Correct"),
    "proposal.button.reject": ("登録しない", "Don't add"),
    "proposal.form.title": ("予定の修正", "Correct the meeting"),
    "proposal.form.save": ("修正して登録", "Correct and add"),
    "proposal.field.title": ("名称", "Title"),
    "proposal.field.when": ("日時（例：2027-01-20 13:30-16:30）", "Date and time (e.g. 2027-01-20 13:30-16:30)"),
    "proposal.field.venue": ("会場", "Venue"),
    "proposal.field.registration_url": ("申込URL（任意）", "Registration URL (optional)"),
    "proposal.field.deadline": (
        "申込締切（任意。例：2027-01-10 17:00）",
        "Registration deadline (optional, e.g. 2027-01-10 17:00)",
    ),
    "proposal.invalid.title": ("名称を150字以内で入力してください。", "Please enter a title of up to 150 characters."),
    "proposal.invalid.when": (
        "日時は「2027-01-20 13:30-16:30」の形で入力してください。",
        "Please write the date and time as 2027-01-20 13:30-16:30.",
    ),
    "proposal.invalid.venue": ("会場を入力してください。", "Please enter the venue."),
    "proposal.invalid.registration_url": (
        "申込URLは https:// で始まるURLを入力してください。",
        "The registration URL must start with https://.",
    ),
    "proposal.invalid.deadline": (
        "申込締切は「2027-01-10 17:00」の形で入力してください。",
        "Please write the deadline as 2027-01-10 17:00.",
    ),
    "proposal.refused": (
        "予定の登録は事務局の方だけができます。",
        "Only the secretariat can put meetings on the calendar.",
    ),
    "proposal.gone": (
        "この予定はすでに決定済みです。",
        "This meeting has already been decided on.",
    ),
    "proposal.failed": ("登録できませんでした：{reason}", "It could not be put on the calendar: {reason}"),
    "doubt.no_event": (
        "変更・中止の対象となる予定がカレンダーに見つかりません。",
        "The meeting this changes is not on the calendar.",
    ),
    "web.lead": (
        "ブロック会議・研修会の予定、事務局からのお知らせ、入会とメール配信のご案内です。",
        "Block meetings and trainings ahead, the secretariat's announcements, and how to join or get them by e-mail.",
    ),
    "web.coming": ("これからのブロック会議・研修会", "Coming meetings and trainings"),
    "web.no_meetings": (
        "予定されている会議・研修会は、現在ありません。",
        "No meetings or trainings are scheduled at the moment.",
    ),
    "web.national": ("全国", "National"),
    "web.block": ("{name}ブロック", "{name} block"),
    "web.online": ("オンライン", "Online"),
    "web.details": ("案内を読む", "Read the announcement"),
    "web.add_calendar": ("カレンダーアプリに追加（全ブロック）", "Add to your calendar app (all blocks)"),
    "web.add_block_calendar": ("カレンダーに追加", "add to calendar"),
    "web.download_ics": ("iCalファイル", "iCal file"),
    "web.recent": ("最近のお知らせ", "Recent announcements"),
    "web.no_posts": ("お知らせはまだありません。", "No announcements yet."),
    "web.feed": ("お知らせのフィード（Atom）", "Announcements feed (Atom)"),
    "web.join": ("入会するには", "How to join"),
    "web.digest": ("お知らせをメールで受け取る", "Get the announcements by e-mail"),
    "web.digest_lead": (
        "新しいお知らせとこれからの予定を、毎日または毎週メールでお届けします。確認メールのリンクで登録が完了します。",
        (
            "New announcements and coming meetings, by e-mail every day or every week. "
            "The link in the confirmation mail completes the subscription."
        ),
    ),
    "web.subscribe": ("メール配信の登録", "Subscribe by e-mail"),
    "web.form.email": ("メールアドレス", "E-mail address"),
    "web.form.frequency": ("配信の頻度", "How often"),
    "web.form.weekly": ("毎週", "Weekly"),
    "web.form.daily": ("毎日", "Daily"),
    "web.form.send": ("確認メールを送る", "Send the confirmation mail"),
    "web.form.note": (
        "登録の有無にかかわらず同じ画面が表示されます。確認メールが届かない場合は事務局にお問い合わせください。",
        (
            "You will see the same page whatever the address; if no confirmation mail arrives, please contact the "
            "secretariat."
        ),
    ),
    "web.attachments": ("添付ファイル", "Attachments"),
    "web.back": ("トップページへ戻る", "Back to the front page"),
    "web.not_found": ("ページが見つかりません", "Page not found"),
    "web.footer": (
        "このページはネットワークのボットが自動で作成しています。お問い合わせ：",
        "This page is made by the network's bot. Contact:",
    ),
    "event.refused": (
        "カレンダーの変更は事務局の方だけができます。",
        "Only the secretariat can change the calendar.",
    ),
    "event.usage": (
        (
            "使い方：\n/rmo event list（予定の一覧）\n"
            "/rmo event add 2027-01-20 13:30-16:30 kinki 近畿ブロック会議（第2回） @ 会場\n"
            "/rmo event move 予定ID 2027-01-27 13:30-16:30\n/rmo event cancel 予定ID\n"
            "/rmo event edit 予定ID（フォームで修正）\n"
            "/rmo event proposals（開催案内から読み取った予定）・/rmo event accept ID・/rmo event reject ID"
        ),
        (
            "How to use it:\n/rmo event list (what is on the calendar)\n"
            "/rmo event add 2027-01-20 13:30-16:30 kinki Kinki block meeting @ venue\n"
            "/rmo event move EVENT-ID 2027-01-27 13:30-16:30\n/rmo event cancel EVENT-ID\n"
            "/rmo event edit EVENT-ID (a form)\n"
            "/rmo event proposals (meetings read from posts) · /rmo event accept ID · /rmo event reject ID"
        ),
    ),
    "event.form": (
        (
            "カレンダーに予定を追加します。日時は「2027-01-20 13:30-16:30」、ブロックは kinki や 近畿"
            "（全国の研修会は national）。"
        ),
        (
            "Add an event to the calendar. Write the time as 2027-01-20 13:30-16:30, the block as kinki "
            "(national for none)."
        ),
    ),
    "event.form.title": ("予定の追加", "Add an event"),
    "event.edit": ("「{title}」を修正します。", 'Correct "{title}".'),
    "event.edit.title": ("予定の修正", "Correct an event"),
    "event.edited": ("修正しました：{title}（{when}）", "Corrected: {title} ({when})"),
    "event.form.save": ("追加する", "Add"),
    "proposal.field.block": ("ブロック（例：kinki・近畿・national）", "Block (e.g. kinki, national)"),
    "event.none": ("これからの予定はカレンダーにありません。", "Nothing ahead on the calendar."),
    "event.list": ("カレンダーの予定（ID・日時・名称）：", "On the calendar (id, time, title):"),
    "event.unknown_block": (
        "「{block}」というブロックはありません（{known}、全国は national）。",
        'There is no block "{block}" ({known}; national for none).',
    ),
    "event.needs_block": (
        "ブロック会議にはブロックを指定してください。",
        "A block meeting needs its block.",
    ),
    "event.exists": (
        "{id} はすでにカレンダーにあります（変更は /rmo event move）。",
        "{id} is already on the calendar (to change it: /rmo event move).",
    ),
    "event.unknown": ("{id} という予定はありません（/rmo event list）。", "There is no event {id} (/rmo event list)."),
    "event.added": ("登録しました：{title}（{when}、ID {id}）", "Added: {title} ({when}, id {id})"),
    "event.moved": ("日程を変更しました：{title} → {when}", "Moved: {title} to {when}"),
    "event.cancelled_now": ("中止にしました：{title}（{when}）", "Cancelled: {title} ({when})"),
    "event.no_proposals": ("確認待ちの予定はありません。", "No meetings read from posts are waiting."),
    "event.proposals": (
        "確認待ちの予定です（/rmo event accept ID で登録）：",
        "Waiting for a decision (/rmo event accept ID):",
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
