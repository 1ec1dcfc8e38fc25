"""One survey question by question, at every school and district-wide: its own report page.

Result-area pages show only the questions that feed an indicator. A survey's
other questions (the staff survey's climate and satisfaction, which feed no
indicator but inform school tiers) are read here. Each table is suppressed
whole, across every school, before a reader's scope picks the rows they see:
what is hidden never depends on who is reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.models import Survey, SurveyStatus
from engagement.surveys import SurveyDefinition
from engagement.surveys.store import definition_of, latest_version

from .metrics import Filters, question_metrics
from .privacy import blank_suppressed, suppress
from .service import (
    ALL,
    DISTRICT,
    CellSizes,
    SurveyReport,
    indicator_areas,
    survey_report,
    tidy,
)

if TYPE_CHECKING:
    from engagement.auth.permissions import Scope


@dataclass
class SurveyResults:
    report: SurveyReport
    # school ("" = district), question, n, pct_favourable, mean, na, distribution, suppressed,
    # suppression; ordered as the survey asks.
    questions: pd.DataFrame
    # school, section, n (most respondents to one of its rated questions), pct_favourable
    # (favourable answers over all its rated answers), suppressed, suppression.
    sections: pd.DataFrame

    @property
    def schools(self) -> list[str]:
        """Codes of the schools with a row here, in no particular order."""
        codes = set(self.questions["school"]) | set(self.sections["school"])
        return sorted(codes - {DISTRICT})

    @cached_property
    def by_question(self) -> dict[tuple[str, str], dict]:
        """{(school code or "", question key): row}: what a page cell or file line looks up."""
        return {(r["school"], r["question"]): r for r in self.questions.to_dict("records")}

    @cached_property
    def by_section(self) -> dict[tuple[str, str], dict]:
        return {(r["school"], r["section"]): r for r in self.sections.to_dict("records")}


def survey_results(
    session: Session,
    slug: str,
    clock: Callable[[], datetime],
    sizes: CellSizes,
    filters: Filters = ALL,
) -> SurveyResults:
    """Every question's metrics and every section's percent favourable, by school and overall."""
    report = survey_report(session, slug, clock, sizes, ("n", "q", "m", "f"))
    questions, sections = [], []
    for by in (["school"], []):
        split = filters.outside(by)
        keys = [*by, *split]
        metrics = question_metrics(report.cells, report.definition, keys)
        metrics = suppress(metrics, ["question", *keys], report.min_cell)
        questions.append(_cut(metrics, filters, split))
        pooled = _section_rows(metrics, report, keys)
        pooled = suppress(pooled, ["section", *keys], report.min_cell, hide="hidden")
        sections.append(_cut(pooled.drop(columns="hidden"), filters, split))
    return SurveyResults(
        report,
        _numbers_blanked_where_hidden(pd.concat(questions, ignore_index=True)),
        _numbers_blanked_where_hidden(pd.concat(sections, ignore_index=True)),
    )


def _cut(frame: pd.DataFrame, filters: Filters, split: list[str]) -> pd.DataFrame:
    """A table suppressed over every value of the filtered dimensions, cut to the filters."""
    frame = filters.apply(frame).drop(columns=split)
    if "school" not in frame:
        frame = frame.assign(school=DISTRICT)
    return frame


def _section_rows(metrics: pd.DataFrame, report: SurveyReport, keys: list[str]) -> pd.DataFrame:
    """Favourable answers pooled over each section's rated questions, per group.

    `hidden` where one of the section's question cells is hidden: a pooled figure beside
    every other question's would give the hidden one away by subtraction.
    """
    section_of = {q.key: s.key for s in report.definition.sections for q in s.questions}
    rated = metrics[metrics["question"].isin(_rated_questions(report))]
    rated = rated.assign(section=rated["question"].map(section_of))
    columns = [*keys, "section", "n", "hidden", "pct_favourable"]
    if rated.empty:
        return pd.DataFrame(columns=columns)
    pooled = (
        rated.groupby([*keys, "section"], dropna=False)
        .agg(
            n=("n", "max"),
            favourable=("favourable", "sum"),
            answers=("n", "sum"),
            hidden=("suppressed", "any"),
        )
        .reset_index()
    )
    pooled["pct_favourable"] = 100.0 * pooled["favourable"] / pooled["answers"]
    return pooled[columns]


def _rated_questions(report: SurveyReport) -> set[str]:
    return {q.key for q in report.definition.questions if q.favourable}


def _numbers_blanked_where_hidden(frame: pd.DataFrame) -> pd.DataFrame:
    numbers = ["n", "pct_favourable", "mean", "na", "distribution"]
    return tidy(blank_suppressed(frame, [c for c in numbers if c in frame]))


def visible_to(results: SurveyResults, scope: Scope) -> SurveyResults:
    """The rows `scope` may read: all of them; or its result areas' questions everywhere, and
    its schools' rows (with the district's beside them) for every question and section."""
    if scope.everywhere:
        return results
    area_of = {
        q.key: results.report.indicator_area.get(q.indicator)
        for q in results.report.definition.questions
    }
    schools = set(scope.schools) | {DISTRICT} if scope.schools else set()
    questions = results.questions
    keep = questions["question"].map(area_of).isin(scope.result_areas)
    keep |= questions["school"].isin(schools)
    sections = results.sections[results.sections["school"].isin(schools)]
    return SurveyResults(results.report, questions[keep], sections)


def only_school(results: SurveyResults, code: str) -> SurveyResults:
    """One school's rows and the district's."""
    keep = {code, DISTRICT}
    return SurveyResults(
        results.report,
        results.questions[results.questions["school"].isin(keep)],
        results.sections[results.sections["school"].isin(keep)],
    )


def may_read(definition: SurveyDefinition, indicator_area: dict[str, str], scope: Scope) -> bool:
    """Whether `scope` sees anything of a survey: some school's rows, or one of its questions."""
    if scope.everywhere or scope.schools:
        return True
    return any(indicator_area.get(q.indicator) in scope.result_areas for q in definition.questions)


def readable_surveys(session: Session, scope: Scope) -> list[tuple[Survey, SurveyDefinition]]:
    """The surveys with results (not drafts) of which `scope` may read something, newest first."""
    surveys = session.scalars(
        select(Survey)
        .where(Survey.status != SurveyStatus.DRAFT)
        .order_by(Survey.school_year.desc(), Survey.slug)
    )
    areas = indicator_areas(session)
    readable = []
    for survey in surveys:
        version = latest_version(session, survey.id)
        definition = definition_of(version) if version is not None else None
        if definition is not None and may_read(definition, areas, scope):
            readable.append((survey, definition))
    return readable
