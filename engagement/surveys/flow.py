"""Which questions a respondent sees, in what order, and when they are done.

Answers here are the draft's JSON: {question_key: value}.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .definition import Question, SurveyDefinition


def _matches(question: Question, answers: Mapping[str, Any], visible: set[str]) -> bool:
    condition = question.show_if
    if condition is None:
        return True
    if condition.question not in visible:
        return False
    given = answers.get(condition.question)
    chosen = set(given) if isinstance(given, list | tuple) else {given}
    return bool(chosen & set(condition.values))


def visible_keys(definition: SurveyDefinition, answers: Mapping[str, Any]) -> set[str]:
    """Questions shown given these answers; a hidden question hides those that depend on it."""
    if not definition.has_skip_rules:
        return set(definition.questions_by_key)
    visible: set[str] = set()
    for question in definition.questions:
        if _matches(question, answers, visible):
            visible.add(question.key)
    return visible


def section_questions(
    definition: SurveyDefinition, index: int, answers: Mapping[str, Any]
) -> list[Question]:
    """The questions of one section that these answers leave visible."""
    visible = visible_keys(definition, answers)
    return [q for q in definition.sections[index].questions if q.key in visible]


def next_section(
    definition: SurveyDefinition, answers: Mapping[str, Any], after: int
) -> int | None:
    """Index of the next section with a visible question, or None when the survey is done."""
    visible = visible_keys(definition, answers)
    for index in range(after + 1, len(definition.sections)):
        if any(q.key in visible for q in definition.sections[index].questions):
            return index
    return None


def previous_section(
    definition: SurveyDefinition, answers: Mapping[str, Any], before: int
) -> int | None:
    visible = visible_keys(definition, answers)
    for index in range(before - 1, -1, -1):
        if any(q.key in visible for q in definition.sections[index].questions):
            return index
    return None


def prune_hidden(definition: SurveyDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Drop answers to questions an earlier change of answer has hidden."""
    visible = visible_keys(definition, answers)
    return {key: value for key, value in answers.items() if key in visible}


def missing_required(definition: SurveyDefinition, answers: Mapping[str, Any]) -> list[str]:
    visible = visible_keys(definition, answers)
    return [
        q.key
        for q in definition.questions
        if q.required and q.key in visible and answers.get(q.key) in (None, "", [], ())
    ]


def next_question(
    definition: SurveyDefinition, answers: Mapping[str, Any], after_key: str | None
) -> Question | None:
    """The next visible question after `after_key` (or the first), as SMS asks them."""
    visible = visible_keys(definition, answers)
    questions = definition.questions
    start = 0
    if after_key is not None:
        start = next(i for i, q in enumerate(questions) if q.key == after_key) + 1
    return next((q for q in questions[start:] if q.key in visible), None)


def progress(
    definition: SurveyDefinition, answers: Mapping[str, Any], section_index: int
) -> tuple[int, int]:
    """(this section's number, number of sections) counting only sections that will be shown."""
    visible = visible_keys(definition, answers)
    shown = [
        i for i, s in enumerate(definition.sections) if any(q.key in visible for q in s.questions)
    ]
    position = sum(1 for i in shown if i <= section_index)
    return max(position, 1), max(len(shown), 1)
