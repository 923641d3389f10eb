"""Answering behaviour beyond the question set: what is never shown, dates, language, and the data's say."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bot.config import load_config
from bot.testing import ChatHarness
from tests.conftest import CALENDAR, JST, NOW


def test_a_conversation_reads_as_one_line_per_turn(chat):
    """The console platform answers a member's questions in the language they were asked in."""
    assert "郵送" in chat.say("入会するには？")
    assert "by post" not in chat.say("入会するには？")
    assert "post it to the secretariat" in chat.say("How do we join?")
    assert "雲南市長" in chat.say("代表はどなたですか")


def test_past_and_cancelled_events_are_never_upcoming(chat):
    """A listing of every upcoming meeting leaves out those already held and those cancelled."""
    for question in ("ブロック会議の予定を全部教えて", "upcoming block meetings", "年内の会議は？"):
        reply = chat.ask(question)
        ids = {e.id for e in reply.events}
        assert ids, question
        assert not ids & {"kinki-2026-1", "shikoku-2026-1", "kyushu-2026-2"}, question
        assert all(e.starts_at >= NOW and e.status == "scheduled" for e in reply.events)
        assert [e.starts_at for e in reply.events] == sorted(e.starts_at for e in reply.events)


def test_event_stored_in_utc_is_shown_in_japan_time(tmp_path):
    """An event written with a UTC offset is shown in Japan time, with the Japanese weekday."""
    data_file = tmp_path / "utc.toml"
    data_file.write_text(
        '[[events]]\nid = "tokai-x"\nkind = "block_meeting"\nblock = "tokai"\ntitle = "東海ブロック会議（臨時）"\n'
        "starts_at = 2027-01-19T15:30:00Z\n",
        encoding="utf-8",
    )
    with ChatHarness.open(tmp_path / "d", now=NOW, data_files=(data_file,)) as chat:
        assert "2027年1月20日（水）0:30" not in chat.say("東海ブロック会議は？")
        assert "2027年1月20日（水）00:30" in chat.say("東海ブロック会議は？")
        assert "Wed 20 Jan 2027, 00:30 JST" in chat.say("Tokai block meeting?")


def test_time_phrases_limit_the_answer(chat):
    """来月 lists December's meetings only; 来週 the meetings of Monday to Sunday next week."""
    december = {e.id for e in chat.ask("来月の会議は？").events}
    assert december == {"hokuriku-2026-2", "chugoku-2026-2"}
    next_week = {e.id for e in chat.ask("来週のブロック会議").events}
    assert next_week == {"tokai-2026-2", "hokuriku-2026-2"}
    assert {e.id for e in chat.ask("meetings in February?").events} == {
        "tohoku-2026-2", "hokkaido-2026-2", "kyushu-2026-3",
    }  # fmt: skip


def test_places_find_their_block(chat):
    """Blocks come from block names, prefectures and cities, and 東京都 is not 京都."""
    cases = {
        "中国ブロックの会議": "chugoku",
        "東京都の会議は？": "kanto",
        "京都の会議は？": "kinki",
        "札幌で会議ある？": "hokkaido",
        "茅ケ崎市の近くの会議": "kanto",
        "Any meetings near Kobe?": "kinki",
        "沖縄からも参加できる会議は？": "kyushu",
    }
    for question, block in cases.items():
        assert chat.ask(question).block == block, question


def test_block_without_upcoming_meetings_says_so(chat):
    """A block whose meetings are all past gets an honest 'none scheduled' and the usual rhythm."""
    reply = chat.ask("四国ブロック会議はいつ？")
    assert reply.events == ()
    assert "四国ブロックで予定されているブロック会議は、現在ありません。" in reply.text
    assert "7月～3月" in reply.text


def test_closed_registration_is_marked(chat):
    """An upcoming event whose registration deadline has passed says the registration is closed."""
    chat.clock.moment = datetime(2026, 11, 28, 9, 0, tzinfo=JST)
    assert "申込締切：2026年11月27日（金）17:00（締切済み）" in chat.say("北陸ブロック会議は？")


def test_unknown_question_is_recorded_for_the_secretariat(chat):
    """An unknown question is answered kindly and stored with its platform and language."""
    reply = chat.ask("会報誌のバックナンバーはどこで読めますか")
    assert reply.intent == "unknown"
    assert "事務局" in reply.text
    (recorded,) = chat.core.store.unanswered.recent()
    assert recorded.text == "会報誌のバックナンバーはどこで読めますか"
    assert (recorded.platform, recorded.lang) == ("console", "ja")


