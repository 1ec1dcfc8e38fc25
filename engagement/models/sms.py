"""SMS: contacts, conversations, the inbound log, opt-out events, campaigns and the outbox.

Privacy: nothing here points at a Response. A conversation holds its draft's
token only until completion; then the token is dropped and its timestamps are
cut to the day, so no row can be matched to the response the phone gave.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .school import School
from .survey import Survey
from .types import str_enum

contact_school = Table(
    "sms_contact_school",
    Base.metadata,
    Column("contact_id", ForeignKey("sms_contact.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("school.id", ondelete="CASCADE"), primary_key=True),
)


class Contact(Base):
    """A phone that may be invited or may text in; one row per E.164 number."""

    __tablename__ = "sms_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), unique=True)
    # None until the person picks one (or an import sets it).
    language: Mapped[str | None] = mapped_column(String(5))
    # The person texted their language themselves: a later import does not overrule them.
    language_chosen: Mapped[bool] = mapped_column(default=False, server_default=false())
    role: Mapped[str | None] = mapped_column(String(20))
    # Current state; the history is the append-only OptEvent log.
    opted_out: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]

    schools: Mapped[list[School]] = relationship(secondary=contact_school, order_by="School.name")

    def __repr__(self) -> str:
        return f"<Contact {self.id}>"


class OptKind(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"


class OptEvent(Base):
    """An opt-out or opt-in, never updated or deleted: the record carriers ask for."""

    __tablename__ = "sms_opt_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("sms_contact.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[OptKind] = mapped_column(str_enum(OptKind, "sms_opt_kind"))
    at: Mapped[datetime]
    # "keyword", "twilio_21610", "import", "admin".
    source: Mapped[str] = mapped_column(String(32))
    # The word texted (STOP, BAJA, 退订...), when it came from a keyword.
    keyword: Mapped[str | None] = mapped_column(String(32))


class ConversationStatus(StrEnum):
    QUEUED = "queued"  # waiting for the phone's current conversation to end
    ACTIVE = "active"  # the one conversation a phone's messages go to
    COMPLETED = "completed"
    EXPIRED = "expired"
    ENDED = "ended"  # the survey closed, or paused after failed tries (keeps draft_token)


class ConversationStep(StrEnum):
    LANGUAGE = "language"
    SCHOOL = "school"
    QUESTION = "question"


class Conversation(Base):
    """One phone working through one survey, one question per message. State lives here."""

    __tablename__ = "sms_conversation"
    __table_args__ = (
        # At most one active conversation per phone, enforced by the database.
        Index(
            "ix_sms_conversation_one_active",
            "contact_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index(None, "contact_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("sms_contact.id", ondelete="CASCADE"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("sms_invitation.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ConversationStatus] = mapped_column(
        str_enum(ConversationStatus, "sms_conversation_status")
    )
    step: Mapped[ConversationStep] = mapped_column(
        str_enum(ConversationStep, "sms_conversation_step"), default=ConversationStep.LANGUAGE
    )
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))
    # School ids offered in the school question, in the order they were numbered.
    school_options: Mapped[list] = mapped_column(default=list)
    # The draft being filled in; None before the first answer and after completion.
    draft_token: Mapped[str | None] = mapped_column(String(64))
    current_key: Mapped[str | None] = mapped_column(String(64))
    # Failed replies to the current prompt.
    tries: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]

    contact: Mapped[Contact] = relationship()
    survey: Mapped[Survey] = relationship()


class InboundMessage(Base):
    """A webhook call already handled: a retry gets the same reply and changes nothing.

    Neither the phone nor the text is kept, only what was replied.
    """

    __tablename__ = "sms_inbound"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    # The messages replied, separated by form feeds (one TwiML <Message> each).
    reply: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(index=True)


class Campaign(Base):
    """Invitations of chosen schools' contacts (and languages) to one survey."""

    __tablename__ = "sms_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    school_ids: Mapped[list] = mapped_column(default=list)
    # Empty: every language.
    languages: Mapped[list] = mapped_column(default=list)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    reminded_at: Mapped[datetime | None]

    survey: Mapped[Survey] = relationship()
    invitations: Mapped[list[Invitation]] = relationship(back_populates="campaign")


class Invitation(Base):
    """One contact invited by one campaign; `responded` is a flag, never a link to answers."""

    __tablename__ = "sms_invitation"
    __table_args__ = (UniqueConstraint("campaign_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("sms_campaign.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("sms_contact.id", ondelete="CASCADE"), index=True
    )
    # Set when the contact belongs to exactly one of the campaign's schools.
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))
    created_at: Mapped[datetime]
    reminders: Mapped[int] = mapped_column(default=0)
    responded: Mapped[bool] = mapped_column(default=False)

    campaign: Mapped[Campaign] = relationship(back_populates="invitations")
    contact: Mapped[Contact] = relationship()


class OutboundStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker; never picked again
    SENT = "sent"  # Twilio accepted it
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELLED = "cancelled"  # opted out (or the survey closed) before it went
    # A worker stopped between sending and recording: left alone rather than risk a double.
    UNKNOWN = "unknown"


class OutboundMessage(Base):
    """The durable outbox: queued in the transaction that decides to send, sent by a worker."""

    __tablename__ = "sms_outbound"
    __table_args__ = (Index(None, "status", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("sms_contact.id", ondelete="CASCADE"), index=True
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("sms_invitation.id", ondelete="SET NULL"), index=True
    )
    # "invitation", "reminder".
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    segments: Mapped[int] = mapped_column(default=1)
    status: Mapped[OutboundStatus] = mapped_column(
        str_enum(OutboundStatus, "sms_outbound_status"), default=OutboundStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[datetime]
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    twilio_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    error_code: Mapped[int | None]
    error_message: Mapped[str | None] = mapped_column(String(255))

    contact: Mapped[Contact] = relationship()
