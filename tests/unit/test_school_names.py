"""A school named by text message the way parents write it, against the seeded roster."""

import csv

import pytest

from engagement.models import School
from engagement.seeding import SEED_DIR
from engagement.sms.school_names import matching_schools, name_to_text

ROSTER = [
    School(code=row["code"], name=row["name"], name_es=row["name_es"], name_zh=row["name_zh"])
    for row in csv.DictReader((SEED_DIR / "schools.csv").open(encoding="utf-8"))
]


def codes(text: str) -> list[str]:
    return [school.code for school in matching_schools(text, ROSTER)]


@pytest.mark.parametrize(
    "text, code",
    [
        ("jackson", "jackson"),  # the code
        ("JACKSON ELEMENTARY", "jackson"),  # the stored name
        ("Jackson Elementary School", "jackson"),  # "School" added
        ("Escuela Jackson", "jackson"),
        ("escuela primaria Jackson", "jackson"),  # Spanish level word
        ("Jakson", "jackson"),  # one letter missing
        ("Pasadena High School", "pasadena-hs"),
        ("PHS", "pasadena-hs"),  # initials
        ("jmhs", "muir"),
        ("Pasa", "pasadena-hs"),  # the start of a word
        ("Escuela Secundaria Washington", "washington-ms"),
        ("Washington Middle School", "washington-ms"),
        ("Field小学", "field"),
        ("Norma-Coombs", "norma-coombs"),
        ("ｊａｃｋｓｏｎ", "jackson"),  # full-width
        ("Escuela Preparatoria Pasadena", "pasadena-hs"),  # the roster's Spanish name
        ("杰克逊小学", "jackson"),  # the roster's Chinese name
        ("杰克逊", "jackson"),  # not 杰斐逊 (Jefferson), one character off
        ("杰克森", "jackson"),  # another spelling of the same sound
        ("杰克森学校", "jackson"),
        ("缪尔", "muir"),  # two characters name a school in Chinese
        ("约翰缪尔高中", "muir"),  # without the name's dot
        ("麦金利", "mckinley"),
        ("傑克遜小學", "jackson"),  # in Traditional characters
        ("約翰繆爾高中", "muir"),
        ("華盛頓中學", "washington-ms"),  # 中学: the middle school, in everyday Chinese
    ],
)
def test_one_school(text, code):
    assert codes(text) == [code]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Washington", {"washington-ms", "washington-es"}),
        ("Sierra Madre", {"sierra-madre-ms", "sierra-madre-es"}),
        ("high school", {"muir", "blair", "pasadena-hs"}),
        ("wms", {"washington-ms", "wilson"}),
        ("华盛顿", {"washington-ms", "washington-es"}),
        ("塞拉马德雷学校", {"sierra-madre-ms", "sierra-madre-es"}),
    ],
)
def test_several_schools_are_all_offered(text, expected):
    assert set(codes(text)) == expected


@pytest.mark.parametrize(
    "text",
    # "Jacksno": two letters wrong is not guessed; "Jackson in Altadena": no school is both;
    # one Chinese character says too little.
    ["the school", "hi", "1", "🙂", "", "Jacksno", "Jackson in Altadena", "小学", "杰", "学校 杰"],
)
def test_nothing_or_too_little_names_no_school(text):
    assert codes(text) == []


@pytest.mark.parametrize("language", ["en", "es", "zh"])
def test_what_a_flyer_prints_after_the_keyword_names_its_school_alone(language):
    """Every school of the roster, on every language's line, texted back, is that school."""
    for school in ROSTER:
        printed = name_to_text(school, language, ROSTER)
        assert matching_schools(printed, ROSTER) == [school], (school.code, printed)
        assert "-" not in printed  # no code like WASHINGTON-ES, read as "es" in Spanish
    assert name_to_text(ROSTER_BY_CODE["jackson"], "es", ROSTER) == "JACKSON"
    assert name_to_text(ROSTER_BY_CODE["washington-es"], "es", ROSTER) == "Primaria Washington"
    assert name_to_text(ROSTER_BY_CODE["muir"], "zh", ROSTER) == "约翰缪尔高中"  # no ·


ROSTER_BY_CODE = {school.code: school for school in ROSTER}


def test_a_level_word_picks_from_a_list_of_schools_sent():
    """After "1 华盛顿小学 / 2 华盛顿初中", a reply of "初中" is the second."""
    washingtons = [ROSTER_BY_CODE["washington-es"], ROSTER_BY_CODE["washington-ms"]]
    assert matching_schools("初中", washingtons) == [ROSTER_BY_CODE["washington-ms"]]
    assert matching_schools("小学", washingtons) == [ROSTER_BY_CODE["washington-es"]]
