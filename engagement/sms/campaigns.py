"""Campaigns: invite chosen schools' contacts to a survey by text, remind non-responders,
and say what it costs (segments) before anything is sent."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from engagement.adapters.clock import Clock
from engagement.audit import record
from engagement.delivery.service import DeliveryError, find_open_survey
from engagement.i18n import SUPPORTED_LANGUAGES
from engagement.models import (
    Audience,
    Campaign,
    Contact,
    Conversation,
    ConversationStatus,
    Invitation,
    OutboundMessage,
    OutboundStatus,
    School,
    Survey,
    User,
    contact_school,
)
from engagement.surveys import SurveyDefinition
from engagement.surveys.flow import next_question

from . import prompts
from .conversation import AUDIENCE_OF_ROLE, SmsSettings, Turn, lock_contact
from .outbox import queue_message
from .segments import segments, smart_encode


class CampaignError(ValueError):
    """A campaign that cannot be made (survey not open, no schools chosen); `code` says which."""

    def __init__(self, reason: str, code: str):
        super().__init__(reason)
        self.code = code


# In a campaign's languages: the contacts whose language is not known yet (asked first).
UNKNOWN_LANGUAGE = ""


@dataclass
class CampaignEstimate:
    recipients: int = 0
    segments: int = 0
    # language ("" when unknown) -> [recipients, segments]
    by_language: dict[str, list[int]] = field(default_factory=dict)
    other_roles: int = 0  # contacts at these schools whose role the survey is not for


def question_segments(definition: SurveyDefinition) -> dict[str, list[tuple[str, int]]]:
    """Each question's segment count as texted, per language: what staff check before sending."""
    return {
        language: [
            (q.key, segments(smart_encode(prompts.question_text(q, language))))
            for q in definition.questions
        ]
        for language in definition.languages
        if language in SUPPORTED_LANGUAGES
    }


def _fits(audience: Audience):
    """Contacts whose role this survey is for; a contact of no known role counts as family."""
    roles = [role for role, theirs in AUDIENCE_OF_ROLE.items() if theirs == audience]
    fits = Contact.role.in_(roles)
    return or_(fits, Contact.role.is_(None)) if audience == Audience.PARENT else fits


def _at_schools(school_ids: Collection[int]):
    return (
        select(Contact)
        .join(contact_school, contact_school.c.contact_id == Contact.id)
        .where(contact_school.c.school_id.in_(list(school_ids)), Contact.opted_out.is_(False))
        .distinct()
    )


def _other_roles(session: Session, school_ids: Collection[int], audience: Audience) -> int:
    """Contacts at these schools left out because the survey is not for their role (or none)."""

    def count(query) -> int:
        return session.scalar(select(func.count()).select_from(query.subquery()))

    everyone = _at_schools(school_ids)
    return count(everyone) - count(everyone.where(_fits(audience)))


def _recipients(
    session: Session, school_ids: Collection[int], languages: Collection[str], audience: Audience
) -> list[Contact]:
    query = _at_schools(school_ids).where(_fits(audience)).order_by(Contact.id)
    if languages:
        known = [language for language in languages if language != UNKNOWN_LANGUAGE]
        condition = Contact.language.in_(known)
        if UNKNOWN_LANGUAGE in languages:
            condition = or_(condition, Contact.language.is_(None))
        query = query.where(condition)
    return list(session.scalars(query))


def _opening(session: Session, survey_id: int, now) -> tuple[Survey, SurveyDefinition]:
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise CampaignError("no such survey", "unknown_survey")
    try:
        opened = find_open_survey(session, survey.slug, now)
    except DeliveryError as error:
        raise CampaignError(f"survey {survey.slug!r} is not open", "not_open") from error
    return opened.survey, opened.definition


def _school_for(contact: Contact, school_ids: Collection[int]) -> int | None:
    """The school an invitation is about, when the contact has exactly one of the chosen ones."""
    mine = [s.id for s in contact.schools if s.id in school_ids]
    return mine[0] if len(mine) == 1 else None


def _first_prompt(definition: SurveyDefinition, contact: Contact, school_id: int | None) -> str:
    """What the conversation will ask first, without starting it (for estimates)."""
    if contact.language is None:
        return prompts.LANGUAGE_QUESTION
    if school_id is None:
        return prompts.school_question(contact.language, contact.schools)
    return prompts.question_text(next_question(definition, {}, None), contact.language)


def estimate_campaign(
    session: Session,
    survey_id: int,
    school_ids: Collection[int],
    languages: Collection[str],
    clock: Clock,
    settings: SmsSettings,
) -> CampaignEstimate:
    """Recipients and segments the invitations would cost, per language, sending nothing."""
    survey, definition = _opening(session, survey_id, clock())
    estimate = CampaignEstimate(other_roles=_other_roles(session, school_ids, survey.audience))
    for contact in _recipients(session, school_ids, languages, survey.audience):
        if _already_invited(session, contact.id, survey_id):
            continue
        body = (
            _invitation_text(definition, contact, settings)
            + "\n"
            + _first_prompt(definition, contact, _school_for(contact, school_ids))
        )
        count = segments(smart_encode(body))
        estimate.recipients += 1
        estimate.segments += count
        tally = estimate.by_language.setdefault(contact.language or "", [0, 0])
        tally[0] += 1
        tally[1] += count
    session.rollback()
    return estimate


