"""axe-core finds no WCAG 2.1 A or AA problem on the pages parents, students and staff use.

axe-core comes bundled in the axe-playwright-python wheel: nothing downloads when this runs.
"""

from __future__ import annotations

import pytest

from engagement.extensions import db
from engagement.models import Role
from tests.browser.axe import assert_accessible
from tests.staff import PASSWORD, make_user

STAFF_PAGES = [
    "/admin/",
    "/reports/",
    "/reports/area/B",
    "/reports/school/jackson",
    "/reports/district",
    "/reports/survey/family-2026?school=jackson",
    "/admin/surveys/family-2026",
    "/admin/surveys/family-2026/translations",
    "/admin/surveys/family-2026/questions/fe_school_activities/delete",
    "/admin/surveys/family-2026/distribute",
    "/admin/surveys/family-2026/sms",
    "/admin/surveys/family-2026/responses",
    "/admin/sms/simulate",
    "/admin/users",
    "/admin/users/new",
    "/admin/surveys/family-2026/yaml",
    "/admin/surveys/family-2026/preview/es/1",
    "/admin/surveys/family-2026/sms-preview",
    "/admin/sms/contacts/import",
    "/reports/targets",
    "/auth/account",
]


@pytest.mark.parametrize("language", ["es", "zh"])
def test_respondent_pages(live_app, family, phone, language):
    phone.goto(f"{live_app.base_url}/s/{family.slug}?school=jackson&lang={language}")
    assert_accessible(phone)
    phone.locator("button.primary").click()
    phone.wait_for_url("**/p/1")
    assert_accessible(phone)
    phone.locator("button.primary").first.click()  # nothing answered: the page with its errors
    assert phone.locator(".error").count() > 0
    assert_accessible(phone)
    phone.goto(f"{live_app.base_url}/s/{family.slug}/thanks?lang={language}")
    assert_accessible(phone)
    phone.goto(f"{live_app.base_url}/s/no-such-survey?lang={language}")
    assert_accessible(phone)


def test_staff_pages(live_app, family, browser):
    with live_app.app_context():
        make_user(db.session, live_app.config["CLOCK"], "office@example.org", Role.ADMIN)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_app.base_url}/auth/login")
    assert_accessible(page)
    page.fill("input[name=email]", "office@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/admin/")
    for path in STAFF_PAGES:
        page.goto(live_app.base_url + path)
        assert page.url.endswith(path), page.url
        assert_accessible(page)
    context.close()


REFLOW = {"width": 320, "height": 700}  # WCAG 2.1 1.4.10 Reflow: no sideways scrolling at 320px


def assert_fits(page):
    """Nothing widens the page past the screen: a wide table scrolls in its own box."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= REFLOW["width"], f"{page.url} is {width}px wide on a {REFLOW['width']}px screen"


def test_pages_fit_a_320_pixel_screen(live_app, family, browser):
    from sqlalchemy.orm import Session

    from engagement.demo import add_demo_responses
    from engagement.models import Survey
    from engagement.reporting import cube

    clock = live_app.config["CLOCK"]
    with live_app.app_context(), Session(db.engine) as session:
        assert add_demo_responses(session, clock, per_school=4) > 0
        survey = session.query(Survey).one()
        cube.rebuild(session, survey.id, clock)  # as `flask reports rebuild` does
        make_user(db.session, clock, "office@example.org", Role.ADMIN)
    context = browser.new_context(viewport=REFLOW)
    page = context.new_page()
    for language in ("es", "zh"):
        page.goto(f"{live_app.base_url}/s/{family.slug}?school=jackson&lang={language}")
        assert_fits(page)
        page.locator("main form button[type=submit]").click()  # start (again, the 2nd time)
        page.wait_for_url("**/p/1")
        assert_fits(page)
    page.goto(f"{live_app.base_url}/auth/login")
    page.fill("input[name=email]", "office@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/admin/")
    question_pages = [  # the answers tables: built-in, and rows to type into
        "/admin/surveys/family-2026/questions/fe_school_activities",
        "/admin/surveys/family-2026/questions/new?section=about&type=single_choice",
    ]
    for path in [
        *STAFF_PAGES,
        "/admin/audit",
        "/admin/sms/contacts",
        "/reports/administrative",
        *question_pages,
    ]:
        page.goto(live_app.base_url + path)
        assert_fits(page)
    page.goto(live_app.base_url + "/reports/area/A")  # the family survey's indicators
    assert_fits(page)
    assert page.locator("svg.chart").count() > 0  # the charts were there to be measured
    # Each chart's title comes before it; the table's caption wraps to the screen and stays
    # in view while the schools scroll sideways.
    assert page.locator("figure.chart > :first-child").first.evaluate("e => e.tagName") == (
        "FIGCAPTION"
    )
    box = page.locator(".table-wrap").first
    box.evaluate("e => e.scrollBy(200, 0)")
    edges = page.locator("table.indicators caption").first.evaluate(
        "e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; }"
    )
    assert box.evaluate("e => e.scrollLeft") > 0 and edges[0] >= 0 and edges[1] <= REFLOW["width"]
    # On Letter paper (about 740 CSS pixels inside the margins) a school is a row, and the
    # whole table stays inside the page.
    page.set_viewport_size({"width": 740, "height": 1000})
    page.goto(live_app.base_url + "/reports/area/B?print=1")  # its seven indicators
    page.emulate_media(media="print")
    widths = page.locator("table.by-school").evaluate_all(
        "tables => tables.map(t => t.getBoundingClientRect().right)"
    )
    assert widths and max(widths) <= 740, widths
    context.close()
