"""An administrator logs in, creates a survey, translates it, previews it in Spanish, publishes it.

Drives Debian's chromium through Playwright against the app served on a local port.
Screenshots go to SCREENSHOT_DIR (default: build/screenshots/designer).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engagement.extensions import db
from engagement.models import Role
from tests.browser.conftest import SCREENSHOTS
from tests.staff import PASSWORD, make_user


@pytest.fixture
def server(live_app):
    """The live app with the schools, the result areas and an administrator."""
    from engagement.seeding import load_framework, load_schools

    with live_app.app_context():
        load_schools(db.session)
        load_framework(db.session)
        make_user(db.session, live_app.config["CLOCK"], "office@example.org", Role.ADMIN)
    return live_app.base_url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    yield context.new_page()
    context.close()


def test_admin_creates_translates_previews_and_publishes_a_survey(server, page):
    shots = Path(os.environ.get("SCREENSHOT_DIR", SCREENSHOTS / "designer"))
    shots.mkdir(parents=True, exist_ok=True)

    page.goto(f"{server}/admin/")
    page.fill("input[name=email]", "office@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=New survey")
    page.fill("input[name=slug]", "walk-2026")
    page.fill("input[name=title_en]", "Walking to school")
    page.fill("input[name=school_year]", "2026-27")
    page.fill("input[name=section_key]", "trip")
    page.fill("input[name=section_title_en]", "The trip")
    page.fill("input[name=question_key]", "walks")
    page.select_option("select[name=question_type]", "yes_no")
    page.fill("textarea[name=question_text_en]", "Does your child walk to school?")
    page.click("text=Create the survey")
    assert "Saved as version 1." in page.content()

    page.click("button:has-text('Publish')")
    assert "cannot be published until the problems listed are fixed" in page.content()
    assert page.locator(".problems li.translation").count() == 6
    page.screenshot(path=str(shots / "1-publish-refused.png"), full_page=True)

    page.click("a:has-text('Preview: Español')")
    assert "3 textos aún no están traducidos a este idioma" in page.content()
    page.screenshot(path=str(shots / "1b-preview-untranslated.png"), full_page=True)
    page.goto(f"{server}/admin/surveys/walk-2026?lang=en")

    page.click("text=Translations")
    assert page.locator("td.missing").count() == 6
    page.screenshot(path=str(shots / "2-translations-missing.png"), full_page=True)
    texts = {
        "t:title": ("Caminar a la escuela", "走路上学"),
        "t:sections.0.title": ("El trayecto", "上学路上"),
        "t:sections.0.questions.0.text": ("¿Su hijo camina a la escuela?", "您的孩子走路上学吗？"),
    }
    for name, (es, zh) in texts.items():
        page.fill(f"textarea[name='{name}:es']", es)
        page.fill(f"textarea[name='{name}:zh']", zh)
    page.click("text=Save translations")
    assert "Saved as version 2." in page.content()
    page.click("text=Translations")
    assert page.locator("td.missing").count() == 0
    assert "Every text is translated." in page.content()
    page.screenshot(path=str(shots / "3-translations-complete.png"), full_page=True)

    # Two tabs on the same version: the second one's Spanish title clashes with the first's.
    other = page.context.new_page()
    other.goto(page.url)
    page.fill("textarea[name='t:title:es']", "Ir caminando a la escuela")
    page.click("text=Save translations")
    other.fill("textarea[name='t:title:es']", "A pie a la escuela")
    other.fill("textarea[name='t:sections.0.title:zh']", "上学的路")
    other.click("text=Save translations")
    assert "Nothing was saved." in other.content()
    assert other.locator("p.conflict q").inner_text() == "Ir caminando a la escuela"
    other.screenshot(path=str(shots / "3b-translations-conflict.png"), full_page=True)
    other.click("text=Save translations")  # theirs chosen: saved over the newer version
    assert "Saved as version 4." in other.content()
    other.close()
    page.goto(f"{server}/admin/surveys/walk-2026/translations")

    page.click("text=Back to the survey")
    page.click("a:has-text('Preview: Español')")
    assert "¿Su hijo camina a la escuela?" in page.content()
    page.screenshot(path=str(shots / "4-preview-es.png"), full_page=True)
    page.click("label:has-text('Sí')")
    page.click("button.primary")
    assert "Preview" in page.content() or "Vista previa" in page.content()
    page.screenshot(path=str(shots / "5-preview-done.png"), full_page=True)

    page.goto(f"{server}/admin/surveys/walk-2026?lang=en")
    page.fill("input[name=closes_at]", "2027-01-31T17:00")
    page.click("button:has-text('Publish')")
    assert "The survey is open." in page.content()
    page.screenshot(path=str(shots / "6-published.png"), full_page=True)

    page.goto(f"{server}/s/walk-2026?school=jackson&lang=zh")
    assert "走路上学" in page.content()

    page.goto(f"{server}/admin/surveys/walk-2026?lang=en")  # the respondent page chose zh
    page.click("text=Close the survey…")
    assert "Nobody is part-way through." in page.content()
    page.screenshot(path=str(shots / "7-close-asks-first.png"), full_page=True)
    page.click("text=Keep it open")
    assert "Open" in page.locator(".status").inner_text()
    page.click("text=Close the survey…")
    page.click("button:has-text('Close the survey')")
    assert "The survey is closed." in page.content()
    page.goto(f"{server}/admin/audit")
    for action in ("survey.created", "survey.edited", "survey.published", "survey.closed"):
        assert action in page.content()
