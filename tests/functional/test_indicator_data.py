"""Baselines and targets through the staff form; administrative values via upload and CLI."""

import html
import io

import pytest
from sqlalchemy import select

from engagement.models import AdministrativeValue, AuditEvent, IndicatorTarget, Role
from engagement.reporting.service import on_track
from tests.staff import form_token, login, make_user
from tests.support import FIXTURES, open_survey, respond

GOOD_CSV = (
    "indicator,school,school_year,value\n"
    "attendance_and_discipline,jackson,2026-27,94.5\n"
    "attendance_and_discipline,madison,2026-27,91\n"
    "neighborhood_crime,,2026-27,3.2\n"
    "employment,district,2025-26,71.0\n"
)
BAD_CSV = (
    "indicator,school,school_year,value\n"
    "attendance_and_discipline,jackson,2026-27,94.5\n"  # fine, but nothing is imported
    "attendance,jackson,2026-27,90\n"  # 3: unknown indicator
    "family_engagement,jackson,2026-27,50\n"  # 4: a survey indicator
    "employment,nowhere,2026-27,50\n"  # 5: unknown school
    "employment,jackson,2026/27,50\n"  # 6: bad year
    "employment,jackson,2026-27,lots\n"  # 7: not a number
    "employment,madison,2026-27,120\n"  # 8: out of range
    "attendance_and_discipline,jackson,2026-27,93\n"  # 9: duplicate of line 2
    "employment,jackson\n"  # 10: too few columns
    "employment,John Muir High,2026-27,40\n"  # 11: a school's name, not its code
)


def test_on_track_rules():
    assert on_track(80, 60, 75, False) == "met"
    assert on_track(70, 60, 75, False) == "on_track"
    assert on_track(55, 60, 75, False) == "off_track"
    assert on_track(55, None, 75, False) == "off_track"
    assert on_track(8, 12, 10, True) == "met"  # lower is better
    assert on_track(11, 12, 10, True) == "on_track"
    assert on_track(13, 12, 10, True) == "off_track"
    assert on_track(None, 12, 10, True) is None and on_track(50, 40, None, False) is None


def test_a_typed_percentage_takes_a_decimal_comma_but_not_a_thousands_separator():
    from engagement.reporting.indicator_data import percentage

    assert percentage("50,5") == (50.5, None)
    assert percentage("72 %") == (72.0, None)
    assert percentage("5,000") == (None, "number")  # 5 or 5000: not guessed
    assert percentage("１２") == (12.0, None)
    assert percentage("150") == (None, "range")


def test_targets_form_saves_audits_and_shows_status(app, client, seeded, clock):
    definition = open_survey(seeded, clock, FIXTURES / "report.yaml")
    for i in range(20):  # Madison: 15 of 20 engaged = 75%
        respond(seeded, clock, definition.slug, "madison", {"fe_school_activities": int(i < 15)})
    for i in range(10):  # Jackson: 4 of 10 = 40%
        respond(seeded, clock, definition.slug, "jackson", {"fe_school_activities": int(i < 4)})
    make_user(seeded, clock, "designer@example.org", Role.DESIGNER)
    login(client, "designer@example.org")
    url = "/reports/targets?year=2026-27"
    token = form_token(client, url)
    bad = client.post(
        url,
        data={
            "csrf_token": token,
            "year": "2026-27",
            "family_engagement-baseline": "50",
            "family_engagement-target": "abc",
            "school_rating-target": "150",
        },
    )
    assert bad.status_code == 400
    assert "abc is not a number" in bad.text and "150 is not a percentage" in bad.text
    assert seeded.scalars(select(IndicatorTarget)).all() == []

    saved = client.post(
        url,
        data={
            "csrf_token": token,
            "year": "2026-27",
            "family_engagement-baseline": "50",
            "family_engagement-target": "70%",
        },
    )
    assert saved.status_code == 302
    seeded.expire_all()
    target = seeded.scalars(select(IndicatorTarget)).one()
    assert (target.baseline, target.target, target.school_id) == (50.0, 70.0, None)
    event = seeded.scalars(select(AuditEvent).where(AuditEvent.action == "reports.targets")).one()
    assert event.actor_email == "designer@example.org"
    assert event.details["changes"][0]["after"] == [50.0, 70.0]
    # Jackson's own target overrides the district's there.
    token = form_token(client, "/reports/targets?year=2026-27&school=jackson")
    client.post(
        "/reports/targets",
        data={
            "csrf_token": token,
            "year": "2026-27",
            "school": "jackson",
            "family_engagement-baseline": "30",
            "family_engagement-target": "60",
        },
    )
    make_user(seeded, clock, "lead@example.org", Role.LEADERSHIP)
    client = app.test_client()
    login(client, "lead@example.org")
    page = client.get("/reports/area/D?lang=en")
    assert page.status_code == 200
    # Madison 75% >= 70: met; Jackson 40%: below its target 60 but above its baseline 30.
    row = page.text.split("Families are actively involved")[1].split("</tr>")[0]
    assert "75.0%" in row and "target met" in row and "on track" in row
    assert "70.0%" in row  # the district target column
    # "On track" is from the baseline: the reader sees it beside the target.
    assert "70.0%<br><small>from 50.0% (baseline)</small>" in row
    assert "its target: 60.0%" in row  # Jackson's own, in Jackson's cell
    # On Jackson's own page the Target column, beside the district's value, is the district's.
    school = client.get("/reports/school/jackson?lang=en").text
    row = school.split("Families are actively involved")[1].split("</tr>")[0]
    cells = row.split("<td")
    assert "70.0%" in cells[2] and "its target: 60.0%" in row
    # A school's page links to its own question tables; the district's are not printed on it.
    assert "Questions behind the indicators" not in school
    csv_text = client.get("/reports/area/D/export.csv?lang=en").text
    assert "Jackson Elementary,10,40.0,,60.0,on track" in csv_text
    assert client.get("/reports/targets").status_code == 403  # leadership: no


