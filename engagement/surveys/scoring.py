"""Favourable coding and per-respondent indicator outcomes."""

from __future__ import annotations

from collections.abc import Mapping
from statistics import fmean
from typing import Any

from .definition import Outcome, OutcomeRule, Question, QuestionType, SurveyDefinition
from .flow import visible_keys


def is_favourable(question: Question, value: Any) -> bool | None:
    """True/False for an answerable choice; None when unanswered, "not applicable" or uncoded."""
    if value is None or not question.favourable or not question.type.has_choices:
        return None
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return bool(set(value) & question.favourable)
    choice = question.choice_by_value(int(value))
    if choice is None or choice.not_applicable:
        return None
    return choice.value in question.favourable


def outcome_rules(definition: SurveyDefinition) -> tuple[Outcome, ...]:
    """Explicit outcomes, plus a default for every other indicator a question feeds.

    Default: a scale of Likert items counts a respondent whose mean item score
    (reverse-coded items flipped) reaches the scale's lowest favourable value,
    i.e. "Agree" on average; anything else counts a respondent with at least one
    favourable answer among the indicator's questions.
    """
    explicit = {o.indicator: o for o in definition.outcomes}
    grouped: dict[str, list[Question]] = {}
    for question in definition.questions:
        if question.indicator and question.indicator not in explicit:
            grouped.setdefault(question.indicator, []).append(question)
    defaults = []
    for indicator, questions in grouped.items():
        keys = tuple(q.key for q in questions)
        if all(q.type is QuestionType.LIKERT for q in questions):
            first = questions[0]
            favourable_scores = [first.score(v) for v in first.favourable] or [4.0]
            defaults.append(
                Outcome(indicator, OutcomeRule.SCALE_MEAN, keys, threshold=min(favourable_scores))
            )
        else:
            defaults.append(Outcome(indicator, OutcomeRule.ANY_OF, keys))
    return (*definition.outcomes, *defaults)


def _answerable(question: Question, value: Any) -> list[int]:
    """The chosen values that count (not "not applicable"), as a list."""
    chosen = value if isinstance(value, list | tuple) else [value]
    kept = []
    for v in chosen:
        choice = question.choice_by_value(int(v))
        if choice is not None and not choice.not_applicable:
            kept.append(choice.value)
    return kept


def evaluate_outcome(
    definition: SurveyDefinition,
    outcome: Outcome,
    answers: Mapping[str, Any],
    visible: set[str] | None = None,
) -> bool | None:
    """Does this respondent count for the indicator? None when they gave it nothing to go on.

    `visible`: visible_keys(definition, answers), when the caller has it already.
    """
    if visible is None:
        visible = visible_keys(definition, answers)
    given: list[tuple[Question, list[int]]] = []
    for key in outcome.questions:
        if key not in visible or answers.get(key) is None:
            continue
        question = definition.question(key)
        values = _answerable(question, answers[key])
        if values:
            given.append((question, values))
    if not given:
        return None
    hits = [
        bool(set(values) & (outcome.values or question.favourable)) for question, values in given
    ]
    if outcome.rule is OutcomeRule.ANY_OF:
        return any(hits)
    if outcome.rule is OutcomeRule.ALL_OF:
        return all(hits)
    # Scale mean: at least half the items answered, so one item cannot stand for a scale.
    if len(given) * 2 < len(outcome.questions):
        return None
    mean = fmean(question.score(values[0]) for question, values in given)
    return mean >= (outcome.threshold if outcome.threshold is not None else 4.0)


def outcomes(definition: SurveyDefinition, answers: Mapping[str, Any]) -> dict[str, bool | None]:
    """Every indicator this survey measures, decided for one respondent."""
    visible = visible_keys(definition, answers)
    return {
        o.indicator: evaluate_outcome(definition, o, answers, visible)
        for o in definition.scored_outcomes
    }
