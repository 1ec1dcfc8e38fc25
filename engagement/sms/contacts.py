"""Contacts from a CSV (phone, language, school codes, role): all or nothing unless asked.

Reports name rows by line number and reason, never by phone number.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.adapters.clock import Clock
from engagement.i18n import supported
from engagement.models import Contact, School

from .phones import InvalidPhone, normalise_phone

REQUIRED_COLUMNS = ("phone",)
ROLES = ("parent", "guardian", "student", "staff", "community")
_SCHOOL_SEPARATORS = re.compile(r"[;,|\s]+")
MAX_ROWS = 100_000


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    merged: int = 0  # rows that repeated a phone seen earlier in the file
    bad: list[BadRow] = field(default_factory=list)
    imported: bool = False


@dataclass
class _Row:
    phone: str
    language: str | None
    role: str | None
    schools: set[int]


class ContactFileError(ValueError):
    """The file as a whole cannot be read (not CSV, no phone column)."""


def import_contacts(
    session: Session, text: str, clock: Clock, *, import_valid: bool = False, region: str = "US"
) -> ImportReport:
    """Check every row, then import all of them, or the good ones when `import_valid`. Commits.

    A phone already known gets the file's language, role and schools added.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {(c or "").strip().lower() for c in reader.fieldnames or ()}
    if not columns or "phone" not in columns:
        raise ContactFileError("the first line must name the columns, including 'phone'")
    schools = {s.code: s.id for s in session.scalars(select(School))}
    report = ImportReport()
    rows: dict[str, _Row] = {}
    for number, raw in enumerate(reader, start=2):
        report.rows += 1
        if report.rows > MAX_ROWS:
            raise ContactFileError(f"more than {MAX_ROWS} rows")
        record = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        problem, row = _check(record, schools, region)
        if problem:
            report.bad.append(BadRow(number, problem))
            continue
        if row.phone in rows:
            report.merged += 1
            earlier = rows[row.phone]
            earlier.schools |= row.schools
            earlier.language = row.language or earlier.language
            earlier.role = row.role or earlier.role
        else:
            rows[row.phone] = row
    if report.bad and not import_valid:
        session.rollback()
        return report
    _store(session, rows, clock, report)
    session.commit()
    report.imported = True
    return report


def _check(record: dict, schools: dict[str, int], region: str) -> tuple[str | None, _Row]:
    try:
        phone = normalise_phone(record.get("phone", ""), region)
    except InvalidPhone as error:
        return error.reason, None  # type: ignore[return-value]
    language_text = record.get("language") or record.get("preferred_language") or ""
    language = supported(language_text) or _language_name(language_text)
    if language_text and language is None:
        return f"unknown language {language_text[:20]!r} (en, es or zh)", None  # type: ignore
    role = (record.get("role") or "").lower() or None
    if role is not None and role not in ROLES:
        return f"unknown role {role[:20]!r} ({', '.join(ROLES)})", None  # type: ignore
    codes = [c.lower() for c in _SCHOOL_SEPARATORS.split(record.get("schools") or "") if c]
    codes += [c.lower() for c in _SCHOOL_SEPARATORS.split(record.get("school") or "") if c]
    unknown = [c for c in codes if c not in schools]
    if unknown:
        return f"unknown school code {unknown[0][:32]!r}", None  # type: ignore[return-value]
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
        contact.language = row.language or contact.language
        contact.role = row.role or contact.role
        known = {s.id for s in contact.schools}
        contact.schools = list(contact.schools) + [
            school_rows[i] for i in sorted(row.schools - known)
        ]
