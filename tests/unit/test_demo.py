"""Demo answers look like real ones: demo reports should not read 100% everywhere."""

import random

from engagement.demo import random_answers
from tests.support import TEMPLATES, template


def test_demo_answers_sometimes_choose_none_of_these():
    survey = template(TEMPLATES / "student-climate-2026.yaml")
    question = next(
        q
        for q in survey.questions
        if q.type.value == "multiple_choice" and any(c.exclusive for c in q.choices)
    )
    only = {c.value for c in question.choices if c.exclusive}
    rng = random.Random(1)
    picked = [random_answers(survey, rng, "en").get(question.key) for _ in range(200)]
    alone = [answer for answer in picked if answer and set(answer) <= only]
    assert 10 <= len(alone) <= 60  # some, never mixed with other options
    assert all(len(answer) == 1 for answer in alone)


def test_demo_families_have_children_of_the_grades_their_school_teaches():
    survey = template(TEMPLATES / "family-2026.yaml")
    band = next(q for q in survey.questions if q.sets == "grade_band")
    codes = {c.value: c.code for c in band.choices}
    rng = random.Random(3)
    elementary = {codes[random_answers(survey, rng, "es", {"k-5"})[band.key]] for _ in range(50)}
    assert elementary == {"k-5"}
    mixed = {codes[random_answers(survey, rng, "en", {"6-8", "9-12"})[band.key]] for _ in range(50)}
    assert mixed == {"6-8", "9-12"}
