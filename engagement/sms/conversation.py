"""The SMS conversation: one phone, one question per message, on the web's survey engine.

`handle_inbound` is the whole of an inbound text: it owns its transaction,
takes the clock and settings as arguments, and returns the replies. Messages
from one phone are serialised by a lock on the contact's row; a message seen
before (same MessageSid) gets the reply it got then and changes nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engagement.adapters.clock import Clock, start_of_day
from engagement.config import name_in
from engagement.delivery.service import (
    DeliveryError,
    DraftNotFound,
    DraftState,
    SurveyWindow,
    active_schools,
    complete_response,
    draft_in_row,
    join_draft,
    load_draft,
    save_answers,
    start_response,
)
from engagement.models import (
    Audience,
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    ConversationStep,
    InboundMessage,
    Invitation,
    OptEvent,
    OptKind,
    OutboundMessage,
    OutboundStatus,
    ResponseDraft,
    School,
    Survey,
    SurveyStatus,
    SurveyVersion,
)
from engagement.models.base import insert_unless_present
from engagement.surveys import (
    AnswerError,
    QuestionType,
    SurveyDefinition,
    normalise,
    parse_text_reply,
)
from engagement.surveys.flow import next_question
from engagement.surveys.store import definition_of, definition_of_row

from . import prompts
from .keywords import LANGUAGE_WORDS, Keyword, compact, keyword_of, language_named
from .phones import is_practice_phone, normalise_phone
from .school_names import matching_schools
from .segments import smart_encode

# Twilio concatenates at most 10 segments (1,600 characters); anything longer is not a reply.
MAX_BODY = 1600
# Replies are stored joined by form feeds, one TwiML <Message> each.
_SEPARATOR = "\f"
# What people put between a keyword and the school's name: "FAMILY, Jackson", "家庭：杰克逊".
_BETWEEN_KEYWORD_AND_SCHOOL = " ,，、:：;；-"
_SURVEY_KEYWORD = re.compile(r"[^\W_]{2,20}")  # as compact() leaves one: "familia", "家庭"


@dataclass(frozen=True)
class SmsSettings:
    office_name: str
    office_phone: str
    expiry: timedelta
    max_tries: int = 2
    region: str = "US"
    office_names: Mapping[str, str] = field(default_factory=dict)  # es, zh: as families say it

    def office(self, language: str) -> str:
        """Who is asking, in the words of a text in `language`."""
        return self.office_names.get(language) or self.office_name

    @classmethod
    def from_config(cls, config: Any) -> SmsSettings:
        return cls(
            office_name=config["SMS_OFFICE_NAME"],
            office_names={
                language: name_in(config, "SMS_OFFICE_NAME", language) for language in ("es", "zh")
            },
            office_phone=config["SMS_OFFICE_PHONE"],
            expiry=timedelta(hours=float(config["SMS_CONVERSATION_EXPIRY_HOURS"])),
            max_tries=int(config["SMS_MAX_TRIES"]),
            region=config["SMS_DEFAULT_REGION"],
        )


@dataclass(frozen=True)
class Inbound:
    sid: str
    phone: str
    body: str


class BadMessage(ValueError):
    """A webhook call that is not a usable text (the view answers 400)."""


def handle_inbound(
    session: Session, message: Inbound, clock: Clock, settings: SmsSettings
) -> list[str]:
    """Process one inbound text exactly once; the replies to send back (possibly none). Commits."""
    if not message.sid or len(message.sid) > 64:
        raise BadMessage("MessageSid")
    try:
        phone = normalise_phone(message.phone, settings.region)
    except ValueError as error:
        raise BadMessage("From") from error
    now = clock()
    contact = lock_contact(session, phone, now)
    # A retried MessageSid is not looked up first: its turn runs, its row then breaks the
    # unique MessageSid, and everything it did is rolled back. Retries are rare; the
    # lookup would cost every text a statement.
    # Changes are flushed where the engine needs them (explicitly), not before every query.
    with session.no_autoflush:
        replies = Turn(session, contact, clock, now, settings).reply_to(message.body)
    replies = [smart_encode(reply) for reply in replies]
    session.add(
        InboundMessage(
            message_sid=message.sid, reply=_SEPARATOR.join(replies), received_at=start_of_day(now)
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        seen = _stored_reply(session, message.sid)
        if seen is None:
            raise  # not a retry: a real fault, to be logged
        return seen
    return replies


def simulate_text(
    session: Session,
    phone: str,
    body: str,
    clock: Clock,
    settings: SmsSettings,
    *,
    language: str | None = None,
) -> list[str]:
    """A text from `phone` without Twilio (the simulator page and CLI): the engine's replies.

    `language` sets the phone's known language first, as an import would.
    """
    number = normalise_phone(phone, settings.region)
    if language:
        contact = lock_contact(session, number, clock())
        contact.language = language
        session.commit()
    return handle_inbound(session, Inbound("SIM" + uuid.uuid4().hex, number, body), clock, settings)


def _stored_reply(session: Session, sid: str) -> list[str] | None:
    reply = session.scalar(select(InboundMessage.reply).where(InboundMessage.message_sid == sid))
    if reply is None:
        return None
    return [part for part in reply.split(_SEPARATOR) if part]


def lock_contact(session: Session, phone: str, now: datetime) -> Contact:
    """The phone's contact (created if new), locked until commit: one message at a time."""
    query, dialect = _CONTACT, session.get_bind().dialect.name
    if dialect == "postgresql":
        query = query.with_for_update()
    else:
        # SQLite has no row locks: a write takes the database lock for this transaction.
        session.execute(_TAKE_WRITE_LOCK, {"phone": phone})
    contact = session.scalars(query, {"phone": phone}).first()
    if contact is None:
        new_contact = {"phone": phone, "created_at": now, "opted_out": False}
        session.execute(insert_unless_present(Contact, dialect, new_contact, "phone"))
        contact = session.scalars(query, {"phone": phone}).one()
    return contact


