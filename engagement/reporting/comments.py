"""Free-text comments for the report pages: only from groups at or above the minimum cell size.

A group is one school's respondents to one survey in one language, under the page's
filters (channel, tier, ...). Comments of a group below the survey's
minimum cell size are read by nobody, whatever their role: they are not
fetched at all. Every comment returned is masked (masking.py); sentiment is
given only for languages whose measured accuracy is good enough (sentiment.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.models import Answer, Question, Response, School, SurveyVersion
from engagement.surveys import QuestionType

from .masking import mask
from .metrics import Filters, response_counts
from .privacy import suppress
from .sentiment import classify, reliable
from .themes import common_themes, terms

# At most this many of a question's newest comments are read for themes and sentiment.
ANALYSED = 3000


@dataclass(frozen=True)
class Comment:
    text: str  # masked
    language: str
    school: str
    sentiment: str | None  # None: not shown for this language


@dataclass
class QuestionComments:
    survey: str
    question: str
    text: dict[str, str]
    comments: list[Comment]  # newest first
    total: int
    themes: list[tuple[str, int]]
    # {language: {label: count}} for the languages whose sentiment is shown
    sentiment: dict[str, dict[str, int]] = field(default_factory=dict)
    unreliable: list[str] = field(default_factory=list)  # languages present, not scored
    survey_title: dict[str, str] = field(default_factory=dict)  # what a reader calls it
    # Some comments here come from groups too small to show: said, so silence is not misread.
    held_back: bool = False

    def top(self, count: int) -> list[Comment]:
        """The comments that use the most common themes: what a meeting should read first."""
        words = {t for t, _ in self.themes}
        ranked = sorted(
            enumerate(self.comments),
            key=lambda ic: (-len(words & terms(ic[1].text, ic[1].language)), ic[0]),
        )
        return [c for _, c in ranked[:count]]


def eligible_groups(reports, filters: Filters) -> dict[int, set[tuple[int, str]]]:
    """{survey id: (school id, language) of each group whose comments the page may show}.

    A comment shows its school and, by its words, its language: its group is the school's
    respondents in that language. Two Chinese-speaking families at a school are not a group
    large enough because the school as a whole is. Each group must reach the survey's minimum
    cell; and whatever the page filters by (channel, tier, ...), the filtered group is
    suppressed as a cell of its school's respondents split by every filtered dimension, so
    the unfiltered page (or another value of the filter) cannot give it away by difference.
    """
    by_respondent = replace(filters, school=None)  # the page's schools are chosen apart
    split = by_respondent.outside(["language"])
    dims = ["school_id", "language", *split]
    eligible = {}
    for report in reports:
        counts = response_counts(report.cells, dims).rename(columns={"responses": "n"})
        counts = suppress(counts, dims, report.min_cell, additive=tuple(split))
        shown = by_respondent.apply(counts)
        kept = shown.loc[~shown["suppressed"], ["school_id", "language"]]
        eligible[report.survey.id] = {
            (int(school), str(language)) for school, language in kept.itertuples(index=False)
        }
    return eligible


def _filtered(query, filters: Filters):
    for name in ("language", "channel", "role", "grade_band"):
        wanted = getattr(filters, name)
        if wanted is not None:
            query = query.where(getattr(Response, name) == wanted)
    if filters.tier is not None:
        query = query.where(School.tier == filters.tier)
    return query


def question_comments(
    session: Session,
    reports,
    filters: Filters,
    *,
    schools: list[str] | None = None,
    limit: int | None = ANALYSED,
) -> list[QuestionComments]:
    """Every text question of these survey reports with its eligible comments, masked."""
    eligible = eligible_groups(reports, filters)
    found = []
    for report in reports:
        groups = eligible[report.survey.id]
        school_ids = sorted({school for school, _language in groups})
        versions = select(SurveyVersion.id).where(SurveyVersion.survey_id == report.survey.id)
        for question in report.definition.questions:
            if question.type is not QuestionType.TEXT:
                continue
            query = (
                _written(
                    [Answer.value_text, Response.language, School.code, Response.school_id],
                    versions,
                    question.key,
                    schools,
                    filters,
                )
                .where(Response.school_id.in_(school_ids))
                .order_by(Response.id.desc())
            )
            if limit is not None:
                query = query.limit(limit)
            rows = session.execute(query).all() if school_ids else []
            rows = [row[:3] for row in rows if (row[3], row[1]) in groups]
            found.append(_analyse(report.survey.slug, question, rows))
            found[-1].survey_title = report.definition.title
            found[-1].held_back = any(
                (school, language) not in groups
                for school, language in session.execute(
                    _written(
                        [Response.school_id, Response.language],
                        versions,
                        question.key,
                        schools,
                        filters,
                    ).distinct()
                )
            )
    return [q for q in found if q.total or q.held_back]


def _written(columns, versions, key: str, schools: list[str] | None, filters: Filters):
    """A text question's non-empty answers under the page's schools and filters."""
    query = (
        select(*columns)
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .join(School, School.id == Response.school_id)
        .where(
            Response.version_id.in_(versions),
            Question.key == key,
            Answer.value_text.is_not(None),
            Answer.value_text != "",
        )
    )
    if schools is not None:
        query = query.where(School.code.in_(schools))
    return _filtered(query, filters)


def _analyse(survey: str, question, rows) -> QuestionComments:
    comments = []
    sentiment: dict[str, Counter] = {}
    languages = set()
    for text, language, school in rows:
        masked = mask(text)
        languages.add(language)
        label = classify(masked, language) if reliable(language) else None
        if label is not None:
            sentiment.setdefault(language, Counter())[label] += 1
        comments.append(Comment(masked, language, school, label))
    return QuestionComments(
        survey=survey,
        question=question.key,
        text=question.text,
        comments=comments,
        total=len(comments),
        themes=common_themes([(c.text, c.language) for c in comments]),
        sentiment={lang: dict(counts) for lang, counts in sentiment.items()},
        unreliable=sorted(lang for lang in languages if not reliable(lang)),
    )


def comment_reports(
    session: Session,
    school_year: str,
    clock: Callable[[], datetime],
    sizes,
    *,
    area: str | None = None,
):
    """The year's survey reports whose comments a page shows: of an area, those measuring it."""
    from .service import _year_reports, indicator_areas

    reports = _year_reports(session, school_year, clock, sizes, ("n",))
    if area is None:
        return reports
    areas = indicator_areas(session)
    return [
        r
        for r in reports
        if any(q.indicator and areas.get(q.indicator) == area for q in r.definition.questions)
    ]
