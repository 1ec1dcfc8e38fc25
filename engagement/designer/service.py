"""Designer use cases over the store: every edit is validated and saved as the next version.

Each function owns its transaction, takes the acting user and the clock, and
writes its audit entry in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engagement.adapters.clock import Clock
from engagement.audit import record
from engagement.models import (
    AuditEvent,
    Campaign,
    Conversation,
    ConversationStatus,
    Invitation,
    OutboundMessage,
    OutboundStatus,
    Response,
    ResponseDraft,
    Survey,
    SurveyStatus,
    SurveyVersion,
    User,
)
from engagement.sms.contacts import part_way_through
from engagement.surveys.definition import SurveyDefinition
from engagement.surveys.loader import definition_to_template, definition_to_yaml, parse_yaml
from engagement.surveys.store import (
    KeywordTaken,
    LoadResult,
    check_keyword_free,
    definition_of,
    indicator_catalogue,
    keywords_taken,
    latest_version,
    save_definition,
)
from engagement.surveys.validation import Problem, validate_template
from engagement.surveys.xlsform import XlsFormError, read_xlsform, write_xlsform

from . import editing
from .editing import EditError, clone_template

Template = dict[str, Any]


class DesignerError(Exception):
    """A refusal the designer pages show; `code` picks the message, `problems` lists details."""

    def __init__(self, code: str, problems: list[Problem] | None = None, **params: object):
        super().__init__(code)
        self.code = code
        self.problems = problems or []
        self.params = params


@dataclass(frozen=True)
class Draft:
    """The survey as the designer shows it: its latest version as an editable template."""

    survey: Survey
    version: SurveyVersion
    definition: SurveyDefinition
    template: Template
    problems: list[Problem]  # what blocks publishing (missing translations, usually)
    responses: int

    @property
    def translation_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.translation]


@dataclass(frozen=True)
class Saved:
    result: LoadResult
    problems: list[Problem]


def _survey(session: Session, slug: str) -> Survey:
    survey = session.scalars(select(Survey).where(Survey.slug == slug)).first()
    if survey is None:
        raise DesignerError("unknown_survey", slug=slug)
    return survey


def response_count(session: Session, survey_id: int) -> int:
    return session.scalar(
        select(func.count(Response.id))
        .join(SurveyVersion, Response.version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == survey_id)
    )


def load_draft(session: Session, slug: str) -> Draft:
    survey = _survey(session, slug)
    version = latest_version(session, survey.id)
    if version is None:
        raise DesignerError("unknown_survey", slug=slug)
    definition = definition_of(version)
    template = definition_to_template(definition)
    _, problems = validate_template(template, slug, indicator_catalogue(session))
    if survey.status != SurveyStatus.OPEN:  # an open one's keywords were checked when saved
        problems += _keywords_taken(session, survey, definition)
    return Draft(
        survey, version, definition, template, problems, response_count(session, survey.id)
    )


def _keywords_taken(session: Session, survey: Survey, definition: SurveyDefinition) -> list:
    """Keywords an open survey answers to, listed before publishing, not found on the day."""
    problems = []
    for taken in keywords_taken(session, survey, definition):
        message = (
            f"text keyword {taken.keyword}: the open survey {taken.slug} answers to it;"
            f" change it here, or close {taken.slug} before publishing"
        )
        said = {"word": taken.keyword, "slug": taken.slug}
        problems.append(
            Problem(survey.slug, "survey", message, code="keyword_of_open_survey", params=said)
        )
    return problems


def list_surveys(session: Session) -> list[tuple[Survey, int, int]]:
    """Every survey with its latest version number and its number of responses."""
    rows = []
    for survey in session.scalars(select(Survey).order_by(Survey.created_at.desc(), Survey.slug)):
        version = latest_version(session, survey.id)
        rows.append((survey, version.number if version else 0, response_count(session, survey.id)))
    return rows


def _validated(session: Session, template: Template, source: str) -> tuple[SurveyDefinition, list]:
    definition, problems = validate_template(
        template, source, indicator_catalogue(session), allow_missing_translations=True
    )
    if definition is None:  # translations may wait for publishing: only what blocks is listed
        raise DesignerError("invalid", [p for p in problems if not p.translation] or problems)
    return definition, problems


def save_template(
    session: Session,
    template: Template,
    *,
    actor: User | None,
    clock: Clock,
    action: str,
    details: dict[str, Any] | None = None,
    expected_version: int | None = None,
    new_survey: bool = False,
) -> Saved:
    """Validate a template (missing translations allowed) and store it as the next version.

    An open survey must stay complete in every language. `expected_version`
    refuses the save when someone else saved since the page was loaded. An
    unchanged template creates nothing (and writes no audit entry). Commits.
    """
    definition, problems = _validated(session, template, str(template.get("slug", "survey")))
    existing = session.scalars(select(Survey).where(Survey.slug == definition.slug)).first()
    if new_survey and existing is not None:
        raise DesignerError("slug_taken", slug=definition.slug)
    if existing is not None:
        current = latest_version(session, existing.id)
        if expected_version is not None and current and current.number != expected_version:
            raise DesignerError("stale", number=current.number)
        if existing.status == SurveyStatus.OPEN and problems:
            raise DesignerError("open_needs_translations", problems)
        if existing.status == SurveyStatus.OPEN:
            _keyword_free(session, existing, definition)
        next_number = (current.number if current else 0) + 1
    else:
        next_number = 1
    record(
        session,
        actor,
        action,
        definition.slug,
        {**(details or {}), "version": next_number},
        at=clock(),
    )
    result = save_definition(session, definition, clock)
    return Saved(result, problems)


def _keyword_free(session: Session, survey: Survey, definition: SurveyDefinition) -> None:
    try:
        check_keyword_free(session, survey, definition)
    except KeywordTaken as taken:
        raise DesignerError("keyword_taken", keyword=taken.keyword, slug=taken.slug) from taken


def edit(
    session: Session,
    slug: str,
    change: Callable[[Template], Template],
    *,
    actor: User,
    clock: Clock,
    details: dict[str, Any],
    expected_version: int | None = None,
) -> Saved:
    """Apply one pure edit (designer.editing) to the latest version and save the result."""
    draft = load_draft(session, slug)
    try:
        template = change(draft.template)
    except EditError as error:
        raise DesignerError(error.code, **error.params) from error
    template["slug"] = slug  # the slug is the survey's identity: never changed by an edit
    return save_template(
        session,
        template,
        actor=actor,
        clock=clock,
        action="survey.edited",
        details=details,
        expected_version=expected_version,
    )


# --- creating ------------------------------------------------------------------------------


def save_translations(
    session: Session,
    slug: str,
    edits: dict[editing.Path, dict[str, str]],
    *,
    typed_on: int | None,
    actor: User,
    clock: Clock,
) -> Saved:
    """Save texts typed on version `typed_on`, keeping what others saved since then.

    A text someone else changed meanwhile, which this typist changed too, is refused as a
    conflict (DesignerError "translation_conflict", with `conflicts`, the texts as they
    would be saved in `rebased`, and the newest version's `number`); nothing is saved.
    """
    survey = _survey(session, slug)
    current = latest_version(session, survey.id)
    if typed_on is not None and current is not None and current.number != typed_on:
        base = session.scalars(
            select(SurveyVersion).where(
                SurveyVersion.survey_id == survey.id, SurveyVersion.number == typed_on
            )
        ).first()
        rebased = base and editing.rebase_translations(
            definition_to_template(definition_of(base)),
            definition_to_template(definition_of(current)),
            edits,
        )
        if not rebased:
            raise DesignerError("stale", number=current.number)
        edits, conflicts = rebased
        if conflicts:  # `rebased`: what the page shows next, the others' saves included
            raise DesignerError(
                "translation_conflict",
                number=current.number,
                conflicts=conflicts,
                rebased=edits,
                by=_saved_by(session, slug, typed_on, current.number),
            )
    return edit(
        session,
        slug,
        partial(editing.apply_translations, edits=edits),
        actor=actor,
        clock=clock,
        details={"change": "translations"},
        expected_version=current.number if current else None,
    )


def _saved_by(session: Session, slug: str, after: int, upto: int) -> list[str]:
    """Who saved the survey's versions after `after` up to `upto`, from the audit log (the
    versions themselves do not say): their names, or the email of a deleted account."""
    events = session.execute(
        select(AuditEvent.actor_email, User.name, AuditEvent.details)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.target == slug, AuditEvent.action.like("survey.%"))
        .order_by(AuditEvent.id.desc())
        .limit(200)
    )
    names: list[str] = []
    for email, name, details in events:
        version = (details or {}).get("version")
        if isinstance(version, int) and after < version <= upto and (name or email) not in names:
            names.append(name or email)
    return names


def create_survey(session: Session, template: Template, *, actor: User, clock: Clock) -> Saved:
    """A new survey from scratch (the designer's first section and question)."""
    return save_template(
        session,
        template,
        actor=actor,
        clock=clock,
        action="survey.created",
        details={"from": "scratch"},
        new_survey=True,
    )


def template_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def create_from_file(
    session: Session, path: Path, slug: str, school_year: str, *, actor: User, clock: Clock
) -> Saved:
    """A new survey from a template file in surveys/, under a slug and school year of its own."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DesignerError("unreadable", detail=str(error)) from error
    data, problems = parse_yaml(text, path.name)
    if problems:
        raise DesignerError("invalid", problems)
    if not isinstance(data, dict):
        raise DesignerError("invalid", [Problem(path.name, "survey", "not a survey template")])
    return save_template(
        session,
        clone_template(data, slug, school_year),
        actor=actor,
        clock=clock,
        action="survey.created",
        details={"from": f"template {path.name}"},
        new_survey=True,
    )


def clone_survey(
    session: Session, source_slug: str, slug: str, school_year: str, *, actor: User, clock: Clock
) -> Saved:
    """Last year's survey as this year's draft, keeping every question key."""
    source = load_draft(session, source_slug)
    return save_template(
        session,
        clone_template(source.template, slug, school_year),
        actor=actor,
        clock=clock,
        action="survey.created",
        details={"from": f"clone of {source_slug} v{source.version.number}"},
        new_survey=True,
    )


# --- import and export ---------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    saved: Saved
    left_out: list[Problem]


def _replacing(session: Session, data: Template, replace_existing: bool) -> None:
    """Refuse to make a file the next version of an existing survey unless that was asked for:
    a wrong file picked would change a live survey's questions at once."""
    slug = data.get("slug")
    existing = session.scalars(select(Survey).where(Survey.slug == slug)).first() if slug else None
    if existing is not None and not replace_existing:
        raise DesignerError(
            "would_replace", slug=slug, responses=response_count(session, existing.id)
        )


def import_yaml(
    session: Session,
    text: str,
    file: str,
    *,
    actor: User,
    clock: Clock,
    replace_existing: bool = False,
) -> Imported:
    """A survey file as a new survey, or (asked for) the next version of the survey with its
    slug."""
    data, problems = parse_yaml(text, file)
    if problems:
        raise DesignerError("invalid", problems)
    if not isinstance(data, dict):
        raise DesignerError("invalid", [Problem(file, "survey", "not a survey template")])
    _replacing(session, data, replace_existing)
    saved = save_template(
        session, data, actor=actor, clock=clock, action="survey.imported", details={"file": file}
    )
    return Imported(saved, [])


def import_xlsform(
    session: Session,
    content: bytes,
    file: str,
    *,
    actor: User,
    clock: Clock,
    accept_left_out: bool,
    replace_existing: bool = False,
) -> Imported:
    """An XLSForm workbook; rows it cannot represent are listed and saved only when accepted."""
    try:
        data, left_out = read_xlsform(content, file)
    except XlsFormError as error:
        raise DesignerError("invalid", [Problem(file, error.where, str(error))]) from error
    _replacing(session, data, replace_existing)
    if left_out and not accept_left_out:
        # Still check the rest, so one look shows every problem.
        _, problems = validate_template(
            data, file, indicator_catalogue(session), allow_missing_translations=True
        )
        blocking = [p for p in problems if not p.translation]
        raise DesignerError("left_out", left_out + blocking)
    saved = save_template(
        session,
        data,
        actor=actor,
        clock=clock,
        action="survey.imported",
        details={"file": file, "left_out": len(left_out)},
    )
    return Imported(saved, left_out)


def export_survey(session: Session, slug: str, form: str, *, actor: User, clock: Clock) -> bytes:
    """The latest version as project YAML or XLSForm; audited."""
    draft = load_draft(session, slug)
    if form == "yaml":
        content = definition_to_yaml(draft.definition).encode("utf-8")
    elif form == "xlsform":
        content = write_xlsform(draft.definition)
    else:
        raise DesignerError("unknown_format")
    record(
        session,
        actor,
        "survey.exported",
        slug,
        {"format": form, "version": draft.version.number},
        at=clock(),
    )
    session.commit()
    return content


# --- publishing ----------------------------------------------------------------------------


def publish(
    session: Session,
    slug: str,
    *,
    opens_at: datetime | None,
    closes_at: datetime | None,
    actor: User,
    clock: Clock,
) -> Survey:
    """Open the survey (optionally within a window); refused while any problem remains."""
    draft = load_draft(session, slug)
    if draft.problems:
        raise DesignerError("not_publishable", draft.problems)
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise DesignerError("window_backwards")
    if closes_at is not None and closes_at <= clock():
        raise DesignerError("window_past")
    survey = draft.survey
    _keyword_free(session, survey, draft.definition)
    action = "survey.rescheduled" if survey.status == SurveyStatus.OPEN else "survey.published"
    survey.status = SurveyStatus.OPEN
    survey.opens_at = opens_at
    survey.closes_at = closes_at
    record(
        session,
        actor,
        action,
        slug,
        {
            "version": draft.version.number,
            "opens_at": opens_at.isoformat() if opens_at else None,
            "closes_at": closes_at.isoformat() if closes_at else None,
        },
        at=clock(),
    )
    session.commit()
    return survey


@dataclass(frozen=True)
class ClosingSummary:
    """What closing would stop: shown before the office confirms it."""

    survey: Survey
    responses: int
    unfinished: int  # drafts started and not completed: they cannot be finished once closed
    texting: int  # phones in the middle of this survey by text
    waiting_texts: int  # invitations and reminders not sent yet: they will not go out


def closing_summary(session: Session, slug: str) -> ClosingSummary:
    survey = _survey(session, slug)
    if survey.status != SurveyStatus.OPEN:
        raise DesignerError("not_open")
    versions = select(SurveyVersion.id).where(SurveyVersion.survey_id == survey.id)
    answering = part_way_through()
    unfinished = session.scalar(
        select(func.count())
        .select_from(ResponseDraft)
        .where(ResponseDraft.version_id.in_(versions), *answering)
    )
    texting = session.scalar(
        select(func.count())
        .select_from(Conversation)
        .join(ResponseDraft, ResponseDraft.token == Conversation.draft_token)
        .where(
            Conversation.survey_id == survey.id,
            Conversation.status == ConversationStatus.ACTIVE,
            *answering,
        )
    )
    waiting = session.scalar(
        select(func.count())
        .select_from(OutboundMessage)
        .join(Invitation, Invitation.id == OutboundMessage.invitation_id)
        .join(Campaign, Campaign.id == Invitation.campaign_id)
        .where(Campaign.survey_id == survey.id, OutboundMessage.status == OutboundStatus.QUEUED)
    )
    return ClosingSummary(survey, response_count(session, survey.id), unfinished, texting, waiting)


def close(session: Session, slug: str, *, actor: User, clock: Clock) -> Survey:
    survey = _survey(session, slug)
    if survey.status != SurveyStatus.OPEN:
        raise DesignerError("not_open")
    survey.status = SurveyStatus.CLOSED
    record(session, actor, "survey.closed", slug, {}, at=clock())
    session.commit()
    return survey