_CONTACT = (
    select(Contact)
    .where(Contact.phone == bindparam("phone"))
    .execution_options(populate_existing=True)
)
_TAKE_WRITE_LOCK = (
    update(Contact).where(Contact.phone == bindparam("phone")).values(phone=Contact.phone)
)
# A phone's active conversation with its draft, in one query. Run after the contact's lock is
# taken, not joined to that query: a statement that waited for the lock still sees what was there
# before (PostgreSQL re-reads only the locked row), not the conversation the last text began.
_ACTIVE = join_draft(
    select(Conversation).where(
        Conversation.contact_id == bindparam("contact_id"),
        Conversation.status == ConversationStatus.ACTIVE,
    ),
    Conversation.draft_token,
).execution_options(populate_existing=True)


def _active(session: Session, contact: Contact) -> tuple[Conversation | None, DraftState | None]:
    row = session.execute(_ACTIVE, {"contact_id": contact.id}).first()
    return (None, None) if row is None else (row.Conversation, draft_in_row(session, row._mapping))


def record_opt(
    session: Session, contact: Contact, kind: OptKind, now: datetime, source: str, word=None
) -> None:
    """Append an opt-out/opt-in event and set the contact's state; opting out cancels the outbox."""
    contact.opted_out = kind is OptKind.OPT_OUT
    session.add(OptEvent(contact_id=contact.id, kind=kind, at=now, source=source, keyword=word))
    if kind is OptKind.OPT_OUT:
        session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.contact_id == contact.id,
                OutboundMessage.status == OutboundStatus.QUEUED,
            )
            .values(status=OutboundStatus.CANCELLED)
        )


@dataclass(frozen=True)
class KeywordSurvey:
    """The survey an SMS keyword starts, whom it asks, and in which language (FAMILIA:
    Spanish; None: the phone's own)."""

    id: int
    audience: Audience
    language: str | None
    definition: SurveyDefinition


def open_survey_keywords(session: Session, now: datetime) -> dict[str, KeywordSurvey]:
    """{keyword (as compact() reads a text): survey} for surveys taking answers now, from
    their latest version, every language's keyword.

    Plain columns, newest version first: an answer given as a word asks this on every text.
    """
    return {
        keyword: KeywordSurvey(row.id, row.audience, language, definition)
        for keyword, language, definition, row, window in _keyword_surveys(
            session, [SurveyStatus.OPEN]
        )
        if window.accepts_responses(now)
    }


