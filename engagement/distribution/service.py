"""School links, QR codes, student access codes and parental consent records.

Access codes and consent records name schools (and, for consent, a student
as the proctor knows them); neither is ever linked to a response.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

import segno
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engagement.adapters.clock import Clock
from engagement.audit import record
from engagement.models import (
    AccessCode,
    Audience,
    ConsentDecision,
    ConsentMode,
    ConsentRecord,
    ConsentSetting,
    School,
    Survey,
    User,
)
from engagement.surveys import normalise
from engagement.surveys.store import definition_of, latest_version

# No 0/O, 1/I/L: a student copies the code from a board.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_STUDENT_LENGTH = 120


class DistributionError(Exception):
    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params


def _survey(session: Session, slug: str) -> Survey:
    survey = session.scalars(select(Survey).where(Survey.slug == slug)).first()
    if survey is None:
        raise DistributionError("unknown_survey")
    return survey


def _school(session: Session, code: str) -> School:
    school = session.scalars(
        select(School).where(School.code == (code or "").strip().lower(), School.active.is_(True))
    ).first()
    if school is None:
        raise DistributionError("unknown_school")
    return school


def active_schools(session: Session) -> list[School]:
    return list(
        session.scalars(select(School).where(School.active.is_(True)).order_by(School.name))
    )


# --- QR codes ------------------------------------------------------------------------------


def qr_code(url: str, kind: str) -> bytes:
    """A QR code for a link, as SVG or PNG, made here (no outside service)."""
    qr = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    if kind == "svg":
        qr.save(buffer, kind="svg", scale=8, border=4, xmldecl=False, svgns=True)
    else:
        qr.save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


# --- access codes for student surveys ------------------------------------------------------


def normalise_code(raw: str) -> str:
    """What a student types, in any case, with spaces or dashes; full-width letters too."""
    import unicodedata

    text = unicodedata.normalize("NFKC", raw or "").upper()
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())[:12]


def access_codes(session: Session, slug: str) -> list[AccessCode]:
    survey = _survey(session, slug)
    return list(
        session.scalars(
            select(AccessCode)
            .where(AccessCode.survey_id == survey.id)
            .join(School)
            .order_by(AccessCode.active.desc(), School.name, AccessCode.label)
        )
    )


def create_access_code(
    session: Session, slug: str, school_code: str, label: str, *, actor: User, clock: Clock
) -> AccessCode:
    """A new code for a school (and an optional class label). Commits."""
    survey = _survey(session, slug)
    if survey.audience != Audience.STUDENT:
        raise DistributionError("codes_for_students_only")
    school = _school(session, school_code)
    label = (label or "").strip()[:100] or None
    for _attempt in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        access = AccessCode(
            code=code, survey_id=survey.id, school_id=school.id, label=label, created_at=clock()
        )
        session.add(access)
        record(
            session,
            actor,
            "access_code.created",
            slug,
            {"school": school.code, "label": label, "code": code},
            at=clock(),
        )
        try:
            session.commit()
        except IntegrityError:  # the same code drawn twice: draw again
            session.rollback()
            continue
        return access
    raise DistributionError("no_code")


def deactivate_access_code(
    session: Session, slug: str, code_id: int, *, actor: User, clock: Clock
) -> None:
    survey = _survey(session, slug)
    access = session.get(AccessCode, code_id)
    if access is None or access.survey_id != survey.id:
        raise DistributionError("unknown_code")
    if access.active:
        access.active = False
        record(session, actor, "access_code.deactivated", slug, {"code": access.code}, at=clock())
    session.commit()


def resolve_access_code(session: Session, slug: str, raw: str) -> School:
    """The school a student's code names (never anything about the student)."""
    code = normalise_code(raw)
    access = session.scalars(
        select(AccessCode)
        .join(Survey)
        .where(AccessCode.code == code, Survey.slug == slug)
        .order_by(AccessCode.active.desc())
    ).first()
    if access is None:
        raise DistributionError("unknown_code")
    if not access.active or not access.school.active:  # the teacher has a new one to give
        raise DistributionError("stopped_code")
    return access.school


# --- consent -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentState:
    survey: Survey
    mode: ConsentMode
    chosen: bool  # False: the default (active when the survey asks about protected topics)
    protected_questions: list[str]
    records: list[ConsentRecord]


