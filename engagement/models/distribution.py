"""Class and school codes for student surveys, and parental consent records.

Neither table has any link to a response: a code names a school (and a class
label for the staff who hand it out), and a consent record names a student
only so a proctor knows who must not take the survey.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .school import School
from .survey import Survey
from .types import str_enum


class ConsentMode(StrEnum):
    ACTIVE = "active"  # opt-in: only students whose parents said yes take it
    PASSIVE = "passive"  # opt-out: everyone but those whose parents said no


class ConsentDecision(StrEnum):
    OPTED_OUT = "opted_out"
    OPTED_IN = "opted_in"


class AccessCode(Base):
    """A short code students type at /s/<slug>/code; it names a school, never a student."""

    __tablename__ = "access_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    # "Room 12, 3rd period": for the staff handing codes out; not stored with answers.
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(default=True)

    survey: Mapped[Survey] = relationship()
    school: Mapped[School] = relationship()


class ConsentSetting(Base):
    """How parental consent works for one student survey, when staff have chosen."""

    __tablename__ = "consent_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), unique=True)
    mode: Mapped[ConsentMode] = mapped_column(str_enum(ConsentMode, "consent_mode"))
    updated_at: Mapped[datetime]


class ConsentRecord(Base):
    """A parent's decision for one student, for the proctor's list. Never joined to answers."""

    __tablename__ = "consent_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    # What a proctor can check against the class: a name, or a student ID.
    student: Mapped[str] = mapped_column(String(120))
    decision: Mapped[ConsentDecision] = mapped_column(str_enum(ConsentDecision, "consent_decision"))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )

    school: Mapped[School] = relationship()
