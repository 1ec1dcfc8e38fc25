"""What the report pages, exports and API ask for: suppressed tables of metrics.

Every function here refreshes the counted cells first (a no-op when nothing
changed) and returns pandas DataFrames whose suppressed rows carry no number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.models import (
    AdministrativeValue,
    Direction,
    Indicator,
    IndicatorSource,
    IndicatorTarget,
    ResultArea,
    School,
    Survey,
    SurveyStatus,
)
from engagement.surveys import SurveyDefinition
from engagement.surveys.store import definition_of, latest_version

from . import cube
from .metrics import Filters, indicator_metrics, question_metrics, response_counts, with_schools
from .privacy import blank_suppressed, suppress

# Columns a summary may group by; the first six partition respondents.
RESPONDENT_GROUPS = ("school", "language", "channel", "role", "grade_band", "tier")
ITEM_GROUPS = ("result_area", "indicator", "question")
GROUPS = (*RESPONDENT_GROUPS, *ITEM_GROUPS)
NUMBERS = ("n", "count", "favourable", "pct", "pct_favourable", "mean", "na", "distribution")
DISTRICT = ""  # the school column of a district-total row
ALL = Filters()


class ReportNotFound(LookupError):
    pass


class BadReportRequest(ValueError):
    """A report asked for in a way that cannot be answered; `code` picks the message."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class CellSizes:
    default: int = 10
    staff: int = 5

    @classmethod
    def from_config(cls, config: Mapping) -> CellSizes:
        return cls(
            int(config.get("REPORT_MIN_CELL_SIZE", 10)),
            int(config.get("REPORT_MIN_CELL_SIZE_STAFF", 5)),
        )

    def of(self, definition: SurveyDefinition) -> int:
        if definition.min_cell_size:
            return int(definition.min_cell_size)
        return self.staff if definition.audience == "staff" else self.default


@dataclass
class SurveyReport:
    survey: Survey
    definition: SurveyDefinition
    min_cell: int
    cells: pd.DataFrame
    indicator_area: dict[str, str] = field(default_factory=dict)


def schools_frame(session: Session) -> pd.DataFrame:
    rows = session.execute(select(School.id, School.code, School.tier, School.enrollment)).all()
    return pd.DataFrame(rows, columns=["id", "code", "tier", "enrollment"])


def indicator_areas(session: Session) -> dict[str, str]:
    return dict(
        session.execute(
            select(Indicator.key, ResultArea.code).join(
                ResultArea, ResultArea.id == Indicator.result_area_id
            )
        ).all()
    )


def lower_is_better(session: Session) -> set[str]:
    """Indicators whose percent is of an outcome to bring down (bullying)."""
    return set(
        session.scalars(
            select(Indicator.key).where(Indicator.direction == Direction.LOWER_IS_BETTER)
        )
    )


def _survey(session: Session, slug: str) -> Survey:
    survey = session.scalars(select(Survey).where(Survey.slug == slug)).first()
    if survey is None or survey.status == SurveyStatus.DRAFT:
        raise ReportNotFound(slug)
    return survey


def survey_report(
    session: Session,
    slug: str,
    clock: Callable[[], datetime],
    sizes: CellSizes,
    kinds: tuple[str, ...] = ("n", "q", "m", "f", "i"),
) -> SurveyReport:
    """A survey's cells, brought up to date, with school codes and tiers."""
    survey = _survey(session, slug)
    return _report_of(session, survey, clock, sizes, kinds)


def _report_of(session, survey, clock, sizes, kinds) -> SurveyReport:
    version = latest_version(session, survey.id)
    if version is None:
        raise ReportNotFound(survey.slug)
    definition = definition_of(version)
    cube.refresh_once(session, survey.id, clock)
    cells = with_schools(cube.read_cells(session, survey.id, kinds), schools_frame(session))
    return SurveyReport(survey, definition, sizes.of(definition), cells, indicator_areas(session))


def parse_by(raw: str | None) -> list[str]:
    """`school,indicator` -> ["school", "indicator"], refusing unknown or repeated columns."""
    by = [part.strip() for part in (raw or "").split(",") if part.strip()]
    unknown = [b for b in by if b not in GROUPS]
    if unknown:
        raise BadReportRequest("unknown_group", name=unknown[0][:40])
    if len(set(by)) != len(by):
        raise BadReportRequest("repeated_group")
    return by


