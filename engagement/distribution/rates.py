"""The live response-rate board: where a survey is being answered, and where to push.

Counts only (school x language x channel), never answers, so no suppression is
needed; it is still a staff page, scoped to the reader's schools.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engagement.adapters.clock import Clock
from engagement.audit import record
from engagement.i18n import SUPPORTED_LANGUAGES
from engagement.models import (
    Audience,
    Channel,
    Response,
    ResponseDraft,
    School,
    Survey,
    SurveyVersion,
    User,
)
from engagement.sms.contacts import part_way_through

from .service import DistributionError, _survey

COLUMNS = tuple((language, channel) for language in SUPPORTED_LANGUAGES for channel in Channel)
MAX_ENROLLMENT = 100_000


@dataclass(frozen=True)
class RateRow:
    school: School
    counts: Mapping[tuple[str, Channel], int]
    in_progress: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def denominator(self) -> int | None:
        return self.school.enrollment or None

    @property
    def rate(self) -> float | None:
        return None if self.denominator is None else 100.0 * self.total / self.denominator


@dataclass(frozen=True)
class RateBoard:
    survey: Survey
    rows: list[RateRow]
    as_of: datetime
    # Families and students are counted against enrolment; staff have no denominator here.
    has_denominator: bool
    totals: Counter = field(default_factory=Counter)
    whole_district: bool = True  # False: only the reader's own schools (school staff)

    @property
    def columns(self) -> list[tuple[str, Channel]]:
        """Web and SMS in every language, other channels only once they have responses."""
        return [
            (language, channel)
            for language, channel in COLUMNS
            if channel in (Channel.WEB, Channel.SMS) or self.totals[(language, channel)]
        ]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def in_progress(self) -> int:
        return sum(row.in_progress for row in self.rows)

    @property
    def denominator(self) -> int | None:
        known = [row.denominator for row in self.rows if row.denominator]
        return sum(known) if known and len(known) == len(self.rows) else None

    @property
    def rate(self) -> float | None:
        return None if not self.denominator else 100.0 * self.total / self.denominator


def _push_order(row: RateRow) -> tuple:
    """Lowest rate first (where to push), then schools without enrolment by fewest responses."""
    return (row.rate is None, row.rate if row.rate is not None else row.total, row.school.name)


def response_rate_board(
    session: Session, slug: str, clock: Clock, schools: Iterable[str] | None = None
) -> RateBoard:
    """Completed and in-progress responses per school, language and channel; `schools` limits it."""
    survey = _survey(session, slug)
    versions = select(SurveyVersion.id).where(SurveyVersion.survey_id == survey.id)
    completed = session.execute(
        select(Response.school_id, Response.language, Response.channel, func.count())
        .where(Response.version_id.in_(versions))
        .group_by(Response.school_id, Response.language, Response.channel)
    ).all()
    started = dict(
        session.execute(
            select(ResponseDraft.school_id, func.count())
            .where(ResponseDraft.version_id.in_(versions), *part_way_through())
            .group_by(ResponseDraft.school_id)
        ).all()
    )
    counts: dict[int, Counter] = {}
    for school_id, language, channel, n in completed:
        counts.setdefault(school_id, Counter())[(language, Channel(channel))] += n

    query = select(School).where(School.active.is_(True))
    if schools is not None:
        query = query.where(School.code.in_(list(schools)))
    rows = [
        RateRow(school, counts.get(school.id, Counter()), started.get(school.id, 0))
        for school in session.scalars(query)
    ]
    rows.sort(key=_push_order)
    totals: Counter = Counter()
    for row in rows:
        totals.update(row.counts)
    return RateBoard(
        survey=survey,
        rows=rows,
        as_of=clock(),
        has_denominator=survey.audience != Audience.STAFF,
        whole_district=schools is None,
        totals=totals,
    )


def set_enrollments(
    session: Session, actor: User | None, values: Mapping[str, str], clock: Clock
) -> int:
    """Store the enrolment figures staff typed (blank clears one); all or nothing. Commits."""
    schools = {s.code: s for s in session.scalars(select(School).where(School.code.in_(values)))}
    if set(values) - set(schools):
        raise DistributionError("unknown_school")
    parsed: dict[str, int | None] = {}
    for code, raw in values.items():
        text = unicodedata.normalize("NFKC", raw or "").strip().replace(",", "")
        if not text:
            parsed[code] = None
            continue
        if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_ENROLLMENT:
            raise DistributionError("bad_enrollment", school=schools[code].name, value=raw)
        parsed[code] = int(text)
    changed = {code: n for code, n in parsed.items() if schools[code].enrollment != n}
    for code, n in changed.items():
        schools[code].enrollment = n
    if changed:
        record(session, actor, "schools.enrollment", "schools", {"changed": changed}, at=clock())
    session.commit()
    return len(changed)
