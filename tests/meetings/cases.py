"""The meeting-reader fixtures as data: each mail's text, how it is sent, and what must be read from it.

`make_fixtures.py` turns these into the committed .eml files and expected.toml. The cases marked `holdout`
were written last and the reader was not tuned on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SIG = "\n\n----------------------------------------\n小規模多機能自治推進ネットワーク会議 事務局\n（雲南市役所 地域振興課内）\nTEL 0854-40-1011\n----------------------------------------\n"
SIG_EN = "\n\n--\nSecretariat, National Network for Small-Scale Multi-Functional Self-Governance\n"


@dataclass(frozen=True)
class Case:
    name: str
    subject: str
    body: str
    date: str  # the Date header
    expect: dict[str, object] | None  # None: no proposal
    charset: str = "utf-8"
    transfer: str = "8bit"
    html: bool = False
    footer: bool = True
    holdout: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


def at(text: str) -> str:
    """「2027-01-20 13:30」 as ISO-8601 in Japan time; "" stays absent."""
    return f"{text.replace(' ', 'T')}:00+09:00" if text else ""


def E(  # noqa: N802 - a short constructor for a table of cases
    title: str,
    kind: str,
    block: str,
    starts: str,
    ends: str = "",
    venue: tuple[str, str, str] | None = None,
    url: str = "",
    deadline: str = "",
    *,
    action: str = "announce",
    previous: str = "",
    doubts: tuple[str, ...] = (),
) -> dict[str, object]:
    """One expectation; venue is (description, address, online_url) with "" for an absent part."""
    return {
        "action": action,
        "title": title,
        "kind": kind,
        "block": block,
        "starts_at": at(starts),
        "ends_at": at(ends),
        "venue": dict(zip(("description", "address", "online_url"), venue or ("", "", ""), strict=True)),
        "registration_url": url,
        "registration_deadline": at(deadline),
        "previous_starts_at": at(previous),
        "doubts": list(doubts),
    }


D_NOV = "Wed, 25 Nov 2026 10:00:00 +0900"
D_DEC = "Tue, 01 Dec 2026 09:30:00 +0900"
D_JAN = "Tue, 05 Jan 2027 11:00:00 +0900"

CASES: list[Case] = [
    Case(
        "01_kinki_iso2022jp",
        "[rmo-announce:00123] 【ご案内】令和8年度 第2回近畿ブロック会議の開催について",
        "近畿ブロック会員各位\n\nいつもお世話になっております。事務局です。\n"
        "さて、令和8年度第2回近畿ブロック会議を下記のとおり開催いたします。\n\n記\n\n"
        "１．日　時　令和９年１月２０日（水）１３時３０分〜１６時３０分（受付１３時〜）\n"
        "２．会　場　ドーンセンター　５階　特別会議室（大阪市中央区大手前１－３－４９）\n"
        "３．内　容　事例発表、意見交換\n"
        "４．申込み　下記フォームより１月１０日（日）までにお申し込みください。\n"
        "　　https://forms.gle/kinki2027a\n\n以上" + SIG,
        D_DEC,
        E(
            "令和8年度 第2回近畿ブロック会議",
            "block_meeting",
            "kinki",
            "2027-01-20 13:30",
            "2027-01-20 16:30",
            ("ドーンセンター 5階 特別会議室", "大阪市中央区大手前1-3-49", ""),
            "https://forms.gle/kinki2027a",
            "2027-01-10 23:59",
        ),
        charset="iso-2022-jp",
        transfer="7bit",
    ),
    Case(
        "02_tohoku_sjis_labels",
        "東北ブロック会議開催のお知らせ",
        "東北ブロックの皆様\n\n標記の件について、下記のとおり開催しますのでご案内いたします。\n\n"
        "■日時：令和9年2月10日（水）午後1時から\n"
        "■会場：仙台市市民活動サポートセンター　研修室１\n"
        "　　　（宮城県仙台市青葉区一番町4-1-3）\n"
        "■申込締切：令和9年1月29日（金）17時\n"
        "■申込方法：https://forms.office.com/r/tohoku0210\n" + SIG,
        D_DEC,
        E(
            "東北ブロック会議",
            "block_meeting",
            "tohoku",
            "2027-02-10 13:00",
            "",
            ("仙台市市民活動サポートセンター 研修室1", "宮城県仙台市青葉区一番町4-1-3", ""),
            "https://forms.office.com/r/tohoku0210",
            "2027-01-29 17:00",
        ),
        charset="shift_jis",
        transfer="8bit",
    ),
    Case(
        "03_training_online_utf8_b64",
        "【参加者募集】小規模多機能自治 オンライン研修会のご案内",
        "会員の皆様\n\n全国の会員を対象に、オンライン研修会を開催します。\n\n"
        "●日時　2027年1月28日（木）14:00-16:30\n"
        "●会場　オンライン（Zoom）\n"
        "●参加URL　お申込みの方に後日お送りします\n"
        "●申込期限　1月21日（木）\n"
        "●申込フォーム　https://docs.google.com/forms/d/e/1FAIpQLSd-training/viewform\n" + SIG,
        D_DEC,
        E(
            "小規模多機能自治 オンライン研修会",
            "training",
            "",
            "2027-01-28 14:00",
            "2027-01-28 16:30",
            ("オンライン（Zoom）", "", ""),
            "https://docs.google.com/forms/d/e/1FAIpQLSd-training/viewform",
            "2027-01-21 23:59",
        ),
        transfer="base64",
    ),
    Case(
        "04_kyushu_qp_noyear",
        "九州ブロック会議（第3回）のご案内",
        "九州・沖縄ブロックの会員の皆さま\n\n第3回九州ブロック会議を以下のとおり開催いたします。\n\n"
        "【日時】2月17日（水）13:30〜16:00\n"
        "【会場】熊本市国際交流会館 第1会議室\n"
        "【住所】熊本県熊本市中央区花畑町4-18\n"
        "【〆切】2月5日（金）正午\n"
        "【申込】https://questant.jp/q/kyushu3\n\nご多忙とは存じますが、ご参加をお待ちしております。" + SIG,
        D_DEC,
        E(
            "九州ブロック会議（第3回）",
            "block_meeting",
            "kyushu",
            "2027-02-17 13:30",
            "2027-02-17 16:00",
            ("熊本市国際交流会館 第1会議室", "熊本県熊本市中央区花畑町4-18", ""),
            "https://questant.jp/q/kyushu3",
            "2027-02-05 12:00",
        ),
        transfer="quoted-printable",
    ),
    Case(
        "05_html_only_table",
        "【ご案内】中国ブロック会議",
        "<html><body><p>中国ブロックの会員の皆様</p><p>中国ブロック会議を下記のとおり開催いたします。</p>"
        "<table><tr><td>日時</td><td>令和9年1月27日（水）10:00～12:00</td></tr>"
        "<tr><td>会場</td><td>雲南市役所 本庁舎3階 大会議室（島根県雲南市木次町里方521-1）</td></tr>"
        "<tr><td>申込締切</td><td>令和9年1月15日（金）</td></tr></table>"
        '<p>お申込みは<a href="https://forms.gle/chugoku0127">こちらのフォーム</a>からお願いします。<br>'
        "https://forms.gle/chugoku0127</p><p>事務局</p></body></html>",
        D_DEC,
        E(
            "中国ブロック会議",
            "block_meeting",
            "chugoku",
            "2027-01-27 10:00",
            "2027-01-27 12:00",
            ("雲南市役所 本庁舎3階 大会議室", "島根県雲南市木次町里方521-1", ""),
            "https://forms.gle/chugoku0127",
            "2027-01-15 23:59",
        ),
        html=True,
    ),
    Case(
        "06_english_block_meeting",
        "Invitation: Kanto Block Meeting, January 2027",
        "Dear members of the Kanto block,\n\nThe Kanto Block Meeting will be held as follows.\n\n"
        "Date: January 22, 2027, 13:30-16:30\n"
        "Venue: Yokohama Civic Activity Center, Room 2\n"
        "Address: 1-1 Honcho, Naka-ku, Yokohama, Kanagawa\n"
        "Registration: https://forms.gle/kanto0122\n"
        "Deadline: January 12, 2027\n\nWe look forward to seeing you." + SIG_EN,
        D_DEC,
        E(
            "Kanto Block Meeting, January 2027",
            "block_meeting",
            "kanto",
            "2027-01-22 13:30",
            "2027-01-22 16:30",
            ("Yokohama Civic Activity Center, Room 2", "1-1 Honcho, Naka-ku, Yokohama, Kanagawa", ""),
            "https://forms.gle/kanto0122",
            "2027-01-12 23:59",
        ),
    ),
    Case(
        "07_weekday_mismatch",
        "第2回四国ブロック会議の開催について",
        "四国ブロック会員の皆様\n\n第2回四国ブロック会議を開催いたします。\n\n"
        "日時：令和9年2月4日（水）13時30分～16時30分\n"
        "会場：松山市総合コミュニティセンター 企画展示ホール\n\n"
        "出欠は1月22日（金）までに事務局へメールでご連絡ください。" + SIG,
        D_DEC,
        E(
            "第2回四国ブロック会議",
            "block_meeting",
            "shikoku",
            "2027-02-04 13:30",
            "2027-02-04 16:30",
            ("松山市総合コミュニティセンター 企画展示ホール", "", ""),
            "",
            "2027-01-22 23:59",
            doubts=("weekday_mismatch",),
        ),
    ),
    Case(
        "08_hokkaido_numeric_date",
        "北海道ブロック研修会（ご案内）",
        "北海道ブロックの皆様\n\n北海道ブロック研修会を下記により開催します。\n\n"
        "(1) 日時　2027/2/13(土) 10:00～15:00\n"
        "(2) 場所　札幌エルプラザ 4階 大研修室\n"
        "(3) 参加申込　2/5(金)までに https://forms.gle/hokkaido0213 から\n" + SIG,
        D_DEC,
        E(
            "北海道ブロック研修会",
            "training",
            "hokkaido",
            "2027-02-13 10:00",
            "2027-02-13 15:00",
            ("札幌エルプラザ 4階 大研修室", "", ""),
            "https://forms.gle/hokkaido0213",
            "2027-02-05 23:59",
        ),
    ),
    Case(
        "09_tokai_venue_block",
        "令和8年度ブロック会議のご案内（東海）",
        "東海ブロックの会員の皆様へ\n\n今年度のブロック会議を、下記のとおり開催いたします。\n\n"
        "◆開催日　令和9年3月3日（水）\n◆時間　13:00～16:00\n"
        "◆開催場所　名古屋市市政資料館 第1集会室（名古屋市東区白壁1-3）\n"
        "◆申込期限　2月19日（金）\n" + SIG,
        D_DEC,
        E(
            "令和8年度ブロック会議（東海）",
            "block_meeting",
            "tokai",
            "2027-03-03 13:00",
            "2027-03-03 16:00",
            ("名古屋市市政資料館 第1集会室", "名古屋市東区白壁1-3", ""),
            "",
            "2027-02-19 23:59",
        ),
    ),
    Case(
        "10_seminar_national_zoom_url",
        "【ご案内】地域運営組織の法人化セミナー",
        "会員の皆様\n\n地域運営組織の法人化をテーマに、全国セミナーをオンラインで開催いたします。\n\n"
        "日時：令和9年1月30日（土）10時～12時\n"
        "オンライン（Zoom）：https://us02web.zoom.us/j/81234567890?pwd=abc\n"
        "申込：不要（直接ご入室ください）\n" + SIG,
        D_DEC,
        E(
            "地域運営組織の法人化セミナー",
            "training",
            "",
            "2027-01-30 10:00",
            "2027-01-30 12:00",
            ("", "", "https://us02web.zoom.us/j/81234567890?pwd=abc"),
            "",
            "",
        ),
    ),
    Case(
        "11_hokuriku_two_days",
        "北陸ブロック視察研修のご案内",
        "北陸ブロック会員各位\n\n北陸ブロック視察研修を次のとおり実施します。\n\n"
        "１　期　日　令和９年２月２４日（水）～２５日（木）\n"
        "２　視察先　石川県七尾市内の地区まちづくり協議会\n"
        "３　集合場所　七尾市役所 正面玄関（石川県七尾市袖ケ江町イ部25）\n"
        "４　申込締切　令和９年２月５日（金）\n" + SIG,
        D_DEC,
        E(
            "北陸ブロック視察研修",
            "training",
            "hokuriku",
            "2027-02-24 00:00",
            "2027-02-25 23:59",
            None,
            "",
            "2027-02-05 23:59",
            doubts=("no_time",),
        ),
    ),
    Case(
        "12_shinetsu_jp_pm_range",
        "信越ブロック会議の開催について（ご案内）",
        "信越ブロックの会員の皆様\n\n標記会議を下記のとおり開催いたします。\n\n"
        "日 時 : 令和9年1月15日(金) 午後1時30分～4時\n"
        "会 場 : 長野市ふれあい福祉センター 5階 ボランティアセンター会議室\n"
        "申込み : 1月8日(金)までに、事務局あてにメールでお申し込みください。\n" + SIG,
        D_DEC,
        E(
            "信越ブロック会議",
            "block_meeting",
            "shinetsu",
            "2027-01-15 13:30",
            "2027-01-15 16:00",
            ("長野市ふれあい福祉センター 5階 ボランティアセンター会議室", "", ""),
            "",
            "2027-01-08 23:59",
        ),
    ),
    Case(
        "13_no_end_time",
        "関東ブロック勉強会のお知らせ",
        "関東ブロックの皆様\n\n関東ブロック勉強会を開催します。\n\n"
        "日時：2027年2月6日（土）13:30〜\n場所：さいたま市市民活動サポートセンター\n"
        "申込：https://forms.gle/kanto0206\n" + SIG,
        D_DEC,
        E(
            "関東ブロック勉強会",
            "training",
            "kanto",
            "2027-02-06 13:30",
            "",
            ("さいたま市市民活動サポートセンター", "", ""),
            "https://forms.gle/kanto0206",
            "",
        ),
    ),
    Case(
        "14_heisei_typo_past",
        "【ご案内】近畿ブロック会議（第3回）",
        "近畿ブロック会員の皆様\n\n第3回近畿ブロック会議を下記のとおり開催いたします。\n\n"
        "日時：令和9年3月10日（水）13:30～16:30\n"
        "会場：神戸市立総合福祉センター 4階 会議室\n" + SIG,
        D_JAN,
        E(
            "近畿ブロック会議（第3回）",
            "block_meeting",
            "kinki",
            "2027-03-10 13:30",
            "2027-03-10 16:30",
            ("神戸市立総合福祉センター 4階 会議室", "", ""),
            "",
            "",
        ),
    ),
    Case(
        "15_no_year_january_from_december",
        "九州ブロック研修会のご案内",
        "九州ブロック会員の皆様\n\n九州ブロック研修会を開催します。\n\n"
        "・日時　1月16日（土）13:00～16:00\n・会場　福岡市市民福祉プラザ 研修室\n"
        "・申込締切　1月8日（金）17:00\n" + SIG,
        "Sat, 12 Dec 2026 09:00:00 +0900",
        E(
            "九州ブロック研修会",
            "training",
            "kyushu",
            "2027-01-16 13:00",
            "2027-01-16 16:00",
            ("福岡市市民福祉プラザ 研修室", "", ""),
            "",
            "2027-01-08 17:00",
        ),
    ),
    Case(
        "16_bare_label_lines",
        "令和8年度 第2回東北ブロック会議",
        "東北ブロックの会員の皆様\n\n第2回東北ブロック会議を開催します。\n\n"
        "■日時\n令和9年3月6日（土）10:30～15:00\n\n"
        "■会場\n山形市男女共同参画センター ファーラ 研修室\n山形県山形市城南町1-1-1\n\n"
        "■申込期限\n2月26日（金）\n\n"
        "■申込方法\n下記URLからお申し込みください。\nhttps://forms.gle/tohoku0306\n" + SIG,
        D_JAN,
        E(
            "令和8年度 第2回東北ブロック会議",
            "block_meeting",
            "tohoku",
            "2027-03-06 10:30",
            "2027-03-06 15:00",
            ("山形市男女共同参画センター ファーラ 研修室", "山形県山形市城南町1-1-1", ""),
            "https://forms.gle/tohoku0306",
            "2027-02-26 23:59",
        ),
    ),
    Case(
        "17_circled_numbers_sjis",
        "中国ブロック研修会（山口）開催のご案内",
        "中国ブロック会員の皆様\n\nこのたび、中国ブロック研修会を山口市で開催することとなりました。\n\n"
        "①日時：令和9年2月20日（土）13時～16時30分\n"
        "②会場：山口市民会館 小ホール（山口県山口市中央2-5-1）\n"
        "③申込期限：令和9年2月10日（水）\n"
        "④申込先：https://forms.gle/chugoku0220\n" + SIG,
        D_JAN,
        E(
            "中国ブロック研修会（山口）",
            "training",
            "chugoku",
            "2027-02-20 13:00",
            "2027-02-20 16:30",
            ("山口市民会館 小ホール", "山口県山口市中央2-5-1", ""),
            "https://forms.gle/chugoku0220",
            "2027-02-10 23:59",
        ),
        charset="shift_jis",
        transfer="base64",
    ),
    Case(
        "18_hybrid_venue",
        "【近畿】ブロック会議（ハイブリッド開催）のご案内",
        "近畿ブロックの皆様\n\nブロック会議をハイブリッド形式で開催いたします。\n\n"
        "日時：令和9年2月3日（水）14:00～16:00\n"
        "会場：京都市地域・多文化交流ネットワークサロン（京都市南区東九条東岩本町31）\n"
        "オンライン：https://zoom.us/j/98765432100\n"
        "申込締切：1月27日（水）\n"
        "お申し込みはこちら：https://forms.gle/kinki0203\n" + SIG,
        D_JAN,
        E(
            "【近畿】ブロック会議（ハイブリッド開催）",
            "block_meeting",
            "kinki",
            "2027-02-03 14:00",
            "2027-02-03 16:00",
            ("京都市地域・多文化交流ネットワークサロン", "京都市南区東九条東岩本町31", "https://zoom.us/j/98765432100"),
            "https://forms.gle/kinki0203",
            "2027-01-27 23:59",
        ),
    ),
    Case(
        "19_quoted_title_in_body",
        "研修会のご案内",
        "会員各位\n\n標記について、「令和8年度 小規模多機能自治推進研修会」を下記のとおり開催いたします。\n\n"
        "1. 日時　令和9年2月5日（金）13:00～17:00\n"
        "2. 会場　東京都千代田区 全国町村会館 第1会議室\n"
        "3. 申込　1月25日（月）までに https://forms.gle/national0205 からお申し込みください。\n" + SIG,
        D_JAN,
        E(
            "令和8年度 小規模多機能自治推進研修会",
            "training",
            "",
            "2027-02-05 13:00",
            "2027-02-05 17:00",
            ("東京都千代田区 全国町村会館 第1会議室", "", ""),
            "https://forms.gle/national0205",
            "2027-01-25 23:59",
        ),
    ),
    Case(
        "20_english_training_pm",
        "Online training for new members - invitation",
        "Dear members,\n\nWe are holding an online training for new members. Please join us.\n\n"
        "When: Saturday, February 20, 2027, 2 pm - 4 pm\n"
        "Where: Online (Zoom)\n"
        "Zoom link: https://zoom.us/j/5550001111\n"
        "Register by February 15, 2027: https://forms.gle/newmembers\n" + SIG_EN,
        D_JAN,
        E(
            "Online training for new members",
            "training",
            "",
            "2027-02-20 14:00",
            "2027-02-20 16:00",
            ("Online (Zoom)", "", "https://zoom.us/j/5550001111"),
            "https://forms.gle/newmembers",
            "2027-02-15 23:59",
        ),
    ),
    Case(
        "21_reiwa_gannen_style_r_dot",
        "R9.2.17 四国ブロック勉強会",
        "四国ブロックの皆様\n\n勉強会を開催します。ご参加ください。\n\n"
        "日時：R9.2.17(水) 18:30～20:30\n会場：高知市立市民活動サポートセンター\n" + SIG,
        D_JAN,
        E(
            "四国ブロック勉強会",
            "training",
            "shikoku",
            "2027-02-17 18:30",
            "2027-02-17 20:30",
            ("高知市立市民活動サポートセンター", "", ""),
            "",
            "",
        ),
    ),
    Case(
        "22_kyushu_free_text_date",
        "九州ブロック交流会を開催します",
        "九州ブロックの皆様\n\n来る令和9年2月27日（土）13時から、鹿児島市の「かごしま県民交流センター」にて"
        "九州ブロック交流会を開催いたします。\n多くの皆様のご参加をお待ちしております。\n\n"
        "お申し込みは2月19日（金）までに下記フォームからお願いします。\nhttps://forms.gle/kyushu0227\n" + SIG,
        D_JAN,
        E(
            "九州ブロック交流会",
            "training",
            "kyushu",
            "2027-02-27 13:00",
            "",
            None,
            "https://forms.gle/kyushu0227",
            "2027-02-19 23:59",
        ),
    ),
    Case(
        "23_several_dates_series",
        "連続講座「地域運営組織の基礎」のご案内",
        "会員の皆様\n\n全国の会員向けに連続講座を開催します。\n\n"
        "日程：第1回 令和9年2月10日（水）19:00～20:30、第2回 令和9年2月24日（水）19:00～20:30\n"
        "会場：オンライン（Zoom）\n申込：https://forms.gle/series2027\n" + SIG,
        D_JAN,
        E(
            "連続講座「地域運営組織の基礎」",
            "training",
            "",
            "2027-02-10 19:00",
            "2027-02-10 20:30",
            ("オンライン（Zoom）", "", ""),
            "https://forms.gle/series2027",
            "",
            doubts=("several_dates",),
        ),
    ),
    Case(
        "24_block_unknown",
        "ブロック会議のご案内",
        "会員の皆様\n\nブロック会議を下記のとおり開催いたします。\n\n"
        "日時：令和9年2月18日（木）13:30～15:30\n会場：オンライン（Teams）\n" + SIG,
        D_JAN,
        E(
            "ブロック会議",
            "block_meeting",
            "",
            "2027-02-18 13:30",
            "2027-02-18 15:30",
            ("オンライン（Teams）", "", ""),
            "",
            "",
            doubts=("block_unknown",),
        ),
    ),
    Case(
        "25_end_before_start",
        "第4回北海道ブロック会議のご案内",
        "北海道ブロックの皆様\n\n第4回北海道ブロック会議を開催いたします。\n\n"
        "日時：令和9年3月1日（月）15:00～13:00\n会場：旭川市市民活動交流センター CoCoDe\n" + SIG,
        D_JAN,
        E(
            "第4回北海道ブロック会議",
            "block_meeting",
            "hokkaido",
            "2027-03-01 15:00",
            "",
            ("旭川市市民活動交流センター CoCoDe", "", ""),
            "",
            "",
            doubts=("end_before_start",),
        ),
    ),
    Case(
        "26_no_time_given",
        "東海ブロック会議の日程について（ご案内）",
        "東海ブロックの皆様\n\n次回の東海ブロック会議は、下記の日程で開催いたします。\n時間と会場は追ってご連絡します。\n\n"
        "日程：令和9年3月15日（月）\n" + SIG,
        D_JAN,
        E("東海ブロック会議", "block_meeting", "tokai", "2027-03-15 00:00", "", None, "", "", doubts=("no_time",)),
    ),
    Case(
        "27_multipart_alternative_like_html",
        "【再送】近畿ブロック研修会のご案内",
        "<div>近畿ブロック会員の皆様</div><div><br></div><div>先日ご案内しました研修会について、再度お知らせします。</div>"
        "<div>■日時：令和9年2月13日（土）13:30～16:30</div>"
        "<div>■会場：奈良市ならまちセンター 多目的ホール（奈良県奈良市東寺林町38）</div>"
        "<div>■申込締切：2月5日（金）17時</div>"
        "<div>■申込フォーム：https://forms.gle/kinki0213</div><div>事務局</div>",
        D_JAN,
        E(
            "近畿ブロック研修会",
            "training",
            "kinki",
            "2027-02-13 13:30",
            "2027-02-13 16:30",
            ("奈良市ならまちセンター 多目的ホール", "奈良県奈良市東寺林町38", ""),
            "https://forms.gle/kinki0213",
            "2027-02-05 17:00",
        ),
        html=True,
        transfer="quoted-printable",
    ),
    Case(
        "28_iso2022jp_kanto_from_to",
        "関東ブロック会議のお知らせ",
        "関東ブロックの皆様\n\n関東ブロック会議を開催します。\n\n"
        "日時　令和9年1月25日（月）午後2時から午後4時まで\n"
        "場所　千葉市生涯学習センター 3階 研修室（千葉市中央区弁天3-7-7）\n"
        "申込期限　1月18日（月）\n" + SIG,
        D_JAN,
        E(
            "関東ブロック会議",
            "block_meeting",
            "kanto",
            "2027-01-25 14:00",
            "2027-01-25 16:00",
            ("千葉市生涯学習センター 3階 研修室", "千葉市中央区弁天3-7-7", ""),
            "",
            "2027-01-18 23:59",
        ),
        charset="iso-2022-jp",
        transfer="7bit",
    ),
    Case(
        "29_forum_prefecture_venue",
        "小規模多機能自治フォーラム in 出雲 のご案内",
        "会員の皆様\n\nフォーラムを下記のとおり開催いたします。\n\n"
        "日時：令和9年2月27日（土）13:00～17:00\n"
        "会場：出雲市民会館（島根県出雲市塩冶有原町1-1）\n"
        "申込締切：2月17日（水）\n申込：https://forms.gle/izumo0227\n" + SIG,
        D_JAN,
        E(
            "小規模多機能自治フォーラム in 出雲",
            "training",
            "chugoku",
            "2027-02-27 13:00",
            "2027-02-27 17:00",
            ("出雲市民会館", "島根県出雲市塩冶有原町1-1", ""),
            "https://forms.gle/izumo0227",
            "2027-02-17 23:59",
        ),
    ),
    Case(
        "30_hokuriku_meeting_colon_space",
        "北陸ブロック会議開催のご案内",
        "北陸ブロックの会員各位\n\n北陸ブロック会議を開催いたします。\n\n"
        "開催日時：令和9年2月12日（金）13:30～16:00\n"
        "開催場所：富山県民会館 701号室（富山県富山市新総曲輪4-18）\n"
        "申込期限：令和9年2月3日（水）午後5時\n" + SIG,
        D_JAN,
        E(
            "北陸ブロック会議",
            "block_meeting",
            "hokuriku",
            "2027-02-12 13:30",
            "2027-02-12 16:00",
            ("富山県民会館 701号室", "富山県富山市新総曲輪4-18", ""),
            "",
            "2027-02-03 17:00",
        ),
    ),
    # Moves and cancellations.
    Case(
        "31_move_arrow",
        "【日程変更】近畿ブロック会議の日程変更について",
        "近畿ブロック会員の皆様\n\n先日ご案内しました近畿ブロック会議について、会場の都合により日程が変更になりました。\n\n"
        "日時：1月20日（水）→ 1月27日（水）13:30～16:30\n会場：変更ありません（ドーンセンター）\n\n"
        "ご迷惑をおかけしますが、よろしくお願いいたします。" + SIG,
        D_JAN,
        E(
            "近畿ブロック会議",
            "block_meeting",
            "kinki",
            "2027-01-27 13:30",
            "2027-01-27 16:30",
            ("変更ありません（ドーンセンター）", "", ""),
            "",
            "",
            action="move",
            previous="2027-01-20 13:30",
        ),
    ),
    Case(
        "32_move_before_after",
        "【延期】第2回四国ブロック会議の延期について",
        "四国ブロック会員の皆様\n\n第2回四国ブロック会議は、下記のとおり延期することとなりました。\n\n"
        "変更前：令和9年2月3日（水）13:30～16:30\n変更後：令和9年2月24日（水）13:30～16:30\n"
        "会場：松山市総合コミュニティセンター（変更なし）\n" + SIG,
        D_JAN,
        E(
            "第2回四国ブロック会議",
            "block_meeting",
            "shikoku",
            "2027-02-24 13:30",
            "2027-02-24 16:30",
            ("松山市総合コミュニティセンター（変更なし）", "", ""),
            "",
            "",
            action="move",
            previous="2027-02-03 13:30",
        ),
    ),
    Case(
        "33_cancel",
        "【中止】2月4日 四国ブロック会議（松山市）開催中止のお知らせ",
        "四国ブロック会員の皆様\n\n2月4日（木）に予定しておりました四国ブロック会議（松山市）は、諸般の事情により"
        "開催を中止することといたしました。\n\n何卒ご了承くださいますようお願い申し上げます。" + SIG,
        D_JAN,
        E(
            "四国ブロック会議（松山市）",
            "block_meeting",
            "shikoku",
            "2027-02-04 00:00",
            "",
            None,
            "",
            "",
            action="cancel",
            doubts=("no_time",),
        ),
    ),
    Case(
        "34_move_english",
        "Rescheduled: Kyushu Block Meeting",
        "Dear members,\n\nThe Kyushu Block Meeting has been moved to a new date.\n\n"
        "Previous date: February 17, 2027\nNew date: March 3, 2027, 13:30-16:00\nVenue: Kumamoto International Center\n"
        + SIG_EN,
        D_JAN,
        E(
            "Kyushu Block Meeting",
            "block_meeting",
            "kyushu",
            "2027-03-03 13:30",
            "2027-03-03 16:00",
            ("Kumamoto International Center", "", ""),
            "",
            "",
            action="move",
            previous="2027-02-17 13:30",
        ),
    ),
    Case(
        "35_cancel_training_body",
        "東北ブロック研修会について",
        "東北ブロックの皆様\n\n2月6日（土）に予定しておりました東北ブロック研修会は、大雪の予報のため中止といたします。\n"
        "改めて日程を調整のうえご案内いたします。" + SIG,
        D_JAN,
        E(
            "東北ブロック研修会",
            "training",
            "tohoku",
            "2027-02-06 00:00",
            "",
            None,
            "",
            "",
            action="cancel",
            doubts=("no_time",),
        ),
    ),
    Case(
        "36_postponed_no_date",
        "【延期】北陸ブロック会議の延期について",
        "北陸ブロック会員各位\n\n2月12日（金）開催予定の北陸ブロック会議は、延期することとなりました。\n"
        "新しい日程は決まり次第お知らせします。" + SIG,
        D_JAN,
        E(
            "北陸ブロック会議",
            "block_meeting",
            "hokuriku",
            "2027-02-12 00:00",
            "",
            None,
            "",
            "",
            action="cancel",
            doubts=("postponed", "no_time"),
        ),
    ),
    # Not announcements.
    Case(
        "40_report",
        "【開催報告】令和8年度第1回近畿ブロック会議",
        "近畿ブロック会員の皆様\n\n11月18日（水）に開催しました第1回近畿ブロック会議の報告です。\n"
        "当日は32名のご参加をいただき、ありがとうございました。\n\n"
        "日時：令和8年11月18日（水）13:30～16:30\n会場：ドーンセンター\n" + SIG,
        D_DEC,
        None,
    ),
    Case(
        "41_report_no_marker_subject",
        "東北ブロック会議",
        "東北ブロックの皆様\n\n先日の東北ブロック会議は、盛会のうちに終了しました。ご参加いただき、誠にありがとうございました。\n"
        "資料は事務局のウェブサイトに掲載しています。\n\n日時：令和8年11月20日（金）13:00～16:00\n" + SIG,
        D_DEC,
        None,
    ),
    Case(
        "42_fee_request",
        "令和8年度 会費納入のお願い",
        "会員各位\n\n令和8年度の会費の納入をお願いいたします。\n\n"
        "会費：年額 10,000円\n納入期限：令和9年1月29日（金）\n振込先：ゆうちょ銀行 ○○支店\n\n"
        "なお、2月の近畿ブロック会議の会場でもお受けします。" + SIG,
        D_DEC,
        None,
    ),
    Case(
        "43_newsletter",
        "会報「つながる」第12号を発行しました",
        "会員の皆様\n\n会報「つながる」第12号を発行しました。\n\n目次\n・近畿ブロック会議の報告\n"
        "・次回研修会のお知らせ（令和9年2月5日（金）開催予定）\n・会員紹介\n\nPDF：https://example.jp/news12.pdf" + SIG,
        D_DEC,
        None,
    ),
    Case(
        "44_minutes",
        "第1回九州ブロック会議 議事録の送付",
        "九州ブロックの皆様\n\n先日の第1回九州ブロック会議の議事録を送付します。\n\n"
        "日時：令和8年11月12日（木）13:30～16:00\n会場：熊本市国際交流会館\n" + SIG,
        D_DEC,
        None,
    ),
    Case(
        "45_general_notice",
        "事務局の年末年始休業のお知らせ",
        "会員の皆様\n\n事務局は12月29日（火）から1月3日（日）まで休業いたします。\n"
        "1月のブロック会議のお問い合わせは1月4日（月）以降にお願いします。" + SIG,
        D_DEC,
        None,
    ),
    Case(
        "46_reply_thread",
        "Re: 【ご案内】令和8年度 第2回近畿ブロック会議の開催について",
        "事務局様\n\n雲南市の田中です。1月20日の会議に2名で参加します。\nよろしくお願いします。\n\n"
        "> 日時　令和9年1月20日（水）13時30分～16時30分\n> 会場　ドーンセンター\n",
        D_DEC,
        None,
    ),
    Case(
        "47_survey",
        "【お願い】ブロック会議の開催に関するアンケート",
        "会員の皆様\n\n来年度のブロック会議の開催方法についてアンケートを実施します。\n"
        "回答期限：令和9年1月15日（金）\nhttps://forms.gle/survey2027\n" + SIG,
        D_DEC,
        None,
    ),
    Case(
        "48_english_report",
        "Report: Kanto Block Meeting held on November 20",
        "Dear members,\n\nThank you for attending the Kanto Block Meeting, which was held on November 20, 2026 "
        "in Yokohama. The slides are on our website.\n" + SIG_EN,
        D_DEC,
        None,
    ),
    Case(
        "49_thanks_sjis",
        "研修会へのご参加ありがとうございました",
        "会員の皆様\n\n11月28日（土）の研修会には多くの皆様にご参加いただき、ありがとうございました。\n"
        "アンケートへのご協力をお願いします。\n" + SIG,
        D_DEC,
        None,
        charset="shift_jis",
        transfer="8bit",
    ),
    Case(
        "50_materials",
        "次回中国ブロック会議の資料について",
        "中国ブロックの皆様\n\n1月27日（水）の中国ブロック会議の事前資料を添付します。\n事前にお目通しください。" + SIG,
        D_JAN,
        None,
    ),
    Case(
        "51_passing_mention",
        "事務局からのお知らせ",
        "会員の皆様\n\n事務局の担当者が1月から変わりました。\n次回のブロック会議は2月中旬を予定しています。\n"
        "引き続きよろしくお願いします。" + SIG,
        D_JAN,
        None,
    ),
]

# Held out: written after the reader was tuned on the cases above, and never tuned on.
HOLDOUT: list[Case] = [
    Case(
        "h1_shinetsu_cp932_bracket_labels",
        "【信越ブロック】令和8年度 第3回ブロック会議 開催のご案内",
        "信越ブロック会員自治体・団体の皆様\n\n平素より大変お世話になっております。\n"
        "令和8年度第3回信越ブロック会議を、下記のとおり開催いたしますのでご案内申し上げます。\n\n"
        "                記\n\n"
        "【日　時】令和９年２月１９日（金）　１３：３０～１６：００\n"
        "【会　場】新潟市総合福祉会館　５階　５０１会議室\n"
        "　　　　　（新潟市中央区八千代１丁目３－１）\n"
        "【内　容】①各地域の取組報告　②意見交換\n"
        "【〆　切】２月１２日（金）\n"
        "【申込み】https://forms.gle/shinetsu0219\n\n以上" + SIG,
        D_JAN,
        E(
            "【信越ブロック】令和8年度 第3回ブロック会議",
            "block_meeting",
            "shinetsu",
            "2027-02-19 13:30",
            "2027-02-19 16:00",
            ("新潟市総合福祉会館 5階 501会議室", "新潟市中央区八千代1丁目3-1", ""),
            "https://forms.gle/shinetsu0219",
            "2027-02-12 23:59",
        ),
        charset="shift_jis",
        transfer="8bit",
        holdout=True,
    ),
    Case(
        "h2_training_iso2022jp_afternoon",
        "地域自治組織リーダー研修会の開催について",
        "会員の皆様\n\n全国の地域自治組織のリーダーを対象とした研修会を開催します。\n\n"
        "○開催日時　令和9年3月6日（土）午後1時30分〜午後5時\n"
        "○開催場所　伊賀市ハイトピア伊賀 5階 多目的室（三重県伊賀市上野丸之内500）\n"
        "○申込締切　令和9年2月26日（金）\n"
        "○申込方法　https://forms.gle/leaders0306 よりお申し込みください\n" + SIG,
        D_JAN,
        E(
            "地域自治組織リーダー研修会",
            "training",
            "",
            "2027-03-06 13:30",
            "2027-03-06 17:00",
            ("伊賀市ハイトピア伊賀 5階 多目的室", "三重県伊賀市上野丸之内500", ""),
            "https://forms.gle/leaders0306",
            "2027-02-26 23:59",
        ),
        charset="iso-2022-jp",
        transfer="7bit",
        holdout=True,
    ),
    Case(
        "h3_html_br_kyushu",
        "九州ブロック会議のご案内（2月）",
        "<html><body>九州ブロック会員の皆様<br><br>九州ブロック会議を下記のとおり開催いたします。<br><br>"
        "日時：2027年2月26日（金）13:00～16:00<br>会場：大分市コンパルホール 3階 文化ホール<br>"
        "住所：大分県大分市府内町1-5-38<br>申込期限：2月19日（金）<br>"
        "申込フォーム：https://forms.gle/kyushu0226<br><br>事務局</body></html>",
        D_JAN,
        E(
            "九州ブロック会議（2月）",
            "block_meeting",
            "kyushu",
            "2027-02-26 13:00",
            "2027-02-26 16:00",
            ("大分市コンパルホール 3階 文化ホール", "大分県大分市府内町1-5-38", ""),
            "https://forms.gle/kyushu0226",
            "2027-02-19 23:59",
        ),
        html=True,
        transfer="base64",
        holdout=True,
    ),
    Case(
        "h4_english_seminar",
        "Seminar on community-based organisations - registration open",
        "Dear members,\n\nWe invite you to a seminar on community-based organisations.\n\n"
        "Date: Friday, 12 March 2027\nTime: 10:00-12:00\nVenue: Online (Zoom)\n"
        "Registration: https://forms.gle/seminar0312\nDeadline: 5 March 2027\n" + SIG_EN,
        D_JAN,
        E(
            "Seminar on community-based organisations",
            "training",
            "",
            "2027-03-12 10:00",
            "2027-03-12 12:00",
            ("Online (Zoom)", "", ""),
            "https://forms.gle/seminar0312",
            "2027-03-05 23:59",
        ),
        holdout=True,
    ),
    Case(
        "h5_tokai_city_only",
        "ブロック会議のご案内",
        "会員の皆様\n\n今年度2回目のブロック会議を下記により開催します。\n\n"
        "1 日時 令和9年2月25日(木) 14時00分から16時00分まで\n"
        "2 会場 岐阜市民会館 第1会議室\n3 出欠 2月15日(月)までにご回答ください\n" + SIG,
        D_JAN,
        E(
            "ブロック会議",
            "block_meeting",
            "tokai",
            "2027-02-25 14:00",
            "2027-02-25 16:00",
            ("岐阜市民会館 第1会議室", "", ""),
            "",
            "2027-02-15 23:59",
        ),
        holdout=True,
    ),
    Case(
        "h6_move_old_new",
        "【日時変更】関東ブロック勉強会",
        "関東ブロックの皆様\n\n先日ご案内した関東ブロック勉強会ですが、講師の都合により日時を下記のとおり変更いたします。\n\n"
        "（旧）令和9年2月6日（土）13:30～\n（新）令和9年2月13日（土）13:30～16:00\n場所は変わりません。" + SIG,
        D_JAN,
        E(
            "関東ブロック勉強会",
            "training",
            "kanto",
            "2027-02-13 13:30",
            "2027-02-13 16:00",
            None,
            "",
            "",
            action="move",
            previous="2027-02-06 13:30",
        ),
        holdout=True,
    ),
    Case(
        "h7_cancel_english",
        "Cancelled: Hokkaido Block Meeting on February 13",
        "Dear members,\n\nThe Hokkaido Block Meeting planned for February 13, 2027 has been cancelled because of the"
        " weather forecast. We will announce a new date soon.\n" + SIG_EN,
        D_JAN,
        E(
            "Hokkaido Block Meeting on February 13",
            "block_meeting",
            "hokkaido",
            "2027-02-13 00:00",
            "",
            None,
            "",
            "",
            action="cancel",
            doubts=("no_time",),
        ),
        holdout=True,
    ),
    Case(
        "h8_report_utf8_qp",
        "北陸ブロック研修会を開催しました",
        "北陸ブロックの皆様\n\n12月5日（土）、金沢市において北陸ブロック研修会を開催しました。\n"
        "当日の様子はウェブサイトをご覧ください。\nhttps://rmo-network.example.jp/report/hokuriku\n" + SIG,
        D_JAN,
        None,
        transfer="quoted-printable",
        holdout=True,
    ),
    Case(
        "h9_general_assembly_minutes_html",
        "総会の議事要旨について",
        "<p>会員各位</p><p>先般開催いたしました総会の議事要旨をお送りします。</p>"
        "<p>日時：令和8年12月10日（木）14:00～16:00</p><p>会場：雲南市役所</p>",
        D_JAN,
        None,
        html=True,
        holdout=True,
    ),
    Case(
        "h10_fee_reminder_sjis",
        "【再送】年会費のお振込みについて",
        "会員各位\n\n年会費のお振込みがまだの会員様は、2月26日（金）までにお手続きをお願いいたします。\n"
        "なお、3月の研修会は年会費納入済みの会員が対象です。" + SIG,
        D_JAN,
        None,
        charset="shift_jis",
        transfer="base64",
        holdout=True,
    ),
]
CASES += HOLDOUT