def _protected_questions(session: Session, survey: Survey) -> list[str]:
    version = latest_version(session, survey.id)
    if version is None:
        return []
    return [q.key for q in definition_of(version).questions if q.protected]


def consent_state(session: Session, slug: str, school_code: str | None = None) -> ConsentState:
    survey = _survey(session, slug)
    if survey.audience != Audience.STUDENT:
        raise DistributionError("consent_for_students_only")
    protected = _protected_questions(session, survey)
    setting = session.scalars(
        select(ConsentSetting).where(ConsentSetting.survey_id == survey.id)
    ).first()
    default = ConsentMode.ACTIVE if protected else ConsentMode.PASSIVE
    query = (
        select(ConsentRecord)
        .where(ConsentRecord.survey_id == survey.id)
        .join(School)
        .order_by(School.name, ConsentRecord.student)
    )
    if school_code is not None:
        query = query.where(School.code == school_code)
    return ConsentState(
        survey,
        setting.mode if setting else default,
        setting is not None,
        protected,
        list(session.scalars(query)),
    )


@dataclass(frozen=True)
class ProctorList:
    """Who may and who must not take the survey at one school, each student once."""

    state: ConsentState
    agreed: list[str]
    opted_out: list[str]


def students_for_proctor(session: Session, slug: str, school_code: str) -> ProctorList:
    """The latest decision for each student wins ("Ana García" and "ana garcia" are one).

    A parent who changes their mind must not leave their child on both lists. Office
    notes stay on the consent page: the sheet goes into a classroom.
    """
    state = consent_state(session, slug, school_code=school_code)
    latest: dict[str, ConsentRecord] = {}
    for entry in sorted(state.records, key=lambda r: (r.recorded_at, r.id)):
        latest[normalise(entry.student)] = entry
    decided = sorted(latest.values(), key=lambda r: normalise(r.student))
    return ProctorList(
        state,
        [r.student for r in decided if r.decision is ConsentDecision.OPTED_IN],
        [r.student for r in decided if r.decision is ConsentDecision.OPTED_OUT],
    )


def set_consent_mode(
    session: Session, slug: str, mode: ConsentMode, *, actor: User, clock: Clock
) -> None:
    state = consent_state(session, slug)
    setting = session.scalars(
        select(ConsentSetting).where(ConsentSetting.survey_id == state.survey.id)
    ).first()
    if setting is None:
        setting = ConsentSetting(survey_id=state.survey.id, mode=mode, updated_at=clock())
        session.add(setting)
    setting.mode = mode
    setting.updated_at = clock()
    record(session, actor, "consent.mode_set", slug, {"mode": mode.value}, at=clock())
    session.commit()


def add_consent_record(
    session: Session,
    slug: str,
    school_code: str,
    student: str,
    decision: ConsentDecision,
    note: str,
    *,
    actor: User,
    clock: Clock,
) -> ConsentRecord:
    """Note a parent's decision for one student (as the proctor will know them). Commits."""
    survey = _survey(session, slug)
    if survey.audience != Audience.STUDENT:
        raise DistributionError("consent_for_students_only")
    school = _school(session, school_code)
    student = " ".join((student or "").split())
    if not student or len(student) > MAX_STUDENT_LENGTH:
        raise DistributionError("student_missing")
    entry = ConsentRecord(
        survey_id=survey.id,
        school_id=school.id,
        student=student,
        decision=decision,
        note=(note or "").strip()[:1000] or None,
        recorded_at=clock(),
        recorded_by_id=actor.id,
    )
    session.add(entry)
    # The audit entry says that a decision was noted, not whose: the list itself is the record.
    record(
        session,
        actor,
        "consent.recorded",
        slug,
        {"school": school.code, "decision": decision.value},
        at=clock(),
    )
    session.commit()
    return entry


def remove_consent_record(
    session: Session, slug: str, record_id: int, *, actor: User, clock: Clock
) -> None:
    survey = _survey(session, slug)
    entry = session.get(ConsentRecord, record_id)
    if entry is None or entry.survey_id != survey.id:
        raise DistributionError("unknown_record")
    session.delete(entry)
    record(session, actor, "consent.removed", slug, {"school": entry.school.code}, at=clock())
    session.commit()
