"""Skip rules, section flow and favourable coding."""

from engagement.surveys import Outcome, OutcomeRule
from engagement.surveys.flow import (
    missing_required,
    next_question,
    next_section,
    progress,
    prune_hidden,
    section_questions,
    visible_keys,
)
from engagement.surveys.scoring import evaluate_outcome, is_favourable, outcome_rules, outcomes
from tests.support import catalogue, mini


def test_show_if_hides_a_question_until_its_condition_holds():
    definition = mini()
    assert "how_often" not in visible_keys(definition, {})
    assert "how_often" not in visible_keys(definition, {"attended": 0})
    assert "how_often" in visible_keys(definition, {"attended": 1})


def test_changing_an_earlier_answer_drops_answers_it_hides():
    definition = mini()
    answers = {"attended": 0, "how_often": 3, "safe": 4}
    assert prune_hidden(definition, answers) == {"attended": 0, "safe": 4}


def test_required_questions_are_only_required_when_visible():
    definition = mini()
    assert missing_required(definition, {}) == ["attended", "grade"]
    assert missing_required(definition, {"attended": 1, "grade": 9}) == []


def test_sections_and_progress_follow_visibility():
    definition = mini()
    assert next_section(definition, {}, -1) == 0
    assert next_section(definition, {}, 0) == 1
    assert next_section(definition, {}, 1) is None
    assert [q.key for q in section_questions(definition, 1, {"attended": 0})] == [
        "safe",
        "kids",
        "channels",
        "comment",
    ]
    assert progress(definition, {}, 1) == (2, 2)


def test_next_question_walks_visible_questions_one_at_a_time():
    definition = mini()
    answers = {"attended": 0}
    keys = []
    key = None
    while (question := next_question(definition, answers, key)) is not None:
        keys.append(question.key)
        key = question.key
    assert keys == ["attended", "grade", "band", "safe", "kids", "channels", "comment"]
    assert next_question(definition, {"attended": 1}, "band").key == "how_often"


def test_favourable_coding_per_type():
    definition = mini()
    assert is_favourable(definition.question("attended"), 1) is True
    assert is_favourable(definition.question("attended"), 0) is False
    grade = definition.question("grade")
    assert [is_favourable(grade, v) for v in (4, 3, 2, 1, 0)] == [True, True, False, False, False]
    assert is_favourable(grade, 9) is None  # "don't know" is left out
    assert is_favourable(definition.question("safe"), 4) is True
    assert is_favourable(definition.question("comment"), "great") is None


def test_reverse_coded_likert_flips_score_and_default_favourable():
    from engagement.surveys.validation import validate_template

    raw = {
        "slug": "rev-2026",
        "audience": "student",
        "school_year": "2026-27",
        "title": {"en": "R", "es": "R", "zh": "R"},
        "sections": [
            {
                "key": "s",
                "title": {"en": "S", "es": "S", "zh": "S"},
                "questions": [
                    {
                        "key": "belong",
                        "type": "likert",
                        "indicator": "school_connectedness",
                        "text": {"en": "I belong.", "es": "Pertenezco.", "zh": "我属于这里。"},
                    },
                    {
                        "key": "left_out",
                        "type": "likert",
                        "reverse_coded": True,
                        "indicator": "school_connectedness",
                        "text": {
                            "en": "I feel left out.",
                            "es": "Me siento excluido.",
                            "zh": "我觉得被冷落。",
                        },
                    },
                ],
            }
        ],
    }
    definition, problems = validate_template(raw, "rev.yaml", catalogue())
    assert problems == []
    left_out = definition.question("left_out")
    assert left_out.favourable == {1, 2}
    assert left_out.score(1) == 5 and left_out.score(5) == 1
    assert is_favourable(left_out, 2) is True
    (rule,) = outcome_rules(definition)
    assert rule.rule is OutcomeRule.SCALE_MEAN and rule.threshold == 4
    # mean of 5 and flipped 1 (=5) -> 5: counts; mean of 4 and flipped 4 (=2) -> 3: does not
    assert outcomes(definition, {"belong": 5, "left_out": 1}) == {"school_connectedness": True}
    assert outcomes(definition, {"belong": 4, "left_out": 4}) == {"school_connectedness": False}
    # one of two items is enough (half); none is no outcome at all
    assert outcomes(definition, {"belong": 4}) == {"school_connectedness": True}
    assert outcomes(definition, {}) == {"school_connectedness": None}


def test_default_outcomes_count_any_favourable_answer():
    definition = mini()
    assert outcomes(definition, {"attended": 1, "grade": 2}) == {
        "family_engagement": True,
        "school_rating": False,
    }
    assert outcomes(definition, {"attended": 0, "grade": 9}) == {
        "family_engagement": False,
        "school_rating": None,
    }


def test_any_of_and_all_of_with_explicit_values():
    definition = mini()
    bullied = Outcome("bullying", OutcomeRule.ANY_OF, ("how_often",), frozenset({2, 3}))
    assert evaluate_outcome(definition, bullied, {"attended": 1, "how_often": 1}) is False
    assert evaluate_outcome(definition, bullied, {"attended": 1, "how_often": 3}) is True
    # hidden by the skip rule: no outcome
    assert evaluate_outcome(definition, bullied, {"attended": 0, "how_often": 3}) is None
    both = Outcome("x", OutcomeRule.ALL_OF, ("attended", "grade"), frozenset({1, 4}))
    assert evaluate_outcome(definition, both, {"attended": 1, "grade": 4}) is True
    assert evaluate_outcome(definition, both, {"attended": 1, "grade": 3}) is False
    assert evaluate_outcome(definition, both, {"attended": 1, "grade": 9}) is True
