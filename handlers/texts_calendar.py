"""The calendar's sentences (proposals, /rmo event, the meeting reader's doubts) and the public pages', in
Japanese and English; `handlers.texts.say` speaks them. Split from `handlers/texts.py` (no text changed)."""

from __future__ import annotations

__all__ = ["CALENDAR_TEXTS"]

CALENDAR_TEXTS: dict[str, tuple[str, str]] = {
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
            "You will see the same page whether or not the address is already subscribed; if no confirmation mail "
            "arrives, please contact the secretariat."
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
}
