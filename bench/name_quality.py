"""kouan bench name-quality: recall and precision of the name matcher on the labelled pairs
(tests/data/screening/name_pairs.csv: every romanization family, order, joined and split
parts, diacritics, typos, initials, and look-alike names of different people), enlarged by the
pairs below (`EXTRA_PAIRS`: the romanization families' known gaps, each with look-alike names of
other people). `original` gives the figures on the file alone."""

from __future__ import annotations

import csv
import io
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from kouan.domain.names import Policy
from kouan.services.screening.benchmark import quality

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "data" / "screening" / "name_pairs.csv"
FIELDS = ("name1", "name2", "match", "category", "nationality1", "nationality2")
# name1,name2,match,category,nationality1,nationality2 (as in PAIRS); # starts a comment.
EXTRA_PAIRS = """\
# Korean: 우 WOO/U/OO, 류 and 유 (RYU YOO YU RYOO LYU YOU), the frequent surnames' and
# syllables' passport spellings; look-alikes: 우 is not 오 (OH), 수 is not 소 (SUMIN, SOMIN).
우민호,WOO MINHO,1,Korean passport,KR,KR
우민호,U MINHO,1,Revised Romanization,KR,KR
우민호,OO MINHO,1,Korean passport,KR,KR
WOO MINHO,OO MINHO,1,Korean latin,KR,KR
WOO MINHO,U MINHO,1,Korean latin,KR,KR
류현진,RYOO HYUNJIN,1,Korean passport,KR,KR
류현진,LYU HYUNJIN,1,Korean passport,KR,KR
류현진,YOU HYUNJIN,1,Korean passport,KR,KR
류현진,YU HYEONJIN,1,Korean passport,KR,KR
유재석,YOO JAESUK,1,Korean passport,KR,KR
유재석,YOU JAESUK,1,Korean passport,KR,KR
유재석,YU JAESEOK,1,Revised Romanization,KR,KR
RYU HYUNJIN,YOO HYUNJIN,1,Korean latin,KR,KR
RYOO HYUNJIN,LYU HYUNJIN,1,Korean latin,KR,KR
YOU JAESUK,YU JAESEOK,1,Korean latin,KR,KR
이수민,RHEE SOOMIN,1,Korean passport,KR,KR
임수정,YIM SOOJUNG,1,Korean passport,KR,KR
임수정,IM SUJEONG,1,Revised Romanization,KR,KR
LIM SOOJUNG,IM SUJEONG,1,Korean latin,KR,KR
배수지,BAI SUJI,1,Korean passport,KR,KR
백종원,PAIK JONGWON,1,Korean passport,KR,KR
BAEK JONGWON,BAIK JONGWON,1,Korean latin,KR,KR
허준호,HUR JUNHO,1,Korean passport,KR,KR
HEO JUNHO,HUH JOONHO,1,Korean latin,KR,KR
노민우,ROH MINWOO,1,Korean passport,KR,KR
NOH MINWOO,RO MINU,1,Korean latin,KR,KR
구혜선,KU HYESUN,1,Korean passport,KR,KR
KOO HYESUN,GU HYESEON,1,Korean latin,KR,KR
전지현,CHUN JIHYUN,1,Korean passport,KR,KR
JEON JIHYUN,CHUN JIHYEON,1,Korean latin,KR,KR
고소영,GO SOYEONG,1,Revised Romanization,KR,KR
KO SOYOUNG,GO SOYEONG,1,Korean latin,KR,KR
오정세,O JEONGSE,1,Revised Romanization,KR,KR
OH JUNGSE,O JEONGSE,1,Korean latin,KR,KR
서현우,SUH HYUNWOO,1,Korean passport,KR,KR
SEO HYUNWOO,SUH HYEONU,1,Korean latin,KR,KR
성시경,SEONG SIGYEONG,1,Revised Romanization,KR,KR
SUNG SIKYUNG,SEONG SIGYEONG,1,Korean latin,KR,KR
김수현,KIM SOOHYUN,1,Korean passport,KR,KR
KIM SOOHYUN,GIM SUHYEON,1,Korean latin,KR,KR
김준수,KIM JOONSOO,1,Korean passport,KR,KR
KIM JUNSU,KIM JOONSOO,1,Korean latin,KR,KR
김영진,KIM YEONGJIN,1,Revised Romanization,KR,KR
KIM YOUNGJIN,KIM YEONGJIN,1,Korean latin,KR,KR
김은지,KIM EUNJI,1,Korean passport,KR,KR
김진우,KIM CHINU,1,McCune–Reischauer,KR,KR
WOO MINHO,OH MINHO,0,other Korean name,KR,KR
우민호,OH MINHO,0,other Korean name,KR,KR
우민호,YOO MINHO,0,other Korean name,KR,KR
류현진,WOO HYUNJIN,0,other Korean name,KR,KR
RYU HYUNJIN,ROH HYUNJIN,0,other Korean name,KR,KR
LEE MINHO,YOO MINHO,0,other Korean name,KR,KR
PARK JISUNG,BAEK JISUNG,0,other Korean name,KR,KR
SHIN DONGBIN,SON DONGBIN,0,other Korean name,KR,KR
HAN JIMIN,HAM JIMIN,0,other Korean name,KR,KR
KIM SOOHYUN,KIM SOOYEON,0,other Korean name,KR,KR
KIM HYUNWOO,KIM HYUNSOO,0,other Korean name,KR,KR
KIM JIWOO,KIM JIWON,0,other Korean name,KR,KR
KO SOYOUNG,KWAK SOYOUNG,0,other Korean name,KR,KR
MOON JAEIN,MIN JAEIN,0,other Korean name,KR,KR
NOH MOOHYUN,NAM MOOHYUN,0,other Korean name,KR,KR
KIM SUMIN,KIM SOMIN,0,other Korean name,KR,KR
KANG DONGWON,JANG DONGWON,0,other Korean name,KR,KR
# Wade–Giles: r as j (儒 RU, JU), zh ch j q x as ch ch hs, z c as ts tz, -ong -ung, -ie -ieh,
# -ian -ien, e as o after k h, you as yu, HUO not HO; Taiwan's YI and ING.
孔儒,KUNG JU,1,Wade–Giles,TW,TW
李儒,LI JU,1,Wade–Giles,TW,TW
LI RU,LI JU,1,Wade–Giles latin,CN,TW
张汝成,CHANG JU-CHENG,1,Wade–Giles,TW,TW
ZHANG RUCHENG,CHANG JUCHENG,1,Wade–Giles latin,CN,TW
王日新,WANG JIH-HSIN,1,Wade–Giles,TW,TW
荣明,JUNG MING,1,Wade–Giles,TW,TW
RONG MING,JUNG MING,1,Wade–Giles latin,CN,TW
ZHOU JIE,CHOU CHIEH,1,Wade–Giles latin,CN,TW
XIE MING,HSIEH MING,1,Wade–Giles latin,CN,TW
CHEN MING,CH'EN MING,1,Wade–Giles latin,CN,TW
ZENG MING,TSENG MING,1,Wade–Giles latin,CN,TW
JIANG MING,CHIANG MING,1,Wade–Giles latin,CN,TW
QIU MING,CHIU MING,1,Wade–Giles latin,CN,TW
FENG MING,FENG MING,1,Wade–Giles latin,CN,TW
ZHONG MING,CHUNG MING,1,Wade–Giles latin,CN,TW
LIAN JIE,LIEN CHIEH,1,Wade–Giles latin,CN,TW
KE MING,KO MING,1,Wade–Giles latin,CN,TW
HE MING,HO MING,1,Wade–Giles latin,CN,TW
YOU MING,YU MING,1,Wade–Giles latin,CN,TW
ZI MING,TZU MING,1,Wade–Giles latin,CN,TW
SI MING,SSU MING,1,Wade–Giles latin,CN,TW
ZHI MING,CHIH MING,1,Wade–Giles latin,CN,TW
XIONG MING,HSIUNG MING,1,Wade–Giles latin,CN,TW
QUAN MING,CH'UAN MING,1,Wade–Giles latin,CN,TW
XUE MING,HSUEH MING,1,Wade–Giles latin,CN,TW
霍明,HUO MING,1,Wade–Giles,TW,TW
侯友宜,HOU YU-YI,1,Wade–Giles,TW,TW
TSAI ING WEN,CAI YINGWEN,1,Wade–Giles latin,TW,CN
HUO MING,HO MING,0,other Chinese name,CN,TW
ZHOU MING,ZOU MING,0,other Chinese name,CN,TW
XU MING,HSIEH MING,0,other Chinese name,CN,TW
RU MING,LU MING,0,other Chinese name,CN,CN
CHIANG MING,ZHANG MING,0,other Chinese name,TW,CN
KUO MING,GAO MING,0,other Chinese name,TW,CN
CHANG MING,CHENG MING,0,other Chinese name,TW,TW
HSU MING,SHU MING,0,other Chinese name,TW,TW
# Hong Kong and Macao: Cantonese spellings of surnames and given names.
陳大文,CHAN TAI MAN,1,Cantonese,HK,HK
劉德華,LAU TAK WAH,1,Cantonese,HK,HK
梁偉明,LEONG WAI MING,1,Cantonese,MO,MO
GUAN ZHIQIANG,KWAN CHI KEUNG,0,other Cantonese name,CN,HK
GUAN MING,KWAN MING,1,Cantonese,CN,HK
SU MING,SO MING,1,Cantonese,CN,HK
SHEN MING,SHUM MING,1,Cantonese,CN,HK
陳大文,CHAN TAI WAH,0,other Cantonese name,HK,HK
陳大文,CHAN SIU MAN,0,other Cantonese name,HK,HK
黃家輝,WONG KA WAI,0,other Cantonese name,HK,HK
張學友,CHEUNG HOK MAN,0,other Cantonese name,HK,HK
陳大文,CHENG TAI MAN,0,other Cantonese name,HK,HK
鄧小明,TONG SIU MING,0,other Cantonese name,HK,HK
劉德華,LAU TAK FAI,0,other Cantonese name,HK,HK
# Japanese: long vowels written with or without U, H or O (INOUE INOE, OHNO ONO OONO OUNO).
いのうえ たけし,INOE TAKESHI,1,Hepburn variant,JP,JP
INOUE TAKESHI,INOE TAKESHI,1,Hepburn latin,JP,JP
おおの ゆうこ,OUNO YUKO,1,Hepburn variant,JP,JP
おおの ゆうこ,OHNO YUHKO,1,Hepburn variant,JP,JP
OHNO YUUKO,ONO YUKO,1,Hepburn latin,JP,JP
OONO YUKO,OUNO YUKO,1,Hepburn latin,JP,JP
さとう こうじ,SATOH KOHJI,1,Hepburn variant,JP,JP
さとう こうじ,SATOU KOUJI,1,Hepburn variant,JP,JP
SATO KOJI,SATOH KOUJI,1,Hepburn latin,JP,JP
SATOU KOUJI,SATOH KOHJI,1,Hepburn latin,JP,JP
おおた しゅうへい,OOTA SHUUHEI,1,Hepburn variant,JP,JP
OTA SHUUHEI,OHTA SHUHEI,1,Hepburn latin,JP,JP
SATŌ YŪKO,SATO YUKO,1,Hepburn latin,JP,JP
INOUE TAKESHI,INOUE TAKASHI,0,other Japanese name,JP,JP
OHNO YUKO,OGINO YUKO,0,other Japanese name,JP,JP
SATO KOJI,SAITO KOJI,0,other Japanese name,JP,JP
SATOU KOUJI,SATOU KOUICHI,0,other Japanese name,JP,JP
SHUHEI OTA,SHOHEI OTA,0,other Japanese name,JP,JP
SHUUHEI OOTA,SHOUHEI OOTA,0,other Japanese name,JP,JP
KONO TARO,KANO TARO,0,other Japanese name,JP,JP
KOUNO TARO,KONNO TARO,0,other Japanese name,JP,JP
INOUE AI,INOUE MAI,0,other Japanese name,JP,JP
YUUKO SATOU,YUUKI SATOU,0,other Japanese name,JP,JP
"""


