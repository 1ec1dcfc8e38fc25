"""Survey definitions in the database: frozen versions and their question rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engagement.models import (
    Choice,
    Indicator,
    Question,
    Survey,
    SurveyStatus,
    SurveyVersion,
)

from .definition import SurveyDefinition, cached_definition, definition_for
from .loader import read_template
from .validation import IndicatorInfo, Problem


class SurveyNotFound(LookupError):
    pass


class KeywordTaken(ValueError):
    """Two open surveys answering to one text keyword: the later would take every text."""

    def __init__(self, keyword: str, slug: str):
        super().__init__(keyword, slug)
        self.keyword, self.slug = keyword, slug


@dataclass(frozen=True)
class LoadResult:
    slug: str
    version_number: int
    created: bool


def indicator_catalogue(session: Session) -> dict[str, IndicatorInfo]:
    rows = session.execute(select(Indicator.key, Indicator.source, Indicator.direction))
    return {key: IndicatorInfo(source.value, direction.value) for key, source, direction in rows}


def latest_version(session: Session, survey_id: int) -> SurveyVersion | None:
    return session.scalars(
        select(SurveyVersion)
        .where(SurveyVersion.survey_id == survey_id)
        .order_by(SurveyVersion.number.desc())
        .limit(1)
    ).first()


def keywords_taken(session: Session, survey: Survey, definition: SurveyDefinition) -> list:
    """Every one of `definition`'s keywords, in any language, that another open survey (or
    one set to open) answers to, as KeywordTaken; none, when they are all free.

    Flyers already printed send their keyword's texts to one survey; a second would take
    them all from the day it opened.
    """
    from engagement.sms.keywords import compact

    ours = {compact(word): word for word in definition.sms_keywords}
    if not ours:
        return []
    others = session.scalars(
        select(Survey).where(Survey.status == SurveyStatus.OPEN, Survey.id != survey.id)
    )
    taken = []
    for other in others:
        version = latest_version(session, other.id)
        theirs = definition_of(version).sms_keywords if version is not None else {}
        taken += [
            KeywordTaken(ours[compact(word)].upper(), other.slug)
            for word in theirs
            if compact(word) in ours
        ]
    return taken


def check_keyword_free(session: Session, survey: Survey, definition: SurveyDefinition) -> None:
    """Raise the first KeywordTaken of keywords_taken, if any."""
    taken = keywords_taken(session, survey, definition)
    if taken:
        raise taken[0]


def definition_of(version: SurveyVersion) -> SurveyDefinition:
    """The parsed definition; the stored JSON is only read the first time in a process."""
    return cached_definition(version.content_hash) or definition_for(
        version.definition, version.content_hash
    )


def definition_of_row(session: Session, version_id: int, content_hash: str) -> SurveyDefinition:
    """The same, for a version read as plain columns: the row is loaded only on a first parse."""
    return cached_definition(content_hash) or definition_of(session.get(SurveyVersion, version_id))


def save_definition(
    session: Session, definition: SurveyDefinition, clock: Callable[[], datetime]
) -> LoadResult:
    """Store a definition as the survey's next version; an unchanged one creates nothing.

    Commits. Responses keep pointing to the version they answered.
    """
    content = definition.to_dict()
    digest = definition.content_hash
    survey = session.scalars(select(Survey).where(Survey.slug == definition.slug)).first()
    if survey is None:
        survey = Survey(
            slug=definition.slug,
            title=dict(definition.title),
            audience=definition.audience,
            school_year=definition.school_year,
            status=SurveyStatus.DRAFT,
            created_at=clock(),
        )
        session.add(survey)
        session.flush()
    else:
        current = latest_version(session, survey.id)
        if current is not None and current.content_hash == digest:
            session.rollback()
            return LoadResult(definition.slug, current.number, created=False)
        survey.title = dict(definition.title)
        survey.audience = definition.audience
        survey.school_year = definition.school_year

    number = (
        session.scalar(
            select(func.max(SurveyVersion.number)).where(SurveyVersion.survey_id == survey.id)
        )
        or 0
    ) + 1
    version = SurveyVersion(
        survey_id=survey.id,
        number=number,
        content_hash=digest,
        definition=content,
        created_at=clock(),
    )
    session.add(version)
    session.flush()
    indicator_ids = dict(session.execute(select(Indicator.key, Indicator.id)).all())
    rows = []
    position = 0
    for section in definition.sections:
        for question in section.questions:
            position += 1
            row = Question(
                version_id=version.id,
                key=question.key,
                position=position,
                section_key=section.key,
                type=question.type.value,
                required=question.required,
                text=dict(question.text),
                indicator_id=indicator_ids.get(question.indicator) if question.indicator else None,
                reverse_coded=question.reverse_coded,
                favourable_values=sorted(question.favourable),
            )
            row.choices = [
                Choice(
                    position=i,
                    value=choice.value,
                    code=choice.code,
                    label=dict(choice.label),
                    not_applicable=choice.not_applicable,
                    favourable=choice.value in question.favourable,
                )
                for i, choice in enumerate(question.choices, start=1)
            ]
            session.add(row)
            rows.append(row)
    session.flush()
    version.question_ids = {row.key: row.id for row in rows}
    session.commit()
    return LoadResult(definition.slug, number, created=True)


def load_template_files(
    session: Session, paths: list[Path], clock: Callable[[], datetime]
) -> tuple[list[LoadResult], list[Problem]]:
    """Validate every file first; load them only if all are valid."""
    catalogue = indicator_catalogue(session)
    definitions = []
    problems: list[Problem] = []
    for path in paths:
        definition, found = read_template(path, catalogue)
        problems.extend(found)
        if definition is not None:
            definitions.append(definition)
    if problems:
        return [], problems
    return [save_definition(session, d, clock) for d in definitions], []


def set_status(
    session: Session,
    slug: str,
    status: SurveyStatus,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Survey:
    """Open or close a survey (and set its window). Commits."""
    survey = session.scalars(select(Survey).where(Survey.slug == slug)).first()
    if survey is None:
        raise SurveyNotFound(slug)
    if status is SurveyStatus.OPEN:
        version = latest_version(session, survey.id)
        if version is not None:
            check_keyword_free(session, survey, definition_of(version))
    survey.status = status
    if opens_at is not None:
        survey.opens_at = opens_at
    if closes_at is not None:
        survey.closes_at = closes_at
    session.commit()
    return survey