def summary(report: SurveyReport, by: list[str], filters: Filters) -> pd.DataFrame:
    """One row per group: n, pct_favourable, mean and whether it is suppressed.

    Grouped by question: the question's metrics. By indicator or result area:
    per-respondent indicator outcomes. Otherwise: favourable answers pooled over
    every question that has favourable values, with n the number of responses.
    """
    split = filters.outside(by)
    frame = _summary_rows(report, [*by, *split])
    frame = filters.apply(suppress(frame, [*by, *split], report.min_cell)).drop(columns=split)
    return tidy(blank_suppressed(frame.reset_index(drop=True), ["n", "pct_favourable", "mean"]))


def _summary_rows(report: SurveyReport, by: list[str]) -> pd.DataFrame:
    """summary's rows before suppression, for every group of `by`."""
    cells = report.cells
    respondent = [b for b in by if b in RESPONDENT_GROUPS]
    areas = report.indicator_area
    if "question" in by:
        frame = question_metrics(cells, report.definition, respondent)
        indicator_of = {q.key: q.indicator for q in report.definition.questions}
        frame["indicator"] = frame["question"].map(indicator_of)
        frame["result_area"] = frame["indicator"].map(areas)
    elif "indicator" in by or "result_area" in by:
        frame = indicator_metrics(cells, respondent)
        frame["result_area"] = frame["indicator"].map(areas)
        frame = frame.rename(columns={"pct": "pct_favourable"})
        frame["mean"] = None
        if "indicator" not in by:
            keys = [*respondent, "result_area"]
            frame = (
                frame.groupby(keys, dropna=False)
                .agg(n=("n", "max"), count=("count", "sum"), total=("n", "sum"))
                .reset_index()
            )
            frame["pct_favourable"] = 100.0 * frame["count"] / frame["total"]
            frame["mean"] = None
    else:
        questions = question_metrics(cells, report.definition, respondent)
        rated = questions[questions["pct_favourable"].notna()]
        if respondent:
            pooled = rated.groupby(respondent, dropna=False)[["favourable", "n"]].sum()
            frame = response_counts(cells, respondent).merge(
                pooled.rename(columns={"n": "answers"}).reset_index(), on=respondent, how="left"
            )
        else:
            frame = response_counts(cells, [])
            frame["favourable"] = rated["favourable"].sum()
            frame["answers"] = rated["n"].sum()
        frame["n"] = frame["responses"]
        frame["pct_favourable"] = [
            100.0 * f / a if a else None
            for f, a in zip(frame["favourable"], frame["answers"], strict=True)
        ]
        frame["mean"] = None
    frame = frame[frame["result_area"].notna()] if "result_area" in by else frame
    # The result area stays beside indicator and question rows, so scopes can be applied.
    extra = ["result_area"] if "result_area" in frame and "result_area" not in by else []
    columns = [*by, *extra, "n", "pct_favourable", "mean"]
    return frame[columns].reset_index(drop=True)


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """NaN to None, so JSON, templates and spreadsheets all see "no number"."""
    out = frame.astype(object)
    return out.where(pd.notna(out), None)


def restrict(frame: pd.DataFrame, scope, filters: Filters) -> pd.DataFrame:
    """Only the rows a scoped reader may see: their result areas' items, their schools' rows
    (every row, when the request is filtered to one of their schools)."""
    if scope.everywhere:
        return frame
    keep = pd.Series(False, index=frame.index)
    if scope.result_areas and "result_area" in frame:
        keep |= frame["result_area"].isin(scope.result_areas)
    if scope.schools and "school" in frame:
        keep |= frame["school"].isin(scope.schools)
    elif scope.schools and filters.school in scope.schools:
        keep |= True
    return frame[keep]


def needs_scope(by: list[str], filters: Filters, scope) -> bool:
    """Whether a scoped reader's request names enough to be answered inside their scope."""
    if scope.everywhere:
        return True
    if scope.result_areas and any(b in by for b in ITEM_GROUPS):
        return True
    if not scope.schools:
        return False
    if filters.school is not None:  # another school's figures are refused, not sent empty
        return filters.school in scope.schools
    return "school" in by


