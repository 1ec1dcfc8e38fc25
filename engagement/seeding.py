"""Load the roster of schools and the result-area framework from the seed files."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.models import Direction, Indicator, IndicatorSource, ResultArea, School

SEED_DIR = Path(__file__).resolve().parent / "seed"


def load_schools(session: Session, path: Path = SEED_DIR / "schools.csv") -> tuple[int, int]:
    """Insert new schools and update known ones by code; returns (added, updated). Commits."""
    existing = {s.code: s for s in session.scalars(select(School))}
    added = updated = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            fields = {
                "name": row["name"].strip(),
                "name_es": row.get("name_es", "").strip() or None,
                "name_zh": row.get("name_zh", "").strip() or None,
                "level": row["level"].strip(),
                "tier": row["tier"].strip() or None,
                "tier_school_year": row.get("tier_school_year", "").strip() or None,
                "dual_language": row["dual_language"].strip() or None,
                "signature_programs": [
                    p.strip() for p in row["signature_programs"].split(";") if p.strip()
                ],
            }
            school = existing.get(row["code"].strip())
            if school is None:
                session.add(School(code=row["code"].strip(), **fields))
                added += 1
            else:
                changed = any(getattr(school, k) != v for k, v in fields.items())
                for key, value in fields.items():
                    setattr(school, key, value)
                updated += changed
    session.commit()
    return added, updated


def load_framework(session: Session, path: Path = SEED_DIR / "result_areas.yaml") -> int:
    """Upsert result areas A-D and their indicators; returns the number of indicators. Commits."""
    areas = yaml.safe_load(path.read_text(encoding="utf-8"))
    existing_areas = {a.code: a for a in session.scalars(select(ResultArea))}
    existing_indicators = {i.key: i for i in session.scalars(select(Indicator))}
    count = 0
    for area_data in areas:
        area = existing_areas.get(area_data["code"]) or ResultArea(code=area_data["code"])
        area.title = area_data["title"]
        area.strategies = area_data.get("strategies", [])
        session.add(area)
        session.flush()
        for position, item in enumerate(area_data["indicators"], start=1):
            indicator = existing_indicators.get(item["key"]) or Indicator(key=item["key"])
            indicator.result_area_id = area.id
            indicator.position = position
            indicator.title = item["title"]
            indicator.source = IndicatorSource(item["source"])
            indicator.direction = Direction(item.get("direction", "higher"))
            session.add(indicator)
            count += 1
    session.commit()
    return count