def closed_survey_keywords(session: Session, now: datetime) -> set[str]:
    """Keywords (lower case) of surveys that took answers and no longer do: closed, or past
    their window. Asked only when a keyword-like text names no open survey."""
    statuses = [SurveyStatus.OPEN, SurveyStatus.CLOSED]
    return {
        keyword
        for keyword, _language, _definition, _row, window in _keyword_surveys(session, statuses)
        if window.state(now) in ("ended", "closed")
    }


def _keyword_surveys(session: Session, statuses: list[SurveyStatus]):
    """(keyword, its language, definition, row, window) for each keyword, in any language,
    of each survey's latest version."""
    read: set[int] = set()
    for row in session.execute(_VERSIONS.where(Survey.status.in_(statuses))):
        if row.id in read:
            continue  # an older version of a survey already read
        read.add(row.id)
        window = SurveyWindow(row.id, row.slug, row.status, row.opens_at, row.closes_at)
        definition = definition_of_row(session, row.version_id, row.content_hash)
        for keyword, language in definition.sms_keywords.items():
            yield compact(keyword), language, definition, row, window


_VERSIONS = (
    select(
        Survey.id,
        Survey.slug,
        Survey.status,
        Survey.opens_at,
        Survey.closes_at,
        Survey.audience,
        SurveyVersion.id.label("version_id"),
        SurveyVersion.content_hash,
    )
    .join(SurveyVersion, SurveyVersion.survey_id == Survey.id)
    .order_by(Survey.id, SurveyVersion.number.desc())
)


# Whose surveys a contact role (contacts CSV) answers: what campaigns send it and what an
# unrecognised text suggests; "community" is none of them and is told every open keyword.
AUDIENCE_OF_ROLE = {
    "parent": Audience.PARENT,
    "guardian": Audience.PARENT,
    "student": Audience.STUDENT,
    "staff": Audience.STAFF,
}


