"""School links and QR codes, student access codes, parental consent and the proctor's list."""

import pytest
from sqlalchemy import select

from engagement.models import AccessCode, ConsentRecord, Role
from engagement.surveys.store import save_definition, set_status
from tests.staff import form_token, login, make_user
from tests.support import FIXTURES, csrf_token, mini, template


@pytest.fixture
def staff(client, seeded, clock):
    save_definition(seeded, mini(), clock)
    save_definition(seeded, template(FIXTURES / "protected.yaml"), clock)
    set_status(seeded, "protected-2026", "open")
    make_user(seeded, clock, "office@example.org", Role.ADMIN)
    login(client, "office@example.org")
    return client


def test_each_school_has_a_link_and_a_qr_code_made_by_the_app(staff):
    page = staff.get("/admin/surveys/mini-2026/distribute")
    assert "/s/mini-2026?school=jackson" in page.text
    svg = staff.get("/admin/surveys/mini-2026/qr/jackson.svg")
    assert svg.mimetype == "image/svg+xml" and svg.data.lstrip().startswith(b"<svg")
    png = staff.get("/admin/surveys/mini-2026/qr/jackson.png")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    flyer = staff.get("/admin/surveys/mini-2026/flyer/jackson")
    assert "Encuesta mini" in flyer.text and "小调查" in flyer.text
    # The school as each language's families know it.
    assert '<p class="flyer-school">Jackson Elementary</p>' in flyer.text
    assert '<p class="flyer-school-name" lang="es">Escuela Primaria Jackson</p>' in flyer.text
    assert '<p class="flyer-school-name" lang="zh-Hans">杰克逊小学</p>' in flyer.text
    assert staff.get("/admin/surveys/mini-2026/qr/nowhere.svg").status_code == 404


def as_read(page: str) -> str:
    """The flyer as a parent reads it: its unbreakable spaces and hyphens as plain ones."""
    return page.replace("\u00a0", " ").replace("\u2011", "-")


def test_a_school_flyer_tells_parents_how_to_answer_by_text_in_three_languages(staff, app):
    flyer = staff.get("/admin/surveys/mini-2026/flyer/jackson").text
    assert "flyer-sms" not in flyer  # no number to text configured: nothing promised
    app.config["TWILIO_FROM_NUMBER"] = "+16265550199"
    flyer = as_read(staff.get("/admin/surveys/mini-2026/flyer/jackson").text)
    assert "Or answer by text message: send MINI JACKSON to (626) 555-0199." in flyer
    assert "O responda por mensaje de texto: envíe MINI JACKSON al (626) 555-0199." in flyer
    # The number does not break across lines on paper.
    assert "(626)\u00a0555\u20110199" in staff.get("/admin/surveys/mini-2026/flyer/jackson").text
    # The Chinese line names the school in Chinese: no keyboard to switch for it.
    assert "也可以用短信作答：发送 MINI 杰克逊小学 至 (626) 555-0199。" in flyer
    app.config["SMS_PUBLIC_NUMBER"] = "+44 20 7946 0958"  # a short code or another country
    assert "send MINI JACKSON to +44 20 7946 0958." in as_read(
        staff.get("/admin/surveys/mini-2026/flyer/jackson").text
    )


def test_keywords_in_spanish_and_chinese_are_set_in_the_designer_and_printed(staff, app):
    """Each flyer line names its language's keyword: texted, it starts the survey in it."""
    app.config["TWILIO_FROM_NUMBER"] = "+16265550199"
    settings = {"version": "1", "audience": "parent", "school_year": "2026-27"}
    settings |= {"sms_keyword": "mini", "sms_keyword_es": "corta", "sms_keyword_zh": "小调查"}
    token = form_token(staff, "/admin/surveys/mini-2026")
    saved = staff.post("/admin/surveys/mini-2026/settings", data={"csrf_token": token, **settings})
    assert saved.status_code == 302, saved.text
    survey = staff.get("/admin/surveys/mini-2026").text
    assert 'name="sms_keyword_es" lang="es" value="CORTA"' in survey
    flyer = as_read(staff.get("/admin/surveys/mini-2026/flyer/jackson").text)
    assert "send MINI JACKSON to (626) 555-0199." in flyer
    assert "envíe CORTA JACKSON al (626) 555-0199." in flyer
    assert "发送 小调查 杰克逊小学 至 (626) 555-0199。" in flyer
    preview = staff.get("/admin/surveys/mini-2026/sms-preview?lang=en").text
    # A draft: said as what happens once it is published, every keyword in one line.
    assert (
        "Once it is published: Anyone can start it by texting MINI. Texting CORTA starts it in"
        " Spanish. Texting 小调查 starts it in Chinese."
    ) in preview
    # A keyword the texts keep for themselves is refused with the reason.
    settings["sms_keyword_es"] = "ayuda"
    token = form_token(staff, "/admin/surveys/mini-2026")
    refused = staff.post(
        "/admin/surveys/mini-2026/settings", data={"csrf_token": token, **settings, "version": "2"}
    )
    assert refused.status_code == 422
    assert "Keyword in Spanish: AYUDA is a word text messages keep for themselves" in refused.text
    assert 'name="sms_keyword_es" lang="es" value="ayuda"' in refused.text  # as typed, to fix


