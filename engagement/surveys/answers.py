"""Answer parsing shared by the web form and the SMS conversation.

Web forms send choice values; a text message sends whatever the person typed:
a choice number, a label in any of the three languages, "si", full-width "１".
Both end in the same normalised value, checked against the same rules.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files

from .definition import AnswerValue, Choice, Question, QuestionType


class AnswerError(ValueError):
    """A reply that does not answer the question; `code` picks the respondent's message."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params


_PUNCTUATION = " \t\r\n.,;:!?¡¿\"'`()[]{}<>*_~-–—…。，、；：！？“”‘’「」『』（）【】《》·"
_LIST_SEPARATORS = re.compile(r"\s*(?:[,;/&+、，；]|\band\b|\by\b|和)\s*")


@cache
def _simplified() -> dict[int, str]:
    """Traditional Chinese characters to Simplified, from OpenCC's character table (read
    once): a grandparent may write 傑克遜, 退訂 or 跳過 where our words say 杰克逊, 退订, 跳过."""
    table = files("opencc").joinpath("dictionary/TSCharacters.txt").read_text(encoding="utf-8")
    pairs = (line.split("\t") for line in table.splitlines() if "\t" in line)
    return {ord(traditional): simplified.split()[0] for traditional, simplified in pairs}


def normalise(text: str) -> str:
    """Case-, accent-, width- and script-insensitive form: "Sí" -> "si", "ＳＩ" -> "si",
    "１" -> "1", "跳過" -> "跳过"."""
    text = unicodedata.normalize("NFKC", text).translate(_simplified())
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"\s+", " ", text).strip(_PUNCTUATION)


YES_WORDS = frozenset(
    normalise(w)
    for w in (
        "yes",
        "y",
        "yeah",
        "yep",
        "yup",
        "sure",
        "ok",
        "okay",
        "sí",
        "si",
        "s",
        "claro",
        "por supuesto",
        "是",
        "是的",
        "对",
        "对的",
        "有",
        "好",
        "好的",
        "嗯",
        "要",
    )
)
NO_WORDS = frozenset(
    normalise(w)
    for w in (
        "no",
        "n",
        "nope",
        "nah",
        "no",
        "nunca",
        "否",
        "不",
        "不是",
        "没有",
        "没",
        "不要",
        "无",
    )
)
# "Don't know", however a "not applicable" answer happens to be worded ("Not sure", "不确定").
DONT_KNOW_WORDS = frozenset(
    normalise(w)
    for w in (
        "don't know",
        "dont know",
        "do not know",
        "idk",
        "not sure",
        "unsure",
        "dunno",
        "no sé",
        "no se",
        "no lo sé",
        "no estoy seguro",
        "no estoy segura",
        "ni idea",
        "不知道",
        "不清楚",
        "不确定",
        "不晓得",
    )
)

_CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _chinese_number(text: str) -> int | None:
    """Chinese numerals up to 99: 三, 十二, 二十, 四十五."""
    if not text or any(ch not in _CHINESE_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _CHINESE_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[ones] if ones else 0)


# "1,600" is 1600 in English and 1.6 in Spanish, "1.000" the other way round: which a
# respondent meant cannot be told, so they are asked to write digits only.
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:[.,]\d{3})+")


def parse_number_text(raw: str) -> Decimal:
    """A typed number: full-width or Arabic-Indic digits, Chinese numerals, a decimal point or
    comma; a thousands separator is refused (AnswerError "digits_only")."""
    text = unicodedata.normalize("NFKC", raw).strip().rstrip(".。").replace(" ", "")
    chinese = _chinese_number(text)
    if chinese is not None:
        return Decimal(chinese)
    if _GROUPED.fullmatch(text):
        raise AnswerError("digits_only")
    if re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", text) is None:
        raise AnswerError("not_a_number")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the regex admits only decimals
        raise AnswerError("not_a_number") from error


def _check_number(question: Question, number: Decimal) -> int | float:
    if not number.is_finite() or not math.isfinite(float(number)):  # 400 digits overflow a float
        raise AnswerError("not_a_number")
    if question.minimum is not None and number < Decimal(str(question.minimum)):
        raise AnswerError("too_small", minimum=question.minimum)
    if question.maximum is not None and number > Decimal(str(question.maximum)):
        raise AnswerError("too_large", maximum=question.maximum)
    return int(number) if number == number.to_integral_value() else float(number)


