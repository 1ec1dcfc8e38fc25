"""Start a response, save answers as they come, and complete it exactly once.

Each function owns its transaction and takes the clock as an argument.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, delete, select, update
from sqlalchemy.orm import Session

from engagement.adapters.clock import Clock, start_of_day
from engagement.delivery.completion import CompletionRows, write_completion
from engagement.i18n import SUPPORTED_LANGUAGES
from engagement.models import (
    Channel,
    Conversation,
    Response,
    ResponseDraft,
    School,
    Survey,
    SurveyStatus,
    SurveyVersion,
    TakesResponses,
)
from engagement.models.driver import HotStatement
from engagement.reporting.outcomes import outcome_rows
from engagement.surveys import SurveyDefinition
from engagement.surveys.answers import answer_to_storage, from_draft
from engagement.surveys.flow import (
    missing_required,
    next_section,
    previous_section,
    prune_hidden,
    section_questions,
)
from engagement.surveys.store import definition_of, definition_of_row, latest_version


class DeliveryError(Exception):
    """A respondent-facing failure the views turn into a page in the respondent's language."""


class UnknownSurvey(DeliveryError):
    pass


class SurveyClosed(DeliveryError):
    def __init__(self, survey: Survey, language: str | None = None):
        super().__init__(survey.slug)
        self.survey = survey
        self.language = language  # the respondent's, when their draft says it


class SurveyNotOpenYet(SurveyClosed):
    """Closed until its window opens: whoever handles SurveyClosed (SMS) still refuses it."""