# --- result areas and schools across the surveys of a school year ------------------------------


@dataclass
class IndicatorTable:
    """Indicators (rows of `indicators`) by school, with the district beside them."""

    indicators: list[Indicator]
    schools: list[School]
    table: pd.DataFrame  # school ("" = district), indicator, n, count, pct, suppressed, suppression
    min_cell: int
    school_year: str
    trends: dict[str, list[dict]]
    targets: dict[tuple[str, str], dict]
    administrative: pd.DataFrame
    questions: pd.DataFrame  # district metrics of the questions feeding each indicator
    # Surveys whose minimum group size is not min_cell (a staff survey's 5): (title, size).
    other_minimums: list[tuple[dict[str, str], int]] = field(default_factory=list)


def school_years(session: Session) -> list[str]:
    years = session.scalars(
        select(Survey.school_year)
        .where(Survey.status != SurveyStatus.DRAFT)
        .distinct()
        .order_by(Survey.school_year)
    )
    admin_years = session.scalars(select(AdministrativeValue.school_year).distinct())
    return sorted(set(years) | set(admin_years))


def _year_reports(session, school_year, clock, sizes, kinds) -> list[SurveyReport]:
    surveys = session.scalars(
        select(Survey)
        .where(Survey.school_year == school_year, Survey.status != SurveyStatus.DRAFT)
        .order_by(Survey.slug)
    )
    return [_report_of(session, s, clock, sizes, kinds) for s in surveys]


def respondent_groups(
    session: Session, school_year: str, slug: str | None = None
) -> dict[str, dict[str, dict]]:
    """{"role" | "grade_band": {code: label in en/es/zh}}: the groups a year's pages (or one
    survey's, `slug`) filter by.

    Named as the surveys' own answers name them ("Guardian or foster parent", "Grades 6 to
    8"); a survey that asks no role counts its respondents as its audience.
    """
    groups: dict[str, dict[str, dict]] = {"role": {}, "grade_band": {}}
    query = select(Survey).where(
        Survey.school_year == school_year, Survey.status != SurveyStatus.DRAFT
    )
    surveys = session.scalars(query if slug is None else query.where(Survey.slug == slug))
    for survey in surveys:
        version = latest_version(session, survey.id)
        if version is None:
            continue
        definition = definition_of(version)
        sets_role = False
        for question in definition.questions:
            if question.sets in groups:
                sets_role |= question.sets == "role"
                for choice in question.choices:
                    groups[question.sets].setdefault(choice.code, dict(choice.label))
        if not sets_role:
            groups["role"].setdefault(str(survey.audience), {})
    return groups


def _indicator_rows(reports: list[SurveyReport], by: list[str]) -> pd.DataFrame:
    """Indicator outcomes counted across every survey measuring them (different respondents)."""
    frames = [indicator_metrics(r.cells, by) for r in reports]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=[*by, "indicator", "n", "count", "pct"])
    combined = pd.concat(frames).groupby([*by, "indicator"], dropna=False)[["n", "count"]].sum()
    combined = combined.reset_index()
    combined["pct"] = 100.0 * combined["count"] / combined["n"]
    return combined


