"""Built-in answer scales, worded once in every supported language."""

from .definition import Choice, QuestionType


def _choice(value: int, code: str, en: str, es: str, zh: str) -> Choice:
    return Choice(value=value, code=code, label={"en": en, "es": es, "zh": zh})


AGREE_5 = (
    _choice(1, "strongly_disagree", "Strongly disagree", "Muy en desacuerdo", "非常不同意"),
    _choice(2, "disagree", "Disagree", "En desacuerdo", "不同意"),
    _choice(
        3,
        "neutral",
        "Neither agree nor disagree",
        "Ni de acuerdo ni en desacuerdo",
        "既不同意也不反对",
    ),
    _choice(4, "agree", "Agree", "De acuerdo", "同意"),
    _choice(5, "strongly_agree", "Strongly agree", "Muy de acuerdo", "非常同意"),
)

# Letter grades as US schools give them; the words help families who did not
# go to school here.
GRADE_A_F = (
    _choice(4, "A", "A – Excellent", "A – Excelente", "A – 优秀"),
    _choice(3, "B", "B – Good", "B – Buena", "B – 良好"),
    _choice(2, "C", "C – Fair", "C – Regular", "C – 一般"),
    _choice(1, "D", "D – Poor", "D – Deficiente", "D – 较差"),
    _choice(0, "F", "F – Failing", "F – Reprobada", "F – 不及格"),
)

YES_NO = (
    _choice(1, "yes", "Yes", "Sí", "是"),
    _choice(0, "no", "No", "No", "否"),
)

NOT_APPLICABLE_VALUE = 9
NOT_APPLICABLE_CODE = "na"

BUILT_IN_CHOICES = {
    QuestionType.LIKERT: AGREE_5,
    QuestionType.GRADE: GRADE_A_F,
    QuestionType.YES_NO: YES_NO,
}

# Favourable values when a template does not say otherwise.
DEFAULT_FAVOURABLE = {
    QuestionType.LIKERT: frozenset({4, 5}),
    QuestionType.GRADE: frozenset({4, 3}),
    QuestionType.YES_NO: frozenset({1}),
}
REVERSED_LIKERT_FAVOURABLE = frozenset({1, 2})
