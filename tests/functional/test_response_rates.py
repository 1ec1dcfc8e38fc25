"""The live response-rate board: school x language x channel against enrolment."""

import re

from sqlalchemy import select

from engagement.delivery.service import complete_response, save_answers, start_response
from engagement.models import AuditEvent, Channel, Role, School, SurveyStatus
from engagement.surveys.store import save_definition, set_status
from tests.staff import form_token, login, make_user
from tests.support import mini

ANSWERS = {"attended": 1, "grade": 4, "band": 1}


def respond(session, clock, school, language, channel, *, finish=True):
    draft = start_response(session, "mini-2026", school, language, channel, clock)
    save_answers(session, draft.token, ANSWERS, clock)
    if finish:
        complete_response(session, draft.token, clock)


def cell(html: str, school_name: str) -> list[str]:
    """The cells of one school's row, as text."""
    row = re.search(rf"<tr><th scope=\"row\">{re.escape(school_name)}</th>(.*?)</tr>", html, re.S)
    assert row, school_name
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)
    ]


def test_board_counts_by_language_and_channel_against_enrolment(client, seeded, clock):
    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", SurveyStatus.OPEN)
    seeded.scalars(select(School).where(School.code == "jackson")).one().enrollment = 40
    seeded.commit()
    for _ in range(3):
        respond(seeded, clock, "jackson", "es", Channel.SMS)
    respond(seeded, clock, "jackson", "es", Channel.WEB)
    respond(seeded, clock, "jackson", "zh", Channel.WEB)
    respond(seeded, clock, "jackson", "en", Channel.WEB, finish=False)
    # A text invitation nobody has answered yet has a draft too: it has not been "started".
    start_response(seeded, "mini-2026", "jackson", "es", Channel.SMS, clock)
    respond(seeded, clock, "field", "zh", Channel.SMS)
    make_user(seeded, clock, "office@example.org", Role.DESIGNER)
    login(client, "office@example.org")

    page = client.get("/admin/surveys/mini-2026/responses")
    assert page.status_code == 200
    # en web, en sms, es web, es sms, zh web, zh sms, completed, started, enrolment, rate
    assert cell(page.text, "Jackson Elementary") == [
        "0",
        "0",
        "1",
        "3",
        "1",
        "0",
        "5",
        "1",
        "40",
        "12%",
    ]
    assert cell(page.text, "Field Elementary")[6:] == ["1", "0", "–", "–"]
    # Jackson is the only school with a known rate; it is listed first (where to push).
    assert page.text.index("Jackson Elementary") < page.text.index("Field Elementary")
    assert "http-equiv" not in page.text  # no reload unless asked for (WCAG 2.2.1)
    live = client.get(f"{page.request.path}?live=1")
    assert '<meta http-equiv="refresh" content="60">' in live.text
    assert "Stop refreshing" in live.text
    chinese = client.get(f"{page.request.path}?lang=zh").text
    assert "<h1>回答率：小调查</h1>" in chinese  # a Chinese colon is full-width, with no space


def test_school_staff_see_only_their_schools(client, seeded, clock):
    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", SurveyStatus.OPEN)
    respond(seeded, clock, "field", "zh", Channel.SMS)
    make_user(seeded, clock, "principal@example.org", Role.SCHOOL_STAFF, schools=["jackson"])
    login(client, "principal@example.org")
    page = client.get("/admin/surveys/mini-2026/responses")
    assert page.status_code == 200
    assert "Jackson Elementary" in page.text and "Field Elementary" not in page.text
    assert "Enter enrolment figures" not in page.text  # reading, not running the survey
    # Their totals are their school's, and labelled so: not the district's.
    assert "<strong>Jackson Elementary: 0 completed</strong>" in page.text
    assert "<strong>District:" not in page.text and "All schools" not in page.text
    # Their home page lists surveys in their words: no versions or link names.
    home = client.get("/admin/?lang=en").text
    assert "Mini survey" in home and "<th>Version</th>" not in home
    assert "<code>mini-2026</code>" not in home
    make_user(seeded, clock, "two@example.org", Role.SCHOOL_STAFF, schools=["jackson", "field"])
    other = client.application.test_client()
    login(other, "two@example.org")
    both = other.get("/admin/surveys/mini-2026/responses")
    assert "<strong>Your schools: 1 completed</strong>" in both.text
    assert '<th scope="row">Your schools</th>' in both.text


def test_enrolment_is_saved_all_or_nothing_with_full_width_digits(client, seeded, clock):
    save_definition(seeded, mini(), clock)
    make_user(seeded, clock, "office@example.org", Role.DESIGNER)
    login(client, "office@example.org")
    token = form_token(client, "/admin/surveys/mini-2026/responses?edit=1")
    url = "/admin/surveys/mini-2026/responses/enrollment"

    refused = client.post(
        url, data={"csrf_token": token, "enrollment-jackson": "１２０", "enrollment-field": "lots"}
    )
    assert refused.status_code == 422
    assert "Enrolment for Field Elementary must be a whole number" in refused.text
    assert 'value="lots"' in refused.text
    assert seeded.scalars(select(School.enrollment).where(School.code == "jackson")).one() is None

    saved = client.post(
        url, data={"csrf_token": token, "enrollment-jackson": "１２０", "enrollment-field": "1,050"}
    )
    assert saved.status_code == 302
    seeded.expire_all()
    figures = dict(seeded.execute(select(School.code, School.enrollment)).all())
    assert (figures["jackson"], figures["field"]) == (120, 1050)
    event = seeded.scalars(
        select(AuditEvent).where(AuditEvent.action == "schools.enrollment")
    ).one()
    assert event.details == {"changed": {"jackson": 120, "field": 1050}}


def test_unknown_survey_is_404(client, seeded, clock):
    make_user(seeded, clock, "lead@example.org", Role.LEADERSHIP)
    login(client, "lead@example.org")
    assert client.get("/admin/surveys/nope/responses").status_code == 404