def test_contact_details_come_from_configuration(tmp_path):
    """The secretariat's address and the form's URL come from [contact]; unset ones say 未登録."""
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        '[contact]\nsecretariat_email = "office@rmo.example.jp"\n'
        'application_form_url = "https://rmo.example.jp/form.pdf"\n',
        encoding="utf-8",
    )
    config = load_config(config_file, environ={})
    with ChatHarness.open(tmp_path / "d", now=NOW, config=config) as chat:
        assert "office@rmo.example.jp" in chat.say("事務局の連絡先は？")
        assert "電話：未登録" in chat.say("事務局の連絡先は？")
        assert "https://rmo.example.jp/form.pdf" in chat.say("入会申込書はどこ？")


def test_secretariat_teaches_a_new_phrasing_through_the_faq(tmp_path):
    """A FAQ entry imported from a data file answers questions its keywords describe."""
    faq = tmp_path / "faq.toml"
    faq.write_text(
        '[[faq]]\nid = "about-logo"\nintent = "about"\nkeywords = ["ロゴ", "logo"]\n'
        'question = "ロゴはありますか？"\nquestion_en = "Is there a logo?"\n'
        'answer = "ロゴは事務局で配布しています。"\nanswer_en = "The secretariat hands out the logo."\n',
        encoding="utf-8",
    )
    with ChatHarness.open(tmp_path / "d", now=NOW, data_files=(CALENDAR,)) as chat:
        assert chat.ask("ネットワークのロゴを使いたいです").intent == "unknown"
        chat.core.store.apply(chat.core.load_data_file(faq), now=chat.core.clock.now())
        assert chat.say("ネットワークのロゴを使いたいです") == "ロゴは事務局で配布しています。"
        assert chat.say("Can we use the network logo?") == "The secretariat hands out the logo."


def test_officer_questions_by_role_and_block(chat):
    """Officers are answered by role, and a block's secretary by the block, a prefecture or a city."""
    assert chat.say("副代表は誰？") == "副代表：名張市長、朝来市長"
    assert chat.say("岡山の幹事は？") == "中国ブロックのブロック幹事は岡山県瀬戸内市長です。"
    assert (
        chat.say("Who is the Kyushu block secretary?")
        == "The Kyushu block secretary is the Mayor of Nagasaki, Nagasaki."
    )


def test_bundled_knowledge_is_the_seed(tmp_path):
    """A fresh store knows the network from its own description: founding, members, founders, blocks."""
    with ChatHarness.open(tmp_path / "d", now=NOW) as chat:
        about = chat.say("このネットワークはいつ設立されたの？")
        assert "平成27年2月17日" in about
        assert "142会員" in about
        for city in ("伊賀市", "名張市", "朝来市", "雲南市"):
            assert city in about
        blocks = chat.core.store.knowledge.blocks()
        assert [b.key for b in blocks] == [
            "hokkaido", "tohoku", "kanto", "shinetsu", "hokuriku", "tokai", "kinki", "chugoku", "shikoku", "kyushu",
        ]  # fmt: skip
        assert sum(len(b.prefectures) for b in blocks) == 47


def test_an_internal_error_shows_an_apology_not_a_traceback(tmp_path, caplog):
    """When answering fails (here: a hand-broken event in the store), the member gets an apology."""
    data = tmp_path / "d"
    with ChatHarness.open(data, now=NOW, data_files=(CALENDAR,)):
        pass
    events_file = data / "events.json"
    stored = json.loads(events_file.read_text(encoding="utf-8"))
    for doc in stored["events"].values():
        if doc["id"] == "kinki-2026-2":
            del doc["title"]
    events_file.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    with ChatHarness.open(data, now=NOW) as chat:
        text = chat.say("次の近畿ブロック会議は？")
        assert text == "申し訳ありません、ただいまお答えできませんでした。少し時間をおいて、もう一度お試しください。"
        assert "Traceback" not in text
        assert "Sorry, something went wrong" in chat.say("Next Kinki block meeting?")
        assert "郵送" in chat.say("入会するには？")  # the rest still works
    assert any("could not answer" in r.message for r in caplog.records)


