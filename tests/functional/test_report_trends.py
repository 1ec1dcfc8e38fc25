"""Trends: the same indicator and question in an earlier administration, matched by key."""

import pytest

from engagement.models import Role
from engagement.reporting.service import CellSizes, indicator_trends, question_trend
from engagement.surveys.loader import read_template
from tests.staff import login, make_user
from tests.support import FIXTURES, catalogue, open_survey, respond


@pytest.fixture
def two_years(seeded, clock, tmp_path):
    text = (FIXTURES / "report.yaml").read_text(encoding="utf-8")
    earlier = tmp_path / "report-2025.yaml"
    earlier.write_text(
        text.replace("slug: report-2026", "slug: report-2025").replace(
            "school_year: 2026-27", "school_year: 2025-26"
        ),
        encoding="utf-8",
    )
    definition, problems = read_template(earlier, catalogue())
    assert not problems
    from engagement.models import SurveyStatus
    from engagement.surveys.store import save_definition, set_status

    save_definition(seeded, definition, clock)
    set_status(seeded, "report-2025", SurveyStatus.OPEN)
    # 2025-26: Madison 20 families, 10 engaged; Jackson 10, 2 engaged -> 12/30 = 40.0%
    for i in range(20):
        respond(seeded, clock, "report-2025", "madison", {"fe_school_activities": int(i < 10)})
    for i in range(10):
        respond(seeded, clock, "report-2025", "jackson", {"fe_school_activities": int(i < 2)})
    current = open_survey(seeded, clock, FIXTURES / "report.yaml")
    # 2026-27: Madison 20, 15 engaged; Jackson 20, 12 engaged -> 27/40 = 67.5%
    for i in range(20):
        respond(seeded, clock, current.slug, "madison", {"fe_school_activities": int(i < 15)})
        respond(seeded, clock, current.slug, "jackson", {"fe_school_activities": int(i < 12)})
    # Bullying asked only in 2026-27 by 4 students: below the cell size, no point.
    for _ in range(4):
        respond(seeded, clock, current.slug, "field", {"bullied_in_person": 3})


def test_indicator_and_question_trends_hand_computed(seeded, clock, two_years):
    trends = indicator_trends(seeded, ["family_engagement", "bullying"], clock, CellSizes())
    points = trends["family_engagement"]
    assert [(p["school_year"], p["n"], round(p["pct"], 1)) for p in points] == [
        ("2025-26", 30, 40.0),
        ("2026-27", 40, 67.5),
    ]
    assert points[0]["change"] is None and points[1]["change"] == 27.5
    assert trends["bullying"] == [
        {"school_year": "2026-27", "n": None, "pct": None, "suppressed": True, "change": None}
    ]
    question = question_trend(seeded, "fe_school_activities", clock, CellSizes())
    assert [(p["survey"], p["n"], p["pct"], p["change"]) for p in question] == [
        ("report-2025", 30, 40.0, None),
        ("report-2026", 40, 67.5, 27.5),
    ]


def test_trend_on_the_area_page(client, seeded, clock, two_years):
    make_user(seeded, clock, "lead@example.org", Role.LEADERSHIP)
    login(client, "lead@example.org")
    page = client.get("/reports/area/D?lang=en")
    row = page.text.split("Families are actively involved")[1].split("</tr>")[0]
    assert "2025-26</span>: 40.0%" in row and "2026-27</span>: 67.5% (+27.5 points)" in row
    earlier = client.get("/reports/area/D?lang=en&year=2025-26")
    row = earlier.text.split("Families are actively involved")[1].split("</tr>")[0]
    assert "50.0%" in row and "(n=20)" in row  # Madison in 2025-26


def test_a_years_page_shows_no_later_year_and_administrative_figures_have_trends(
    client, seeded, clock, two_years
):
    from sqlalchemy import select

    from engagement.models import AdministrativeValue, Indicator

    crime = seeded.scalars(select(Indicator).where(Indicator.key == "neighborhood_crime")).one()
    for year, value in (("2025-26", 4.0), ("2026-27", 3.2)):
        seeded.add(
            AdministrativeValue(
                indicator_id=crime.id,
                school_id=None,
                school_year=year,
                value=value,
                imported_at=clock(),
            )
        )
    seeded.commit()
    trends = indicator_trends(seeded, ["neighborhood_crime"], clock, CellSizes())
    assert [(p["school_year"], p["pct"], p["change"]) for p in trends["neighborhood_crime"]] == [
        ("2025-26", 4.0, None),
        ("2026-27", 3.2, -0.8),
    ]
    make_user(seeded, clock, "lead@example.org", Role.LEADERSHIP)
    login(client, "lead@example.org")
    earlier = client.get("/reports/area/D?lang=en&year=2025-26").text
    row = earlier.split("Families are actively involved")[1].split("</tr>")[0]
    assert "2025-26</span>: 40.0%" in row and "2026-27" not in row  # nothing from the future
    now = client.get("/reports/area/D?lang=en").text
    row = now.split("Decreased neighborhood crime")[1].split("</tr>")[0]
    assert "2025-26</span>: 4.0%" in row and "2026-27</span>: 3.2% (-0.8 points)" in row
