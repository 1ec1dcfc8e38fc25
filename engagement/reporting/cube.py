"""Counted report cells: a full build in a few GROUP BY queries, topped up as responses arrive.

A top-up counts only responses with an id above the last build's and is kept
only when the old count plus the new ones equals the survey's count now (a
response that committed late with a lower id makes them differ, and then
the cells are rebuilt in full). Whatever the path, the cells equal a full
build; `tests/unit/test_reporting_cube.py` checks it.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    event,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    update,
)
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


# Each counted response and its respondent group (school x language x channel x role x
# grade band, numbered 1..k): the big counts group answers by one small integer instead
# of five columns, and every count of one build reads the same set of responses.
_counted = Table(
    "report_counted_response",
    MetaData(),
    Column("response_id", Integer, primary_key=True),
    Column("grp", Integer, nullable=False),
    Column("school_id", Integer),
    *(Column(name, String(32)) for name in DIMENSIONS[1:]),
    prefixes=["TEMPORARY"],
)


NO_ITEM = literal_column("''")
NO_VALUE = cast(null(), Float)


def _number_groups(session: Session, version_ids: list[int], after_id: int) -> None:
    """Fill the temporary table with the survey's responses above `after_id`, numbered by group."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Sorting and hashing a million responses in memory instead of in disk batches.
        connection.exec_driver_sql("SET LOCAL work_mem = '128MB'")
    _counted.drop(connection, checkfirst=True)
    _counted.create(connection)
    dims = _dims()
    numbered = (
        select(Response.id, func.dense_rank().over(order_by=dims), *dims)
        .where(Response.version_id.in_(version_ids), Response.id > after_id)
        .order_by(Response.id)  # rows reach the table's key in order: appends, not page splits
    )
    connection.execute(insert(_counted).from_select(["response_id", "grp", *DIMENSIONS], numbered))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE report_counted_response")


def write_cells(session: Session, survey_id: int, batch: int, after_id: int = 0) -> tuple[int, int]:
    """Count every cell of the survey's responses above `after_id` into `batch`, in the database.

    Returns (responses counted, highest response id counted): every count of one
    call reads the same responses, those in the temporary table.
    """
    version_ids = _version_ids(session, survey_id)
    if not version_ids:
        return 0, after_id
    questions = _questions(session, version_ids)
    connection = session.connection()
    _number_groups(session, version_ids, after_id)
    c = _counted.c
    groups = select(c.grp, *(c[d] for d in DIMENSIONS)).distinct().subquery("grp_dims")
    by_answer = _counted.join(Answer, Answer.response_id == c.response_id)
    columns = ["survey_id", "batch", "kind", "item", "value", *DIMENSIONS, "count"]

    def write(kind: str, counts, item=None):
        """INSERT ... SELECT the counts (columns item, value, grp, n) with their dimensions."""
        counts = counts.subquery("counts")
        item_column = counts.c.item if item is None else item
        query = (
            select(
                select_literal(survey_id),
                select_literal(batch),
                select_literal(kind),
                item_column,
                counts.c.value,
                *(groups.c[d] for d in DIMENSIONS),
                counts.c.n,
            )
            .select_from(counts)
            .join(groups, groups.c.grp == counts.c.grp)
        )
        if item is not None:
            query = query.join(Question, Question.id == counts.c.item)
        connection.execute(insert(_cells).from_select(columns, query))

    def counted(item, value, *where, n=None, source=by_answer):
        if source is by_answer:
            # "+ 0": grouped as plain values, SQLite scans answers in row order and looks each
            # response up by key, instead of walking the (question, value) index in random
            # row order (3x slower at 2.5 million answers). PostgreSQL plans the same either way.
            item = item + 0
            value = value if value is NO_VALUE else value + 0
        query = select(
            item.label("item"),
            value.label("value"),
            c.grp.label("grp"),
            (func.count() if n is None else n).label("n"),
        ).select_from(source)
        keys = [col for col in (item, value) if col is not NO_VALUE and col is not NO_ITEM]
        return query.where(*where).group_by(*keys, c.grp)

    write("n", counted(NO_ITEM, NO_VALUE, source=_counted))
    write(
        "q",
        counted(Answer.question_id, Answer.value_number, Answer.value_number.is_not(None)),
        item=Question.key,
    )
    multiple = [(qid, fav) for qid, _k, kind, fav in questions if kind == "multiple_choice"]
    if multiple:
        ids = [q for q, _ in multiple]
        write(
            "m",
            counted(
                Answer.question_id,
                NO_VALUE,
                Answer.question_id.in_(ids),
                Answer.ordinal == 0,
            ),
            item=Question.key,
        )
        favourable = [(q, fav) for q, fav in multiple if fav]
        if favourable:
            chosen = or_(
                *(
                    and_(Answer.question_id == q, Answer.value_number.in_([float(v) for v in fav]))
                    for q, fav in favourable
                )
            )
            write(
                "f",
                counted(
                    Answer.question_id,
                    NO_VALUE,
                    chosen,
                    n=func.count(func.distinct(Answer.response_id)),
                ),
                item=Question.key,
            )
    outcome_value = case((ResponseOutcome.value, 1.0), else_=0.0)
    write(
        "i",
        counted(
            ResponseOutcome.indicator,
            outcome_value,
            source=_counted.join(ResponseOutcome, ResponseOutcome.response_id == c.response_id),
        ),
    )
    responses, last = connection.execute(
        select(func.count(), func.coalesce(func.max(c.response_id), after_id))
    ).one()
    _counted.drop(connection)
    return int(responses), int(last)


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


