"""Per-response indicator outcomes, decided by the survey engine's scoring rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from engagement.models import Answer, Question, Response, ResponseOutcome, SurveyVersion
from engagement.surveys import SurveyDefinition
from engagement.surveys.answers import from_draft
from engagement.surveys.scoring import outcomes

# Executed with a list of rows: one cached statement, batched by the driver.
_INSERT_OUTCOMES = insert(ResponseOutcome.__table__)


def outcome_rows(
    definition: SurveyDefinition, answers: Mapping[str, Any], response_id: int | None = None
) -> list[dict]:
    """Rows for response_outcome: one per indicator the respondent gave something to go on."""
    return [
        {"response_id": response_id, "indicator": key, "value": bool(value)}
        for key, value in outcomes(definition, answers).items()
        if value is not None
    ]


def answers_of_responses(
    session: Session, version: SurveyVersion, definition: SurveyDefinition
) -> dict[int, dict[str, Any]]:
    """Every stored response of a version as {response id: {question key: value}}."""
    keys = dict(
        session.execute(
            select(Question.id, Question.key).where(Question.version_id == version.id)
        ).all()
    )
    rows = session.execute(
        select(Answer.response_id, Answer.question_id, Answer.value_number, Answer.value_text)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.version_id == version.id)
        .order_by(Answer.response_id, Answer.question_id, Answer.ordinal)
    )
    found: dict[int, dict[str, Any]] = {
        rid: {}
        for rid in session.scalars(select(Response.id).where(Response.version_id == version.id))
    }
    for response_id, question_id, number, text in rows:
        key = keys[question_id]
        question = definition.question(key)
        answers = found[response_id]
        if question.type.value == "multiple_choice":
            answers.setdefault(key, []).append(int(number))
        elif question.type.value == "text":
            answers[key] = text
        elif question.type.value == "number":
            answers[key] = number
        else:
            answers[key] = from_draft(question, number)
    return found


def rescore_version(session: Session, version: SurveyVersion, definition: SurveyDefinition) -> int:
    """Decide every stored response's outcomes again from its answers (after a rule change, or for
    responses stored before outcomes were). Returns the number of responses. Does not commit."""
    answers = answers_of_responses(session, version, definition)
    session.execute(
        delete(ResponseOutcome).where(
            ResponseOutcome.response_id.in_(
                select(Response.id).where(Response.version_id == version.id)
            )
        )
    )
    rows = [row for rid, given in answers.items() for row in outcome_rows(definition, given, rid)]
    for start in range(0, len(rows), 5000):
        session.execute(_INSERT_OUTCOMES, rows[start : start + 5000])
    return len(answers)