class Turn:
    """One inbound message's work on one (locked) contact."""

    def __init__(
        self,
        session: Session,
        contact: Contact,
        clock: Clock,
        now: datetime,
        settings: SmsSettings,
    ):
        self.session, self.contact, self.clock, self.now = session, contact, clock, now
        self.settings = settings
        # The active conversation's draft, read with it and taken once (see _draft).
        self._found_draft: DraftState | None = None
        self._open: dict[str, KeywordSurvey] | None = None

    def _open_keywords(self) -> dict[str, KeywordSurvey]:
        """The open surveys' keywords, read once per text."""
        if self._open is None:
            self._open = open_survey_keywords(self.session, self.now)
        return self._open

    @property
    def language(self) -> str:
        return self.contact.language or "en"

    # --- entry ---------------------------------------------------------------------------
    def reply_to(self, body: str) -> list[str]:
        if len(body) > MAX_BODY:
            return [prompts.too_long(self.contact.language)]
        found = keyword_of(body)
        if found is not None and found[0] is not Keyword.SKIP:
            return self._keyword(*found, word=body.strip()[:32])
        if self.contact.opted_out:
            return []  # nothing is sent to an opted-out phone until it opts back in
        active, expired = self.active()
        word = compact(body)
        named = language_named(body)
        if named is not None and (self.contact.language is not None or active is None):
            return self._switch_language(named, active)
        flyer = self._keyword_and_more(body, active)
        if flyer is not None:  # "FAMILY JACKSON", as a school's flyer prints it
            keyword, schools = flyer
            return self._keyword_start(keyword, active, schools)
        if _SURVEY_KEYWORD.fullmatch(word) and not word.isdigit():
            keyword = self._open_keywords().get(word)
            if keyword is not None:
                return self._keyword_start(keyword, active)
            if active is None and word in closed_survey_keywords(self.session, self.now):
                return [prompts.survey_closed(self.contact.language)]  # the flyer's, too late
        if active is None:
            started = self._promote()
            if expired is not None:
                return [prompts.expired(self.language, _keyword(expired, self.language)), *started]
            if not started and self._finished_today():  # "thanks!", or a last thought
                return [prompts.already_sent(self.language)]
            return started or [self._not_recognised()]
        return self._answer(active, body, found is not None)

    def _finished_today(self) -> bool:
        """Whether this phone completed a survey today (a completed one keeps only its day)."""
        return (
            self.session.scalar(
                select(Conversation.id)
                .where(
                    Conversation.contact_id == self.contact.id,
                    Conversation.status == ConversationStatus.COMPLETED,
                    Conversation.updated_at >= start_of_day(self.now),
                )
                .limit(1)
            )
            is not None
        )

    def _last_audience(self) -> Audience | None:
        """Whose survey this phone last answered: a parent who found us through the family
        flyer is a parent, though no contacts file said so."""
        return self.session.scalar(
            select(Survey.audience)
            .join(Conversation, Conversation.survey_id == Survey.id)
            .where(Conversation.contact_id == self.contact.id)
            .order_by(Conversation.id.desc())
            .limit(1)
        )

    def _not_recognised(self) -> str:
        """Names the keywords open now: those for the contact's role (or the audience of the
        survey it last answered), else all.

        A parent is not pointed at the staff or student survey when the family one is closed.
        """
        surveys = {survey.id: survey for survey in self._open_keywords().values()}.values()
        audience = AUDIENCE_OF_ROLE.get(self.contact.role or "") or self._last_audience()
        shown = [s for s in surveys if s.audience == audience] if audience else surveys

        def keywords(language: str) -> list[str]:
            named = (survey.definition.keyword_for(language) for survey in shown)
            return sorted(word.upper() for word in named if word)

        return prompts.nothing_open(self.contact.language, keywords)

    # --- keywords --------------------------------------------------------------------------
    def _keyword(self, keyword: Keyword, word_language: str, *, word: str) -> list[str]:
        """HELP, STOP or START; the opt record keeps the word as texted (PARAR, 退订)."""
        language = self.contact.language or word_language
        if keyword is Keyword.HELP:
            replies = [
                prompts.help_reply(
                    language, self.settings.office(language), self.settings.office_phone
                )
            ]
            active = None if self.contact.opted_out else self.active()[0]
            if active is not None:  # then where they were, so nobody scrolls back for it
                replies.append(self.current_prompt(active))
            return replies
        if keyword is Keyword.STOP:
            if not self.contact.opted_out:
                record_opt(self.session, self.contact, OptKind.OPT_OUT, self.now, "keyword", word)
            return [prompts.opted_out(language)]
        # START: opt back in, and carry on where they were if the conversation is still alive.
        if self.contact.opted_out:
            record_opt(self.session, self.contact, OptKind.OPT_IN, self.now, "keyword", word)
        replies = [prompts.opted_in(language)]
        active, _expired = self.active()
        if active is not None:
            replies.append(self.current_prompt(active))
        return replies

    def _keyword_and_more(self, body: str, active: Conversation | None):
        """(keyword, schools its other words name) for an open survey's keyword followed by more:
        "FAMILY JACKSON", "家庭杰克逊" (Chinese needs no space), "familia por favor".

        Only between surveys: mid-way through one, words are answers.
        """
        if active is not None or len(body) > 80:
            return None
        text = normalise(body)
        for word, keyword in sorted(self._open_keywords().items(), key=lambda k: -len(k[0])):
            rest = text.removeprefix(word)
            if rest == text or not rest.strip(_BETWEEN_KEYWORD_AND_SCHOOL):
                continue
            if word.isascii() and rest[0].isalnum():  # "familiar" is no "familia"
                continue
            named = matching_schools(
                rest.strip(_BETWEEN_KEYWORD_AND_SCHOOL), active_schools(self.session)
            )
            return keyword, named
        return None

    def _keyword_start(
        self, keyword: KeywordSurvey, active: Conversation | None, schools: Sequence[School] = ()
    ) -> list[str]:
        """Start, resume or queue the keyword's survey; `schools`: those the text named."""
        survey = self.session.get(Survey, keyword.id)
        if active is not None and active.survey_id == survey.id:
            return [self.current_prompt(active)]  # resume
        if active is None and (paused := self._paused(survey.id)) is not None:
            paused.status, paused.tries = ConversationStatus.ACTIVE, 0
            return [prompts.carrying_on(self.language), self.current_prompt(paused)]
        if active is not None:
            if not self._has_queued(survey.id):
                queued = self.new_conversation(survey, ConversationStatus.QUEUED)
                queued.school_id = schools[0].id if len(schools) == 1 else None
                self.session.add(queued)
            return [prompts.queued(self.language), self.current_prompt(active)]
        if keyword.language and not self.contact.language_chosen:
            # FAMILIA, 家庭: a keyword in Spanish or Chinese chooses that language, as ESPAÑOL
            # would, unless the person chose another themselves.
            self.contact.language, self.contact.language_chosen = keyword.language, True
        conversation = self.new_conversation(survey, ConversationStatus.ACTIVE)
        if len(schools) == 1:  # named as on the flyer: no school question
            conversation.school_id = schools[0].id
        else:  # a name two schools share: which of them (none: the usual question)
            conversation.school_options = [school.id for school in schools[:9]]
        self.session.add(conversation)
        self.session.flush()
        return self.begin(conversation)

    # --- state ---------------------------------------------------------------------------
    def new_conversation(
        self, survey: Survey, status: ConversationStatus, invitation: Invitation | None = None
    ) -> Conversation:
        return Conversation(
            contact_id=self.contact.id,
            survey_id=survey.id,
            survey=survey,
            invitation_id=invitation.id if invitation else None,
            school_id=invitation.school_id if invitation else None,
            status=status,
            step=ConversationStep.LANGUAGE,
            school_options=[],
            tries=0,
            created_at=self.now,
            updated_at=self.now,
            expires_at=self.now + self.settings.expiry,
        )

    def _paused(self, survey_id: int) -> Conversation | None:
        """This phone's survey paused after answers it could not read, with its draft still
        there (unfinished drafts are deleted after UNFINISHED_RETENTION_DAYS)."""
        conversation = self.session.scalars(
            select(Conversation)
            .where(
                Conversation.contact_id == self.contact.id,
                Conversation.survey_id == survey_id,
                Conversation.status == ConversationStatus.ENDED,
                Conversation.draft_token.is_not(None),
            )
            .order_by(Conversation.id.desc())
            .limit(1)
        ).first()
        if conversation is None:
            return None
        try:
            state = load_draft(self.session, conversation.draft_token, lock=True)
        except DraftNotFound:
            conversation.draft_token = conversation.current_key = None
            return None
        return None if state.draft.completed else conversation

    def _has_queued(self, survey_id: int) -> bool:
        return (
            self.session.scalar(
                select(Conversation.id).where(
                    Conversation.contact_id == self.contact.id,
                    Conversation.survey_id == survey_id,
                    Conversation.status == ConversationStatus.QUEUED,
                )
            )
            is not None
        )

    def active(self) -> tuple[Conversation | None, Conversation | None]:
        """(the active conversation, or None; the one that just expired, if so)."""
        conversation, self._found_draft = _active(self.session, self.contact)
        if conversation is None:
            return None, None
        if conversation.expires_at is not None and conversation.expires_at <= self.now:
            finish(self.session, conversation, ConversationStatus.EXPIRED, self.now)
            return None, conversation
        return conversation, None

    def _promote(self) -> list[str]:
        """Start the oldest waiting survey, if any is still open."""
        waiting = self.session.scalars(
            select(Conversation)
            .where(
                Conversation.contact_id == self.contact.id,
                Conversation.status == ConversationStatus.QUEUED,
            )
            .order_by(Conversation.id)
        ).all()
        for conversation in waiting:
            if not conversation.survey.accepts_responses(self.now):
                finish(self.session, conversation, ConversationStatus.ENDED, self.now)
                continue
            conversation.status = ConversationStatus.ACTIVE
            conversation.updated_at = self.now
            conversation.expires_at = self.now + self.settings.expiry
            self.session.flush()
            return self.begin(conversation)
        return []

    def _draft(self, conversation: Conversation) -> DraftState:
        """The conversation's draft as active() read it, if it is that one; else loaded, locked.

        What active() read needs no row lock of its own: the contact's lock serialises every
        text of this phone. Taken once: after that the turn holds the state it changed.
        """
        found, self._found_draft = self._found_draft, None
        if found is not None and found.draft.token == conversation.draft_token:
            return found
        return load_draft(self.session, conversation.draft_token, lock=True)

    def _touch(self, conversation: Conversation) -> None:
        conversation.updated_at = self.now
        conversation.expires_at = self.now + self.settings.expiry

    # --- prompts ---------------------------------------------------------------------------
    def begin(self, conversation: Conversation) -> list[str]:
        """The first text of a conversation: the survey's name and the way out, then a prompt."""
        prompt = self.advance(conversation)
        if conversation.status is not ConversationStatus.ACTIVE:
            return [prompt]
        if conversation.step is ConversationStep.LANGUAGE:
            return [prompt]
        definition = self._definition(conversation)
        opening = prompts.opening(definition, self.language)
        if not self.contact.language_chosen:  # the language came from a file: say how to change it
            opening += "\n" + prompts.other_languages(self.language)
        if conversation.step is ConversationStep.QUESTION:  # the school is settled: which
            opening += "\n" + self._about_school(conversation)
        return [opening + "\n" + prompt]

    def _about_school(self, conversation: Conversation) -> str:
        """Which school the answers are about, so that a wrong guess can be seen."""
        school = self.session.get(School, conversation.school_id)
        return prompts.about_school(self.language, school.name_in(self.language))

    def _definition(self, conversation: Conversation) -> SurveyDefinition:
        if conversation.draft_token:
            return load_draft(self.session, conversation.draft_token).definition
        from engagement.surveys.store import latest_version

        return definition_of(latest_version(self.session, conversation.survey_id))

    def advance(self, conversation: Conversation) -> str:
        """Settle what can be settled (language, school, draft) and say the next prompt."""
        if self.contact.language is None:
            conversation.step = ConversationStep.LANGUAGE
            return prompts.LANGUAGE_QUESTION
        if conversation.school_id is None:
            # Schools the keyword's text named, else the contact's own.
            named = [self.session.get(School, i) for i in conversation.school_options]
            schools = named or self._contact_schools()
            if len(schools) == 1:
                conversation.school_id = schools[0].id
            else:
                conversation.step = ConversationStep.SCHOOL
                conversation.school_options = [s.id for s in schools]
                return self._school_prompt(schools)
        conversation.step = ConversationStep.QUESTION
        if conversation.draft_token is None:
            school = self.session.get(School, conversation.school_id)
            try:
                draft = start_response(
                    self.session,
                    conversation.survey.slug,
                    school.code,
                    self.language,
                    Channel.SMS,
                    self.clock,
                    commit=False,
                )
            except DeliveryError:
                finish(self.session, conversation, ConversationStatus.ENDED, self.now)
                return prompts.survey_closed(self.language)
            conversation.draft_token = draft.token
        # Under the contact's lock: with no question left to ask, this draft completes now.
        state = self._draft(conversation)
        if conversation.current_key is None:
            question = next_question(state.definition, state.draft.answers, None)
            if question is None:
                return self._complete(conversation, state)[0]
            conversation.current_key = question.key
        return prompts.question_text(
            state.definition.question(conversation.current_key), self.language
        )

    def _contact_schools(self) -> list[School]:
        return [s for s in self.contact.schools if s.active]

    def _school_prompt(self, schools: list[School]) -> str:
        if schools:
            return prompts.school_question(self.language, schools)
        return prompts.school_name_question(self.language)

    def current_prompt(self, conversation: Conversation) -> str:
        self._touch(conversation)
        if conversation.step is ConversationStep.LANGUAGE or self.contact.language is None:
            return prompts.LANGUAGE_QUESTION
        if conversation.step is ConversationStep.SCHOOL:
            options = [self.session.get(School, i) for i in conversation.school_options]
            return self._school_prompt(options)
        return self.advance(conversation)

    # --- answers ---------------------------------------------------------------------------
    def _answer(self, conversation: Conversation, body: str, skip: bool) -> list[str]:
        if conversation.step is ConversationStep.LANGUAGE:
            replies = self._choose_language(conversation, body)
        elif conversation.step is ConversationStep.SCHOOL:
            replies = self._choose_school(conversation, body)
        else:
            replies = self._answer_question(conversation, body, skip)
        # Touched last, so the new expiry goes out in the commit's one UPDATE of the row.
        if conversation.status is ConversationStatus.ACTIVE:
            self._touch(conversation)
        return replies

    def _choose_language(self, conversation: Conversation, body: str) -> list[str]:
        language = LANGUAGE_WORDS.get(compact(body)) or LANGUAGE_WORDS.get(normalise(body))
        if language is None:
            return self._failed(conversation, prompts.language_not_understood())
        self.contact.language, self.contact.language_chosen = language, True
        conversation.tries = 0
        return self.begin(conversation)

    def _switch_language(self, language: str, active: Conversation | None) -> list[str]:
        """ESPAÑOL, 中文, ENGLISH: from now on in that language, this survey's answer included."""
        self.contact.language, self.contact.language_chosen = language, True
        replies = [prompts.language_changed(language)]
        if active is not None:  # a reply in the wrong language was no failed answer
            active.tries = 0
        if active is None:
            return replies + self._promote()
        if active.step is ConversationStep.LANGUAGE:  # asked before the file's language came
            return self.begin(active)
        if active.draft_token is not None:
            state = self._draft(active)
            self._found_draft = save_answers(
                self.session,
                active.draft_token,
                {},
                self.clock,
                language=language,
                commit=False,
                read=state,
            )
        return [*replies, self.current_prompt(active)]

    def _choose_school(self, conversation: Conversation, body: str) -> list[str]:
        options = [self.session.get(School, i) for i in conversation.school_options]
        text = normalise(body)
        chosen: list[School] = []
        if text.isdigit() and options:
            number = int(text)
            chosen = [options[number - 1]] if 1 <= number <= len(options) else []
        elif text:  # matching_schools decides what is too little to name a school
            pool = options or active_schools(self.session)
            chosen = matching_schools(body, pool)
        if len(chosen) == 1:
            conversation.school_id = chosen[0].id
            conversation.school_options = []
            conversation.tries = 0
            return [self._about_school(conversation) + "\n" + self.advance(conversation)]
        if len(chosen) > 1:
            conversation.school_options = [s.id for s in chosen[:9]]
            return [prompts.school_question(self.language, chosen[:9])]
        if options:
            retry = prompts.school_question(self.language, options, again=True)
        else:
            retry = prompts.school_not_found(self.language)
        return self._failed(conversation, retry)

    def _answer_question(self, conversation: Conversation, body: str, skip: bool) -> list[str]:
        state = self._draft(conversation)
        if not state.survey.accepts_responses(self.now):
            finish(self.session, conversation, ConversationStatus.ENDED, self.now)
            return [prompts.survey_closed(self.language)]
        question = state.definition.question(conversation.current_key)
        if skip:
            if question.required:
                return self._failed_question(conversation, question, None)
            return self._move_on(conversation, question.key)
        cut = None
        try:
            value = parse_text_reply(question, body)
        except AnswerError as error:
            if error.code != "too_long" or question.type is not QuestionType.TEXT:
                return self._failed_question(conversation, question, error)
            # Typed on a phone, a long comment is kept, cut, rather than asked for again.
            cut = error.params["maximum"]
            value = parse_text_reply(question, body[:cut])
        if value is None:
            return self._failed_question(conversation, question, None)
        saved = save_answers(
            self.session,
            conversation.draft_token,
            {question.key: value},
            self.clock,
            language=self.language,
            commit=False,
            read=state,
        )
        replies = self._move_on(conversation, question.key, saved)
        return [prompts.answer_cut(self.language, cut), *replies] if cut else replies

    def _failed(self, conversation: Conversation, retry: str) -> list[str]:
        """A reply that fits no option of a language or school question."""
        conversation.tries += 1
        if conversation.tries >= self.settings.max_tries:
            finish(self.session, conversation, ConversationStatus.ENDED, self.now)
            keyword = _keyword(conversation, self.language)
            if conversation.step is ConversationStep.SCHOOL and keyword:
                # Starting again would ask the same: the flyer's way skips the question.
                phone = self.settings.office_phone
                return [prompts.school_not_found_stop(self.language, keyword, phone)]
            if self.contact.language is None:  # asked in all three: stopped in all three
                return [
                    prompts.in_every_language(
                        lambda each: prompts.gave_up(each, _keyword(conversation, each))
                    )
                ]
            return [prompts.gave_up(self.language, keyword)]
        return [retry]

    def _failed_question(self, conversation, question, error: AnswerError | None) -> list[str]:
        conversation.tries += 1
        if conversation.tries < self.settings.max_tries:
            return [prompts.invalid_answer(question, self.language, error)]
        if question.required:
            pause(conversation, self.now)
            answered = bool(self._draft(conversation).draft.answers)
            return [prompts.paused(self.language, _keyword(conversation, self.language), answered)]
        replies = self._move_on(conversation, question.key)
        return [prompts.left_out(self.language) + "\n" + replies[0], *replies[1:]]

    def _move_on(self, conversation: Conversation, after_key: str, state=None) -> list[str]:
        state = state or self._draft(conversation)
        following = next_question(state.definition, state.draft.answers, after_key)
        conversation.tries = 0
        if following is None:
            return self._complete(conversation, state)
        conversation.current_key = following.key
        return [prompts.question_text(following, self.language)]

    def _complete(self, conversation: Conversation, state: DraftState) -> list[str]:
        """Store the response; `state` was read in this transaction, under the contact's lock."""
        definition = state.definition
        if is_practice_phone(self.contact.phone):
            # Thanked like anyone, but the answers are dropped: practice never counts.
            finish(self.session, conversation, ConversationStatus.COMPLETED, self.now, keep=False)
            return [prompts.thanks(definition, self.language), *self._promote()]
        complete_response(
            self.session, conversation.draft_token, self.clock, commit=False, read=state
        )
        if conversation.invitation_id is not None:
            self.session.execute(
                update(Invitation)
                .where(Invitation.id == conversation.invitation_id)
                .values(responded=True)
            )
        finish(self.session, conversation, ConversationStatus.COMPLETED, self.now)
        return [prompts.thanks(definition, self.language), *self._promote()]


