"""Synthetic watch lists and passenger lists for the screening benchmark: realistic names in
Chinese (Han and pinyin), Korean (Hangul and passport spellings), Japanese (kanji with kana or
Latin aliases), Russian (Cyrillic with patronymics, ICAO spellings), European (with diacritics),
Thai (RTGS with the Thai script) and Arabic-origin Latin names, drawn by rough frequency. A
flight's list has a few passengers who are on the watch list under another spelling."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from kouan.domain.names.model import parse
from kouan.services.screening.watchlist import Entry, Traveller

_S = str.split
# Chinese surnames, the commonest first (weights fall with rank), and given-name characters.
ZH_SURNAMES = _S(
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 "
    "彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 "
    "廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 "
    "严 覃 武 戴 莫 孔 向 汤 欧阳 司马"
)
ZH_GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏宇浩俊凯欣怡婷雪琳晨阳"
    "博思嘉子涵梓轩睿宁佳雨晓小志海国春林云峰飞斌亮成龙东新永家金荣德慧颖倩莉晶瑞昊然诗悦"
    "安柏彬才灿昌晨诚驰聪丹迪帆方菲芬锋福富庚光贵瀚航豪禾鸿虹桦辉慧骥佳坚健江蛟杰洁锦"
    "靖菊珏君楷康可克岚朗乐蕾黎莲良琳玲凌翎柳龙璐鹿萌淼敏铭楠宁鹏琪谦强琴青清秋泉蓉若"
    "珊善绍深盛世书舒爽顺松素腾天婉薇维玮蔚文雯熙霞贤祥翔欣馨星雄旭璇雅妍彦燕扬仪怡毅"
    "莹盈勇友宇羽玉昱渊媛远月悦跃韵泽展哲振正芝志智中忠舟卓梓紫宗"
)
KO_SURNAMES = _S(
    "김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 전 홍 고 문 양 손 배 백 허 유 남 "
    "심 노 하 곽 성 차 주 우 구 민"
)
KO_GIVEN = list(
    "민준서연지현수영우진호은성동재하예윤도시유상태경정희혜미선주승원석철훈광용기종환대건한빈아나다채소"
    "규근남덕두래령렬록룡린만명무문범보봉부산삼새샘솔송순식신실심애양언엽옥완요욱운웅위율"
)
JA_SURNAMES = [tuple(_S(p)) for p in (
    "佐藤 さとう", "鈴木 すずき", "高橋 たかはし", "田中 たなか", "伊藤 いとう", "渡辺 わたなべ",
    "山本 やまもと", "中村 なかむら", "小林 こばやし", "加藤 かとう", "吉田 よしだ", "山田 やまだ",
    "佐々木 ささき", "山口 やまぐち", "松本 まつもと", "井上 いのうえ", "木村 きむら", "林 はやし",
    "斎藤 さいとう", "清水 しみず", "山崎 やまざき", "森 もり", "池田 いけだ", "橋本 はしもと",
    "阿部 あべ", "石川 いしかわ", "山下 やました", "中島 なかじま", "石井 いしい", "小川 おがわ",
    "前田 まえだ", "岡田 おかだ", "長谷川 はせがわ", "藤田 ふじた", "後藤 ごとう", "近藤 こんどう",
    "村上 むらかみ", "遠藤 えんどう", "青木 あおき", "坂本 さかもと", "福田 ふくだ", "太田 おおた",
    "西村 にしむら", "藤井 ふじい", "金子 かねこ", "岡本 おかもと", "藤原 ふじわら", "中野 なかの",
    "三浦 みうら", "原田 はらだ", "中川 なかがわ", "松田 まつだ", "竹内 たけうち", "小野 おの",
    "大野 おおの", "本間 ほんま", "服部 はっとり", "工藤 くどう", "大島 おおしま", "河野 こうの",
)]  # fmt: skip
JA_GIVEN = [tuple(_S(p)) for p in (
    "太郎 たろう", "翔太 しょうた", "大輔 だいすけ", "健一 けんいち", "拓也 たくや", "直樹 なおき",
    "亮 りょう", "誠 まこと", "浩二 こうじ", "隆 たかし", "翔 しょう", "蓮 れん", "陽翔 はると",
    "悠真 ゆうま", "湊 みなと", "大翔 ひろと", "一郎 いちろう", "修 おさむ", "勇気 ゆうき",
    "淳 じゅん", "純一郎 じゅんいちろう", "花子 はなこ", "陽子 ようこ", "恵子 けいこ",
    "京子 きょうこ", "由美 ゆみ", "真由美 まゆみ", "美咲 みさき", "葵 あおい", "結衣 ゆい",
    "陽菜 ひな", "愛 あい", "優子 ゆうこ", "智子 ともこ", "千尋 ちひろ", "舞 まい", "彩 あや",
    "奈々 なな", "莉子 りこ", "美穂 みほ", "明美 あけみ", "直美 なおみ", "春香 はるか",
    "俊介 しゅんすけ", "雄一 ゆういち", "和也 かずや", "康介 こうすけ", "真一 しんいち",
)]  # fmt: skip
RU_SURNAMES = _S(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров "
    "Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин "
    "Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов "
    "Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев "
    "Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов "
    "Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов "
    "Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов "
    "Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров "
    "Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков Колесников Гончаров "
    "Шевченко Бондаренко Коваленко Ткаченко Кравченко Руденко Мельник Бойко"
) + [
    # More surnames from common roots and endings, as Russian surnames are made.
    root + ending
    for root in _S(
        "Бел Гор Крас Мал Нов Сокол Журав Гром Лис Вор Мед Козл Орл Петр Пав Сид Тим Гус Кузьм "
        "Лук Март Ром Сав Степ Тар Уст Бор Вол Гал Дем Ерм Жук Зуб Кар Лаз Мух Нос Рыб Сух Тит "
        "Хом Чуд Шар Щук Юр"
    )
    for ending in ("ов", "ин", "ский", "енко", "ович")
]
RU_MALE = _S(
    "Александр Сергей Дмитрий Андрей Алексей Максим Евгений Иван Михаил Артём Николай Владимир "
    "Юрий Павел Олег Игорь Виктор Денис Роман Антон Илья Кирилл Никита Георгий Фёдор Вячеслав "
    "Вадим Григорий Константин Степан Тимофей Ярослав Матвей Егор Леонид Борис Пётр Валерий"
)
RU_FEMALE = _S(
    "Анна Мария Елена Ольга Наталья Татьяна Ирина Екатерина Светлана Юлия Анастасия Дарья Ксения "
    "Людмила Галина Марина Валентина Надежда Алёна Евгения Виктория Полина Софья Елизавета Вера "
    "Любовь Оксана Кристина Ульяна Яна"
)
RU_FATHERS = _S(
    "Александров Сергеев Дмитриев Андреев Алексеев Иванов Михайлов Николаев Владимиров Юрьев "
    "Викторов Петров Олегов Игорев Павлов Борисов"
)
EU_GIVEN = _S(
    "John James Michael David Robert William Thomas Peter Paul Mark Andrew Daniel Christopher "
    "Matthew Richard Joseph George Edward Henry Charles Maria Anna Sarah Emma Laura Sophie Julia "
    "Claire Elena Isabel Hans Klaus Jürgen Jörg Stefan Markus François Jérôme René José João "
    "Jesús Giuseppe Marco Luca André Søren Björn Åsa Łukasz Małgorzata Tomáš Jiří Zoltán Gábor "
    "Mehmet Mustafa Ahmet Özlem Pieter Jan Dirk Sven Lars Ingrid Astrid Nikolaos Dimitrios"
)
EU_SURNAMES = _S(
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin "
    "Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green "
    "Baker Adams Nelson Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann "
    "König Groß Martínez García Rodríguez López González Pérez Sánchez Fernández Gómez Muñoz Rossi "
    "Russo Ferrari Esposito Bianchi Romano Colombo Ricci Dubois Lefèvre Moreau Laurent Girard "
    "Bonnet Janssen Nowak Kowalski Wiśniewski Wójcik Kowalczyk Novák Dvořák Nagy Kovács Szabó "
    "Yılmaz Kaya Demir Şahin Çelik Yıldız Hansen Johansson Nilsson Andersson Larsen Jørgensen "
    "Silva Santos Oliveira Pereira Costa O'Brien Murphy Kelly O'Connor Papadopoulos"
) + [
    # More surnames from common stems and endings (Germanic, English, Nordic, Romance).
    stem + ending
    for stem in _S(
        "Berg Stein Wald Hoff Lind Brand Gold Rosen Silber Eichen Hart Sommer Winter Kling "
        "Dal Holm Eng Fair Ash Brook Black White Whit Marsh Wes Nor Sut Hamp Bel Mont Ros Val"
    )
    for ending in _S("mann berg er stein feld ström gren quist sen ley ton field wood ford ini")
]
AR_GIVEN = _S(
    "Mohammed Muhammad Ahmed Ali Omar Hassan Hussein Ibrahim Yusuf Khalid Fatima Aisha Abdul "
    "Karim Tariq Bilal Hamza Zainab Maryam Nadia Samir Walid Nasser Faisal Imran Rashid Saeed "
    "Mahmoud Mustafa Osman Adel Amir Jamal Salma Layla Huda Rania Youssef Anwar"
)
AR_SURNAMES = _S(
    "Khan Hussain Rahman Ahmed Ali Hassan Abdullah Al-Farsi Haddad Mansour Saleh Qureshi Malik "
    "Sheikh Siddiqui Chaudhry Butt Awan Baig Mirza El-Sayed Ibrahim Nasser Khalil Aziz Hamdan "
    "Al-Amin Darwish Farouk Habib Jaber Kassem Nassar Rashed Sabri Taha Yassin Zaki Bakr"
)
TH_GIVEN = [tuple(_S(p)) for p in (
    "SOMCHAI สมชาย", "SOMSAK สมศักดิ์", "SOMPONG สมปอง", "PRASERT ประเสริฐ", "SURACHAI สุรชัย",
    "WICHAI วิชัย", "ANAN อนันต์", "KITTI กิตติ", "SOMSRI สมศรี", "MALI มะลิ", "SUDA สุดา",
    "PORNTIP พรทิพย์", "WANDEE วันดี", "SIRIPORN ศิริพร", "ARUNEE อรุณี", "KANYA กัญญา",
)]  # fmt: skip
TH_SURNAMES = [tuple(_S(p)) for p in (
    "JAIDEE ใจดี", "SRISUK ศรีสุข", "WONGSAWAT วงศ์สวัสดิ์", "CHAROENSUK เจริญสุข",
    "SUKSAWAT สุขสวัสดิ์", "RATTANAKUL รัตนกุล", "BOONMA บุญมา", "THONGDEE ทองดี",
    "KAEWKLA แก้วกล้า", "PHROMMA พรหมมา", "INTHAWONG อินทวงศ์", "SRISAWAT ศรีสวัสดิ์",
)]  # fmt: skip
EU_COUNTRIES = _S("DE FR ES IT GB NL PL CZ HU TR SE DK NO PT IE GR US CA AU")
AR_COUNTRIES = _S("PK EG SA AE JO MA GB")


def _zipf(rng: random.Random, items: list[str] | list[tuple[str, ...]]) -> object:
    """One of `items`, the earlier ones likelier (roughly as surnames are spread)."""
    n = len(items)
    return items[min(n - 1, int(n * rng.random() ** 2.2))]


def _document(rng: random.Random) -> str:
    return f"{rng.choice('EGPK')}{rng.randrange(10**7, 10**8)}"


def _dob(rng: random.Random) -> date:
    return date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 56))


def _chinese(rng: random.Random) -> tuple[str, list[str], str]:
    family = str(_zipf(rng, ZH_SURNAMES))
    given = "".join(rng.choice(ZH_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    han = family + given
    latin = " ".join(p.main for p in parse(han, "CN").parts)
    roll = rng.random()
    country = rng.choice(("CN",) * 8 + ("HK", "TW"))
    if roll < 0.6:
        return han, [], country
    if roll < 0.85:
        return han, [latin], country
    return latin, [], country


def _korean(rng: random.Random) -> tuple[str, list[str], str]:
    hangul = str(_zipf(rng, KO_SURNAMES)) + "".join(rng.choice(KO_GIVEN) for _ in range(2))
    parts = parse(hangul, "KR").parts
    latin = f"{parts[0].spellings[1] if len(parts[0].spellings) > 1 else parts[0].main} " + (
        parts[1].main
    )
    roll = rng.random()
    if roll < 0.5:
        return hangul, [latin], "KR"
    if roll < 0.8:
        return hangul, [], "KR"
    return latin, [], "KR"


def _japanese(rng: random.Random) -> tuple[str, list[str], str]:
    family, family_kana = JA_SURNAMES[
        min(len(JA_SURNAMES) - 1, int(len(JA_SURNAMES) * rng.random() ** 2.2))
    ]
    given, given_kana = rng.choice(JA_GIVEN)
    kanji, kana = f"{family} {given}", f"{family_kana} {given_kana}"
    latin = " ".join(p.main for p in parse(kana, "JP").parts)
    roll = rng.random()
    if roll < 0.5:
        return kanji, [kana], "JP"
    if roll < 0.8:
        return kanji, [latin], "JP"
    return latin, [], "JP"


def _russian(rng: random.Random) -> tuple[str, list[str], str]:
    surname = str(_zipf(rng, RU_SURNAMES))
    male = rng.random() < 0.6
    given = rng.choice(RU_MALE if male else RU_FEMALE)
    father = rng.choice(RU_FATHERS) + ("ич" if male else "на")
    if not male and surname.endswith(("ов", "ев", "ёв", "ин")):
        surname += "а"
    cyrillic = f"{surname} {given} {father}"
    latin = " ".join(p.main for p in parse(f"{surname} {given}", "RU").parts)
    country = rng.choice(("RU",) * 6 + ("UA", "BY", "KZ"))
    roll = rng.random()
    if roll < 0.5:
        return cyrillic, [], country
    if roll < 0.7:
        return cyrillic, [latin], country
    return latin, [], country


def _european(rng: random.Random) -> tuple[str, list[str], str]:
    given = rng.choice(EU_GIVEN)
    if rng.random() < 0.2:
        given += " " + rng.choice(EU_GIVEN)
    surname = str(_zipf(rng, EU_SURNAMES))
    if rng.random() < 0.25:  # two surnames (Spanish, Portuguese) or a double-barrelled one
        surname += rng.choice((" ", "-")) + rng.choice(EU_SURNAMES)
    return f"{given} {surname}", [], rng.choice(EU_COUNTRIES)


def _arabic(rng: random.Random) -> tuple[str, list[str], str]:
    given = f"{rng.choice(AR_GIVEN)} {rng.choice(AR_GIVEN)}"
    return f"{given} {rng.choice(AR_SURNAMES)}", [], rng.choice(AR_COUNTRIES)


def _thai(rng: random.Random) -> tuple[str, list[str], str]:
    given, given_thai = rng.choice(TH_GIVEN)
    family, family_thai = rng.choice(TH_SURNAMES)
    return f"{given} {family}", [f"{given_thai} {family_thai}"], "TH"


_KINDS = ((_chinese, 25), (_korean, 12), (_japanese, 8), (_russian, 15), (_european, 30),
          (_arabic, 5), (_thai, 5))  # fmt: skip


def watch_list(count: int, seed: int = 2026) -> list[Entry]:
    """`count` entries: names in several scripts, most with a date or year of birth."""
    rng = random.Random(seed)
    makers, weights = zip(*_KINDS, strict=True)
    entries = []
    for n in range(count):
        name, aliases, country = rng.choices(makers, weights)[0](rng)
        born = _dob(rng)
        roll = rng.random()
        # Most lists give a date of birth; some only a year, a few nothing.
        dob = born.isoformat() if roll < 0.7 else (str(born.year) if roll < 0.95 else None)
        document = _document(rng) if rng.random() < 0.4 else ""
        entries.append(
            Entry(
                id=f"WL{n:07d}",
                name=name,
                aliases=tuple(aliases),
                date_of_birth=dob,
                nationality=country if rng.random() < 0.9 else None,
                document_number=document or None,
                reason="wanted",
                source="synthetic",
            )
        )
    return entries


def _passport_name(
    rng: random.Random, name: str, aliases: tuple[str, ...], cc: str, other: float = 1.0
) -> str:
    """How a passport might spell a name: each part in its usual spelling, or (at the rate
    `other`) another of its romanized spellings; the family name first or last."""
    readable = [n for n in (name, *aliases) if not parse(n, cc).unread]
    # Thai passports carry the holder's own Latin spelling, not a transliteration.
    readable = [n for n in readable if cc != "TH" or n.isascii()]
    parsed = parse(rng.choice(readable), cc)
    words = []
    for part in parsed.parts:
        latin = [s for s in part.spellings if s.isascii()] or [part.main]
        words.append(rng.choice(latin) if rng.random() < other else latin[0])
    if len(words) >= 2 and rng.random() < 0.3:
        words = words[1:] + words[:1]
    return " ".join(words)


def _typo(rng: random.Random, text: str) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    i = rng.choice(letters)
    roll = rng.random()
    if roll < 0.4:
        return text[:i] + rng.choice("AEIOUNRST") + text[i + 1 :]
    if roll < 0.7 and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


def flight(
    rng: random.Random, entries: list[Entry], size: int = 500, planted: int = 5
) -> tuple[list[Traveller], set[int]]:
    """A flight's list of `size` passengers: new people of every origin, and `planted` of them
    watch-list entries under another spelling (their positions returned)."""
    makers, weights = zip(*_KINDS, strict=True)
    people: list[Traveller] = []
    for _ in range(size):
        name, aliases, country = rng.choices(makers, weights)[0](rng)
        spelled = _passport_name(rng, name, tuple(aliases), country, other=0.15)
        document = _document(rng)
        people.append(Traveller(spelled, _dob(rng), country, document))
    listed = [e for e in rng.sample(entries, min(len(entries), planted * 20))
              if e.nationality and e.date_of_birth][:planted]  # fmt: skip
    positions = rng.sample(range(size), len(listed))
    for at, entry in zip(positions, listed, strict=True):
        people[at] = _planted(rng, entry, people[at])
    return people, set(positions)


def _planted(rng: random.Random, entry: Entry, seat: Traveller) -> Traveller:
    cc = entry.nationality or ""
    spelled = _passport_name(rng, entry.name, entry.aliases, cc)
    if rng.random() < 0.3:
        spelled = _typo(rng, spelled)
    born: date | str = entry.date_of_birth or ""
    if len(str(born)) == 4:
        born = date(int(str(born)), rng.randint(1, 12), rng.randint(1, 28))
    return replace(seat, name=spelled, date_of_birth=born, nationality=cc)
