"""Surveys, their frozen versions, and the questions each version asks."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .framework import Indicator
from .types import Audience, SurveyStatus, Translated, str_enum


class TakesResponses:
    """When a survey takes responses: shared by the model and the row a respondent's page reads."""

    def accepts_responses(self, now: datetime) -> bool:
        """Open, and inside its window when one is set."""
        return self.state(now) == "open"

    def not_open_yet(self, now: datetime) -> bool:
        """Published with a window that starts later: a flyer may have gone home early."""
        return self.state(now) == "scheduled"

    def state(self, now: datetime) -> str:
        """draft, scheduled (open, window not started), open, ended (window over) or closed."""
        if self.status != SurveyStatus.OPEN:
            return SurveyStatus(self.status).value
        if self.opens_at is not None and now < self.opens_at:
            return "scheduled"
        return "open" if self.closes_at is None or now < self.closes_at else "ended"


class Survey(TakesResponses, Base):
    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[Translated] = mapped_column()
    audience: Mapped[Audience] = mapped_column(str_enum(Audience, "survey_audience"))
    school_year: Mapped[str] = mapped_column(String(9))
    status: Mapped[SurveyStatus] = mapped_column(
        str_enum(SurveyStatus, "survey_status"), default=SurveyStatus.DRAFT
    )
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list["SurveyVersion"]] = relationship(
        back_populates="survey", order_by="SurveyVersion.number"
    )

    def __repr__(self) -> str:
        return f"<Survey {self.slug}>"


class SurveyVersion(Base):
    """An immutable definition; responses point here, so edits never rewrite history."""

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    # Loaded only when this process has not parsed the version yet (it is large).
    definition: Mapped[dict] = mapped_column(deferred=True)
    # {question key: Question.id}, written with the version: storing answers needs no lookup.
    question_ids: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey: Mapped[Survey] = relationship(back_populates="versions")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="version", order_by="Question.position"
    )


class Question(Base):
    """A version's question as a row, so reports can join answers to indicators in SQL."""

    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"), index=True)
    # Stable across versions and years, so trends line up.
    key: Mapped[str] = mapped_column(String(64), index=True)
    position: Mapped[int]
    section_key: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool]
    text: Mapped[Translated] = mapped_column()
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id"), index=True)
    reverse_coded: Mapped[bool] = mapped_column(default=False)
    favourable_values: Mapped[list] = mapped_column(default=list)

    version: Mapped[SurveyVersion] = relationship(back_populates="questions")
    indicator: Mapped[Indicator | None] = relationship()
    choices: Mapped[list["Choice"]] = relationship(
        back_populates="question", order_by="Choice.position"
    )


class Choice(Base):
    __tablename__ = "choice"
    __table_args__ = (
        UniqueConstraint("question_id", "value"),
        UniqueConstraint("question_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    position: Mapped[int]
    value: Mapped[int]
    code: Mapped[str] = mapped_column(String(32))
    label: Mapped[Translated] = mapped_column()
    # "Not applicable / don't know": left out of percent-favourable denominators.
    not_applicable: Mapped[bool] = mapped_column(default=False)
    favourable: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship(back_populates="choices")
