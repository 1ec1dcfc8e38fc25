"""Staff-entered indicator data: baselines and targets, and administrative values from CSV.

Both are audit-logged and all-or-nothing: a form with one bad number, or a CSV
with one bad row, changes nothing and says what is wrong (every bad row, with
its line number).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.audit import record
from engagement.models import (
    AdministrativeValue,
    Indicator,
    IndicatorSource,
    IndicatorTarget,
    School,
    User,
)
from engagement.sms.school_names import matching_schools
from engagement.surveys.answers import AnswerError, parse_number_text

SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
ADMIN_COLUMNS = ("indicator", "school", "school_year", "value")
DISTRICT_WORDS = {"", "district"}

PROBLEMS = {
    "header": _l("the first line must be the column names: %(columns)s"),
    "columns": _l("expected %(expected)s values, found %(found)s"),
    "indicator": _l("unknown indicator %(value)s"),
    "not_administrative": _l(
        "%(value)s is a survey indicator; only administrative indicators are imported"
    ),
    "school": _l("unknown school %(value)s"),
    "school_name": _l("“%(value)s” is a school's name: the column takes codes, here “%(code)s”."),
    "school_year": _l("school year %(value)s is not like 2026-27"),
    "number": _l("%(value)s is not a number"),
    "range": _l("%(value)s is not a percentage between 0 and 100"),
    "duplicate": _l("the same indicator, school and year as line %(line)s"),
    "empty": _l("the file has no rows"),
    "encoding": _l("the file is not UTF-8 text"),
}


@dataclass(frozen=True)
class Problem:
    line: int
    code: str
    params: dict

    @property
    def message(self) -> str:
        return str(PROBLEMS[self.code] % self.params)


class IndicatorDataProblems(ValueError):
    """Nothing was saved; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def valid_school_year(value: str) -> bool:
    match = SCHOOL_YEAR.match(value)
    return bool(match) and (int(match.group(1)) + 1) % 100 == int(match.group(2))


def percentage(raw: str | None) -> tuple[float | None, str | None]:
    """(value, problem code) for a typed percentage; blank is None."""
    text = (raw or "").strip().rstrip("%").strip()
    if not text:
        return None, None
    try:
        value = float(parse_number_text(text))  # "50,5" is 50.5; "5,000" is refused
    except AnswerError:
        return None, "number"
    if not math.isfinite(value):
        return None, "number"
    if not 0 <= value <= 100:
        return None, "range"
    return value, None


# --- targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetInput:
    indicator: str
    baseline: str
    target: str


def save_targets(
    session: Session,
    actor: User | None,
    school_year: str,
    school: str | None,
    rows: list[TargetInput],
    clock: Callable[[], datetime],
) -> int:
    """Set (or clear, when both are blank) baseline and target of each indicator. Commits."""
    problems = []
    if not valid_school_year(school_year):
        problems.append(Problem(0, "school_year", {"value": school_year}))
    school_row = None
    if school:
        school_row = session.scalars(select(School).where(School.code == school)).first()
        if school_row is None:
            problems.append(Problem(0, "school", {"value": school}))
    indicators = {i.key: i for i in session.scalars(select(Indicator))}
    parsed = []
    for index, row in enumerate(rows, start=1):
        if row.indicator not in indicators:
            problems.append(Problem(index, "indicator", {"value": row.indicator}))
            continue
        baseline, bad_baseline = percentage(row.baseline)
        target, bad_target = percentage(row.target)
        for bad, raw in ((bad_baseline, row.baseline), (bad_target, row.target)):
            if bad:
                problems.append(Problem(index, bad, {"value": raw.strip()}))
        parsed.append((indicators[row.indicator], baseline, target))
    if problems:
        raise IndicatorDataProblems(problems)
    school_id = school_row.id if school_row else None
    existing = {
        t.indicator_id: t
        for t in session.scalars(
            select(IndicatorTarget).where(
                IndicatorTarget.school_year == school_year,
                IndicatorTarget.school_id.is_(None)
                if school_id is None
                else IndicatorTarget.school_id == school_id,
            )
        )
    }
    changed = []
    for indicator, baseline, target in parsed:
        current = existing.get(indicator.id)
        before = (current.baseline, current.target) if current else (None, None)
        if before == (baseline, target):
            continue
        if baseline is None and target is None:
            session.delete(current)
        elif current is None:
            session.add(
                IndicatorTarget(
                    indicator_id=indicator.id,
                    school_id=school_id,
                    school_year=school_year,
                    baseline=baseline,
                    target=target,
                    updated_at=clock(),
                    updated_by_id=actor.id if actor else None,
                )
            )
        else:
            current.baseline, current.target = baseline, target
            current.updated_at, current.updated_by_id = clock(), actor.id if actor else None
        changed.append({"indicator": indicator.key, "before": before, "after": (baseline, target)})
    if changed:
        record(
            session,
            actor,
            "reports.targets",
            f"{school or 'district'} {school_year}",
            {"changes": changed},
            at=clock(),
        )
    session.commit()
    return len(changed)


