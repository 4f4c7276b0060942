"""Cantonese readings of Han characters as Hong Kong passports and identity cards spell them
(the Hong Kong government's romanization: 陳 CHAN, 張 CHEUNG, 大 TAI, 文 MAN), for the common
surnames and the most frequent characters of given names, traditional and simplified alike.
Macao's Portuguese-based spellings of the common surnames (梁 LEONG, 劉 LAO, 黃 VONG) follow
the Hong Kong one. Written for this project from the characters' Cantonese readings; a character
not listed has no Cantonese spelling here, and neither has a name that contains it."""

from __future__ import annotations

from functools import cache

# Spelling -> the characters spelled so (a character under several spellings: the first listed
# is the usual one). Traditional and simplified forms side by side.
_SPELLINGS = {
    # Surnames (and given-name characters of the same reading).
    "CHAN": "陳陈", "WONG": "黃黄王旺皇凰煌", "LEE": "李利",
    "CHEUNG": "張张章蔣蒋祥翔詳详長长彰璋昌", "LAU": "劉刘流留柳", "LAM": "林霖琳淋嵐岚",
    "HO": "何賀贺浩好可河皓昊灝灏濠豪毫", "NG": "吳吴伍五午", "LEUNG": "梁亮良涼凉樑",
    "TSANG": "曾", "CHOW": "周", "CHENG": "鄭郑", "YEUNG": "楊杨陽阳揚扬洋羊養养",
    "CHOI": "蔡彩財财才材采菜在再載载", "KWOK": "郭國国", "TSE": "謝谢", "LAW": "羅罗",
    "LO": "盧卢羅罗勞劳路露魯鲁", "FUNG": "馮冯鳳凤峰豐丰楓枫風风鋒锋逢", "MAK": "麥麦",
    "YIP": "葉叶", "TANG": "鄧邓", "SIU": "蕭萧小少兆笑肇紹绍", "TAM": "譚谭談谈覃",
    "YU": "余俞如汝儒愉瑜榆于予裕宇雨羽語语渝喻", "YUEN": "袁阮源元圓圆遠远苑玄婉宛院",
    "YAN": "甄殷恩欣仁人因茵昕忻", "KWAN": "關关君昆坤軍军均鈞钧群", "AU": "區区歐欧",
    "LAI": "黎賴赖麗丽禮礼", "POON": "潘", "SO": "蘇苏素", "TSUI": "徐翠", "LUK": "陸陆",
    "SHEK": "石碩硕", "CHU": "朱珠", "WU": "胡鄔邬", "MA": "馬马", "KO": "高",
    "CHUNG": "鍾钟鐘松聰聪宗忠中頌颂仲從从沖冲", "CHAU": "鄒邹周秋洲舟州宙", "SUEN": "孫孙宣選选",
    "TING": "丁庭廷亭婷霆鼎定", "FONG": "方芳放房坊", "TO": "杜道濤涛桃陶圖图都度韜韬",
    "TAI": "戴大太泰娣弟帝棣蒂", "MOK": "莫", "YIU": "姚饒饶耀瑤瑶堯尧遙遥", "TONG": "唐湯汤堂棠",
    "KONG": "江港剛刚", "FAN": "范樊", "PANG": "彭朋鵬鹏", "LIU": "廖", "HAU": "侯厚",
    "WAI": "韋韦衛卫偉伟維维慧惠威蔚", "WAN": "溫温尹雲云運运允韻韵環环",
    "YAU": "游邱丘尤友有佑祐悠柔優优幼由", "MAN": "文萬万敏民雯", "LUI": "呂吕雷蕾",
    "LUNG": "龍龙隆", "CHIN": "錢钱", "SHUM": "沈岑", "CHING": "程清晴青菁靖靜静精正貞贞呈政晶情",
    "KEUNG": "姜強强疆", "KWONG": "鄺邝光廣广", "FOK": "霍", "KUNG": "龔龚",
    "HUNG": "洪孔熊雄鴻鸿紅红虹", "SHIU": "邵", "YIM": "嚴严閻阎", "FU": "傅富夫芙扶", "TSO": "曹",
    "HUI": "許许", "SUNG": "宋崇嵩", "KEI": "紀纪基琪淇祺麒其旗棋期奇琦騏骐記记", "OR": "柯",
    "YUNG": "翁容蓉榕勇用溶雍", "KAN": "簡简", "SZE": "施史詩诗思斯絲丝司師师", "KOT": "葛",
    "SIT": "薛", "PAU": "鮑鲍包", "SIN": "冼單单仙先善倩鮮鲜", "YIK": "易益翊翼億亿亦奕",
    "LING": "凌玲鈴铃靈灵齡龄菱伶苓", "NGAI": "倪魏", "PONG": "龐庞邦", "CHUK": "祝竹",
    "KOO": "古顧顾", "NGAN": "顏颜", "CHO": "左祖曹", "CHUI": "崔聚趣", "YAM": "任鑫音欽钦",
    "PAT": "畢毕", "TIN": "田天典", "KAM": "金錦锦甘", "TUNG": "董東东冬棟栋同通桐彤童",
    "HON": "韓韩漢汉", "HA": "夏霞", "CHUN": "秦俊駿骏津珍真振進进震臻春晉晋", "MUNG": "蒙",
    "MUI": "梅", "CHAK": "翟澤泽", "CHE": "車车", "CHEUK": "卓灼爵綽绰", "NIP": "聶聂",
    "CHIK": "植", "CHIU": "招昭超朝照趙赵", "YING": "邢英瑩莹盈迎映鷹鹰應应凝影",
    "PAK": "白柏栢伯北百", "LIN": "連连蓮莲", "WAT": "屈", "SHING": "盛成承誠诚城", "CHAM": "湛",
    "NGOK": "岳", "KAI": "佳啟启", "MO": "毛巫武務务", "TSOI": "蔡", "WOO": "胡",
    "SUM": "沈心森深琛芯沁",
    # Given-name characters.
    "MING": "明銘铭鳴鸣名茗", "WAH": "華华樺桦", "KA": "家嘉加",
    "CHI": "志之芝智致知至枝姿資资慈池馳驰", "MEI": "美薇微媚眉湄", "KIT": "傑杰潔洁結结",
    "KIN": "健建堅坚乾", "FAI": "輝辉暉晖徽", "TAK": "德得", "WING": "榮荣永詠咏穎颖泳",
    "TSZ": "子梓紫芷", "HIU": "曉晓", "PO": "寶宝保普步", "TIM": "添甜恬", "TAT": "達达",
    "YEE": "儀仪宜怡兒儿義义意依漪綺绮爾尔", "ON": "安", "NGA": "雅", "LAN": "蘭兰",
    "YIN": "燕賢贤然言妍彥彦研嫣", "HOI": "凱凯開开海", "OI": "愛爱藹蔼", "SHAN": "珊山",
    "SUN": "新晨辰臣申", "SHUN": "信順顺淳純纯迅舜", "NAM": "南男", "HIN": "軒轩憲宪顯显",
    "HIM": "謙谦", "WANG": "宏弘泓橫横", "MIU": "妙苗", "SAU": "秀修守壽寿",
    "SHEUNG": "雙双尚常上裳", "HEUNG": "香鄉乡向響响", "PING": "平萍屏冰兵炳秉", "NING": "寧宁",
    "SING": "星昇升勝胜聖圣", "HING": "興兴慶庆卿馨", "KING": "京敬經经景境瓊琼擎",
    "CHUEN": "全泉川傳传詮诠荃銓铨", "KUEN": "娟權权卷絹绢涓", "WOON": "媛煥焕換换桓緩缓",
    "SUI": "瑞穗歲岁", "SHUI": "水", "YUI": "睿蕊銳锐芮", "YUK": "玉育郁旭煜毓",
    "YUET": "月悅悦越粵粤", "LOK": "樂乐洛", "NOK": "諾诺", "YEUK": "若", "LAP": "立笠",
    "LIK": "力歷历", "LEI": "莉俐理", "NEI": "妮尼", "HEI": "希熙喜曦禧晞", "FEI": "菲飛飞非妃斐",
    "PIK": "碧璧", "PUI": "珮佩培沛貝贝蓓", "FUN": "芬", "FUK": "福", "FA": "花", "FAT": "發发",
    "FOON": "寬宽歡欢", "MANG": "孟萌", "POK": "博", "PUN": "彬斌賓宾濱滨", "TUEN": "端團团",
    "TOI": "黛", "SHUK": "淑叔", "SUK": "肅肃", "YAT": "逸一日溢", "SUET": "雪", "HONG": "康航",
    "LUN": "倫伦麟", "YUN": "潤润", "HOK": "學学鶴鹤",
}  # fmt: skip
# Macao spells the common surnames after Portuguese: spellings after the Hong Kong ones.
_MACAO = {
    "LEONG": "梁", "CHEONG": "張张", "IEONG": "楊杨", "LAO": "劉刘", "CHAO": "周", "CHEANG": "鄭郑",
    "LEI": "李", "KUOK": "郭", "AO": "區区歐欧", "IP": "葉叶", "UN": "袁", "FONG": "馮冯",
    "PUN": "潘", "LOU": "盧卢", "HOI": "許许", "CHUI": "徐", "SIO": "蕭萧", "IAN": "甄",
    "KUAN": "關关", "SEAK": "石", "LOK": "陸陆", "SOU": "蘇苏", "KOU": "高", "SUN": "孫孙",
    "VONG": "黃黄王", "VAI": "韋韦", "VAN": "溫温尹", "U": "余胡", "TOU": "杜", "CHIO": "趙赵",
}  # fmt: skip
# Characters read otherwise as a surname than in a given name.
_SURNAME = {"單": "SIN", "单": "SIN", "區": "AU", "区": "AU", "曾": "TSANG", "解": "HAI"}
# Two-character surnames, spelled as one word as Hong Kong writes them.
_COMPOUNDS = {
    "司徒": ("SZETO",), "歐陽": ("AUYEUNG",), "欧阳": ("AUYEUNG",), "司馬": ("SZEMA",),
    "司马": ("SZEMA",), "諸葛": ("CHUKOT",), "诸葛": ("CHUKOT",), "上官": ("SHEUNGKOON",),
}  # fmt: skip
_MAX_SPELLINGS = 4


@cache
def _table() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for spellings in (_SPELLINGS, _MACAO):
        for spelling, chars in spellings.items():
            for char in chars:
                if spelling not in table.setdefault(char, []):
                    table[char].append(spelling)
    return {char: tuple(s) for char, s in table.items()}


def readings(char: str) -> tuple[str, ...]:
    """The Hong Kong (then Macao) spellings of one character, the usual one first."""
    return _table().get(char, ())


def spellings(chars: str, surname: bool = False) -> list[str]:
    """The Cantonese spellings of a surname or a given name (syllables written together, as
    XIAOMING is: TAIMAN), the usual one first; empty when a character is not in the table."""
    if surname and chars in _COMPOUNDS:
        return list(_COMPOUNDS[chars])
    out = [""]
    for n, char in enumerate(chars):
        own = (_SURNAME[char],) if surname and n == 0 and char in _SURNAME else readings(char)
        if not own:
            return []
        out = [head + tail for head in out for tail in own][:_MAX_SPELLINGS]
    return out if chars else []
