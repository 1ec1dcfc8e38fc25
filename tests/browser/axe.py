"""axe-core's WCAG 2.1 A and AA rules, run on the page a browser test has open."""

from axe_playwright_python.sync_playwright import Axe

WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def assert_accessible(page):
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
