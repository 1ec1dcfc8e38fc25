"""A school named by text message the way parents write it, against the seeded roster."""

import csv
from pathlib import Path
from types import SimpleNamespace

import pytest

from engagement.sms.school_names import matching_schools

ROSTER = [
    SimpleNamespace(code=row["code"], name=row["name"])
    for row in csv.DictReader(
        (Path(__file__).parents[2] / "engagement/seed/schools.csv").open(encoding="utf-8")
    )
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
    ],
)
def test_several_schools_are_all_offered(text, expected):
    assert set(codes(text)) == expected


@pytest.mark.parametrize(
    "text",
    # "Jacksno": two letters wrong is not guessed; "Jackson in Altadena": no school is both.
    ["the school", "hi", "1", "杰克逊", "🙂", "", "Jacksno", "Jackson in Altadena"],
)
def test_nothing_or_too_little_names_no_school(text):
    assert codes(text) == []