def test_students_type_a_code_that_names_only_their_school(staff, client, seeded):
    made = staff.post(
        "/admin/surveys/protected-2026/codes",
        data={
            "csrf_token": form_token(staff, "/admin/surveys/protected-2026/distribute"),
            "school": "field",
            "label": "Room 12",
        },
    )
    assert made.status_code == 302
    code = seeded.scalars(select(AccessCode)).one().code
    student = client.application.test_client()
    page = student.get("/s/protected-2026/code?lang=es")
    assert "Escribe el código" in page.text or page.status_code == 200
    typed = " ".join([code[:3].lower(), code[3:]])  # lower case, with a space
    entered = student.post(
        "/s/protected-2026/code", data={"csrf_token": csrf_token(page.text), "code": typed}
    )
    assert entered.status_code == 302
    assert entered.headers["Location"].endswith("/s/protected-2026?school=field&new=1")
    wrong = student.post(
        "/s/protected-2026/code", data={"csrf_token": csrf_token(page.text), "code": "ZZZZZZ"}
    )
    assert wrong.status_code == 422
    access = seeded.scalars(select(AccessCode)).one()
    staff.post(
        f"/admin/surveys/protected-2026/codes/{access.id}/deactivate",
        data={"csrf_token": form_token(staff, "/admin/surveys/protected-2026/distribute")},
    )
    stopped = student.post(
        "/s/protected-2026/code", data={"csrf_token": csrf_token(page.text), "code": code}
    )
    assert stopped.status_code == 422
    assert "Este código ya no se usa. Pide uno nuevo a tu maestro o maestra." in stopped.text
    # A stopped code prints no more sheets or QR codes; nor does one that never existed.
    for fake in (code, "NOTACODE"):
        assert (
            staff.get(f"/admin/surveys/protected-2026/qr/field.svg?code={fake}").status_code == 404
        )
        assert (
            staff.get(f"/admin/surveys/protected-2026/flyer/field?code={fake}").status_code == 404
        )
    # Family surveys have school links: no code page.
    assert student.get("/s/mini-2026/code").status_code in (404, 410)
    parent_survey = staff.post(
        "/admin/surveys/mini-2026/codes",
        data={
            "csrf_token": form_token(staff, "/admin/surveys/mini-2026/distribute"),
            "school": "field",
        },
    )
    assert parent_survey.status_code == 303  # codes are for student surveys


def test_consent_defaults_to_active_with_protected_topics_and_keeps_a_proctor_list(
    staff, client, seeded, clock
):
    page = staff.get("/admin/surveys/protected-2026/consent")
    assert 'value="active" checked' in page.text and "sad" in page.text
    token = csrf_token(page.text)
    for student, decision in [
        ("Ana López", "opted_out"),
        ("Wei Chen", "opted_in"),
        ("Sam Field", "opted_out"),
    ]:
        school = "field" if student == "Sam Field" else "jackson"
        added = staff.post(
            "/admin/surveys/protected-2026/consent/records",
            data={"csrf_token": token, "school": school, "student": student, "decision": decision},
        )
        assert added.status_code == 302
    empty = staff.post(
        "/admin/surveys/protected-2026/consent/records",
        data={"csrf_token": token, "school": "jackson", "student": "  ", "decision": "opted_out"},
    )
    assert empty.status_code == 422
    make_user(seeded, clock, "teacher@example.org", Role.SCHOOL_STAFF, schools=["jackson"])
    proctor = client.application.test_client()
    login(proctor, "teacher@example.org")
    home = proctor.get("/admin/?lang=en").text  # where a teacher finds the list
    assert 'href="/admin/surveys/protected-2026/consent/proctor/jackson"' in home
    assert "/proctor/field" not in home
    listing = proctor.get("/admin/surveys/protected-2026/consent/proctor/jackson")
    assert listing.status_code == 200
    assert (
        "Ana López" in listing.text
        and "Wei Chen" in listing.text
        and "Sam Field" not in listing.text
    )
    assert proctor.get("/admin/surveys/protected-2026/consent/proctor/field").status_code == 403
    staff.post(
        "/admin/surveys/protected-2026/consent/mode", data={"csrf_token": token, "mode": "passive"}
    )
    assert 'value="passive" checked' in staff.get("/admin/surveys/protected-2026/consent").text
    assert (
        "Passive consent"
        in proctor.get("/admin/surveys/protected-2026/consent/proctor/jackson").text
    )
    # Consent records name students; they have no column that could point at a response.
    assert not any("response" in c.name for c in ConsentRecord.__table__.columns)


