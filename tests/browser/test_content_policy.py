"""The strict content security policy blocks nothing the pages themselves use."""

from __future__ import annotations

from engagement.extensions import db
from engagement.models import Role
from tests.staff import PASSWORD, make_user

STAFF_PAGES = [
    "/admin/surveys/family-2026",
    "/admin/surveys/family-2026/translations",
    "/admin/surveys/family-2026/distribute",
    "/admin/surveys/family-2026/flyer/jackson",  # the QR code as an image
    "/admin/surveys/family-2026/sms-preview",
    "/admin/surveys/family-2026/preview/zh/1",
    "/admin/sms/simulate",
    "/reports/area/A",  # charts drawn as inline SVG
    "/reports/area/A?print=1",
]


def test_no_page_trips_the_policy(live_app, family, browser):
    with live_app.app_context():
        make_user(db.session, live_app.config["CLOCK"], "office@example.org", Role.ADMIN)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    refused = []  # Chromium reports each blocked load or inline style on the console

    def watch(message):
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", watch)
    for language in ("es", "zh"):
        page.goto(f"{live_app.base_url}/s/{family.slug}?school=jackson&lang={language}")
        page.locator("main form button[type=submit]").click()  # start (again, the 2nd time)
        page.wait_for_url("**/p/1")
        page.locator("button.primary").first.click()  # nothing answered: the page with errors
        assert page.locator(".error").count() > 0
    page.goto(f"{live_app.base_url}/auth/login")
    page.fill("input[name=email]", "office@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/admin/")
    for path in STAFF_PAGES:
        response = page.goto(live_app.base_url + path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
    assert page.evaluate(
        "document.images.length === 0 || [...document.images].every(i => i.complete)"
    )
    assert refused == []
    context.close()
