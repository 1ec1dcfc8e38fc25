"""Report pages, exports and the API: they agree, suppress the same cells, and obey scopes."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from engagement.auth.service import create_api_token
from engagement.models import Role
from tests.staff import login, make_user
from tests.support import FIXTURES, open_survey, respond


@pytest.fixture
def data(seeded, clock):
    definition = open_survey(seeded, clock, FIXTURES / "report.yaml")
    for i in range(12):  # Jackson: 12 families, 6 engaged; all grade the school A
        respond(
            seeded,
            clock,
            definition.slug,
            "jackson",
            {"fe_school_activities": i % 2, "school_grade": 4, "comment": "=HYPERLINK(1)"},
        )
    for i in range(20):  # Madison: 20 families, 15 engaged
        respond(
            seeded,
            clock,
            definition.slug,
            "madison",
            {"fe_school_activities": int(i < 15)},
            channel="sms",
        )
    for _ in range(3):  # Field: 3 families, too few to show
        respond(seeded, clock, definition.slug, "field", {"fe_school_activities": 1})
    return definition


def test_page_csv_xlsx_and_api_agree(client, seeded, clock, data):
    make_user(seeded, clock, "lead@example.org", Role.LEADERSHIP)
    login(client, "lead@example.org")
    page = client.get("/reports/area/D?lang=en")
    assert page.status_code == 200
    assert "fewer than 10" in page.text
    # Field (3) is small; Jackson (12, the smallest other) is hidden with it.
    assert "hidden to protect a small group" in page.text
    # Each way a figure can be missing is explained under the table, in the reader's words.
    assert "“fewer than 10”: too few people answered to show without singling" in page.text
    assert 'title="no responses yet">—</span>' in page.text  # schools with no family yet
    assert "75.0%" in page.text and "(n=20)" in page.text  # Madison
    assert "68.6%" in page.text and "(n=35)" in page.text  # district: 24 of 35
    assert "<svg" in page.text and "<desc>" in page.text
    # Under a tier filter the all-schools row is that tier's schools, not the district.
    focus = client.get("/reports/area/D?lang=en&tier=focus").text
    assert '<th scope="row">All Focus schools</th>' in focus
    assert '<th scope="row">District</th>' not in focus
    assert "<h2>Questions behind the indicators: All Focus schools</h2>" in focus
    assert ">Madison Elementary</th>" in focus and ">Field Elementary</th>" not in focus
    focus_csv = client.get("/reports/area/D/export.csv?lang=en&tier=focus").text
    assert ",All Focus schools," in focus_csv and ",District," not in focus_csv
    assert ",District," in client.get("/reports/area/D/export.csv?lang=en").text
    chinese = client.get("/reports/area/D?lang=zh").text  # 。 then the next sentence, no space
    assert "。答卷人数少于 10 人的群体不予显示。" in chinese
    # The district page has no schools to set a bar beside: a table, no one-bar charts.
    district = client.get("/reports/district?lang=en").text
    assert "<svg" not in district and "Indicators: percent of respondents" in district
    # On paper a school is a row (the sideways-scrolling screen table is not printed).
    printed = page.text.split('class="indicators by-school print-only"', 1)[1].split("</table>")[0]
    for school in ("Madison Elementary", "Field Elementary", "Jackson Elementary"):
        assert f'<th scope="row">{school}</th>' in printed
    assert "75.0%" in printed and "68.6%" in printed
    assert "hidden to protect a small group" in printed
    # The district page has no school columns: it prints as it shows.
    assert "by-school" not in client.get("/reports/district?lang=en").text

    rows = list(
        csv.reader(
            io.StringIO(client.get("/reports/area/D/export.csv?lang=en").text.lstrip("\ufeff"))
        )
    )
    engagement = {r[2]: r for r in rows[1:] if r[1].startswith("Families are actively")}
    assert engagement["Madison Elementary"][3:5] == ["20", "75.0"]
    assert engagement["District"][3:5] == ["35", "68.6"]
    assert engagement["Field Elementary"][3:6] == ["", "", "fewer than 10"]
    assert engagement["Jackson Elementary"][3:5] == ["", ""]

    book = load_workbook(io.BytesIO(client.get("/reports/area/D/export.xlsx?lang=en").data))
    sheet_rows = [list(r) for r in book.active.iter_rows(values_only=True)]

    def same(value):
        try:
            return float(value)
        except (TypeError, ValueError):
            return "" if value is None else str(value)

    assert [[same(v) for v in r] for r in sheet_rows] == [[same(v) for v in r] for r in rows]

    api = client.get("/api/v1/surveys/report-2026/summary?by=school,indicator").json
    by_school = {(r["school"], r["indicator"]): r for r in api["rows"]}
    assert by_school[("madison", "family_engagement")] == {
        "school": "madison",
        "indicator": "family_engagement",
        "n": 20,
        "pct_favourable": 75.0,
        "mean": None,
        "suppressed": False,
        "lower_is_better": False,
    }
    for school in ("field", "jackson"):
        row = by_school[(school, "family_engagement")]
        assert row["suppressed"] is True and row["n"] is None and row["pct_favourable"] is None
    district = client.get("/api/v1/surveys/report-2026/summary?by=indicator").json["rows"]
    assert {
        "indicator": "family_engagement",
        "n": 35,
        "pct_favourable": 68.6,
        "mean": None,
        "suppressed": False,
        "lower_is_better": False,
    } in district
    # A percent of an outcome to bring down says so: bullying's is of students bullied.
    assert all(row["lower_is_better"] == (row["indicator"] == "bullying") for row in district)


def test_a_filtered_figure_never_differs_from_the_unfiltered_one_by_a_small_group(
    client, seeded, clock
):
    definition = open_survey(seeded, clock, FIXTURES / "report.yaml")
    for _ in range(10):  # Madison: 10 families on the web, all engaged; 1 by text, not
        respond(seeded, clock, definition.slug, "madison", {"fe_school_activities": 1})
    respond(seeded, clock, definition.slug, "madison", {"fe_school_activities": 0}, channel="sms")
    # Field 12 + 12 and Jackson 20 + 20, web and text: large both ways. District web minus
    # Jackson web minus Field web would be Madison's web 10: one of them is hidden too.
    for school, count in (("field", 24), ("jackson", 40)):
        for i in range(count):
            channel = "web" if i % 2 else "sms"
            respond(
                seeded, clock, definition.slug, school, {"fe_school_activities": 1}, channel=channel
            )
    make_user(seeded, clock, "lead@example.org", Role.LEADERSHIP)
    login(client, "lead@example.org")

    def engagement(query):
        text = client.get(f"/reports/area/D/export.csv?lang=en{query}").text.lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(text)))
        return {r[2]: r[3:5] for r in rows[1:] if r[1].startswith("Families are actively")}

    assert engagement("")["Madison Elementary"] == ["11", "90.9"]
    web = engagement("&channel=web")
    # Shown, 100% of 10 beside 90.9% of 11 would tell the one family by text is not engaged.
    assert web["Madison Elementary"] == ["", ""]
    assert web["Field Elementary"] == ["", ""]  # the smallest other web figure
    assert web["Jackson Elementary"] == ["20", "100.0"]
    assert engagement("&channel=sms")["Madison Elementary"] == ["", ""]
    school_page = client.get("/reports/school/madison?lang=en&channel=web").text
    assert "(n=10)" not in school_page and "hidden to protect a small group" in school_page

    api = "/api/v1/surveys/report-2026/summary?by=school,indicator&channel=web"
    rows = {
        r["school"]: r
        for r in client.get(api).json["rows"]
        if r["indicator"] == "family_engagement"
    }
    assert rows["madison"]["suppressed"] and rows["madison"]["n"] is None
    assert rows["jackson"]["n"] == 20


def test_a_filtered_report_says_so_on_paper_and_in_its_file_name(client, seeded, clock, data):
    make_user(seeded, clock, "lead@example.org", Role.LEADERSHIP)
    login(client, "lead@example.org")
    printed = client.get("/reports/area/D?lang=en&print=1&language=es&channel=sms").text
    assert "Only these respondents:</strong> Language: Español · Channel: SMS" in printed
    assert "Only these respondents" not in client.get("/reports/area/D?lang=en&print=1").text
    export = client.get("/reports/area/D/export.csv?language=es&channel=sms")
    assert 'filename="area-D-2026-27-es-sms.csv"' in export.headers["Content-Disposition"]
    # Role and grade band are chosen by the names the survey's own answers give them.
    page = client.get("/reports/area/D?lang=es&grade_band=6-8&role=parent").text
    assert '<option value="6-8" selected>6-8</option>' in page
    assert '<option value="parent" selected>Familias</option>' in page  # no role question
    assert "Grupo de grados: 6-8 · Rol: Familias" in page and "Idioma</strong>" not in page
    # A value no respondent can have is a bad address, not an empty report.
    for query in ("language=xx", "channel=fax", "tier=gold", "grade_band=<b>"):
        assert client.get(f"/reports/area/D?{query}").status_code == 400, query


def test_spreadsheet_formulas_are_neutralised():
    from engagement.reports.tables import to_csv, to_xlsx

    text = to_csv(["=cmd"], [["+1", "-2", "@x", "\tx", "ok", 3]])
    assert "'=cmd" in text and "'+1" in text and "'-2" in text and "'@x" in text
    data = to_xlsx(["h"], [["=SUM(A1)"]], "t")
    book = load_workbook(io.BytesIO(data))
    # In a workbook the cell is text, shown as typed, with no formula to run.
    assert book.active["A2"].value == "=SUM(A1)" and book.active["A2"].data_type == "s"
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


def test_api_groups_and_errors(client, seeded, clock, data):
    make_user(seeded, clock, "admin@example.org", Role.ADMIN)
    login(client, "admin@example.org")
    bad = client.get("/api/v1/surveys/report-2026/summary?by=school,colour")
    assert bad.status_code == 400 and bad.json["error"] == "unknown_group"
    assert client.get("/api/v1/surveys/nope/summary").status_code == 404
    # A filter value nobody can have is a mistake to report, not an empty answer.
    for query, name in [
        ("language=xx", "language"),
        ("tier=nope", "tier"),
        ("school=pasadena-high", "school"),
    ]:
        wrong = client.get(f"/api/v1/surveys/report-2026/summary?by=indicator&{query}")
        assert wrong.status_code == 400 and wrong.json == {
            "error": "unknown_filter_value",
            "filter": name,
        }
    for by in (
        "school",
        "result_area",
        "indicator",
        "question",
        "language",
        "channel",
        "role",
        "school,question",
    ):
        response = client.get(f"/api/v1/surveys/report-2026/summary?by={by}")
        assert response.status_code == 200, by
        for row in response.json["rows"]:
            assert row["suppressed"] or row["n"] >= 10, (by, row)
    channels = {
        r["channel"]: r
        for r in client.get("/api/v1/surveys/report-2026/summary?by=channel").json["rows"]
    }
    assert channels["sms"]["n"] == 20 and channels["web"]["n"] == 15
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/surveys/{slug}/summary" in spec["paths"]


def test_scopes_on_pages_exports_and_api(app, seeded, clock, data):
    member = make_user(seeded, clock, "wg@example.org", Role.WORKING_GROUP, areas=["D"])
    staff = make_user(seeded, clock, "staff@example.org", Role.SCHOOL_STAFF, schools=["madison"])
    client = app.test_client()
    login(client, "wg@example.org")
    assert client.get("/reports/area/D").status_code == 200
    assert client.get("/reports/area/D/export.csv").status_code == 200
    for url in (
        "/reports/area/C",
        "/reports/area/C/export.xlsx",
        "/reports/district",
        "/reports/school/madison",
        "/reports/district/export.csv",
    ):
        assert client.get(url).status_code == 403, url
    token = create_api_token(seeded, member, "script", clock)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    rows = api.get("/api/v1/surveys/report-2026/summary?by=indicator", headers=headers).json["rows"]
    assert rows and {r["indicator"] for r in rows} <= {"family_engagement", "school_rating"}
    # Nothing that mixes every area: refused.
    assert (
        api.get("/api/v1/surveys/report-2026/summary?by=school", headers=headers).status_code == 403
    )
    assert api.get("/api/v1/surveys/report-2026/summary").status_code == 401

    other = app.test_client()
    login(other, "staff@example.org")
    assert other.get("/reports/school/madison").status_code == 200
    assert other.get("/reports/school/madison/export.csv").status_code == 200
    for url in ("/reports/school/jackson", "/reports/area/D", "/reports/district"):
        assert other.get(url).status_code == 403, url
    token = create_api_token(seeded, staff, "script", clock)
    rows = api.get(
        "/api/v1/surveys/report-2026/summary?by=school,indicator",
        headers={"Authorization": f"Bearer {token}"},
    ).json["rows"]
    assert {r["school"] for r in rows} == {"madison"}, rows
    # Their own school named as a filter: its figures, not an empty list.
    own = api.get(
        "/api/v1/surveys/report-2026/summary?school=madison&by=indicator",
        headers={"Authorization": f"Bearer {token}"},
    ).json["rows"]
    engaged = next(r for r in own if r["indicator"] == "family_engagement")
    assert (engaged["n"], engaged["pct_favourable"]) == (20, 75.0)
    # Another school, grouped by school or not: refused alike.
    for query in ("school=jackson", "school=jackson&by=school"):
        refused = api.get(
            f"/api/v1/surveys/report-2026/summary?{query}",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert refused.status_code == 403, query