# --- administrative values -----------------------------------------------------------------


def parse_administrative(session: Session, data: bytes | str) -> tuple[list[dict], list[Problem]]:
    """Rows of indicator, school ("" = district), school_year, value; and every problem."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], [Problem(1, "encoding", {})]
    data = data.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(data))
    header = next(reader, None)
    if header is None:
        return [], [Problem(1, "empty", {})]
    if [h.strip().lower() for h in header] != list(ADMIN_COLUMNS):
        return [], [Problem(1, "header", {"columns": ",".join(ADMIN_COLUMNS)})]
    indicators = {i.key: i for i in session.scalars(select(Indicator))}
    roster = list(session.scalars(select(School)))
    schools = {school.code: school.id for school in roster}
    rows, problems, seen = [], [], {}
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(ADMIN_COLUMNS):
            problems.append(
                Problem(line, "columns", {"expected": len(ADMIN_COLUMNS), "found": len(fields)})
            )
            continue
        key, school, year, raw = (f.strip() for f in fields)
        found = []
        indicator = indicators.get(key)
        if indicator is None:
            found.append(Problem(line, "indicator", {"value": key[:64]}))
        elif indicator.source != IndicatorSource.ADMINISTRATIVE:
            found.append(Problem(line, "not_administrative", {"value": key}))
        school = "" if school.lower() in DISTRICT_WORDS else school
        if school and school not in schools:
            named = matching_schools(school, roster)  # "John Muir High": say its code
            if len(named) == 1:
                found.append(
                    Problem(line, "school_name", {"value": school[:64], "code": named[0].code})
                )
            else:
                found.append(Problem(line, "school", {"value": school[:64]}))
        if not valid_school_year(year):
            found.append(Problem(line, "school_year", {"value": year[:20]}))
        value, bad = percentage(raw)
        if bad or value is None:
            found.append(Problem(line, bad or "number", {"value": raw[:20]}))
        if not found:
            identity = (key, school, year)
            if identity in seen:
                found.append(Problem(line, "duplicate", {"line": seen[identity]}))
            else:
                seen[identity] = line
        if found:
            problems.extend(found)
            continue
        rows.append(
            {
                "indicator_id": indicator.id,
                "indicator": key,
                "school_id": schools.get(school) if school else None,
                "school": school,
                "school_year": year,
                "value": value,
            }
        )
    if not rows and not problems:
        problems.append(Problem(2, "empty", {}))
    return rows, problems


def import_administrative(
    session: Session,
    actor: User | None,
    data: bytes | str,
    clock: Callable[[], datetime],
    source: str = "upload",
) -> int:
    """Store every row of the CSV (replacing the same indicator, school and year), or none."""
    rows, problems = parse_administrative(session, data)
    if problems:
        raise IndicatorDataProblems(problems)
    existing = {
        (v.indicator_id, v.school_id, v.school_year): v
        for v in session.scalars(select(AdministrativeValue))
    }
    for row in rows:
        current = existing.get((row["indicator_id"], row["school_id"], row["school_year"]))
        if current is None:
            session.add(
                AdministrativeValue(
                    indicator_id=row["indicator_id"],
                    school_id=row["school_id"],
                    school_year=row["school_year"],
                    value=row["value"],
                    imported_at=clock(),
                )
            )
        else:
            current.value, current.imported_at = row["value"], clock()
    record(
        session,
        actor,
        "reports.import_administrative",
        source,
        {"rows": len(rows), "years": sorted({r["school_year"] for r in rows})},
        at=clock(),
    )
    session.commit()
    return len(rows)
