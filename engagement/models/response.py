"""Responses in progress (drafts) and completed responses with their answers.

A completed Response carries no token, contact or exact draft timestamp, so
nothing can join an answer back to the person or phone that gave it.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .types import Channel, str_enum

if TYPE_CHECKING:
    from .school import School
    from .survey import SurveyVersion


class ResponseDraft(Base):
    """Answers saved page by page (web) or message by message (SMS) until completion."""

    __tablename__ = "response_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "draft_channel"))
    language: Mapped[str] = mapped_column(String(5))
    answers: Mapped[dict] = mapped_column(default=dict)
    # Highest section (web) reached; lets a returning respondent resume there.
    furthest_section: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set on completion, when answers are emptied and timestamps coarsened.
    completed: Mapped[bool] = mapped_column(default=False)
    # Bumped by every write: a page writes only over the revision it read (compare-and-set).
    revision: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    version: Mapped["SurveyVersion"] = relationship()
    school: Mapped["School"] = relationship()


class RespondentGroup(Base):
    """Who answered, as reports count them: school x language x channel x role x grade band.

    A response and its answers point to their group, so a report counts millions of
    answers by one small integer, without joining them to their responses (see
    reporting/cube.py). Rows are only added.
    """

    __tablename__ = "respondent_group"
    __table_args__ = (UniqueConstraint("school_id", "language", "channel", "role", "grade_band"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    language: Mapped[str] = mapped_column(String(5))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "respondent_group_channel"))
    role: Mapped[str] = mapped_column(String(20))
    # "" when none: a unique constraint treats NULLs as distinct.
    grade_band: Mapped[str] = mapped_column(String(16))


class Response(Base):
    __tablename__ = "response"
    __table_args__ = (
        Index(None, "version_id", "school_id"),
        UniqueConstraint("id", "group_id"),  # what an answer's (response, group) refers to
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"))
    # Always the group of the columns below: set at completion, never changed.
    group_id: Mapped[int] = mapped_column(ForeignKey("respondent_group.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "response_channel"))
    language: Mapped[str] = mapped_column(String(5))
    # The survey's audience, or a finer code a question sets (e.g. "guardian").
    role: Mapped[str] = mapped_column(String(20))
    grade_band: Mapped[str | None] = mapped_column(String(16))
    # Midnight (UTC) of the day: an exact time could tie a response to a log line or a phone.
    started_at: Mapped[datetime]
    completed_at: Mapped[datetime]

    # The database deletes a response's answers (ON DELETE CASCADE); the ORM need not load them.
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="response", order_by="Answer.id", passive_deletes=True
    )
    version: Mapped["SurveyVersion"] = relationship()
    school: Mapped["School"] = relationship()


class Answer(Base):
    """One value; a multiple-choice answer is one row per chosen option (ordinal 0, 1, ...)."""

    __tablename__ = "answer"
    # No index by question: each answer of a response would land on its own index page,
    # and reports count answers in one pass (migration 0010).
    # The response's group is repeated here so reports count answers without a join; the
    # composite key makes it the response's own (migration 0012).
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", "ordinal"),
        ForeignKeyConstraint(
            ["response_id", "group_id"], ["response.id", "response.group_id"], ondelete="CASCADE"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int]
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    group_id: Mapped[int]
    ordinal: Mapped[int] = mapped_column(default=0)
    value_number: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
