"""What reports read: per-response indicator outcomes, counted cells, targets, imported values.

Outcomes are decided once, when a response completes (engagement/surveys/scoring.py),
so a report counts rows instead of re-scoring every respondent. Report cells are
counts keyed by school, question or indicator, value and the respondent
columns a report filters on; they are rebuilt in full or topped up with the
responses that completed since the last build.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .framework import Indicator
from .school import School


class ResponseOutcome(Base):
    """Whether one respondent counts for one indicator (no row: nothing to go on)."""

    __tablename__ = "response_outcome"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    # The indicator key, so storing an outcome needs no lookup on the completion path.
    indicator: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bool]


class ReportCell(Base):
    """A count of answers, respondents or outcomes for one combination of report columns."""

    __tablename__ = "report_cell"
    __table_args__ = (Index(None, "survey_id", "kind", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    # Cells of one top-up share a batch; compaction folds batches together.
    batch: Mapped[int]
    # n: responses; q: answers of a value; m: multiple-choice respondents;
    # f: multiple-choice respondents with a favourable choice; i: indicator outcomes.
    kind: Mapped[str] = mapped_column(String(1))
    # A question key (stable across versions) or an indicator key; "" for kind n.
    item: Mapped[str] = mapped_column(String(64))
    value: Mapped[float | None] = mapped_column(Float)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    language: Mapped[str] = mapped_column(String(5))
    channel: Mapped[str] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(20))
    grade_band: Mapped[str | None] = mapped_column(String(16))
    count: Mapped[int]


class ReportBuild(Base):
    """How far a survey's report cells go: a top-up is only trusted when the counts add up."""

    __tablename__ = "report_build"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True
    )
    responses: Mapped[int]
    last_response_id: Mapped[int]
    batch: Mapped[int]
    batches: Mapped[int]
    built_at: Mapped[datetime]
    # New at every change of the survey's cells: what in-process caches of them are keyed by.
    token: Mapped[str] = mapped_column(String(32), default="", server_default="")


class IndicatorTarget(Base):
    """Baseline and target of an indicator for a school year, district-wide or at one school."""

    __tablename__ = "indicator_target"
    __table_args__ = (UniqueConstraint("indicator_id", "school_id", "school_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    school_year: Mapped[str] = mapped_column(String(9))
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )

    indicator: Mapped[Indicator] = relationship()
    school: Mapped[School | None] = relationship()


class AdministrativeValue(Base):
    """An imported rate (attendance, suspension, crime, employment) for a school and year."""

    __tablename__ = "administrative_value"
    __table_args__ = (UniqueConstraint("indicator_id", "school_id", "school_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    # None: a district-wide figure (crime and employment are often only known citywide).
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    school_year: Mapped[str] = mapped_column(String(9))
    value: Mapped[float] = mapped_column(Float)
    imported_at: Mapped[datetime]

    indicator: Mapped[Indicator] = relationship()
    school: Mapped[School | None] = relationship()
