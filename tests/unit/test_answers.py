"""Answer parsing per question type, as typed on the web and by SMS."""

import dataclasses

import pytest

from engagement.surveys import AnswerError, parse_form_values, parse_text_reply
from engagement.surveys.answers import normalise, parse_number_text
from tests.support import mini


def question(key):
    return mini().question(key)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sí", "si"),
        ("  SI! ", "si"),
        ("ＳＩ", "si"),
        ("１", "1"),
        ("是的。", "是的"),
        ("Ñandú", "nandu"),
    ],
)
def test_normalise_ignores_case_accents_width_and_punctuation(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    "reply",
    ["1", "１", "yes", "YES", "Yes!", "y", "sí", "Si", "SI", "ｓｉ", "是", "是的", "对", "一"],
)
def test_yes_no_accepts_yes_in_three_languages(reply):
    assert parse_text_reply(question("attended"), reply) == 1


@pytest.mark.parametrize("reply", ["2", "２", "no", "NO", "No.", "n", "否", "不是", "没有", "二"])
def test_yes_no_accepts_no_in_three_languages(reply):
    assert parse_text_reply(question("attended"), reply) == 0


@pytest.mark.parametrize("reply", ["3", "0", "maybe", "quizás", "🙂", "1 2"])
def test_yes_no_rejects_other_replies(reply):
    with pytest.raises(AnswerError) as error:
        parse_text_reply(question("attended"), reply)
    assert error.value.code in {"not_a_choice", "choose_one"}


@pytest.mark.parametrize(
    ("reply", "value"),
    [
        ("1", 4),
        ("A", 4),
        ("a", 4),
        ("ｂ", 3),
        ("Excellent", 4),
        ("excelente", 4),
        ("优秀", 4),
        ("F – Failing", 0),
        ("5", 0),
        ("6", 9),
        ("no sé", 9),
        ("不知道", 9),
        ("don't know", 9),
    ],
)
def test_grade_accepts_number_letter_and_words(reply, value):
    assert parse_text_reply(question("grade"), reply) == value


@pytest.mark.parametrize(
    ("reply", "value"),
    [
        ("1", 1),
        ("Never", 1),
        ("nunca", 1),
        ("从不", 1),
        ("a veces", 2),
        ("A VECES", 2),
        ("3", 3),
        ("3. Often", 3),
        ("2 sometimes", 2),
        ("经常", 3),
    ],
)
def test_single_choice_by_number_or_label_in_any_language(reply, value):
    assert parse_text_reply(question("how_often"), reply) == value


@pytest.mark.parametrize(
    ("reply", "value"),
    [
        ("1,2", (1, 2)),
        ("1 2", (1, 2)),
        ("12", (1, 2)),
        ("2, 1", (1, 2)),
        ("１、２", (1, 2)),
        ("email", (2,)),
        ("Text message, email", (1, 2)),
        ("短信和电子邮件", (1, 2)),
        ("3", (3,)),
    ],
)
def test_multiple_choice_replies(reply, value):
    assert parse_text_reply(question("channels"), reply) == value


@pytest.mark.parametrize("reply", ["don't know", "IDK", "no sé", "不知道", "不清楚", "不確定"])
def test_dont_know_however_the_not_applicable_answer_is_worded(reply):
    """The family survey's "Not sure" / "不确定": a grandparent answers "不知道"."""
    from tests.support import TEMPLATES, template

    question = template(TEMPLATES / "family-2026.yaml").question("health_insurance")
    (unsure,) = [choice for choice in question.choices if choice.not_applicable]
    assert unsure.label["en"] == "Not sure"
    assert parse_text_reply(question, reply) == unsure.value


def test_exclusive_choice_cannot_be_combined():
    with pytest.raises(AnswerError) as error:
        parse_text_reply(question("channels"), "1 3")
    assert error.value.code == "exclusive_conflict"
    with pytest.raises(AnswerError):
        parse_form_values(question("channels"), ["3", "2"])


@pytest.mark.parametrize(
    ("reply", "value"),
    [
        ("3", 3),
        ("３", 3),
        (" 12 ", 12),
        ("0", 0),
        ("三", 3),
        ("十二", 12),
        ("2.0", 2),
        ("1,5", 1.5),
        ("0,250", 0.25),  # no thousands start with 0: a decimal comma
        ("10.5", 10.5),
    ],
)
def test_number_accepts_ascii_full_width_and_chinese_numerals(reply, value):
    assert parse_text_reply(question("kids"), reply) == value
    assert parse_form_values(question("kids"), [reply]) == value


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        ("13", "too_large"),
        ("-1", "too_small"),
        ("lots", "not_a_number"),
        ("3 kids", "not_a_number"),
        ("NaN", "not_a_number"),
        ("1e9", "not_a_number"),
        # 1600 in English, 1.6 in Spanish (and "1.000" the other way round): not guessed.
        ("1,600", "digits_only"),
        ("1.000", "digits_only"),
        ("１，６００", "digits_only"),
        ("12,345,678", "digits_only"),
    ],
)
def test_number_out_of_range_or_not_a_number(reply, code):
    with pytest.raises(AnswerError) as error:
        parse_text_reply(question("kids"), reply)
    assert error.value.code == code


def test_a_number_too_big_for_a_float_is_not_a_number_even_without_a_maximum():
    unbounded = dataclasses.replace(question("kids"), maximum=None)
    assert parse_text_reply(unbounded, "9" * 30) == 10**30 - 1
    with pytest.raises(AnswerError) as error:
        parse_text_reply(unbounded, "9" * 400)  # float("inf") would reach the database
    assert error.value.code == "not_a_number"


def test_number_text_parser_handles_full_width_minus():
    assert parse_number_text("－５") == -5


def test_text_is_kept_verbatim_but_trimmed_and_stripped_of_control_characters():
    reply = "  <b>Great</b> school\u0007 😀 =1+1  "
    assert parse_text_reply(question("comment"), reply) == "<b>Great</b> school 😀 =1+1"


def test_text_longer_than_the_limit_is_refused_with_its_length():
    with pytest.raises(AnswerError) as error:
        parse_form_values(question("comment"), ["x" * 501])
    assert error.value.code == "too_long"
    assert error.value.params == {"maximum": 500, "length": 501}


def test_blank_answers_are_none_not_errors():
    for key in ("attended", "grade", "kids", "comment", "channels"):
        assert parse_form_values(question(key), []) is None
        assert parse_form_values(question(key), ["  "]) is None
        assert parse_text_reply(question(key), " ") is None


def test_web_form_values_must_be_choice_values():
    assert parse_form_values(question("grade"), ["3"]) == 3
    assert parse_form_values(question("channels"), ["2", "1"]) == (1, 2)
    for bad in (["7"], ["A"], ["1", "2"]):
        with pytest.raises(AnswerError):
            parse_form_values(question("grade"), bad)
