"""Japan's 47 prefectures and its best-known cities: general knowledge, not the network's data.

The network's data says which prefectures make up each block; this says which prefecture a place
named in a question lies in, so 「札幌の会議」 or "meetings near Kobe" find their block.
"""

from __future__ import annotations

__all__ = ["BLOCK_READINGS", "CITIES", "PREFECTURES"]

# (name, romanised names)
PREFECTURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("北海道", ("hokkaido",)),
    ("青森県", ("aomori",)), ("岩手県", ("iwate",)), ("宮城県", ("miyagi",)), ("秋田県", ("akita",)),
    ("山形県", ("yamagata",)), ("福島県", ("fukushima",)),
    ("茨城県", ("ibaraki",)), ("栃木県", ("tochigi",)), ("群馬県", ("gunma",)), ("埼玉県", ("saitama",)),
    ("千葉県", ("chiba",)), ("東京都", ("tokyo",)), ("神奈川県", ("kanagawa",)),
    ("新潟県", ("niigata",)), ("富山県", ("toyama",)), ("石川県", ("ishikawa",)), ("福井県", ("fukui",)),
    ("山梨県", ("yamanashi",)), ("長野県", ("nagano",)), ("岐阜県", ("gifu",)), ("静岡県", ("shizuoka",)),
    ("愛知県", ("aichi",)), ("三重県", ("mie",)),
    ("滋賀県", ("shiga",)), ("京都府", ("kyoto",)), ("大阪府", ("osaka",)), ("兵庫県", ("hyogo", "hyougo")),
    ("奈良県", ("nara",)), ("和歌山県", ("wakayama",)),
    ("鳥取県", ("tottori",)), ("島根県", ("shimane",)), ("岡山県", ("okayama",)), ("広島県", ("hiroshima",)),
    ("山口県", ("yamaguchi",)),
    ("徳島県", ("tokushima",)), ("香川県", ("kagawa",)), ("愛媛県", ("ehime",)), ("高知県", ("kochi", "kouchi")),
    ("福岡県", ("fukuoka",)), ("佐賀県", ("saga",)), ("長崎県", ("nagasaki",)), ("熊本県", ("kumamoto",)),
    ("大分県", ("oita", "ooita")), ("宮崎県", ("miyazaki",)), ("鹿児島県", ("kagoshima",)),
    ("沖縄県", ("okinawa",)),
)  # fmt: skip

# Designated cities, prefectural capitals whose name differs from their prefecture's, and other
# cities people name instead of their prefecture: (name, prefecture, romanised names).
CITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("札幌", "北海道", ("sapporo",)), ("函館", "北海道", ("hakodate",)), ("旭川", "北海道", ("asahikawa",)),
    ("釧路", "北海道", ("kushiro",)), ("帯広", "北海道", ("obihiro",)),
    ("盛岡", "岩手県", ("morioka",)), ("仙台", "宮城県", ("sendai",)), ("郡山", "福島県", ("koriyama",)),
    ("いわき", "福島県", ("iwaki",)), ("八戸", "青森県", ("hachinohe",)),
    ("水戸", "茨城県", ("mito",)), ("つくば", "茨城県", ("tsukuba",)), ("宇都宮", "栃木県", ("utsunomiya",)),
    ("前橋", "群馬県", ("maebashi",)), ("高崎", "群馬県", ("takasaki",)), ("さいたま", "埼玉県", ()),
    ("川越", "埼玉県", ("kawagoe",)), ("船橋", "千葉県", ("funabashi",)), ("柏市", "千葉県", ("kashiwa",)),
    ("八王子", "東京都", ("hachioji",)), ("新宿", "東京都", ("shinjuku",)), ("横浜", "神奈川県", ("yokohama",)),
    ("川崎市", "神奈川県", ("kawasaki",)), ("相模原", "神奈川県", ("sagamihara",)),
    ("横須賀", "神奈川県", ("yokosuka",)),
    ("甲府", "山梨県", ("kofu",)),
    ("長岡", "新潟県", ("nagaoka",)), ("上越", "新潟県", ("joetsu",)), ("松本市", "長野県", ("matsumoto",)),
    ("金沢", "石川県", ("kanazawa",)), ("高岡", "富山県", ("takaoka",)),
    ("浜松", "静岡県", ("hamamatsu",)), ("沼津", "静岡県", ("numazu",)), ("名古屋", "愛知県", ("nagoya",)),
    ("豊田", "愛知県", ("toyota",)), ("豊橋", "愛知県", ("toyohashi",)), ("四日市", "三重県", ("yokkaichi",)),
    ("津市", "三重県", ("tsu",)),
    ("大津", "滋賀県", ("otsu",)), ("彦根", "滋賀県", ("hikone",)), ("堺市", "大阪府", ("sakai",)),
    ("豊中", "大阪府", ("toyonaka",)), ("東大阪", "大阪府", ("higashiosaka",)), ("神戸", "兵庫県", ("kobe",)),
    ("姫路", "兵庫県", ("himeji",)), ("尼崎", "兵庫県", ("amagasaki",)), ("西宮", "兵庫県", ("nishinomiya",)),
    ("豊岡", "兵庫県", ("toyooka",)),
    ("米子", "鳥取県", ("yonago",)), ("松江", "島根県", ("matsue",)), ("出雲", "島根県", ("izumo",)),
    ("倉敷", "岡山県", ("kurashiki",)), ("福山", "広島県", ("fukuyama",)), ("下関", "山口県", ("shimonoseki",)),
    ("高松", "香川県", ("takamatsu",)), ("松山", "愛媛県", ("matsuyama",)),
    ("北九州", "福岡県", ("kitakyushu",)), ("久留米", "福岡県", ("kurume",)), ("那覇", "沖縄県", ("naha",)),
    ("佐世保", "長崎県", ("sasebo",)),
)  # fmt: skip

# How the ten standard blocks are read and written in kana and romaji, beside the names in the data.
BLOCK_READINGS: dict[str, tuple[str, ...]] = {
    "hokkaido": ("ほっかいどう",),
    "tohoku": ("とうほく", "tohoku", "touhoku"),
    "kanto": ("かんとう", "kanto", "kantou"),
    "shinetsu": ("しんえつ", "shinetsu", "shin-etsu"),
    "hokuriku": ("ほくりく", "hokuriku"),
    "tokai": ("とうかい", "tokai", "toukai"),
    "kinki": ("きんき", "かんさい", "kinki", "kansai"),
    "chugoku": ("ちゅうごく", "chugoku", "chuugoku", "chūgoku"),
    "shikoku": ("しこく", "shikoku"),
    "kyushu": ("きゅうしゅう", "kyushu", "kyuushu", "kyūshū"),
}