def test_thanks_gets_a_kind_word_and_is_not_recorded(chat):
    """「ありがとうございます」 is answered kindly and does not fill the unanswered report."""
    assert "どういたしまして" in chat.say("ありがとうございます！")
    assert "You're welcome" in chat.say("Thanks!")
    assert chat.core.store.unanswered.recent() == []


def test_english_answers_fall_back_to_japanese_names_not_blanks(tmp_path):
    """An officer or title with no English form is shown in Japanese in an English answer, never blank."""
    officers = tmp_path / "officers.toml"
    officers.write_text(
        '[[officers]]\nrole = "ブロック幹事"\nblock = "kinki"\nholder = "滋賀県東近江市長"\n', encoding="utf-8"
    )
    with ChatHarness.open(tmp_path / "d", now=NOW, data_files=(CALENDAR, officers)) as chat:
        assert chat.say("Who is the Kinki block secretary?") == "The Kinki block secretary is the 滋賀県東近江市長."


def test_a_cancelled_meeting_is_said_to_be_cancelled(chat):
    """Asked about its block, the cancelled 九州 meeting is told as cancelled (date, title, place) beside the
    meeting held instead, in Japanese and in English; it is never offered as coming."""
    ja = chat.ask("九州ブロック会議の予定は？")
    assert "■ 2026年12月18日（金）の九州ブロック会議（第2回）（長崎市役所）は中止になりました。" in ja.text
    assert "九州ブロック会議（第2回・延期開催）" in ja.text
    assert [e.id for e in ja.events] == ["kyushu-2026-3"]
    en = chat.ask("When is the Kyushu block meeting?")
    assert "has been cancelled" in en.text
    assert "中止" not in en.text
    assert "cancelled" not in chat.ask("ブロック会議の予定を全部教えて").text  # a plain listing leaves it out


def test_a_question_pointing_back_is_answered_from_meetings_held(chat):
    """「前回の…はどこでしたか」 and "where was the last …" name the latest meeting held; 「先月の研修」 looks in
    last month; a question about what is coming is not taken for one about the past."""
    last = chat.ask("前回の近畿ブロック会議はどこでしたか")
    assert last.text.startswith("近畿ブロックの前回のブロック会議です。\n■ 近畿ブロック会議（第1回）")
    assert [e.id for e in last.events] == ["kinki-2026-1"]
    english = chat.ask("Where was the last Kinki block meeting held?")
    assert [e.id for e in english.events] == ["kinki-2026-1"]
    assert english.text.startswith("The most recent of the block meetings in the Kinki block:")
    chat.clock.moment = NOW.replace(month=10, day=5)
    september = chat.ask("先月の研修会はどこでしたか")
    assert [e.id for e in september.events] == ["training-2026-09"]
    chat.clock.moment = NOW
    assert [e.id for e in chat.ask("東海ブロック会議って来週でしたっけ？").events] == ["tokai-2026-2"]


def test_a_moved_meeting_says_from_when(tmp_path):
    """A meeting moved on the calendar is answered with its new date and the day it was moved from."""
    import dataclasses
    from datetime import timedelta

    with ChatHarness.open(tmp_path / "d", now=NOW, data_files=(CALENDAR,)) as chat:
        events = chat.core.store.events
        kinki = events.get("kinki-2026-2")
        moved = dataclasses.replace(kinki, starts_at=kinki.starts_at + timedelta(days=7), ends_at=None)
        events.upsert_many([moved], at=NOW)
        ja = chat.say("次の近畿ブロック会議は？")
        en = chat.say("Next Kinki block meeting?")
    assert "2027年1月27日（水）" in ja
    assert "（2027年1月20日（水）から日程が変更になりました）" in ja
    assert "(moved from Wed 20 Jan 2027)" in en


def test_rmo_bot_ask_tells_cancelled_and_past_meetings(tmp_path):
    """`rmo-bot ask` over an imported calendar says 中止 / cancelled for the cancelled meeting and answers a
    question about the last one held."""
    import json

    from tests.helpers import rmo_bot

    data = tmp_path / "d"
    assert rmo_bot("import", CALENDAR, "--data-dir", data).returncode == 0
    now = ("--now", NOW.isoformat(), "--data-dir", data, "--json")
    cancelled = json.loads(rmo_bot("ask", "九州ブロック会議はいつですか", *now).stdout)
    assert "中止" in cancelled["text"]
    english = json.loads(rmo_bot("ask", "Is the Kyushu block meeting still on?", *now).stdout)
    assert "cancelled" in english["text"]
    held = json.loads(rmo_bot("ask", "前回の四国ブロック会議はどこでしたか", *now).stdout)
    assert held["events"] == ["shikoku-2026-1"]