def indicator_table(
    session: Session,
    school_year: str,
    clock: Callable[[], datetime],
    sizes: CellSizes,
    *,
    area: str | None = None,
    filters: Filters = ALL,
    with_trends: bool = True,
) -> IndicatorTable:
    """Every indicator (of one result area, or all) at every school and district-wide."""
    query = (
        select(Indicator)
        .join(ResultArea, ResultArea.id == Indicator.result_area_id)
        .order_by(ResultArea.code, Indicator.position)
    )
    if area is not None:
        query = query.where(ResultArea.code == area)
    indicators = list(session.scalars(query))
    keys = [i.key for i in indicators]
    schools = list(
        session.scalars(select(School).where(School.active.is_(True)).order_by(School.name))
    )
    reports = _year_reports(session, school_year, clock, sizes, ("i", "q", "m", "f"))
    min_cell = max((r.min_cell for r in reports), default=sizes.default)

    split = filters.outside(["school"])
    by_school = _indicator_rows(reports, ["school", *split])
    by_school = by_school[by_school["indicator"].isin(keys)]
    by_school = suppress(by_school, ["school", "indicator", *split], min_cell)
    by_school = filters.apply(by_school).drop(columns=split)
    split = filters.outside([])
    district = _indicator_rows(reports, split)
    district = district[district["indicator"].isin(keys)]
    district = filters.apply(suppress(district, ["indicator", *split], min_cell))
    district = district.drop(columns=split).assign(school=DISTRICT)
    table = pd.concat([by_school, district], ignore_index=True)
    table = tidy(blank_suppressed(table, ["n", "count", "pct"]))

    question_rows = []
    for report in reports:
        wanted = [q.key for q in report.definition.questions if q.indicator in keys]
        if not wanted:
            continue
        metrics = question_metrics(report.cells, report.definition, split)
        metrics = suppress(
            metrics[metrics["question"].isin(wanted)], ["question", *split], report.min_cell
        )
        metrics = filters.apply(metrics).drop(columns=split)
        metrics["indicator"] = metrics["question"].map(
            {q.key: q.indicator for q in report.definition.questions}
        )
        metrics["text"] = metrics["question"].map(
            {q.key: q.text for q in report.definition.questions}
        )
        metrics["labels"] = metrics["question"].map(
            {q.key: {c.value: c.label for c in q.choices} for q in report.definition.questions}
        )
        metrics["survey"] = report.survey.slug
        metrics["min_cell"] = report.min_cell
        question_rows.append(metrics)
    questions = (
        tidy(blank_suppressed(pd.concat(question_rows, ignore_index=True), list(NUMBERS)))
        if question_rows
        else pd.DataFrame(columns=["question", "indicator", "n", "pct_favourable", "suppressed"])
    )

    return IndicatorTable(
        indicators=indicators,
        schools=schools,
        table=table,
        min_cell=min_cell,
        school_year=school_year,
        trends=indicator_trends(session, keys, clock, sizes, filters, up_to=school_year)
        if with_trends
        else {},
        targets=targets_for(session, keys),
        administrative=_for_whole_schools(administrative_values(session, keys), filters),
        questions=questions,
        other_minimums=[
            (r.definition.title, r.min_cell)
            for r in reports
            if r.min_cell != min_cell
            # a page of one area: the surveys measuring it (whose comments it shows), no other
            and (area is None or any(q.indicator in keys for q in r.definition.questions))
        ],
    )


def indicator_trends(
    session: Session,
    keys: list[str],
    clock: Callable[[], datetime],
    sizes: CellSizes,
    filters: Filters = ALL,
    *,
    up_to: str | None = None,
) -> dict[str, list[dict]]:
    """District percentage of each indicator in every school year (to `up_to`), with the change
    in points: survey indicators from their responses, administrative ones from their figures.
    """
    trends: dict[str, list[dict]] = {key: [] for key in keys}
    years = [year for year in school_years(session) if up_to is None or year <= up_to]
    for year in years:
        reports = _year_reports(session, year, clock, sizes, ("i",))
        if not reports:
            continue
        min_cell = max(r.min_cell for r in reports)
        split = filters.outside([])
        rows = suppress(_indicator_rows(reports, split), ["indicator", *split], min_cell)
        for row in filters.apply(rows).itertuples():
            if row.indicator not in trends:
                continue
            shown = not row.suppressed
            trends[row.indicator].append(
                {
                    "school_year": year,
                    "n": int(row.n) if shown else None,
                    "pct": float(row.pct) if shown else None,
                    "suppressed": not shown,
                }
            )
    administrative = _for_whole_schools(administrative_values(session, keys), filters)
    district = administrative[administrative["school"] == DISTRICT].sort_values("school_year")
    for row in district.itertuples():
        if up_to is None or row.school_year <= up_to:
            point = {"school_year": row.school_year, "n": None, "pct": float(row.value)}
            trends[row.indicator].append({**point, "suppressed": False})
    for points in trends.values():
        points.sort(key=lambda point: point["school_year"])
        previous = None
        for point in points:
            point["change"] = (
                round(point["pct"] - previous, 1)
                if point["pct"] is not None and previous is not None
                else None
            )
            if point["pct"] is not None:
                previous = point["pct"]
    return trends


