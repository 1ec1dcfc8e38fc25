"""A live server on a migrated SQLite file and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import IN_CI, FakeClock, make_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("Debian's chromium is required for the browser tests in CI")
        pytest.skip("no /usr/bin/chromium (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_app(sqlite_template, tmp_path):
    """The real app on a fresh database, served over HTTP on a free loopback port."""
    path = tmp_path / "browser.db"
    shutil.copyfile(sqlite_template, path)
    app = make_app(f"sqlite:///{path}", FakeClock(), SERVER_NAME=None, TESTING=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    thread.join()


@pytest.fixture
def family(live_app):
    """The family survey template, loaded and open, with the schools and result areas."""
    from sqlalchemy.orm import Session

    from engagement.extensions import db
    from engagement.models import SurveyStatus
    from engagement.seeding import load_framework, load_schools
    from engagement.surveys.store import save_definition, set_status
    from tests.support import TEMPLATES, template

    definition = template(TEMPLATES / "family-2026.yaml")
    with live_app.app_context(), Session(db.engine) as session:
        load_schools(session)
        load_framework(session)
        save_definition(session, definition, live_app.config["CLOCK"])
        set_status(session, definition.slug, SurveyStatus.OPEN)
    return definition


@pytest.fixture
def phone(browser):
    """A page the size of a common phone (390x844), in a fresh browser context."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