def _keyword(conversation: Conversation, language: str) -> str | None:
    """The survey's SMS keyword in `language`, to tell someone how to start again."""
    from engagement.surveys.store import latest_version

    session = Session.object_session(conversation)
    version = latest_version(session, conversation.survey_id)
    return definition_of(version).keyword_for(language) if version else None


def pause(conversation: Conversation, now: datetime) -> None:
    """Stop asking after answers we could not read, keeping the draft: the survey's keyword
    carries on where it stopped (a paused conversation is an ended one that kept its draft)."""
    conversation.status = ConversationStatus.ENDED
    conversation.tries = 0
    conversation.expires_at = None
    conversation.updated_at = now


def finish(
    session: Session,
    conversation: Conversation,
    status: ConversationStatus,
    now: datetime,
    *,
    keep: bool = True,
) -> None:
    """Close a conversation and forget what could tie it to a response.

    A completed one keeps only its day; an unfinished draft is deleted, so an
    abandoned survey leaves no answers behind (a practice phone's completed one too:
    `keep=False`).
    """
    token = conversation.draft_token
    if token is not None and (status is not ConversationStatus.COMPLETED or not keep):
        session.execute(
            delete(ResponseDraft).where(
                ResponseDraft.token == token, ResponseDraft.completed.is_(False)
            )
        )
    conversation.status = status
    conversation.draft_token = None
    if status is ConversationStatus.COMPLETED:
        conversation.school_id = None  # with the survey and the day, it would name the response
    conversation.current_key = None
    conversation.expires_at = None
    conversation.created_at = start_of_day(conversation.created_at)
    conversation.updated_at = start_of_day(now)
    session.flush()


def expire_conversations(session: Session, clock: Clock) -> int:
    """Expire every active conversation past its time (the worker runs this). Commits."""
    now = clock()
    stale = session.scalars(
        select(Conversation).where(
            Conversation.status == ConversationStatus.ACTIVE, Conversation.expires_at <= now
        )
    ).all()
    for conversation in stale:
        finish(session, conversation, ConversationStatus.EXPIRED, now)
    session.commit()
    return len(stale)
