"""Counted report cells: a full build in a few GROUP BY queries, topped up as responses arrive.

A top-up counts only responses with an id above the last build's and is kept
only when the old count plus the new ones equals the survey's count now (a
response that committed late with a lower id makes them differ, and then
the cells are rebuilt in full). Whatever the path, the cells equal a full
build; `tests/unit/test_reporting_cube.py` checks it.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import and_, case, delete, func, insert, literal_column, or_, select, update
from sqlalchemy.orm import Session

from engagement.models import (
    Answer,
    Question,
    ReportBuild,
    ReportCell,
    Response,
    ResponseOutcome,
    Survey,
    SurveyVersion,
)

DIMENSIONS = ("school_id", "language", "channel", "role", "grade_band")
CELL_COLUMNS = ("kind", "item", "value", *DIMENSIONS, "count")
# Top-ups are folded into one batch once there are this many.
MAX_BATCHES = 20

_cells = ReportCell.__table__


@dataclass(frozen=True)
class CubeState:
    survey_id: int
    responses: int
    last_response_id: int
    batch: int


def _dims():
    return (
        Response.school_id,
        Response.language,
        Response.channel,
        Response.role,
        Response.grade_band,
    )


def _version_ids(session: Session, survey_id: int) -> list[int]:
    return list(
        session.scalars(select(SurveyVersion.id).where(SurveyVersion.survey_id == survey_id))
    )


def _questions(session: Session, version_ids: list[int]) -> list[tuple[int, str, str, list]]:
    return list(
        session.execute(
            select(Question.id, Question.key, Question.type, Question.favourable_values).where(
                Question.version_id.in_(version_ids)
            )
        ).all()
    )


def count_cells(session: Session, survey_id: int, after_id: int = 0) -> list[dict]:
    """Every cell of a survey's responses with an id above `after_id`, counted by the database."""
    version_ids = _version_ids(session, survey_id)
    if not version_ids:
        return []
    questions = _questions(session, version_ids)
    key_of = {qid: key for qid, key, _t, _f in questions}
    dims = _dims()
    in_survey = and_(Response.version_id.in_(version_ids), Response.id > after_id)
    cells: list[dict] = []

    def add(kind: str, rows, item_of=lambda item: item):
        for item, value, *rest in rows:
            *dim_values, count = rest
            cells.append(
                {
                    "kind": kind,
                    "item": item_of(item),
                    "value": None if value is None else float(value),
                    **dict(zip(DIMENSIONS, dim_values, strict=True)),
                    "count": int(count),
                }
            )

    responses = session.execute(
        select(select_literal(""), select_literal(None), *dims, func.count())
        .where(in_survey)
        .group_by(*dims)
    )
    add("n", responses)

    answers = session.execute(
        select(Answer.question_id, Answer.value_number, *dims, func.count())
        .join(Response, Response.id == Answer.response_id)
        .where(in_survey, Answer.value_number.is_not(None))
        .group_by(Answer.question_id, Answer.value_number, *dims)
    )
    add("q", answers, key_of.__getitem__)

    multiple = [(qid, fav) for qid, _k, kind, fav in questions if kind == "multiple_choice"]
    if multiple:
        respondents = session.execute(
            select(Answer.question_id, select_literal(None), *dims, func.count())
            .join(Response, Response.id == Answer.response_id)
            .where(in_survey, Answer.question_id.in_([q for q, _ in multiple]), Answer.ordinal == 0)
            .group_by(Answer.question_id, *dims)
        )
        add("m", respondents, key_of.__getitem__)
        favourable = [(q, fav) for q, fav in multiple if fav]
        if favourable:
            chosen = or_(
                *(
                    and_(Answer.question_id == q, Answer.value_number.in_([float(v) for v in fav]))
                    for q, fav in favourable
                )
            )
            rows = session.execute(
                select(
                    Answer.question_id,
                    select_literal(None),
                    *dims,
                    func.count(func.distinct(Answer.response_id)),
                )
                .join(Response, Response.id == Answer.response_id)
                .where(in_survey, chosen)
                .group_by(Answer.question_id, *dims)
            )
            add("f", rows, key_of.__getitem__)

    outcome_value = case((ResponseOutcome.value, 1.0), else_=0.0)
    outcomes = session.execute(
        select(ResponseOutcome.indicator, outcome_value, *dims, func.count())
        .join(Response, Response.id == ResponseOutcome.response_id)
        .where(in_survey)
        .group_by(ResponseOutcome.indicator, outcome_value, *dims)
    )
    add("i", outcomes)
    return cells


def select_literal(value: str | int | None):
    """A constant column rendered in the SQL (no typed parameter), accepted by GROUP BY queries."""
    if value is None:
        return literal_column("NULL")
    if isinstance(value, int):
        return literal_column(str(int(value)))
    return literal_column("'" + value.replace("'", "''") + "'")


def _survey_totals(session: Session, survey_id: int) -> tuple[int, int]:
    version_ids = _version_ids(session, survey_id)
    if not version_ids:
        return 0, 0
    count, last = session.execute(
        select(func.count(), func.coalesce(func.max(Response.id), 0)).where(
            Response.version_id.in_(version_ids)
        )
    ).one()
    return int(count), int(last)


