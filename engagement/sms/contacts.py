"""Contacts from a CSV (phone, language, school codes, role): all or nothing unless asked.

Reports name rows by line number and reason, never by phone number.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engagement.adapters.clock import Clock
from engagement.audit import record
from engagement.i18n import supported
from engagement.models import Contact, Conversation, ResponseDraft, School, User, contact_school

from .phones import PRACTICE_LIKE, InvalidPhone, normalise_phone
from .school_names import matching_schools

REQUIRED_COLUMNS = ("phone",)
# Every column the import reads; any other (a name, a student ID) is said to be left unread.
READ_COLUMNS = {"phone", "language", "preferred_language", "role", "school", "schools"}
ROLES = ("parent", "guardian", "student", "staff", "community")
_SCHOOL_SEPARATORS = re.compile(r"[;,|\s]+")
MAX_ROWS = 100_000


@dataclass(frozen=True)
class BadRow:
    """A refused row: `reason` in English (CLI), `code` and `params` for translated pages."""

    line: int
    reason: str
    code: str = ""
    params: dict = field(default_factory=dict)


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    merged: int = 0  # rows that repeated a phone seen earlier in the file
    kept_language: int = 0  # known phones whose own texted language the file did not overrule
    unread_columns: list[str] = field(default_factory=list)  # names are never stored
    bad: list[BadRow] = field(default_factory=list)
    imported: bool = False


@dataclass
class _Row:
    phone: str
    language: str | None
    role: str | None
    schools: set[int]


class ContactFileError(ValueError):
    """The file as a whole cannot be read (not CSV, no phone column); `code` says which."""

    def __init__(self, reason: str, code: str, **params: object):
        super().__init__(reason)
        self.code = code
        self.params = params


def import_contacts(
    session: Session,
    text: str,
    clock: Clock,
    *,
    import_valid: bool = False,
    region: str = "US",
    actor: User | None = None,
) -> ImportReport:
    """Check every row, then import all of them, or the good ones when `import_valid`. Commits.

    A phone already known gets the file's role and schools added, and its language
    unless the person texted theirs (Contact.language_chosen). The audit entry (actor
    None: the command line) holds counts only, never numbers.
    """
    try:
        return _import(session, text, clock, import_valid, region, actor)
    except csv.Error as error:
        session.rollback()
        raise ContactFileError(f"not a CSV file ({error})", "not_csv") from error


def _import(session, text, clock, import_valid, region, actor) -> ImportReport:
    if "\x00" in text:
        raise ContactFileError("not a CSV file (NUL characters)", "not_csv")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {(c or "").strip().lower() for c in reader.fieldnames or ()}
    if not columns or "phone" not in columns:
        raise ContactFileError(
            "the first line must name the columns, including 'phone'", "no_phone_column"
        )
    roster = list(session.scalars(select(School)))
    schools = {s.code: s.id for s in roster}
    report = ImportReport(unread_columns=sorted(c for c in columns - READ_COLUMNS if c))
    rows: dict[str, _Row] = {}
    first_line: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        if not any((value or "").strip() for value in raw.values() if isinstance(value, str)):
            continue  # a blank line, or Excel's ",,," after the last row
        report.rows += 1
        if report.rows > MAX_ROWS:
            raise ContactFileError(f"more than {MAX_ROWS} rows", "too_many_rows", limit=MAX_ROWS)
        values = {(k or "").strip().lower(): _cell(v) for k, v in raw.items() if k}
        problem, row = _check(values, schools, roster, region)
        if problem:
            report.bad.append(BadRow(number, *problem))
            continue
        if row.phone in rows:
            earlier = rows[row.phone]
            clash = _clash(earlier, row)
            if clash:  # which one is right is for the office to say, not the last line
                line = first_line[row.phone]
                reason = f"repeats line {line}'s phone with another {clash}"
                report.bad.append(BadRow(number, reason, "conflicting_repeat", {"line": line}))
                continue
            report.merged += 1
            earlier.schools |= row.schools
            earlier.language = row.language or earlier.language
            earlier.role = row.role or earlier.role
        else:
            rows[row.phone] = row
            first_line[row.phone] = number
    if report.bad and not import_valid:
        session.rollback()
        return report
    _store(session, rows, clock, report)
    record(
        session,
        actor,
        "sms.contacts_imported",
        "contacts",
        {
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "merged": report.merged,
            "kept_language": report.kept_language,
            "bad": len(report.bad),
        },
        at=clock(),
    )
    session.commit()
    report.imported = True
    return report


def _clash(earlier: _Row, row: _Row) -> str | None:
    """What two rows of one phone disagree on (a blank cell agrees with anything)."""
    if earlier.language and row.language and earlier.language != row.language:
        return "language"
    if earlier.role and row.role and earlier.role != row.role:
        return "role"
    return None


def _cell(value) -> str:
    """A cell's text; a row longer than the header gives a list under the None key, skipped."""
    return value.strip() if isinstance(value, str) else ""


Problem = tuple[str, str, dict]  # (English reason, code, params)