def _check_text(question: Question, raw: str) -> str | None:
    # Control characters other than newlines and tabs have no place in a comment.
    text = "".join(ch for ch in raw if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()
    if not text:
        return None
    limit = question.max_length or 0
    if limit and len(text) > limit:
        raise AnswerError("too_long", maximum=limit, length=len(text))
    return text


def _check_selection(question: Question, values: Iterable[int]) -> AnswerValue | None:
    chosen = sorted(set(values))
    if not chosen:
        return None
    if question.type is not QuestionType.MULTIPLE_CHOICE:
        if len(chosen) > 1:
            raise AnswerError("choose_one")
        return chosen[0]
    exclusive = [v for v in chosen if (c := question.choice_by_value(v)) and c.exclusive]
    if exclusive and len(chosen) > 1:
        raise AnswerError("exclusive_conflict", choice=exclusive[0])
    return tuple(chosen)


def parse_form_values(question: Question, raw_values: list[str]) -> AnswerValue | None:
    """A web form's values for one question; None when left blank."""
    raw_values = [v for v in raw_values if v is not None and v.strip() != ""]
    if not raw_values:
        return None
    if question.type is QuestionType.TEXT:
        return _check_text(question, raw_values[0])
    if question.type is QuestionType.NUMBER:
        return _check_number(question, parse_number_text(raw_values[0]))
    values = []
    for raw in raw_values:
        try:
            value = int(raw)
        except ValueError as error:
            raise AnswerError("not_a_choice") from error
        if question.choice_by_value(value) is None:
            raise AnswerError("not_a_choice")
        values.append(value)
    return _check_selection(question, values)


def _choice_for_token(question: Question, token: str) -> Choice | None:
    """One typed token: the choice's number as listed, its code, or a label in any language."""
    if token.isdigit():
        position = int(token)
        if 1 <= position <= len(question.choices):
            return question.choices[position - 1]
        return None
    chinese = _chinese_number(token)
    if chinese is not None and 1 <= chinese <= len(question.choices):
        return question.choices[chinese - 1]
    if question.type is QuestionType.YES_NO:
        if token in YES_WORDS:
            return question.choice_by_value(1)
        if token in NO_WORDS:
            return question.choice_by_value(0)
    if token in DONT_KNOW_WORDS:
        unknowing = [choice for choice in question.choices if choice.not_applicable]
        if len(unknowing) == 1:
            return unknowing[0]
    for choice in question.choices:
        if token == normalise(choice.code):
            return choice
        if any(token == normalise(label) for label in choice.label.values()):
            return choice
    # A grade label is "A – Excellent"; the letter or the word alone both count.
    for choice in question.choices:
        for label in choice.label.values():
            parts = [normalise(p) for p in re.split(r"[–—-]", label)]
            if len(parts) > 1 and token in parts:
                return choice
    return None


def _choices_in_list(question: Question, text: str) -> list[Choice]:
    """Several choices in one reply: "1, 3", "1 3", "135", "si y no", "学校活动、家长会"."""
    candidates = [[t for t in _LIST_SEPARATORS.split(text) if t], text.split()]
    # "135" on a keypad means 1, 3 and 5 when there are fewer than ten choices.
    if text.isdigit() and len(question.choices) < 10:
        candidates.append(list(text))
    for tokens in candidates:
        choices = [_choice_for_token(question, t) for t in tokens]
        if tokens and all(choices):
            return choices  # type: ignore[return-value]
    raise AnswerError("not_a_choice")


def parse_text_reply(question: Question, raw: str) -> AnswerValue | None:
    """Free text typed by a respondent (SMS); None when the reply is empty."""
    if question.type is QuestionType.TEXT:
        return _check_text(question, raw)
    text = normalise(raw)
    if not text:
        return None
    if question.type is QuestionType.NUMBER:
        return _check_number(question, parse_number_text(raw))

    whole = _choice_for_token(question, text)
    if whole is not None:
        return _check_selection(question, [whole.value])
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return _check_selection(question, [c.value for c in _choices_in_list(question, text)])
    # "2 no" or "2. Disagree": a leading choice number followed by words.
    leading = re.match(r"^(\d+)\b\D*$", text)
    if leading:
        choice = _choice_for_token(question, leading.group(1))
        if choice is not None:
            return choice.value
    raise AnswerError("not_a_choice")


def answer_to_storage(
    question: Question, value: AnswerValue
) -> list[tuple[float | None, str | None]]:
    """(number, text) pairs as Answer rows: one per chosen option of a multiple choice."""
    if question.type is QuestionType.TEXT:
        return [(None, str(value))]
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return [(float(v), None) for v in value]  # type: ignore[union-attr]
    return [(float(value), None)]  # type: ignore[arg-type]


def from_draft(question: Question, stored: object) -> AnswerValue:
    """Draft answers are JSON: lists come back for multiple choice, numbers stay numbers."""
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return tuple(int(v) for v in stored)  # type: ignore[union-attr]
    if question.type is QuestionType.TEXT:
        return str(stored)
    if question.type is QuestionType.NUMBER:
        return stored  # type: ignore[return-value]
    return int(stored)  # type: ignore[arg-type]