def _write(session: Session, survey_id: int, batch: int, cells: list[dict]) -> None:
    rows = [{**cell, "survey_id": survey_id, "batch": batch} for cell in cells]
    for start in range(0, len(rows), 5000):
        session.execute(insert(_cells), rows[start : start + 5000])


def rebuild(session: Session, survey_id: int, clock: Callable[[], datetime]) -> CubeState:
    """Count every cell of the survey again from its answers and outcomes. Commits."""
    total, last = _survey_totals(session, survey_id)
    cells = count_cells(session, survey_id)
    session.execute(delete(ReportCell).where(ReportCell.survey_id == survey_id))
    build = session.get(ReportBuild, survey_id)
    if build is None:
        build = ReportBuild(
            survey_id=survey_id, batch=0, batches=0, responses=0, last_response_id=0
        )
        session.add(build)
    build.batch += 1
    build.batches = 1
    build.responses, build.last_response_id, build.built_at = total, last, clock()
    build.token = new_token()
    session.flush()
    _write(session, survey_id, build.batch, cells)
    session.commit()
    return CubeState(survey_id, total, last, build.batch)


def _compact(session: Session, survey_id: int, batch: int) -> None:
    """Fold every batch of a survey's cells into one, in the database."""
    group = [
        ReportCell.kind,
        ReportCell.item,
        ReportCell.value,
        *(getattr(ReportCell, d) for d in DIMENSIONS),
    ]
    summed = (
        select(select_literal(survey_id), select_literal(batch), *group, func.sum(ReportCell.count))
        .where(ReportCell.survey_id == survey_id, ReportCell.batch < batch)
        .group_by(*group)
    )
    columns = ["survey_id", "batch", *(c.key for c in group), "count"]
    session.execute(insert(_cells).from_select(columns, summed))
    session.execute(
        delete(ReportCell).where(ReportCell.survey_id == survey_id, ReportCell.batch < batch)
    )


def refresh(session: Session, survey_id: int, clock: Callable[[], datetime]) -> CubeState:
    """Bring the cells up to date: nothing, a top-up or a full rebuild. Commits if it wrote."""
    total, last = _survey_totals(session, survey_id)
    build = session.get(ReportBuild, survey_id)
    if build is None:
        return rebuild(session, survey_id, clock)
    if build.responses == total and build.last_response_id == last:
        session.rollback()
        return CubeState(survey_id, total, last, build.batch)
    seen = build.responses
    cells = count_cells(session, survey_id, after_id=build.last_response_id)
    added = sum(c["count"] for c in cells if c["kind"] == "n")
    if seen + added != total or total < seen:
        session.rollback()
        return rebuild(session, survey_id, clock)
    batch = build.batch + 1
    # Claim the top-up first: a concurrent one that read the same totals updates no row.
    claimed = session.execute(
        update(ReportBuild)
        .where(
            ReportBuild.survey_id == survey_id,
            ReportBuild.responses == seen,
            ReportBuild.batch == build.batch,
        )
        .values(
            responses=total,
            last_response_id=last,
            batch=batch,
            batches=ReportBuild.batches + 1,
            built_at=clock(),
            token=new_token(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        session.rollback()
        return refresh(session, survey_id, clock)
    _write(session, survey_id, batch, cells)
    if build.batches + 1 > MAX_BATCHES:
        batch += 1
        session.execute(
            update(ReportBuild)
            .where(ReportBuild.survey_id == survey_id)
            .values(batch=batch, batches=1, token=new_token())
        )
        _compact(session, survey_id, batch)
    session.commit()
    return CubeState(survey_id, total, last, batch)


def new_token() -> str:
    return secrets.token_hex(16)


# (survey id, build token, kinds, items) -> cells: a page reads the same cells again and again
# (every year's surveys for the trends) until a top-up or rebuild changes the token.
_CACHE: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
CACHE_SIZE = 64


def read_cells(
    session: Session, survey_id: int, kinds: tuple[str, ...], items=None
) -> pd.DataFrame:
    """The survey's cells of these kinds (and items), summed across batches, as a DataFrame.

    Cached in this process by the build's token; callers get a copy they may change.
    """
    token = session.scalar(select(ReportBuild.token).where(ReportBuild.survey_id == survey_id))
    key = (survey_id, token, tuple(kinds), None if items is None else tuple(sorted(items)))
    if token:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached.copy()
    frame = _read_cells(session, survey_id, kinds, items)
    if token:
        _CACHE[key] = frame
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
        return frame.copy()
    return frame


def _read_cells(session: Session, survey_id: int, kinds: tuple[str, ...], items) -> pd.DataFrame:
    query = select(*(getattr(ReportCell, c) for c in CELL_COLUMNS)).where(
        ReportCell.survey_id == survey_id, ReportCell.kind.in_(kinds)
    )
    if items is not None:
        query = query.where(ReportCell.item.in_(list(items)))
    rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=list(CELL_COLUMNS))
    frame["grade_band"] = frame["grade_band"].fillna("")
    frame["value"] = frame["value"].astype("float64")
    frame["count"] = frame["count"].astype("int64")
    keys = [c for c in CELL_COLUMNS if c != "count"]
    return frame.groupby(keys, dropna=False, as_index=False, sort=False)["count"].sum()


def survey_ids_for(session: Session, slugs: list[str]) -> dict[str, int]:
    return dict(session.execute(select(Survey.slug, Survey.id).where(Survey.slug.in_(slugs))).all())