def _invitation_text(
    definition: SurveyDefinition, contact: Contact, settings: SmsSettings, *, reminder=False
) -> str:
    """The invitation or reminder; a language taken from a file comes with the way to change it.

    Someone who has not answered may be someone who cannot read the file's language.
    """
    message = prompts.reminder if reminder else prompts.invitation
    text = _in_their_language(
        contact, lambda each: message(definition, each, settings.office(each))
    )
    if contact.language is not None and not reminder:
        text = prompts.kept_apart(contact.language, text)
    if contact.language is not None and not contact.language_chosen:
        text += "\n" + prompts.other_languages(contact.language)
    return text


def _already_invited(session: Session, contact_id: int, survey_id: int) -> bool:
    return (
        session.scalar(
            select(Invitation.id)
            .join(Campaign, Campaign.id == Invitation.campaign_id)
            .where(Invitation.contact_id == contact_id, Campaign.survey_id == survey_id)
            .limit(1)
        )
        is not None
    )


def create_campaign(
    session: Session,
    survey_id: int,
    school_ids: Collection[int],
    languages: Collection[str],
    clock: Clock,
    settings: SmsSettings,
    *,
    created_by_id: int | None = None,
    actor: User | None = None,
    require_recipients: bool = False,
) -> Campaign:
    """Invite every matching contact not yet invited to this survey. Commits, with an audit entry.

    Each invitation's text is queued in the outbox in this same transaction; a
    contact busy with another survey gets it queued as their next conversation.
    `require_recipients`: refuse (and keep nothing) when nobody is left to invite.
    """
    if not school_ids:
        raise CampaignError("choose at least one school", "no_schools")
    if actor is not None:
        created_by_id = actor.id
    now = clock()
    survey, definition = _opening(session, survey_id, now)
    campaign = Campaign(
        survey_id=survey.id,
        school_ids=sorted(school_ids),
        languages=sorted(languages),
        created_at=now,
        created_by_id=created_by_id,
    )
    session.add(campaign)
    session.flush()
    for contact in _recipients(session, school_ids, languages, survey.audience):
        if _already_invited(session, contact.id, survey.id):
            continue
        contact = lock_contact(session, contact.phone, now)
        invitation = Invitation(
            campaign_id=campaign.id,
            contact_id=contact.id,
            school_id=_school_for(contact, school_ids),
            created_at=now,
        )
        session.add(invitation)
        session.flush()
        _invite(session, contact, survey, definition, invitation, clock, settings, reminder=False)
    if require_recipients and not campaign.invitations:
        session.rollback()
        raise CampaignError("nobody to invite", "no_recipients")
    codes = session.scalars(select(School.code).where(School.id.in_(list(school_ids)))).all()
    record(
        session,
        actor,
        "sms.campaign_created",
        survey.slug,
        {
            "campaign": campaign.id,
            "schools": sorted(codes),
            "languages": sorted(languages),
            "invitations": len(campaign.invitations),
        },
        at=now,
    )
    session.commit()
    return campaign


def _invite(session, contact, survey, definition, invitation, clock, settings, *, reminder):
    """Open (or queue) the invitation's conversation and queue its text.

    Someone already answering this survey (they texted its keyword) is not started on it
    again: their answers count as the invitation's.
    """
    turn = Turn(session, contact, clock, clock(), settings)
    active, _expired = turn.active()
    if active is not None and active.survey_id == survey.id:
        if active.invitation_id is None:
            active.invitation_id = invitation.id
        return
    status = ConversationStatus.QUEUED if active is not None else ConversationStatus.ACTIVE
    conversation = turn.new_conversation(survey, status, invitation)
    session.add(conversation)
    session.flush()
    if status is ConversationStatus.QUEUED:
        return
    body = _invitation_text(definition, contact, settings, reminder=reminder)
    body += "\n" + turn.advance(conversation)
    queue_message(
        session, contact, body, "reminder" if reminder else "invitation", turn.now, invitation.id
    )


def _in_their_language(contact, message) -> str:
    """Who asks and how to stop, in the contact's language; in all three while it is unknown."""
    if contact.language is None:
        return prompts.in_every_language(message)
    return message(contact.language)


def _unsent(session: Session, invitation_id: int) -> bool:
    """Whether the invitation's own text still waits in the outbox (quiet hours, a backlog)."""
    return (
        session.scalar(
            select(OutboundMessage.id)
            .where(
                OutboundMessage.invitation_id == invitation_id,
                OutboundMessage.status == OutboundStatus.QUEUED,
            )
            .limit(1)
        )
        is not None
    )


