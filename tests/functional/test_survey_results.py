"""A survey's own results page: every question by school, suppressed as one table, scoped."""

import csv
import io

import pytest
from openpyxl import load_workbook

from engagement.models import Role
from tests.staff import login, make_user
from tests.support import FIXTURES, TEMPLATES, open_survey, respond

AGREE, DISAGREE = 4, 2


@pytest.fixture
def staff_survey(seeded, clock):
    """Madison: 7 staff, 5 satisfied; Jackson: 6, all satisfied; Field: 2 (too few)."""
    definition = open_survey(seeded, clock, TEMPLATES / "staff-2026.yaml")
    for school, count, satisfied in (("madison", 7, 5), ("jackson", 6, 6), ("field", 2, 0)):
        for i in range(count):
            respond(
                seeded,
                clock,
                definition.slug,
                school,
                {
                    "staff_role": 1,
                    "st_satisfied": AGREE if i < satisfied else DISAGREE,
                    "st_collaborate": AGREE,
                },
            )
    return definition


def test_staff_results_by_school_with_small_schools_hidden(client, seeded, clock, staff_survey):
    make_user(seeded, clock, "lead@example.org", Role.LEADERSHIP)
    login(client, "lead@example.org")
    index = client.get("/reports/?lang=en").text
    assert 'href="/reports/survey/staff-2026"' in index and "Staff Survey 2026-27" in index

    page = client.get("/reports/survey/staff-2026?lang=en")
    assert page.status_code == 200
    # Taken into a meeting on paper: when the figures were taken, and that they will move.
    assert "As of 2026-" in page.text
    assert "The survey is still open: these figures will change." in page.text
    by_section = page.text.split('class="sections"', 1)[1].split("</table>", 1)[0]
    # Satisfaction pools st_satisfied and st_collaborate: Madison 12 of 14 answers favourable.
    madison = by_section.split("Madison Elementary", 1)[1].split("</tr>", 1)[0]
    assert "85.7% <small>(n=7)</small>" in madison
    assert "fewer than 5" in by_section.split("Field Elementary", 1)[1].split("</tr>", 1)[0]
    # The district's 15 less Madison's 7 is Jackson's and Field's 8 together: Jackson hides too.
    jackson = by_section.split("Jackson Elementary", 1)[1].split("</tr>", 1)[0]
    assert "hidden to protect a small group" in jackson and "%" not in jackson
    assert "Question by question: district" in page.text
    assert "73.3% <small>(n=15)</small>" in page.text  # st_satisfied: 11 of 15 agree
    assert "Disagree: 4 · Agree: 11" in page.text  # answers in the scale's order

    one = client.get("/reports/survey/staff-2026?lang=en&school=madison").text
    assert "Question by question: Madison Elementary" in one
    assert "71.4% <small>(n=7)</small>" in one  # st_satisfied at Madison: 5 of 7
    assert '<td class="district">73.3% <small>(n=15)</small>' in one
    # "Disagree: 2" of a school's seven could point to a person: counts are the district's only.
    assert "Disagree: 2" not in one and "Agree: 5" not in one
    assert "shown for the district only" in one
    # Only the staff survey's own groups to filter by: no "Families", no grade bands.
    assert '<option value="teacher">Teacher</option>' in one
    assert 'name="grade_band"' not in one and ">Families</option>" not in one
    hidden = client.get("/reports/survey/staff-2026?lang=en&school=jackson").text
    assert "hidden to protect a small group" in hidden

    spanish = client.get("/reports/survey/staff-2026?lang=es").text
    assert "En desacuerdo: 4 · De acuerdo: 11" in spanish
    # "All" agrees with its label: el idioma, todos; la categoría de la escuela, todas.
    assert '<select name="language"><option value="">Todos</option>' in spanish
    assert '<select name="tier"><option value="">Todas</option>' in spanish
    excelling = client.get("/reports/survey/staff-2026?lang=zh&tier=excelling").text
    assert '<th scope="row">所有“优秀”类学校</th>' in excelling
    assert '<option value="field">' in excelling  # the picker offers that tier's schools
    assert '<option value="jackson">' not in excelling
    assert "<h2>逐题结果：所有“优秀”类学校</h2>" in excelling  # no heading says district either
    chinese = client.get("/reports/survey/staff-2026?lang=zh").text
    assert "不同意：4 · 同意：11" in chinese  # full-width colons in Chinese
    # Sentences side by side after 。, with no ASCII space: open survey, then suppression.
    assert "。<strong>问卷仍在进行中：这些数字还会变化。</strong>答卷人数少于" in chinese
    assert ".</strong> Groups smaller than" in client.get("/reports/survey/staff-2026?lang=en").text
    filtered = client.get("/reports/survey/staff-2026?lang=zh&language=en").text
    assert "<strong>筛选：</strong>语言：English" in filtered  # no ASCII space in Chinese