def test_a_question_about_a_citys_role_or_membership_is_answered_as_such(chat):
    """A mayor's role in the network is the officer's role, not the city's block; whether a city is a member
    comes from the members known, and a city not in the list is told so honestly."""
    role = chat.ask("名張市長はネットワークで何の役職ですか")
    assert (role.intent, role.block) == ("officers", None)
    assert "名張市長は、小規模多機能自治推進ネットワーク会議の副代表です。" in role.text
    english = chat.ask("What position does the mayor of Asago hold?")
    assert "Vice-representative" in english.text
    member = chat.ask("伊賀市は加盟していますか")
    assert (member.intent, member.block) == ("join", None)
    assert "会員として登録されています" in member.text
    unknown_city = chat.ask("士別市は会員ですか")
    assert (
        "一覧はすべての会員を載せていないことがあります" in unknown_city.text or "登録されています" in unknown_city.text
    )


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("冬のブロック会議を教えて", "2026-12-01", "2027-03-01"),
        ("Any trainings this winter?", "2026-12-01", "2027-03-01"),
        ("来春の研修会は？", "2027-03-01", "2027-06-01"),
        ("今年度下半期の会議", "2026-10-01", "2027-04-01"),
        ("2月〜3月のブロック会議一覧", "2027-02-01", "2027-04-01"),
        ("11月から12月の研修", "2026-11-01", "2027-01-01"),
        ("年度末までの研修会", "2026-04-01", "2027-04-01"),
        ("おとといの会議", "2026-11-23", "2026-11-24"),
    ],
)
def test_seasons_halves_and_month_ranges_are_periods(chat, question, start, end):
    """Seasons, fiscal halves, month ranges and days gone by limit the answer to that stretch of time."""
    period = chat.core.answerer.understand(question, NOW).period
    assert period is not None
    assert (period.start.date().isoformat(), period.end.date().isoformat()) == (start, end)


@pytest.mark.parametrize(
    ("question", "block"),
    [("近紀ブロックの会議はいつ？", "kinki"), ("旧州ブロック会議の場所", "kyushu"), ("北海堂ブロックの次の会議", "hokkaido"),
     ("瀬戸外市の近くの会議", "chugoku"), ("村神市で開かれる会議", "shinetsu"), ("高地市の会議の予定", "shikoku")],
)  # fmt: skip
def test_a_name_written_with_one_wrong_kanji_is_still_found(chat, question, block):
    """A block or member city written with one kanji wrong (a phone's conversion) is the one known name it
    can be; where two names could be meant, none is guessed."""
    assert chat.ask(question).block == block


def test_a_list_asked_for_in_full_is_long_and_a_cut_one_says_how_many_more(chat):
    """「全部」 lists up to twenty; a shorter list that is cut says how many more there are."""
    full = chat.ask("ブロック会議の予定を全部教えて")
    short = chat.ask("ブロック会議の予定は？")
    assert len(full.events) > len(short.events) == 5
    assert "ほかに" in short.text
    assert "件あります" in short.text


def test_two_questions_in_one_message_get_both_answers_in_order(chat):
    """Two things asked in one message are both answered, in the order asked; one question naming two
    blocks answers each block; a single question is not cut."""
    both = chat.ask("会費はかかりますか？それと、次の九州ブロック会議はいつ？")
    assert both.intent == "join"
    assert both.text.index("会則") < both.text.index("九州ブロック会議（第2回・延期開催）")
    english = chat.ask("Who is the representative, and when is the next Hokuriku meeting?")
    assert "Mayor of Unnan" in english.text
    assert "Wed 2 Dec 2026" in english.text
    blocks = chat.ask("北陸と中国のブロック会議はそれぞれいつですか")
    assert {e.block for e in blocks.events} == {"hokuriku", "chugoku"}
    single = chat.ask("入会するには、何を用意すればいいですか？")
    assert single.intent == "join"
    assert "\n\n" not in single.text.strip()