def remind_non_responders(
    session: Session,
    campaign_id: int,
    clock: Clock,
    settings: SmsSettings,
    *,
    max_reminders=1,
    actor: User | None = None,
) -> int:
    """Text a reminder to invited contacts who have not answered. Commits; the number queued."""
    now = clock()
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError("no such campaign", "unknown_campaign")
    survey, definition = _opening(session, campaign.survey_id, now)
    pending = session.scalars(
        select(Invitation)
        .join(Contact, Contact.id == Invitation.contact_id)
        .where(
            Invitation.campaign_id == campaign.id,
            Invitation.responded.is_(False),
            Invitation.reminders < max_reminders,
            Contact.opted_out.is_(False),
        )
        .order_by(Invitation.id)
    ).all()
    queued = 0
    for invitation in pending:
        if _unsent(session, invitation.id):
            continue  # a reminder right behind the invitation would arrive with it
        contact = lock_contact(session, invitation.contact.phone, now)
        turn = Turn(session, contact, clock, now, settings)
        active, _expired = turn.active()
        if active is not None and active.invitation_id == invitation.id:
            body = _invitation_text(definition, contact, settings, reminder=True)
            queue_message(
                session,
                contact,
                body + "\n" + turn.current_prompt(active),
                "reminder",
                now,
                invitation.id,
            )
        elif active is None and not _waiting(session, invitation.id):
            _invite(
                session, contact, survey, definition, invitation, clock, settings, reminder=True
            )
        else:
            continue  # busy with another survey, or this one is queued behind it
        invitation.reminders += 1
        queued += 1
    if not queued:  # nothing sent: not "reminded", nothing to audit
        session.rollback()
        return 0
    campaign.reminded_at = now
    record(
        session,
        actor,
        "sms.reminders_queued",
        survey.slug,
        {"campaign": campaign.id, "reminders": queued},
        at=now,
    )
    session.commit()
    return queued


def _waiting(session: Session, invitation_id: int) -> bool:
    return (
        session.scalar(
            select(Conversation.id).where(
                Conversation.invitation_id == invitation_id,
                Conversation.status == ConversationStatus.QUEUED,
            )
        )
        is not None
    )


@dataclass
class CampaignSummary:
    """One campaign as the campaign list shows it: whom it asked, what the outbox did."""

    campaign: Campaign
    schools: list[str]
    created_by: str | None
    invited: int
    responded: int
    # Outbox messages (invitations and reminders) by status.
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def waiting(self) -> int:
        return self.statuses.get("queued", 0) + self.statuses.get("sending", 0)

    @property
    def sent(self) -> int:
        """Accepted by Twilio, whether or not delivery was confirmed since."""
        return sum(self.statuses.get(s, 0) for s in ("sent", "delivered", "undelivered"))

    @property
    def failed(self) -> int:
        return self.statuses.get("failed", 0) + self.statuses.get("undelivered", 0)

    @property
    def reminded_at(self) -> datetime | None:
        return self.campaign.reminded_at


def campaign_summaries(session: Session, survey_id: int) -> list[CampaignSummary]:
    """The survey's campaigns, newest first, with invitation and outbox status counts."""
    campaigns = session.scalars(
        select(Campaign).where(Campaign.survey_id == survey_id).order_by(Campaign.id.desc())
    ).all()
    if not campaigns:
        return []
    ids = [c.id for c in campaigns]
    invited = {
        campaign_id: (total, responded or 0)
        for campaign_id, total, responded in session.execute(
            select(
                Invitation.campaign_id,
                func.count(),
                func.sum(case((Invitation.responded, 1), else_=0)),
            )
            .where(Invitation.campaign_id.in_(ids))
            .group_by(Invitation.campaign_id)
        )
    }
    statuses: dict[int, dict[str, int]] = {}
    for campaign_id, status, count in session.execute(
        select(Invitation.campaign_id, OutboundMessage.status, func.count())
        .join(Invitation, Invitation.id == OutboundMessage.invitation_id)
        .where(Invitation.campaign_id.in_(ids))
        .group_by(Invitation.campaign_id, OutboundMessage.status)
    ):
        key = status.value if isinstance(status, OutboundStatus) else str(status)
        statuses.setdefault(campaign_id, {})[key] = count
    names = dict(session.execute(select(School.id, School.name)).all())
    creators = dict(
        session.execute(
            select(User.id, User.email).where(
                User.id.in_([c.created_by_id for c in campaigns if c.created_by_id])
            )
        ).all()
    )
    return [
        CampaignSummary(
            campaign=c,
            schools=sorted(names[i] for i in c.school_ids if i in names),
            created_by=creators.get(c.created_by_id),
            invited=invited.get(c.id, (0, 0))[0],
            responded=int(invited.get(c.id, (0, 0))[1]),
            statuses=statuses.get(c.id, {}),
        )
        for c in campaigns
    ]