def rebuild(session: Session, survey_id: int, clock: Callable[[], datetime]) -> CubeState:
    """Count every cell of the survey again from its answers and outcomes. Commits."""
    session.execute(delete(ReportCell).where(ReportCell.survey_id == survey_id))
    build = session.get(ReportBuild, survey_id)
    if build is None:
        build = ReportBuild(
            survey_id=survey_id, batch=0, batches=0, responses=0, last_response_id=0
        )
        session.add(build)
    build.batch += 1
    build.batches = 1
    build.built_at = clock()
    build.token = new_token()
    session.flush()
    total, last = write_cells(session, survey_id, build.batch)
    build.responses, build.last_response_id = total, last
    batch = build.batch
    session.commit()
    return CubeState(survey_id, total, last, batch)


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
    added, _last = write_cells(session, survey_id, batch, after_id=build.last_response_id)
    if seen + added != total or total < seen:
        # A response committed late with a lower id, or one arrived meanwhile: count anew.
        session.rollback()
        return rebuild(session, survey_id, clock)
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


_FRESH = "report_cells_fresh"


@event.listens_for(Session, "after_commit")
def _forget_fresh(session: Session) -> None:
    session.info.pop(_FRESH, None)


# A response that commits late with a lower id than the last one counted is only seen by a
# full count (~100 ms at a million responses); pages make one at most this often per process.
FULL_CHECK_SECONDS = 60.0
_last_full_check: dict[int, float] = {}


def _anything_new(session: Session, survey_id: int) -> bool:
    """Whether a response above the last counted id exists: one probe of the primary key."""
    last = session.scalar(
        select(ReportBuild.last_response_id).where(ReportBuild.survey_id == survey_id)
    )
    if last is None:
        return True
    versions = select(SurveyVersion.id).where(SurveyVersion.survey_id == survey_id)
    newer = select(Response.id).where(Response.id > last, Response.version_id.in_(versions))
    return session.scalar(newer.limit(1)) is not None


def refresh_once(session: Session, survey_id: int, clock: Callable[[], datetime]) -> None:
    """`refresh` for pages: once per session between commits, and cheap when nothing arrived.

    A page reads one survey's cells several times (table, trends, comments). When no
    response above the last counted id exists, the full count is skipped unless the
    last one in this process is older than FULL_CHECK_SECONDS.
    """
    if survey_id in session.info.get(_FRESH, ()):
        return
    recent = time.monotonic() - _last_full_check.get(survey_id, float("-inf"))
    if recent >= FULL_CHECK_SECONDS or _anything_new(session, survey_id):
        refresh(session, survey_id, clock)
        _last_full_check[survey_id] = time.monotonic()
    session.info.setdefault(_FRESH, set()).add(survey_id)


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
