"""Names, phone numbers and emails typed into comments, masked before anyone reads or exports them.

Respondents write "call me at 555-201-3344", "Mrs. Alvarez is great" or "王老师很好"
into free-text answers; a report must not carry those. `mask` replaces them
with [phone], [email] and [name] and is applied to every comment the pages,
the printable report and the exports show (the stored answer is unchanged).

Rules, each tested in en/es/zh (tests/unit/test_comments_text.py):
- emails: anything@anything.tld;
- phone numbers: a run of at least 7 digits (ASCII or full-width ０-９, any
  script's decimal digits) with spaces, dots, dashes, slashes or brackets
  between them, optionally led by "+"; shorter numbers (ages, years, grades)
  stay;
- a capitalised word or two after a title or a relation word: Mr./Mrs./Ms./
  Miss/Dr./Coach/Principal/teacher, maestra/maestro/señor(a)/señorita/Sr(a)./
  profesor(a)/director(a), "my son/daughter", "mi hijo/hija", "named",
  "se llama", "my name is", "mi hija es", "me llamo", ...;
- Chinese: a common surname plus up to two characters before 老师/先生/女士/
  小姐/校长/主任/同学/阿姨 ("李老师", "王小明老师"), a surname plus one or two
  characters after 老师/先生/女士/名叫 or a child's or one's own name's 叫/是
  ("老师王芳", "我的女儿叫李娜", "我叫王芳"), and before 的妈妈/的爸爸/的家长/...
  ("我是王小明的妈妈");
- the list-free heuristic: two or more capitalised words in a row in the middle
  of a sentence ("my neighbour Ana Lucia Gomez") are taken for a full name,
  whatever the words are; a single capitalised word mid-sentence is not (it
  is more often a place, a language or a programme). It over-masks school and
  programme names of two capitalised words ("Jackson Elementary"): a report
  loses a little context rather than a family its privacy.
"""

from __future__ import annotations

import re

NAME_MARK = "[name]"
PHONE_MARK = "[phone]"
EMAIL_MARK = "[email]"

EMAIL = re.compile(r"[\w.+-]+\s?[@＠]\s?[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Digits (\d is Unicode-aware: full-width digits match) with separators between them.
PHONE = re.compile(r"(?:[+＋]\s?)?[(（]?\d(?:[\d\s.\-/()（）－—–]*\d)?")
MIN_PHONE_DIGITS = 7

# A capitalised word: an upper-case letter, then letters, apostrophes or hyphens.
_CAP = r"[A-ZÀ-ÖØ-ÞĀ-Ž][^\W\d_]*(?:['’-][^\W\d_]+)?"
_TITLES = (
    r"mr|mrs|ms|miss|mx|dr|coach|principal|teacher|mister|"
    r"maestra|maestro|señora|señorita|señor|senora|senorita|senor|sra|srta|sr|"
    r"profesora|profesor|profe|directora|director|don|doña|"
    r"my son|my daughter|my child|my kid|my boy|my girl|named|called|"
    r"mi hijo|mi hija|mi niño|mi niña|se llama|llamado|llamada|"
    r"my son is|my daughter is|my name is|mi hijo es|mi hija es|me llamo|mi nombre es"
)
TITLED_NAME = re.compile(
    rf"(?i:\b(?:{_TITLES}))\.?\s+(?!(?i:{_TITLES})\b)({_CAP}(?:\s+{_CAP})?)",
    re.UNICODE,
)
# Two or more capitalised words not at the start of a sentence.
FULL_NAME = re.compile(rf"(?<![.!?¡¿:;\n]\s)(?<!^)(?<=\s)({_CAP}(?:\s+{_CAP})+)", re.UNICODE)

# Common Chinese surnames (the top hundred or so cover most of the population).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁"
    "蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_HAN = r"[\u4e00-\u9fff]"
_ZH_TITLES = "老师|先生|女士|小姐|校长|主任|同学|阿姨|叔叔|医生|教练"
# Surname characters that are more often a preposition or a common word: only taken
# for a surname alone right before a title ("高老师"), never as the start of a longer name.
_AMBIGUOUS = "和向于时成全文安常高关应明连路司单解华宁管包车项景古齐易商辛"
_PLAIN = "".join(c for c in SURNAMES if c not in _AMBIGUOUS)
ZH_BEFORE_TITLE = re.compile(rf"([{_PLAIN}]{_HAN}{{0,2}}?|[{_AMBIGUOUS}])(?={_ZH_TITLES})")
# After a title, a name ends where a sentence goes on: punctuation, a space or a verb.
ZH_AFTER_TITLE = re.compile(
    rf"(?<=老师|先生|女士|名叫|叫做|儿叫|子叫|我叫|字叫|字是)([{_PLAIN}]{_HAN}{{1,2}}?)"
    r"(?=[，。、！？；：,.!?;:\s]|$|说|讲|是|很|也|对|的|和|教|帮|给|让)"
)
# Whose parent or grandparent the writer is: "我是王小明的妈妈".
ZH_BEFORE_KIN = re.compile(
    rf"([{_PLAIN}]{_HAN}{{1,2}}?)(?=的(?:妈妈|爸爸|母亲|父亲|家长|奶奶|爷爷|外婆|外公|姥姥|姥爷|监护人))"
)
# Before a title these are words, not names ("和老师" = "with the teacher").
_ZH_NOT_NAMES = {"和", "向", "于", "全", "文", "时", "成", "连", "管", "给"}


def _phone(match: re.Match) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if digits < MIN_PHONE_DIGITS:
        return text
    trailing = text[len(text.rstrip(" .-/")) :]
    return PHONE_MARK + trailing


def _zh_name(match: re.Match) -> str:
    return match.group(0) if match.group(1) in _ZH_NOT_NAMES else NAME_MARK


def mask(text: str) -> str:
    """The comment with emails, phone numbers and names replaced by [email], [phone], [name]."""
    text = EMAIL.sub(EMAIL_MARK, text)
    text = PHONE.sub(_phone, text)
    text = TITLED_NAME.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + NAME_MARK, text)
    text = FULL_NAME.sub(NAME_MARK, text)
    text = ZH_BEFORE_TITLE.sub(_zh_name, text)
    text = ZH_AFTER_TITLE.sub(_zh_name, text)
    text = ZH_BEFORE_KIN.sub(_zh_name, text)
    return text