def test_export_has_every_school_and_the_district_with_the_same_suppression(
    client, seeded, clock, staff_survey
):
    make_user(seeded, clock, "lead@example.org", Role.LEADERSHIP)
    login(client, "lead@example.org")
    reply = client.get("/reports/survey/staff-2026/export.csv?lang=en")
    assert reply.status_code == 200
    assert 'filename="survey-staff-2026-2026-27.csv"' in reply.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(reply.text.lstrip("\ufeff"))))
    assert rows[0] == [
        "Section",
        "Question",
        "School",
        "Respondents",
        "Percent favourable",
        "Answers",
        "Note",
    ]
    pooled = {r[2]: r for r in rows[1:] if r[1] == "All its rated questions"}
    assert pooled["Madison Elementary"][0] == "Your work here"  # the page's first table too
    assert pooled["Madison Elementary"][3:5] == ["7", "85.7"]
    satisfied = {r[2]: r for r in rows[1:] if r[1].startswith("Overall, I am satisfied")}
    assert satisfied["Madison Elementary"][3:6] == ["7", "71.4", ""]  # no counts of 2 at a school
    assert satisfied["District"][5] == "Disagree: 4 · Agree: 11"
    assert satisfied["District"][3:5] == ["15", "73.3"]
    assert satisfied["Field Elementary"][3:] == ["", "", "", "fewer than 5"]
    assert satisfied["Jackson Elementary"][3:] == ["", "", "", "hidden to protect a small group"]
    book = load_workbook(io.BytesIO(client.get("/reports/survey/staff-2026/export.xlsx").data))
    assert len(list(book.active.iter_rows())) == len(rows)
    one = client.get("/reports/survey/staff-2026/export.csv?lang=en&school=madison").text
    assert "Madison Elementary" in one and "Jackson" not in one and "District" in one


def test_a_school_reader_sees_their_school_and_the_district_only(
    client, seeded, clock, staff_survey
):
    make_user(seeded, clock, "head@example.org", Role.SCHOOL_STAFF, schools=["madison"])
    login(client, "head@example.org")
    page = client.get("/reports/survey/staff-2026?lang=en").text
    assert "Madison Elementary" in page and "Field Elementary" not in page
    assert client.get("/reports/survey/staff-2026?school=madison").status_code == 200
    school_page = client.get("/reports/school/madison?lang=en").text
    assert 'href="/reports/survey/staff-2026?school=madison">Staff Survey 2026-27' in school_page
    assert client.get("/reports/survey/staff-2026?school=jackson").status_code == 403
    assert client.get("/reports/survey/staff-2026?school=nowhere").status_code == 404
    rows = client.get("/reports/survey/staff-2026/export.csv?lang=en").text
    assert "Madison Elementary" in rows and "Jackson" not in rows and "District" in rows
    # A file asked for another school is refused, as its page is, not filled with one's own.
    assert client.get("/reports/survey/staff-2026/export.csv?school=jackson").status_code == 403
    own = client.get("/reports/survey/staff-2026/export.csv?school=madison&lang=en").text
    assert "Madison Elementary" in own


def test_a_working_group_reads_only_its_result_areas_questions(client, seeded, clock):
    definition = open_survey(seeded, clock, FIXTURES / "report.yaml")
    for i in range(12):
        respond(
            seeded,
            clock,
            definition.slug,
            "madison",
            {"fe_school_activities": i % 2, "school_grade": 4, "bullied_online": 1},
        )
    open_survey(seeded, clock, TEMPLATES / "staff-2026.yaml")
    make_user(seeded, clock, "wg@example.org", Role.WORKING_GROUP, areas=["D"])
    login(client, "wg@example.org")
    index = client.get("/reports/?lang=en").text
    assert "/reports/survey/report-2026" in index and "/reports/survey/staff-2026" not in index
    assert client.get("/reports/survey/staff-2026").status_code == 403
    page = client.get("/reports/survey/report-2026?lang=en&school=madison").text
    assert "Did you take part in a school activity?" in page  # family engagement: area D
    assert "Bullied online?" not in page  # bullying: another area's
    assert 'class="sections"' not in page  # a section pools questions of other areas
    # Their area's page leads to the surveys that measure it, and only those.
    area = client.get("/reports/area/D?lang=en").text
    assert 'href="/reports/survey/report-2026">Report test survey</a>' in area
    assert "/reports/survey/staff-2026" not in area


def test_unknown_and_draft_surveys_are_not_found(client, seeded, clock):
    make_user(seeded, clock, "lead@example.org", Role.LEADERSHIP)
    login(client, "lead@example.org")
    assert client.get("/reports/survey/nothing-here").status_code == 404
    assert client.get("/reports/survey/nothing-here/export.csv").status_code == 404
    open_survey(seeded, clock, TEMPLATES / "staff-2026.yaml")
    assert client.get("/reports/survey/staff-2026/export.pdf").status_code == 404
    empty = client.get("/reports/survey/staff-2026?lang=en").text
    assert "No responses yet." in empty
    assert client.get("/reports/survey/staff-2026?language=xx").status_code == 400


def test_a_section_is_hidden_where_one_of_its_questions_is(client, seeded, clock):
    """Its pooled percent beside the other questions' would give the hidden one away."""
    definition = open_survey(seeded, clock, TEMPLATES / "staff-2026.yaml")
    for school in ("madison", "jackson", "webster"):
        for i in range(8):
            answers = {"staff_role": 1, "st_satisfied": AGREE}
            if school != "webster" or i < 2:  # only 2 at Webster answered this one
                answers["st_collaborate"] = DISAGREE
            respond(seeded, clock, definition.slug, school, answers)
    make_user(seeded, clock, "lead@example.org", Role.LEADERSHIP)
    login(client, "lead@example.org")
    page = client.get("/reports/survey/staff-2026?lang=en").text
    by_section = page.split('class="sections"', 1)[1].split("</table>", 1)[0]
    webster = by_section.split("Webster Elementary", 1)[1].split("</tr>", 1)[0]
    assert "hidden to protect a small group" in webster and "%" not in webster.split("</td>")[1]
    assert "50.0% <small>(n=8)</small>" in by_section  # Madison, Jackson: 8 of 16 favourable
    one = client.get("/reports/survey/staff-2026?lang=en&school=webster").text
    assert "fewer than 5" in one and "100.0% <small>(n=8)</small>" in one  # st_satisfied shown