def test_a_survey_without_protected_topics_defaults_to_passive(staff, seeded, clock):
    from engagement.distribution.service import consent_state

    raw = template(FIXTURES / "protected.yaml").to_dict()
    raw["slug"] = "plain-2026"
    raw["sections"] = raw["sections"][:1]
    from engagement.surveys.definition import definition_from_dict

    save_definition(seeded, definition_from_dict(raw), clock)
    assert consent_state(seeded, "plain-2026").mode.value == "passive"
    assert consent_state(seeded, "protected-2026").mode.value == "active"


def test_the_next_student_at_a_shared_device_starts_afresh(staff, client, seeded):
    staff.post(
        "/admin/surveys/protected-2026/codes",
        data={
            "csrf_token": form_token(staff, "/admin/surveys/protected-2026/distribute"),
            "school": "field",
            "label": "Period 3",
        },
    )
    code = seeded.scalars(select(AccessCode)).one().code
    sheet = staff.get(f"/admin/surveys/protected-2026/flyer/field?code={code}").text
    assert "Period 3" in sheet  # which class's sheet this is
    assert f"type the code {code}." in sheet and f"escribe el código {code}." in sheet
    assert f"输入访问码 {code}。" in sheet

    laptop = client.application.test_client()

    def type_code():
        page = laptop.get("/s/protected-2026/code")
        entered = laptop.post(
            "/s/protected-2026/code", data={"csrf_token": csrf_token(page.text), "code": code}
        )
        return laptop.get(entered.headers["Location"])

    landing = type_code()
    started = laptop.post(
        "/s/protected-2026/start",
        data={"csrf_token": csrf_token(landing.text), "school": "field"},
    )
    assert started.status_code == 302
    # The draft lives as long as the browser: no date to outlast a class period on a cart.
    cookie = started.headers["Set-Cookie"]
    assert cookie.startswith("draft_protected-2026=") and "Max-Age" not in cookie
    assert "Expires" not in cookie

    # The bell rings; the next student types the class code on the same laptop.
    landing = type_code()
    assert "You have already started" not in landing.text
    assert "/resume/" not in landing.text and "Continue where I left off" not in landing.text
    assert "Start the survey" in landing.text
    # The second student starts: the first one's draft is not kept as an "earlier" one.
    second = laptop.post(
        "/s/protected-2026/start",
        data={"csrf_token": csrf_token(landing.text), "school": "field"},
    )
    assert "earlier_" not in " ".join(second.headers.getlist("Set-Cookie"))


def test_a_changed_decision_puts_a_student_on_one_list_only_and_notes_stay_in_the_office(
    staff, seeded, clock
):
    token = csrf_token(staff.get("/admin/surveys/protected-2026/consent").text)

    def note(student, decision, text=""):
        clock.advance(minutes=5)
        added = staff.post(
            "/admin/surveys/protected-2026/consent/records",
            data={
                "csrf_token": token,
                "school": "jackson",
                "student": student,
                "decision": decision,
                "note": text,
            },
        )
        assert added.status_code == 302

    note("Ana García", "opted_in")
    note("ana  garcia", "opted_out", "Custody order - do not release info to father")
    note("Wei Chen", "opted_out")
    note("Wei Chen", "opted_in", "Mother called back: yes after all")
    sheet = staff.get("/admin/surveys/protected-2026/consent/proctor/jackson").text
    may = sheet.split("May take the survey")[1].split("Must not take the survey")[0]
    must_not = sheet.split("Must not take the survey")[1]
    assert "Wei Chen" in may and "Wei Chen" not in must_not
    assert "ana garcia" in must_not and "Ana García" not in sheet  # the latest spelling
    assert "Custody" not in sheet and "Mother called" not in sheet
    # The office's page keeps every record and its note.
    office = staff.get("/admin/surveys/protected-2026/consent").text
    assert "Custody order" in office and "Ana García" in office


def test_a_flyer_says_until_when_the_survey_is_open(staff, seeded):
    from datetime import UTC, datetime

    from engagement.models import Survey

    flyer = staff.get("/admin/surveys/mini-2026/flyer/jackson").text
    assert "flyer-until" not in flyer  # no closing date: nothing promised
    survey = seeded.scalars(select(Survey).where(Survey.slug == "mini-2026")).one()
    survey.closes_at = datetime(2027, 1, 31, 20, 0, tzinfo=UTC)
    seeded.commit()
    flyer = staff.get("/admin/surveys/mini-2026/flyer/jackson").text
    assert "Open until January 31, 2027." in flyer
    assert "Abierta hasta el 31 de enero de 2027." in flyer
    assert "开放至2027年1月31日。" in flyer
