"""Counted report cells: a full build in a few GROUP BY queries, topped up as responses arrive.

A top-up counts only responses with an id above the last build's and is kept
only when the old count plus the new ones equals the survey's count now (a
response that committed late with a lower id makes them differ, and then
the cells are rebuilt in full). Whatever the path, the cells equal a full
build; `tests/integration/test_reporting_metrics.py` checks it.

Answers are counted by respondent group (a small integer every response carries,
see models.RespondentGroup), question and value: the same shape as a plain
GROUP BY school, question, value, which is what keeps a full build within 2x of it.
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
    Float,
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
    RespondentGroup,
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


NO_ITEM = literal_column("''")
NO_VALUE = cast(null(), Float)


def select_literal(value: str | int | None):
    """A constant column rendered in the SQL (no typed parameter), accepted by GROUP BY queries."""
    if value is None:
        return literal_column("NULL")
    if isinstance(value, int):
        return literal_column(str(int(value)))
    return literal_column("'" + value.replace("'", "''") + "'")


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


# A count that saw a different set of responses than the others (a response committed
# between them) is counted again, at most this many times in all; should the last try
# still differ, the build's total no longer matches the survey's and the next full
# check (refresh_once) rebuilds it.
COUNT_ATTEMPTS = 3


class _Counts:
    """Every cell of one set of responses: (kind, item, value, group id) -> n."""

    def __init__(
        self, session: Session, version_ids: list[int], question_ids, after_id: int, upto: int
    ):
        self.connection = session.connection()
        self.responses_in_range = and_(
            Response.version_id.in_(version_ids), Response.id > after_id, Response.id <= upto
        )
        # Answers carry their group and are the survey's by their question: no join.
        self.answers_in_range = and_(
            Answer.question_id.in_(list(question_ids)),
            Answer.response_id > after_id,
            Answer.response_id <= upto,
        )
        # Outcomes found by their own key, each joined to its response for the group
        # (2x quicker in SQLite than walking the responses and looking outcomes up).
        self.outcomes_in_range = and_(
            (Response.version_id + 0).in_(version_ids),
            ResponseOutcome.response_id > after_id,
            ResponseOutcome.response_id <= upto,
        )
        self.rows: list[tuple[str, object, float | None, int, int]] = []

    def add(self, kind: str, item, value, *where, n=None, source=Answer, items=None) -> None:
        """GROUP BY item, value and respondent group; `items` maps item ids to stored keys.

        Read back rather than INSERT ... SELECT: PostgreSQL runs a plain SELECT with
        parallel workers, an INSERT ... SELECT on one core.
        """
        group = Answer.group_id if source is Answer else Response.group_id
        columns = [
            item.label("item"),
            (NO_VALUE if value is None else value).label("value"),
            group,
            (func.count() if n is None else n).label("n"),
        ]
        query = select(*columns).select_from(source)
        if source is ResponseOutcome:
            query = query.join(Response, Response.id == ResponseOutcome.response_id)
        in_range = {
            Answer: self.answers_in_range,
            Response: self.responses_in_range,
            ResponseOutcome: self.outcomes_in_range,
        }[source]
        keys = [col for col in (item, value) if col is not None and col is not NO_ITEM]
        # The group first: SQLite sorts to group, and rows of one response sort together.
        query = query.where(in_range, *where).group_by(group, *keys)
        for item_value, number, group_id, count in self.connection.execute(query):
            key = items[item_value] if items is not None else item_value
            self.rows.append((kind, key, number, group_id, count))

    def responses(self) -> int:
        return sum(row[4] for row in self.rows if row[0] == "n")

    def still_the_same(self) -> bool:
        """Whether the responses in range now are those the counts saw (none committed late)."""
        query = select(func.count()).where(self.responses_in_range)
        return self.connection.execute(query).scalar_one() == self.responses()


def _count_cells(session: Session, version_ids: list[int], after_id: int, upto: int) -> _Counts:
    questions = _questions(session, version_ids)
    keys = {qid: key for qid, key, _type, _fav in questions}
    multiple = {qid: fav for qid, _k, kind, fav in questions if kind == "multiple_choice"}
    for _attempt in range(COUNT_ATTEMPTS):
        counts = _Counts(session, version_ids, keys, after_id, upto)
        counts.add("n", NO_ITEM, None, source=Response)
        question, value = Answer.question_id, Answer.value_number
        counts.add("q", question, value, Answer.value_number.is_not(None), items=keys)
        if multiple:
            # Respondents who answered each multiple-choice question, and who chose a
            # favourable option in it.
            answered = and_(Answer.question_id.in_(list(multiple)), Answer.ordinal == 0)
            counts.add("m", question, None, answered, items=keys)
            chose = [
                and_(Answer.question_id == q, Answer.value_number.in_([float(v) for v in fav]))
                for q, fav in multiple.items()
                if fav
            ]
            if chose:
                distinct = func.count(func.distinct(Answer.response_id))
                counts.add("f", question, None, or_(*chose), n=distinct, items=keys)
        outcome = case((ResponseOutcome.value, 1.0), else_=0.0)
        counts.add("i", ResponseOutcome.indicator, outcome, source=ResponseOutcome)
        if counts.still_the_same():
            break
    return counts


def write_cells(
    session: Session, survey_id: int, batch: int, after_id: int = 0, upto: int | None = None
) -> tuple[int, int]:
    """Count every cell of the survey's responses with ids in (`after_id`, `upto`] into `batch`.

    Returns (responses counted, highest response id counted). Every count of one
    call reads the same responses: a set that changed between them is counted again.
    """
    version_ids = _version_ids(session, survey_id)
    if upto is None:
        upto = _survey_totals(session, survey_id)[1]
    if not version_ids or upto <= after_id:
        return 0, after_id
    # Counted as the range of ids from the survey's first response: older surveys'
    # answers are left unread.
    first = session.scalar(
        select(func.min(Response.id)).where(Response.version_id.in_(version_ids))
    )
    counts = _count_cells(session, version_ids, max(after_id, (first or 1) - 1), upto)
    groups = {
        row.id: row
        for row in session.execute(
            select(RespondentGroup.id, *(getattr(RespondentGroup, d) for d in DIMENSIONS))
        )
    }
    cells = []
    for kind, item, value, group_id, n in counts.rows:
        group = groups[group_id]
        dims = (group.school_id, group.language, str(group.channel), group.role)
        cells.append((survey_id, batch, kind, item, value, *dims, group.grade_band or None, n))
    _insert_cells(session, cells)
    responses = counts.responses()
    last = upto if responses else after_id
    return responses, last


_INSERTED = ("survey_id", "batch", "kind", "item", "value", *DIMENSIONS, "count")


def _insert_cells(session: Session, cells: list[tuple]) -> None:
    """Write counted cells: COPY on PostgreSQL, 8x quicker than INSERTs at 40,000 cells."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # A DBAPI cursor on the session's own connection: the same transaction.
        statement = f"COPY report_cell ({', '.join(_INSERTED)}) FROM STDIN"
        with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
            for cell in cells:
                copy.write_row(cell)
    elif cells:
        connection.execute(
            insert(_cells), [dict(zip(_INSERTED, cell, strict=True)) for cell in cells]
        )


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
    added, _last = write_cells(
        session, survey_id, batch, after_id=build.last_response_id, upto=last
    )
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