def question_trend(session: Session, question_key: str, clock, sizes: CellSizes) -> list[dict]:
    """A question's district percent favourable in every administration that asked it (by key)."""
    points = []
    surveys = session.scalars(
        select(Survey).where(Survey.status != SurveyStatus.DRAFT).order_by(Survey.school_year)
    )
    previous = None
    for survey in surveys:
        report = _report_of(session, survey, clock, sizes, ("q", "m", "f"))
        if question_key not in {q.key for q in report.definition.questions}:
            continue
        metrics = question_metrics(report.cells, report.definition, [])
        row = metrics[metrics["question"] == question_key]
        n = int(row["n"].iloc[0]) if len(row) else 0
        pct = row["pct_favourable"].iloc[0] if len(row) and n >= report.min_cell else None
        pct = None if pct is None or pd.isna(pct) else float(pct)
        points.append(
            {
                "survey": survey.slug,
                "school_year": survey.school_year,
                "n": n if n >= report.min_cell else None,
                "pct": pct,
                "change": round(pct - previous, 1)
                if pct is not None and previous is not None
                else None,
            }
        )
        previous = pct if pct is not None else previous
    return points


# --- targets and administrative values ---------------------------------------------------------


def targets_for(session: Session, keys: list[str]) -> dict[tuple[str, str], dict]:
    """{(indicator key, school code or ""): {year: (baseline, target)}}."""
    rows = session.execute(
        select(
            Indicator.key,
            School.code,
            IndicatorTarget.school_year,
            IndicatorTarget.baseline,
            IndicatorTarget.target,
        )
        .join(Indicator, Indicator.id == IndicatorTarget.indicator_id)
        .outerjoin(School, School.id == IndicatorTarget.school_id)
        .where(Indicator.key.in_(keys))
    )
    found: dict[tuple[str, str], dict] = {}
    for key, school, year, baseline, target in rows:
        found.setdefault((key, school or DISTRICT), {})[year] = (baseline, target)
    return found


def on_track(
    value: float | None, baseline: float | None, target: float | None, lower_is_better: bool
) -> str | None:
    """met: target reached; on_track: better than the baseline; off_track: not; None: unknown.

    With no baseline, anything short of the target is off track.
    """
    if value is None or target is None:
        return None
    sign = -1 if lower_is_better else 1
    if sign * (value - target) >= 0:
        return "met"
    if baseline is not None and sign * (value - baseline) > 0:
        return "on_track"
    return "off_track"


def administrative_values(session: Session, keys: list[str]) -> pd.DataFrame:
    rows = session.execute(
        select(
            Indicator.key, School.code, AdministrativeValue.school_year, AdministrativeValue.value
        )
        .join(Indicator, Indicator.id == AdministrativeValue.indicator_id)
        .outerjoin(School, School.id == AdministrativeValue.school_id)
        .where(Indicator.key.in_(keys), Indicator.source == IndicatorSource.ADMINISTRATIVE)
    ).all()
    frame = pd.DataFrame(rows, columns=["indicator", "school", "school_year", "value"])
    frame["school"] = frame["school"].fillna(DISTRICT)
    return frame


def _for_whole_schools(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Administrative figures are whole schools' and the district's, never a group's.

    A page of Spanish-speaking respondents shows none (90.1% attendance is not theirs); a
    page of one tier shows its schools' but not the district's.
    """
    respondents = ("role", "language", "channel", "grade_band")
    if any(getattr(filters, name) is not None for name in respondents):
        return frame.iloc[0:0]
    if filters.tier is not None:
        return frame[frame["school"] != DISTRICT]
    return frame


def response_rates(session: Session, report: SurveyReport) -> pd.DataFrame:
    """Responses per school and, where enrolment is known, the rate in percent."""
    counts = response_counts(report.cells, ["school"])
    schools = schools_frame(session).rename(columns={"code": "school"})
    frame = schools[["school", "enrollment"]].merge(counts, on="school", how="left")
    frame["responses"] = frame["responses"].fillna(0).astype("int64")
    frame["rate"] = [
        100.0 * r / e if e and not pd.isna(e) else None
        for r, e in zip(frame["responses"], frame["enrollment"], strict=True)
    ]
    return tidy(frame)
