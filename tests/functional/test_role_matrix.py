"""Every role against every staff page and action: the forbidden request is refused."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engagement.models import Role, School, Survey, SurveyStatus
from engagement.sms.campaigns import create_campaign
from engagement.sms.conversation import SmsSettings
from engagement.surveys.store import save_definition, set_status
from tests.staff import form_token, login, make_user
from tests.support import FIXTURES, ODD_VALUES, mini, template

ALL = {"admin", "designer", "working_group", "school_staff", "leadership"}
DESIGN = {"admin", "designer"}
ADMIN = {"admin"}
PROCTOR_JACKSON = {"admin", "designer", "school_staff"}  # the school staff member is at Jackson
RATES = {"admin", "designer", "school_staff", "leadership"}  # school staff: their schools only
READERS = {"admin", "working_group", "school_staff", "leadership"}
DISTRICT_READERS = {"admin", "leadership"}
AREA_A = {"admin", "leadership", "working_group"}
SCHOOL_JACKSON = {"admin", "leadership", "school_staff"}

ROUTES = [
    ("GET", "/admin/", ALL),
    ("GET", "/auth/account", ALL),
    ("GET", "/admin/users", ADMIN),
    ("GET", "/admin/users/new", ADMIN),
    ("GET", "/admin/users/{user}", ADMIN),
    ("POST", "/admin/users/{user}/password-link", ADMIN),
    ("GET", "/admin/audit", ADMIN),
    ("GET", "/admin/surveys/new", DESIGN),
    ("GET", "/admin/surveys/new/template", DESIGN),
    ("GET", "/admin/surveys/new/clone", DESIGN),
    ("GET", "/admin/surveys/import", DESIGN),
    ("GET", "/admin/surveys/mini-2026", DESIGN),
    ("GET", "/admin/surveys/mini-2026/translations", DESIGN),
    ("GET", "/admin/surveys/mini-2026/yaml", DESIGN),
    ("GET", "/admin/surveys/mini-2026/questions/grade", DESIGN),
    ("GET", "/admin/surveys/mini-2026/questions/new?section=more", DESIGN),
    ("GET", "/admin/surveys/mini-2026/preview/es", DESIGN),
    ("GET", "/admin/surveys/mini-2026/preview/es/1", DESIGN),
    ("GET", "/admin/surveys/mini-2026/sms-preview", DESIGN),
    ("POST", "/admin/surveys/mini-2026/export.yaml", DESIGN),
    ("POST", "/admin/surveys/mini-2026/export.xlsx", DESIGN),
    ("POST", "/admin/surveys/mini-2026/questions/grade/down", DESIGN),
    ("POST", "/admin/surveys/mini-2026/publish", DESIGN),
    ("GET", "/admin/surveys/mini-2026/close", DESIGN),
    ("POST", "/admin/surveys/mini-2026/close", DESIGN),
    ("GET", "/admin/surveys/mini-2026/distribute", DESIGN),
    ("GET", "/admin/surveys/mini-2026/flyer/jackson", DESIGN),
    ("GET", "/admin/surveys/mini-2026/qr/jackson.svg", DESIGN),
    ("GET", "/admin/surveys/protected-2026/consent", DESIGN),
    ("POST", "/admin/surveys/protected-2026/consent/mode", DESIGN),
    ("POST", "/admin/surveys/protected-2026/codes", DESIGN),
    ("GET", "/admin/surveys/protected-2026/consent/proctor/jackson", PROCTOR_JACKSON),
    ("GET", "/admin/surveys/protected-2026/consent/proctor/field", DESIGN),
    ("GET", "/admin/surveys/mini-2026/responses", RATES),
    ("POST", "/admin/surveys/mini-2026/responses/enrollment", DESIGN),
    ("GET", "/admin/sms/contacts", DESIGN),
    ("GET", "/admin/sms/contacts/import", DESIGN),
    ("POST", "/admin/sms/contacts/import", DESIGN),
    ("GET", "/admin/sms/simulate", ADMIN),
    ("POST", "/admin/sms/simulate", ADMIN),
    ("GET", "/admin/surveys/mini-2026/sms", DESIGN),
    ("POST", "/admin/surveys/mini-2026/sms/review", DESIGN),
    ("POST", "/admin/surveys/mini-2026/sms/send", DESIGN),
    ("POST", "/admin/surveys/mini-2026/sms/campaigns/{campaign}/remind", DESIGN),
    # Reports: the working group member reads area A, the school staff member Jackson.
    ("GET", "/reports/", READERS | DESIGN),  # designers: the targets and upload links
    ("GET", "/reports/district", DISTRICT_READERS),
    ("GET", "/reports/district/export.csv", DISTRICT_READERS),
    ("GET", "/reports/area/A", AREA_A),
    ("GET", "/reports/area/A/export.xlsx", AREA_A),
    ("GET", "/reports/area/B", DISTRICT_READERS),
    ("GET", "/reports/area/B/export.csv", DISTRICT_READERS),
    ("GET", "/reports/school/jackson", SCHOOL_JACKSON),
    ("GET", "/reports/school/jackson/export.csv", SCHOOL_JACKSON),
    ("GET", "/reports/school/field", DISTRICT_READERS),
    ("GET", "/reports/area/A/comments.csv", AREA_A),
    ("GET", "/reports/school/jackson/comments.xlsx", SCHOOL_JACKSON),
    ("GET", "/reports/district/comments.csv", DISTRICT_READERS),
    ("GET", "/reports/targets", DESIGN),
    ("GET", "/reports/administrative", DESIGN),
    ("GET", "/api/v1/openapi.json", READERS),
    ("GET", "/api/v1/surveys/mini-2026/summary?by=indicator", READERS - {"school_staff"}),
    ("GET", "/api/v1/surveys/mini-2026/summary?by=school", DISTRICT_READERS | {"school_staff"}),
    ("GET", "/api/v1/surveys/mini-2026/summary", DISTRICT_READERS),
]
FORMS = {
    "/admin/surveys/protected-2026/consent/mode": {"mode": "active"},
    "/admin/surveys/protected-2026/codes": {"school": "jackson", "label": "Room 1"},
    "/admin/surveys/mini-2026/responses/enrollment": {"enrollment-jackson": "420"},
    "/admin/surveys/mini-2026/sms/review": {"school": "jackson", "language": "en"},
    "/admin/surveys/mini-2026/sms/send": {"school": "jackson", "language": "en"},
}


@pytest.fixture
def surveys(seeded, clock):
    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", SurveyStatus.OPEN)
    save_definition(seeded, template(FIXTURES / "protected.yaml"), clock)
    admin = make_user(seeded, clock, "first-admin@example.org", Role.ADMIN).id
    survey = seeded.scalars(select(Survey).where(Survey.slug == "mini-2026")).one()
    jackson = seeded.scalars(select(School).where(School.code == "jackson")).one()
    sms = SmsSettings("Office", "(626) 555-0100", timedelta(days=3))
    campaign = create_campaign(seeded, survey.id, [jackson.id], [], clock, sms)  # nobody yet
    return {"user": admin, "campaign": campaign.id}


@pytest.mark.parametrize("role", sorted(ALL))
def test_each_role_reaches_exactly_its_pages(client, seeded, clock, surveys, role):
    make_user(seeded, clock, f"{role}@example.org", Role(role), areas=["A"], schools=["jackson"])
    login(client, f"{role}@example.org")
    token = form_token(client, "/auth/account")
    for method, route, allowed in ROUTES:
        url = route.format(**surveys)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token, **FORMS.get(url, {})})
        if role in allowed:
            # 409: the matrix closed the survey before its SMS campaign routes (allowed, refused).
            assert response.status_code in (200, 201, 302, 409, 422), (
                role,
                url,
                response.status_code,
            )
        else:
            assert response.status_code == 403, (role, url, response.status_code)


def test_anonymous_visitors_are_sent_to_log_in(client, surveys):
    for method, route, _allowed in ROUTES:
        url = route.format(**surveys)
        response = client.get(url) if method == "GET" else client.post(url)
        if url.startswith("/api/"):
            assert response.status_code == 401, url
        elif method == "GET":
            assert response.status_code == 302, url
            assert "/auth/login?next=" in response.headers["Location"], url
        else:
            assert response.status_code in (302, 400), url  # no session: CSRF refuses first


def test_an_api_route_answers_401_and_403_with_bearer_tokens(app, seeded, clock):
    """The seam for the reports API: the same decorator, with per-user tokens."""
    from flask import jsonify

    from engagement.auth.permissions import Permission, require_permission, view_arg
    from engagement.auth.service import create_api_token

    @app.get("/api/test/areas/<area>")
    @require_permission(Permission.READ_REPORTS, result_area=view_arg("area"))
    def area_summary(area):
        return jsonify(area=area)

    member = make_user(seeded, clock, "wg@example.org", Role.WORKING_GROUP, areas=["B"])
    raw = create_api_token(seeded, member, "script", clock)
    client = app.test_client()
    assert client.get("/api/test/areas/B").status_code == 401
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/test/areas/B", headers=headers).json == {"area": "B"}
    assert client.get("/api/test/areas/A", headers=headers).status_code == 403
    assert (
        client.get("/api/test/areas/B", headers={"Authorization": "Bearer eng_forged"}).status_code
        == 401
    )
    # Tokens only open the API, never the staff pages.
    assert client.get("/admin/", headers=headers).status_code == 302


NAV = re.compile(r'<nav class="admin-nav"[^>]*>(.*?)</nav>', re.S)
HOME = {"working_group": "/reports/"}  # a Working Group member only reads reports


@pytest.mark.parametrize("role", sorted(ALL))
def test_each_role_lands_on_its_home_and_its_menu_opens_only_what_it_may(
    client, seeded, clock, surveys, role
):
    make_user(seeded, clock, f"{role}@example.org", Role(role), areas=["A"], schools=["jackson"])
    landed = login(client, f"{role}@example.org")
    page = client.get(landed.headers["Location"], follow_redirects=True)
    assert page.request.path == HOME.get(role, "/admin/")
    links = re.findall(r'href="([^"]+)"', NAV.search(page.text).group(1))
    assert ("/admin/" in links) == (role in RATES | DESIGN)
    assert ("/reports/" in links) == (role in READERS | DESIGN)
    for link in links:
        assert client.get(link).status_code == 200, (role, link)
    # A reader of some areas or schools is told that the list is theirs, not everything.
    reports = client.get("/reports/?lang=en")
    limited = "Your account reads the result areas and schools listed here"
    if role in ("working_group", "school_staff"):
        assert limited in reports.text
    elif reports.status_code == 200:
        assert limited not in reports.text


ODD_QUERIES = [
    "year=abc&language=xx&channel=fax&level=zz&by=nothing&print=yes",
    "lang=%EF%BD%85%EF%BD%93&year=" + "9" * 300,  # full-width "ｅｓ", a 300-digit year
    "before=-1&page=0",
    "before=99999999999999999999",  # beyond any database integer
    "school=%E2%80%AE%F0%9F%98%80&language=es&language=zh",  # right-to-left mark, emoji
    "next=//evil.example&q=" + "x" * 5000,
]
ODD_PATHS = [
    "/s/mini-2026/p/99999999999999999999",
    "/admin/users/99999999999999999999",
    "/admin/users/2147483648",
    "/s/mini-2026/p/%C2%B2",  # "²" passes str.isdigit but not int()
]


def test_odd_addresses_never_cause_a_server_error(client, seeded, clock, surveys):
    make_user(seeded, clock, "admin@example.org", Role.ADMIN)
    login(client, "admin@example.org")
    pages = {route.format(**surveys) for method, route, _ in ROUTES if method == "GET"}
    pages |= {"/", "/s/mini-2026", "/s/mini-2026/p/1", "/s/mini-2026/thanks"}
    for page in sorted(pages):
        for query in ODD_QUERIES:
            url = page + ("&" if "?" in page else "?") + query
            assert client.get(url).status_code < 500, url
    for path in ODD_PATHS:
        assert client.get(path).status_code == 404, path
    assert client.get("/admin/audit?before=99999999999999999999").status_code == 200
    # A query key named like the route's value: language, export and print links keep the route's.
    page = client.get("/reports/school/jackson?school=field").text
    assert "/reports/school/jackson/export.csv?school=field" not in page
    assert "/reports/school/field" not in page


def _forms(html: str, page: str) -> list[tuple[str, list[str]]]:
    """(where each POST form on the page goes, the names of its fields), as a browser sees them."""
    forms = []
    for attributes, body in re.findall(r"<form([^>]*)>(.*?)</form>", html, re.S):
        if 'method="post"' not in attributes:
            continue
        action = re.search(r'action="([^"]*)"', attributes)
        names = sorted(set(re.findall(r'name="([^"]+)"', body)) - {"csrf_token"})
        forms.append(((action.group(1) if action else page).replace("&amp;", "&"), names))
    return forms


def test_odd_values_in_every_staff_form_never_cause_a_server_error(client, seeded, clock, surveys):
    """Each form on each staff page, every field at once given each odd value."""
    make_user(seeded, clock, "admin@example.org", Role.ADMIN)
    login(client, "admin@example.org")
    token = form_token(client, "/auth/account")
    pages = sorted({route.format(**surveys) for method, route, _ in ROUTES if method == "GET"})
    forms = {}
    for page in pages:
        shown = client.get(page)
        if shown.mimetype != "text/html":
            continue
        for action, names in _forms(shown.text, page):
            forms.setdefault((action, tuple(names)), page)
    assert len(forms) > 30
    statuses = set()
    for (action, names), page in sorted(forms.items()):
        if action.endswith(("/logout", "/active")):
            continue  # signing out or retiring oneself would end the walk
        for value in ODD_VALUES:
            data = {"csrf_token": token, **dict.fromkeys(names, value)}
            status = client.post(action, data=data).status_code
            assert status < 500, (page, action, value[:20], status)
            statuses.add(status)
    assert {200, 302, 422} <= statuses


def test_school_staff_see_the_surveys_families_answer_not_drafts_or_district_counts(
    app, client, seeded, clock, surveys
):
    make_user(seeded, clock, "staff@example.org", Role.SCHOOL_STAFF, schools=["jackson"])
    login(client, "staff@example.org")
    page = client.get("/admin/?lang=en").text
    assert "mini-2026" in page and "protected-2026" not in page  # a draft
    assert "<th>Responses</th>" not in page  # the district's count is not theirs
    assert ">Jackson Elementary</a>" in page  # their school by name, not its code
    office = app.test_client()
    login(office, "first-admin@example.org")
    page = office.get("/admin/?lang=en").text
    assert "protected-2026" in page and "<th>Responses</th>" in page