def _check(
    values: dict, schools: dict[str, int], roster: list[School], region: str
) -> tuple[Problem | None, _Row]:
    try:
        phone = normalise_phone(values.get("phone", ""), region)
    except InvalidPhone as error:
        return (error.reason, error.code, {}), None  # type: ignore[return-value]
    language_text = values.get("language") or values.get("preferred_language") or ""
    language = supported(language_text) or _language_name(language_text)
    if language_text and language is None:
        shown = language_text[:20]
        reason = f"unknown language {shown!r} (en, es or zh)"
        return (reason, "unknown_language", {"value": shown}), None  # type: ignore
    role = (values.get("role") or "").lower() or None
    if role is not None and role not in ROLES:
        reason = f"unknown role {role[:20]!r} ({', '.join(ROLES)})"
        return (reason, "unknown_role", {"value": role[:20]}), None  # type: ignore
    codes = [c.lower() for c in _SCHOOL_SEPARATORS.split(values.get("schools") or "") if c]
    codes += [c.lower() for c in _SCHOOL_SEPARATORS.split(values.get("school") or "") if c]
    unknown = [c for c in codes if c not in schools]
    if unknown:
        # "Jackson Elementary" is a name, not codes: say which code it would be.
        cell = values.get("schools") or values.get("school") or ""
        named = matching_schools(cell, roster)
        if len(named) == 1:
            reason = f"{cell[:40]!r} is a school's name; its code is {named[0].code!r}"
            params = {"value": cell[:40], "code": named[0].code}
            return (reason, "school_name_not_code", params), None  # type: ignore
        reason = f"unknown school code {unknown[0][:32]!r}"
        return (reason, "unknown_school", {"value": unknown[0][:32]}), None  # type: ignore
    return None, _Row(phone, language, role, {schools[c] for c in codes})


_NAMES = {
    "english": "en",
    "ingles": "en",
    "inglés": "en",
    "spanish": "es",
    "espanol": "es",
    "español": "es",
    "chinese": "zh",
    "mandarin": "zh",
    "中文": "zh",
}


def _language_name(text: str) -> str | None:
    return _NAMES.get(text.strip().lower())


def _store(session: Session, rows: dict[str, _Row], clock: Clock, report: ImportReport) -> None:
    now = clock()
    existing = {
        c.phone: c for c in session.scalars(select(Contact).where(Contact.phone.in_(list(rows))))
    }
    school_rows = {s.id: s for s in session.scalars(select(School))}
    for phone, row in rows.items():
        contact = existing.get(phone)
        if contact is None:
            contact = Contact(phone=phone, created_at=now, opted_out=False)
            session.add(contact)
            report.created += 1
        else:
            report.updated += 1
        if contact.language_chosen and row.language and row.language != contact.language:
            report.kept_language += 1
        elif row.language:
            contact.language = row.language
        contact.role = row.role or contact.role
        known = {s.id for s in contact.schools}
        contact.schools = list(contact.schools) + [
            school_rows[i] for i in sorted(row.schools - known)
        ]


@dataclass
class ContactSummary:
    """How many contacts there are, by school and language: counts only, never numbers."""

    total: int = 0
    opted_out: int = 0
    languages: dict[str, int] = field(default_factory=dict)  # "" when not known yet
    # Each school with contacts: {language: contacts who can be texted}, and how many opted out.
    schools: list[tuple[School, dict[str, int], int]] = field(default_factory=list)
    without_school: int = 0


def contact_summary(session: Session) -> ContactSummary:
    """The contact list as staff see it: counts per school and language, opted-out apart."""
    summary = ContactSummary()
    for language, opted_out, count in session.execute(
        select(Contact.language, Contact.opted_out, func.count()).group_by(
            Contact.language, Contact.opted_out
        )
    ):
        summary.total += count
        if opted_out:
            summary.opted_out += count
        else:
            key = language or ""
            summary.languages[key] = summary.languages.get(key, 0) + count
    per_school: dict[int, tuple[dict[str, int], list[int]]] = {}
    for school_id, language, opted_out, count in session.execute(
        select(contact_school.c.school_id, Contact.language, Contact.opted_out, func.count())
        .join(Contact, Contact.id == contact_school.c.contact_id)
        .group_by(contact_school.c.school_id, Contact.language, Contact.opted_out)
    ):
        languages, out = per_school.setdefault(school_id, ({}, [0]))
        if opted_out:
            out[0] += count
        else:
            languages[language or ""] = languages.get(language or "", 0) + count
    for school in session.scalars(select(School).order_by(School.name)):
        if school.id in per_school:
            languages, out = per_school[school.id]
            summary.schools.append((school, languages, out[0]))
    summary.without_school = session.scalar(
        select(func.count())
        .select_from(Contact)
        .where(~Contact.id.in_(select(contact_school.c.contact_id)))
    )
    return summary


def practice_drafts():
    """The draft tokens of practice phones (the simulator's): part-way through, yet nobody's."""
    return (
        select(Conversation.draft_token)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(Contact.phone.like(PRACTICE_LIKE), Conversation.draft_token.is_not(None))
    )


def part_way_through() -> tuple:
    """Conditions on ResponseDraft for someone part-way through: an answer given (not a text
    invitation nobody replied to), not finished, and not a practice phone's."""
    return (
        ResponseDraft.completed.is_(False),
        ResponseDraft.revision > 0,
        ResponseDraft.token.not_in(practice_drafts()),
    )
