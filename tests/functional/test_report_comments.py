"""Comments on the report pages and in their exports: threshold, masking, scopes, formulas."""

import csv
import io

import pytest
from openpyxl import load_workbook

from engagement.models import Role
from engagement.reporting import sentiment
from tests.staff import login, make_user
from tests.support import FIXTURES, TEMPLATES, open_survey, respond


@pytest.fixture
def data(seeded, clock):
    definition = open_survey(seeded, clock, FIXTURES / "report.yaml")
    for i in range(12):  # Jackson: 12 respondents, at the threshold
        comment = {
            0: '=HYPERLINK("http://x")',
            1: "Mrs. Alvarez never answers, call me at 555-201-3344",
            2: "Pick-up traffic is dangerous",
            3: "Pick-up traffic again",
        }.get(i)
        answers = {"fe_school_activities": 1}
        if comment:
            answers["comment"] = comment
        respond(seeded, clock, definition.slug, "jackson", answers)
    # One Chinese-speaking family at Jackson: in their language they are a group of one.
    alone = {"comment": "只有我一家说中文"}
    respond(seeded, clock, definition.slug, "jackson", alone, language="zh")
    for i in range(10):  # Madison: ten Chinese-speaking families
        answers = {"comment": "王老师很好"} if i == 0 else {"fe_school_activities": 1}
        respond(seeded, clock, definition.slug, "madison", answers, language="zh")
    for _ in range(3):  # Field: 3 respondents, their comments are read by nobody
        respond(seeded, clock, definition.slug, "field", {"comment": "SECRET small school comment"})
    return definition


def test_comments_only_from_groups_at_the_threshold_and_masked(client, seeded, clock, data):
    make_user(seeded, clock, "admin@example.org", Role.ADMIN)
    login(client, "admin@example.org")
    for url in ("/reports/area/D?lang=en", "/reports/district?lang=en", "/reports/school/field"):
        page = client.get(url)
        assert page.status_code == 200
        assert "SECRET" not in page.text, url
    page = client.get("/reports/area/D?lang=en")
    assert "unedited" in page.text
    assert "Mrs. [name] never answers, call me at [phone]" in page.text
    assert "Alvarez" not in page.text and "3344" not in page.text
    assert "[name]老师很好" in page.text
    assert "&#34;http://x&#34;" in page.text or "&quot;http://x&quot;" in page.text
    assert "traffic (2)" in page.text
    # Every language's sentiment is below the threshold on the held-out set: said, not shown.
    assert page.text.count("Sentiment is not shown for English: too unreliable.") == 1
    assert "Sentiment is not shown for Chinese: too unreliable." in page.text

    # Jackson's one Chinese-speaking family: its words would name it, with or without filters.
    assert "只有我一家" not in page.text
    # ... and the page says some comments are held back, so their absence is not misread.
    assert "Some comments to this question are not shown" in page.text
    field = client.get("/reports/school/field?lang=en").text  # only Field's three wrote
    assert "Some comments to this question are not shown" in field and "No comments" not in field
    page = client.get("/reports/area/D?lang=en&language=zh")
    assert "只有我一家" not in page.text and "[name]老师很好" in page.text  # Madison's ten
    # Filtered to English: Jackson's twelve English-speaking families, as on the whole page.
    page = client.get("/reports/area/D?lang=en&language=en")
    assert "Pick-up traffic" in page.text and "老师" not in page.text

    printable = client.get("/reports/area/D?lang=en&print=1")
    assert "Pick-up traffic" in printable.text  # a top comment: it uses the common theme


def test_comment_exports_mask_and_neutralise(client, seeded, clock, data):
    make_user(seeded, clock, "lead@example.org", Role.LEADERSHIP)
    login(client, "lead@example.org")
    text = client.get("/reports/area/D/comments.csv?lang=en").text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Survey", "Question", "School", "Language", "Sentiment", "Comment"]
    comments = [r[5] for r in rows[1:]]
    assert len(comments) == 5  # Jackson's four in English, Madison's one in Chinese
    assert {r[0] for r in rows[1:]} == {"Report test survey"}  # its name, not its slug
    assert not any("只有我一家" in c for c in comments)
    assert '\'=HYPERLINK("http://x")' in comments
    assert "Mrs. [name] never answers, call me at [phone]" in comments
    assert not any("SECRET" in c or "Alvarez" in c for c in comments)
    book = load_workbook(io.BytesIO(client.get("/reports/district/comments.xlsx?lang=en").data))
    values = [r[5] for r in book.active.iter_rows(min_row=2, values_only=True)]
    assert '=HYPERLINK("http://x")' in values and not any("SECRET" in v for v in values)
    sheet = book.active
    assert all(c.data_type == "s" for row in sheet.iter_rows(min_row=2) for c in row[5:6])
    assert client.get("/reports/district/comments.pdf").status_code == 404


def test_sentiment_shown_for_a_reliable_language(client, seeded, clock, data, monkeypatch):
    monkeypatch.setitem(sentiment.MEASURED_ACCURACY, "en", 0.9)
    make_user(seeded, clock, "admin@example.org", Role.ADMIN)
    login(client, "admin@example.org")
    page = client.get("/reports/area/D?lang=en")
    assert "Sentiment (English):" in page.text
    assert "Sentiment is not shown for English" not in page.text
    assert "Sentiment is not shown for Chinese: too unreliable." in page.text


def test_comment_permissions(app, seeded, clock, data):
    make_user(seeded, clock, "wg@example.org", Role.WORKING_GROUP, areas=["D"])
    make_user(seeded, clock, "designer@example.org", Role.DESIGNER)
    make_user(seeded, clock, "staff@example.org", Role.SCHOOL_STAFF, schools=["jackson"])
    member = app.test_client()
    login(member, "wg@example.org")
    assert "[phone]" in member.get("/reports/area/D?lang=en").text
    assert member.get("/reports/area/D/comments.csv").status_code == 200
    assert member.get("/reports/area/C/comments.csv").status_code == 403
    assert member.get("/reports/district/comments.csv").status_code == 403
    staff = app.test_client()
    login(staff, "staff@example.org")
    assert "[phone]" in staff.get("/reports/school/jackson?lang=en").text
    assert staff.get("/reports/school/jackson/comments.xlsx").status_code == 200
    assert staff.get("/reports/school/field/comments.csv").status_code == 403
    designer = app.test_client()
    login(designer, "designer@example.org")
    assert designer.get("/reports/area/D/comments.csv").status_code == 403


def test_a_staff_surveys_own_minimum_is_said_where_it_applies(client, seeded, clock, data):
    staff = open_survey(seeded, clock, TEMPLATES / "staff-2026.yaml")
    answers = {
        q.key: [q.choices[0].value] if q.type.value == "multiple_choice" else q.choices[0].value
        for q in staff.questions
        if q.required
    }
    for _ in range(6):  # 6 staff at Jackson: shown under the staff minimum of 5
        respond(seeded, clock, staff.slug, "jackson", answers)
    make_user(seeded, clock, "admin@example.org", Role.ADMIN)
    login(client, "admin@example.org")
    page = client.get("/reports/district?lang=en").text
    assert "Groups smaller than 10 respondents are not shown." in page
    assert "Staff Survey 2026-27: groups smaller than 5." in page
    assert "Staff Survey 2026-27: groups of at least 5." in page
    # An area page shows only the surveys that measure the area: the staff survey is not one.
    assert "Staff Survey" not in client.get("/reports/area/D?lang=en").text