def test_a_follow_up_carries_the_conversations_subject_across_a_restart(tmp_path):
    """「九州のほうはどうですか」 after a question about meetings is about Kyushu's meetings, also after a restart;
    another user's follow-up is not, and neither is one after the subject has gone stale."""
    from datetime import timedelta

    from handlers.commands import Asker

    with ChatHarness.open(tmp_path / "d", now=NOW, data_files=(CALENDAR,)) as chat:
        chat.ask("次の東北ブロック会議はいつ？")
    with ChatHarness.open(tmp_path / "d", now=NOW + timedelta(minutes=3)) as chat:
        follow = chat.ask("九州のほうはどうですか")
        assert (follow.intent, follow.block) == ("meetings", "kyushu")
        assert "九州ブロック会議（第2回・延期開催）" in follow.text
        english = chat.ask("And Hokuriku?")
        assert (english.intent, english.block) == ("meetings", "hokuriku")
        stranger = chat.core.commands.answer(Asker("slack", "U-other"), "九州のほうはどうですか")
        assert stranger.intent != "meetings"
        chat.clock.moment = NOW + timedelta(hours=2)
        assert chat.ask("四国のほうは？").intent != "meetings"


def test_a_greeting_is_greeted_and_a_greeting_before_a_question_is_only_a_greeting(chat):
    """こんにちは alone gets a greeting and what the bot can do; before a question the question is answered."""
    alone = chat.ask("こんばんは、よろしくお願いします")
    assert alone.intent == "help"
    assert alone.text.startswith("こんにちは。小規模多機能自治推進ネットワーク会議のボットです。")
    before = chat.ask("お疲れ様です。中国ブロック会議の会場を教えてください")
    assert (before.intent, before.block) == ("meetings", "chugoku")
    assert chat.ask("了解です、ありがとうございました！").intent == "help"


@pytest.mark.parametrize(
    ("question", "event"),
    [("9月にあった研修会はどこでしたか", "training-2026-09"), ("近畿ブロック会議はもう終わりましたか", "kinki-2026-1"),
     ("Did the Kinki block already meet this year?", "kinki-2026-1")],
)  # fmt: skip
def test_the_past_tense_points_back(chat, question, event):
    """A month asked about in the past tense, 「もう終わりましたか」 and 'already met' are about meetings held."""
    assert [e.id for e in chat.ask(question).events] == [event]


def test_a_question_about_a_deadline_is_about_a_meeting_still_coming(chat):
    """「もう締切を過ぎましたか」 asks about the coming meeting's deadline, not about a meeting held."""
    reply = chat.ask("近畿ブロック会議の申込はもう締切を過ぎましたか")
    assert [e.id for e in reply.events] == ["kinki-2026-2"]


def test_a_time_with_only_a_cancelled_meeting_says_what_comes_instead(chat):
    """Asked about a month whose only meeting was cancelled, the answer says so and gives the block's next
    meeting after it, once, in Japanese and English."""
    ja = chat.ask("12月の九州ブロック会議は予定どおりですか")
    assert "中止になりました" in ja.text
    assert ja.text.count("九州ブロック会議（第2回・延期開催）") == 1
    assert [e.id for e in ja.events] == ["kyushu-2026-3"]
    en = chat.ask("Is the Kyushu meeting in December still happening?")
    assert "has been cancelled" in en.text
    assert en.text.count("Fri 19 Feb 2027") == 1


def test_small_wording_fixes_in_both_languages(chat):
    """The mailing list is answered as the list (not the digest alone); 入会金 is answered from the rules
    without inventing where they are; English lines hold no Japanese place name; one meeting is 'meeting';
    two missing contact values say 「未登録」 once; the form is explained, never called 別紙 alone."""
    mailing = chat.ask("MLに参加したいのですが")
    assert mailing.intent == "subscribe"
    assert "メーリングリスト" in mailing.text
    fee = chat.ask("入会金はかかりますか")
    assert "会則" in fee.text
    assert "入会申込書と一緒に" not in fee.text
    near = chat.ask("Any meetings near Sendai?")
    assert near.text.startswith("(Sendai is in the Tohoku block.)")
    one = chat.ask("Next Kinki block meeting?")
    assert one.text.startswith("The next block meeting in the Kinki block:")
    join = chat.ask("入会するには？")
    assert "未登録　未登録" not in join.text
    assert "別紙の入会申込書" not in join.text
    assert "stamp it with your official seal" in chat.ask("How do we join?").text