def test_admin_upload_reports_every_bad_row_and_imports_nothing(client, seeded, clock):
    make_user(seeded, clock, "admin@example.org", Role.ADMIN)
    login(client, "admin@example.org")
    token = form_token(client, "/reports/administrative")
    # The keys the indicator column takes, each beside its title, in a table in any language.
    chinese = client.get("/reports/administrative?lang=zh").text
    assert "<caption>indicator 列可填写的值</caption>" in chinese
    assert "<tr><td><code>kindergarten_readiness</code></td><td>" in chinese
    assert "<code>kindergarten_readiness</code> (" not in chinese
    assert "<tr><td><code>muir</code></td><td>John Muir High</td></tr>" in chinese  # and schools
    bad = client.post(
        "/reports/administrative?lang=en",
        data={"csrf_token": token, "file": (io.BytesIO(BAD_CSV.encode()), "bad.csv")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    for line, reason in [
        (3, "unknown indicator attendance"),
        (4, "family_engagement is a survey indicator"),
        (5, "unknown school nowhere"),
        (6, "school year 2026/27 is not like 2026-27"),
        (7, "lots is not a number"),
        (8, "120 is not a percentage"),
        (9, "the same indicator, school and year as line 2"),
        (10, "expected 4 values, found 2"),
        (11, "“John Muir High” is a school's name: the column takes codes, here “muir”."),
    ]:
        assert f"Line {line}: {reason}" in html.unescape(bad.text), (line, reason)
    assert "Line 2:" not in bad.text
    assert seeded.scalars(select(AdministrativeValue)).all() == []

    good = client.post(
        "/reports/administrative",
        data={"csrf_token": token, "file": (io.BytesIO(GOOD_CSV.encode()), "good.csv")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    values = {
        (v.indicator.key, v.school.code if v.school else "", v.school_year): v.value
        for v in seeded.scalars(select(AdministrativeValue))
    }
    assert values == {
        ("attendance_and_discipline", "jackson", "2026-27"): 94.5,
        ("attendance_and_discipline", "madison", "2026-27"): 91.0,
        ("neighborhood_crime", "", "2026-27"): 3.2,
        ("employment", "", "2025-26"): 71.0,
    }
    assert (
        seeded.scalars(
            select(AuditEvent).where(AuditEvent.action == "reports.import_administrative")
        )
        .one()
        .details["rows"]
        == 4
    )
    # Shown on the area page beside the survey indicators.
    page = client.get("/reports/area/B?year=2026-27&lang=en")
    row = page.text.split("Increased attendance")[1].split("</tr>")[0]
    assert "94.5%" in row and "91.0%" in row and "administrative" in row
    district = client.get("/reports/area/D?year=2026-27&lang=en").text
    assert "3.2%" in district.split("Decreased neighborhood crime")[1].split("</tr>")[0]
    # Whole schools' figures are nobody's under a respondent filter: not shown as theirs.
    spanish = client.get("/reports/area/B?year=2026-27&lang=en&language=es").text
    assert "administrative" not in spanish.split("Increased attendance")[1].split("</tr>")[0]
    export = client.get("/reports/area/B/export.csv?year=2026-27&lang=en&language=es").text
    assert "94.5" not in export and "91.0" not in export


def test_admin_import_command(runner, seeded, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    result = runner.invoke(args=["reports", "import-admin", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: unknown indicator attendance" in result.output
    assert "9 problem(s); nothing was imported." in result.output
    assert seeded.scalars(select(AdministrativeValue)).all() == []
    good = tmp_path / "good.csv"
    good.write_bytes(b"\xef\xbb\xbf" + GOOD_CSV.encode())  # spreadsheets write a BOM
    result = runner.invoke(args=["reports", "import-admin", str(good)])
    assert result.exit_code == 0, result.output
    assert "imported 4 values" in result.output
    assert len(seeded.scalars(select(AdministrativeValue)).all()) == 4
    # Importing again replaces, it does not duplicate.
    assert runner.invoke(args=["reports", "import-admin", str(good)]).exit_code == 0
    seeded.expire_all()
    assert len(seeded.scalars(select(AdministrativeValue)).all()) == 4


@pytest.mark.parametrize("role", [Role.WORKING_GROUP, Role.SCHOOL_STAFF, Role.LEADERSHIP])
def test_readers_cannot_edit_indicator_data(client, seeded, clock, role):
    make_user(seeded, clock, "r@example.org", role, areas=["A"], schools=["jackson"])
    login(client, "r@example.org")
    assert client.get("/reports/targets").status_code == 403
    assert client.get("/reports/administrative").status_code == 403