class UnknownSchool(DeliveryError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class DraftNotFound(DeliveryError):
    pass


class AlreadyCompleted(DeliveryError):
    pass


class DraftChanged(DeliveryError):
    """Another request wrote the draft after this one read it. Nothing was written: run again."""


class IncompleteResponse(DeliveryError):
    def __init__(self, missing: list[str]):
        super().__init__(", ".join(missing))
        self.missing = missing


@dataclass(frozen=True)
class OpenSurvey:
    survey: Survey
    version: SurveyVersion
    definition: SurveyDefinition


@dataclass
class DraftRow:
    """A response draft as plain values: every respondent's request reads one, so no ORM object."""

    id: int
    token: str
    version_id: int
    school_id: int
    channel: Channel
    language: str
    answers: dict[str, Any]
    furthest_section: int
    created_at: datetime
    completed: bool
    revision: int  # what a write names: it lands only if nobody else wrote since the read


@dataclass(frozen=True)
class SurveyWindow(TakesResponses):
    """What a respondent's request needs of their survey: which it is and whether it is open."""

    id: int
    slug: str
    status: SurveyStatus
    opens_at: datetime | None
    closes_at: datetime | None


@dataclass(frozen=True)
class DraftState:
    draft: DraftRow
    definition: SurveyDefinition
    survey: SurveyWindow
    version_hash: str
    question_ids: Mapping[str, int]


def find_published_survey(session: Session, slug: str) -> Survey:
    """The survey behind a link, open or closed since; a draft survey is not there yet."""
    survey = session.scalars(select(Survey).where(Survey.slug == slug)).first()
    if survey is None or survey.status == SurveyStatus.DRAFT:
        raise UnknownSurvey(slug)
    return survey


def find_open_survey(session: Session, slug: str, now: datetime) -> OpenSurvey:
    """The survey behind a link, if it is taking responses now."""
    survey = find_published_survey(session, slug)
    if survey.not_open_yet(now):
        raise SurveyNotOpenYet(survey)
    if not survey.accepts_responses(now):
        raise SurveyClosed(survey)
    version = latest_version(session, survey.id)
    if version is None:
        raise UnknownSurvey(slug)
    return OpenSurvey(survey, version, definition_of(version))


def find_school(session: Session, code: str) -> School:
    school = session.scalars(
        select(School).where(School.code == code.strip().lower(), School.active.is_(True))
    ).first()
    if school is None:
        raise UnknownSchool(code)
    return school


def school_of(session: Session, state: DraftState) -> School:
    """The school a draft's answers are about (a family may have started one per child)."""
    return session.get_one(School, state.draft.school_id)


def active_schools(session: Session) -> list[School]:
    return list(
        session.scalars(select(School).where(School.active.is_(True)).order_by(School.name))
    )


def start_response(
    session: Session,
    slug: str,
    school_code: str,
    language: str,
    channel: Channel,
    clock: Clock,
    *,
    commit: bool = True,
) -> ResponseDraft:
    """A new draft on the survey's current version. Commits unless `commit` is False (flushes)."""
    now = clock()
    opened = find_open_survey(session, slug, now)
    school = find_school(session, school_code)
    draft = ResponseDraft(
        token=secrets.token_urlsafe(24),
        version_id=opened.version.id,
        school_id=school.id,
        channel=channel,
        language=language if language in SUPPORTED_LANGUAGES else "en",
        answers={},
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    _finish(session, commit)
    return draft


# Statements on every respondent's request, built once: they are the hot path.
_drafts, _versions, _surveys = ResponseDraft.__table__, SurveyVersion.__table__, Survey.__table__
_DRAFT_FIELDS = [field.name for field in fields(DraftRow)]
_WINDOW_FIELDS = [field.name for field in fields(SurveyWindow)]
# A draft with what its requests need of its version and survey, labelled so that a query
# selecting other things too (the SMS turn's) can carry them: see join_draft, draft_in_row.
_DRAFT_COLUMNS = (
    *(_drafts.c[name].label(f"draft_{name}") for name in _DRAFT_FIELDS),
    *(_surveys.c[name].label(f"survey_{name}") for name in _WINDOW_FIELDS),
    _versions.c.content_hash.label("draft_content_hash"),
    _versions.c.question_ids.label("draft_question_ids"),
)
_DRAFT_BY_TOKEN = (
    select(*_DRAFT_COLUMNS)
    .join_from(_drafts, _versions, _versions.c.id == _drafts.c.version_id)
    .join(_surveys, _surveys.c.id == _versions.c.survey_id)
    .where(_drafts.c.token == bindparam("token"))
)
_READ_DRAFT = HotStatement(_DRAFT_BY_TOKEN)
_READ_DRAFT_LOCKED = HotStatement(_DRAFT_BY_TOKEN.with_for_update(of=_drafts))
# What a page, an SMS answer or a language switch changes on a draft: only over the
# revision it read, so that a lost race writes nothing (compare-and-set).
_SAVE_DRAFT = HotStatement(
    update(_drafts)
    .where(_drafts.c.id == bindparam("draft_id"), _drafts.c.revision == bindparam("read_revision"))
    .values(
        answers=bindparam("new_answers", type_=_drafts.c.answers.type),
        language=bindparam("new_language"),
        furthest_section=bindparam("new_furthest"),
        updated_at=bindparam("now", type_=_drafts.c.updated_at.type),
        revision=_drafts.c.revision + 1,
    )
)
_COMPLETED = select(_drafts.c.completed).where(_drafts.c.id == bindparam("draft_id"))


def load_draft(session: Session, token: str | None, *, lock: bool = False) -> DraftState:
    """The draft a resume token or cookie names, with its survey, in one query.

    `lock` takes a row lock (PostgreSQL) so concurrent requests for one draft queue up.
    """
    if not token:
        raise DraftNotFound()
    query = _READ_DRAFT_LOCKED if lock else _READ_DRAFT
    state = draft_in_row(session, query.execute(session.connection(), {"token": token}).first())
    if state is None:
        raise DraftNotFound()
    return state


def join_draft(query: Select, token: ColumnElement) -> Select:
    """`query` with the draft that `token` names (if any) outer-joined, for draft_in_row."""
    return (
        query.add_columns(*_DRAFT_COLUMNS)
        .outerjoin(_drafts, _drafts.c.token == token)
        .outerjoin(_versions, _versions.c.id == _drafts.c.version_id)
        .outerjoin(_surveys, _surveys.c.id == _versions.c.survey_id)
    )


def draft_in_row(session: Session, values: Mapping[str, Any] | None) -> DraftState | None:
    """The draft a row of load_draft's or join_draft's query carries; None if it has none."""
    if values is None or values["draft_id"] is None:
        return None
    return DraftState(
        DraftRow(*(values[f"draft_{name}"] for name in _DRAFT_FIELDS)),
        definition_of_row(session, values["draft_version_id"], values["draft_content_hash"]),
        SurveyWindow(*(values[f"survey_{name}"] for name in _WINDOW_FIELDS)),
        values["draft_content_hash"],
        values["draft_question_ids"],
    )


def _store(session: Session, draft: DraftRow, now: datetime) -> None:
    """Write what a request changed on the draft, unless another wrote it since it was read."""
    written = _SAVE_DRAFT.execute(
        session.connection(),
        {
            "draft_id": draft.id,
            "read_revision": draft.revision,
            "new_answers": draft.answers,
            "new_language": draft.language,
            "new_furthest": draft.furthest_section,
            "now": now,
        },
    )
    if written.rowcount != 1:
        raise DraftChanged()
    draft.revision += 1  # so that a second write in this request names this one


def open_draft(
    session: Session, token: str | None, now: datetime, *, lock: bool = False
) -> DraftState:
    """A draft whose survey still takes answers (it may have closed since they started).

    Without `lock`, on PostgreSQL each statement of the request then commits itself (no
    BEGIN, no COMMIT: half a page's round trips): a page writes one statement at most, and
    it names the revision it read. With `lock`, the request holds the draft's row lock in
    a transaction instead, for a request run again after losing a race (DraftChanged).
    """
    if not lock and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    state = load_draft(session, token, lock=lock)
    if not state.survey.accepts_responses(now):
        raise SurveyClosed(state.survey, state.draft.language)
    return state


def _merge(state: DraftState, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The draft's answers with these applied (None clears) and hidden ones dropped."""
    merged = dict(state.draft.answers)
    for key, value in answers.items():
        state.definition.question(key)  # KeyError for a question this version does not ask
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = list(value) if isinstance(value, tuple) else value
    return prune_hidden(state.definition, merged)


def save_answers(
    session: Session,
    token: str,
    answers: Mapping[str, Any],
    clock: Clock,
    *,
    language: str | None = None,
    commit: bool = True,
    read: DraftState | None = None,
) -> DraftState:
    """Merge answers into the draft without moving on (back, language switch, SMS).

    Commits; with `commit=False` it only flushes and leaves the transaction to the caller.
    `read`: the draft as the caller already read it (saves a query); the write lands only
    over that revision (else DraftChanged). Without it, the draft is read under its row lock.
    """
    state = read if read is not None else load_draft(session, token, lock=True)
    draft = state.draft
    if draft.completed:
        _abandon(session, commit)
        raise AlreadyCompleted()
    draft.answers = _merge(state, answers)
    if language in SUPPORTED_LANGUAGES:
        draft.language = language
    _store(session, draft, clock())
    _finish(session, commit)
    return state


def _finish(session: Session, commit: bool) -> None:
    """Commit, or flush only when the caller owns the transaction (SMS)."""
    if commit:
        session.commit()
    else:
        session.flush()


def _abandon(session: Session, commit: bool) -> None:
    """Roll back on a refusal, unless the caller owns the transaction."""
    if commit:
        session.rollback()


def submit_page(
    session: Session, state: DraftState, index: int, answers: Mapping[str, Any], clock: Clock
) -> int | None:
    """Save a validated page and move on; after the last page, complete the response.

    `state` comes from open_draft in this session. Returns the next section to show, or
    None once the response is complete. One statement on PostgreSQL (one transaction on
    SQLite) either way, so a final page is never saved without its response. Raises
    DraftChanged, having written nothing, when another request wrote the draft since
    `state` was read.
    """
    if state.draft.completed:
        session.rollback()
        raise AlreadyCompleted()
    merged = _merge(state, answers)
    following = next_section(state.definition, merged, index)
    if following is None:
        _complete(session, state, merged, clock())
        return None
    draft = state.draft
    draft.answers = merged
    draft.furthest_section = max(draft.furthest_section, following)
    _store(session, draft, clock())
    session.commit()
    return following


def resume_section(state: DraftState) -> int:
    """Where a returning respondent continues: the furthest section reached, if still shown."""
    definition, answers = state.definition, state.draft.answers
    furthest = min(state.draft.furthest_section, len(definition.sections) - 1)
    if section_questions(definition, furthest, answers):
        return furthest
    before = previous_section(definition, answers, furthest)
    return before if before is not None else 0


def list_open_surveys(session: Session, now: datetime) -> list[Survey]:
    candidates = session.scalars(
        select(Survey).where(Survey.status == SurveyStatus.OPEN).order_by(Survey.slug)
    )
    return [s for s in candidates if s.accepts_responses(now)]


def _response_fields(definition: SurveyDefinition, answers: Mapping[str, Any]) -> dict[str, str]:
    """Response columns that a question sets ("grade_band", "role") from the chosen code."""
    found = {}
    for question in definition.questions:
        if question.sets and question.key in answers:
            choice = question.choice_by_value(int(answers[question.key]))
            if choice is not None and not choice.not_applicable:
                found[question.sets] = choice.code
    return found


def complete_response(
    session: Session,
    token: str,
    clock: Clock,
    *,
    commit: bool = True,
    read: DraftState | None = None,
) -> Response:
    """Turn a draft into a Response with its Answers, in one transaction, exactly once.

    With `commit=False` the caller's transaction holds it all and nothing is rolled back here.
    `read`: the draft as the caller already read it (saves a query), as for save_answers.
    """
    state = read if read is not None else load_draft(session, token, lock=True)
    if state.draft.completed:
        _abandon(session, commit)
        raise AlreadyCompleted()
    answers = prune_hidden(state.definition, state.draft.answers)
    return session.get(Response, _complete(session, state, answers, clock(), commit=commit))


def _answer_rows(
    definition: SurveyDefinition,
    answers: Mapping[str, Any],
    question_ids: Mapping[str, int],
) -> list[dict]:
    """Answer rows; the response and group ids are set once the response row exists."""
    rows = []
    for key, stored in answers.items():
        question = definition.question(key)
        value = from_draft(question, stored)
        for ordinal, (number, text) in enumerate(answer_to_storage(question, value)):
            rows.append(
                {
                    "question_id": question_ids[key],
                    "ordinal": ordinal,
                    "value_number": number,
                    "value_text": text,
                }
            )
    return rows


def _complete(
    session: Session,
    state: DraftState,
    answers: dict[str, Any],
    now: datetime,
    *,
    commit: bool = True,
) -> int:
    """Write the Response, its Answers and outcomes and retire the draft (delivery.completion).

    Commits, or rolls back and raises.
    """
    draft, definition = state.draft, state.definition
    missing = missing_required(definition, answers)
    if missing:
        _abandon(session, commit)
        raise IncompleteResponse(missing)

    set_by_answers = _response_fields(definition, answers)
    group = {
        "school_id": draft.school_id,
        "language": draft.language,
        "channel": draft.channel,
        "role": set_by_answers.get("role", definition.audience),
        "grade_band": set_by_answers.get("grade_band"),
    }
    today = start_of_day(now)
    rows = CompletionRows(
        draft_id=draft.id,
        read_revision=draft.revision,
        tombstone_day=today,
        # Days only: exact times could be matched to a server log or an SMS contact's creation.
        response={
            "version_id": draft.version_id,
            **group,
            "started_at": start_of_day(draft.created_at),
            "completed_at": today,
        },
        group={**group, "grade_band": group["grade_band"] or ""},  # "" stands for none
        answers=_answer_rows(definition, answers, state.question_ids),
        outcomes=outcome_rows(definition, answers),
    )
    # Only writes from here to the commit: the first takes the write lock (on SQLite, the
    # whole database's), so everything that can be worked out beforehand has been.
    response_id = write_completion(session.connection(), rows)
    if response_id is None:
        completed = session.connection().execute(_COMPLETED, {"draft_id": draft.id}).scalar()
        _abandon(session, commit)
        raise AlreadyCompleted() if completed else DraftChanged()
    _finish(session, commit)
    return response_id


def forget_unfinished(session: Session, clock: Clock, older_than: timedelta) -> int:
    """Delete the answers of surveys started and left untouched for `older_than`. Commits.

    Unfinished answers are personal data with no use once nobody will come back
    to them. A draft an SMS conversation is still on is kept: the conversation
    expires first, and forgets its draft then.
    """
    in_conversation = select(Conversation.draft_token).where(Conversation.draft_token.is_not(None))
    forgotten = session.execute(
        delete(ResponseDraft).where(
            ResponseDraft.completed.is_(False),
            ResponseDraft.updated_at < clock() - older_than,
            ResponseDraft.token.not_in(in_conversation),
        )
    ).rowcount
    session.commit()
    return forgotten