def extra_rows() -> list[dict[str, str]]:
    """The pairs added here, as rows of the labelled file."""
    lines = [line for line in EXTRA_PAIRS.splitlines() if line.strip() and not line.startswith("#")]
    return [dict(zip(FIELDS, row, strict=True)) for row in csv.reader(lines)]


def enlarged(pairs: Path, threshold: float) -> dict[str, Any]:
    """The quality on `pairs` and the pairs added here together."""
    with tempfile.TemporaryDirectory(prefix="kouan-names-") as scratch:
        path = Path(scratch) / "pairs.csv"
        out = io.StringIO()
        writer = csv.DictWriter(out, FIELDS, extrasaction="ignore")
        writer.writeheader()
        with pairs.open(encoding="utf-8", newline="") as source:
            writer.writerows(csv.DictReader(source))
        writer.writerows(extra_rows())
        path.write_text(out.getvalue(), encoding="utf-8")
        return quality(path, threshold)


def main(
    pairs: Annotated[Path, typer.Option(help="Labelled pairs: name1,name2,match.")] = PAIRS,
    threshold: Annotated[float, typer.Option(help="Where a match begins.")] = Policy().threshold,
    extra: Annotated[bool, typer.Option(help="Add the pairs of EXTRA_PAIRS.")] = True,
    as_json: common.AsJson = False,
) -> None:
    original = quality(pairs, threshold)
    result = enlarged(pairs, threshold) if extra else original
    if not as_json:
        for row in result["wrong"]:
            print(f"{row['match']:>5} {row['score']:.3f}  {row['name1']} | {row['name2']}")
    result["wrong"] = len(result["wrong"])
    if extra:
        result["original"] = {
            k: original[k] for k in ("pairs", "matches", "recall", "precision", "false_positives",
                                     "false_negatives")
        }  # fmt: skip
    common.emit(result, as_json)


if __name__ == "__main__":
    typer.run(main)
