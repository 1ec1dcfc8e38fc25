"""Shared test helpers: the indicator catalogue, fixture templates, CSRF-aware form posts."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from engagement.seeding import SEED_DIR
from engagement.surveys import IndicatorInfo, SurveyDefinition
from engagement.surveys.loader import read_template

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEMPLATES = ROOT / "surveys"


@cache
def catalogue() -> dict[str, IndicatorInfo]:
    areas = yaml.safe_load((SEED_DIR / "result_areas.yaml").read_text(encoding="utf-8"))
    return {
        i["key"]: IndicatorInfo(i["source"], i.get("direction", "higher"))
        for area in areas
        for i in area["indicators"]
    }


@cache
def template(path: Path) -> SurveyDefinition:
    definition, problems = read_template(path, catalogue())
    assert not problems, "\n".join(map(str, problems))
    return definition


def mini() -> SurveyDefinition:
    return template(FIXTURES / "mini.yaml")


def template_files() -> list[Path]:
    return sorted(TEMPLATES.glob("*.yaml"))


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def pick_answer(question) -> list[str]:
    """A valid web form answer for any question: the first favourable or first choice."""
    from engagement.surveys import QuestionType

    if question.type is QuestionType.TEXT:
        return ["Gracias — 谢谢 <script>alert(1)</script>"]
    if question.type is QuestionType.NUMBER:
        return [str(int(question.minimum or 0) + 1)]
    values = sorted(question.favourable) or [c.value for c in question.choices[:1]]
    if question.type is QuestionType.MULTIPLE_CHOICE:
        plain = [c.value for c in question.choices if not c.exclusive]
        return [str(v) for v in plain[:2]]
    return [str(values[0])]


# Values a person or a script may put in any field: each must get a page, never a server error.
ODD_VALUES = [
    "",
    "-1",
    "99999999999999999999",
    "１２",
    "😀",
    "<b>x</b>",
    "=1+1",
    "2026-13-45",
    "1e400",
    "a" * 3000,
]


def complete_via_web(client, definition, school: str, lang: str, answer=pick_answer, on_page=None):
    """Walk every page of a survey through the real forms; returns the answers sent.

    `on_page(location, page)` runs on each page before its answers are sent.
    """
    from engagement.surveys.flow import next_section, section_questions

    slug = definition.slug
    page = client.get(f"/s/{slug}?school={school}&lang={lang}")
    assert page.status_code == 200, page.text
    started = client.post(
        f"/s/{slug}/start", data={"csrf_token": csrf_token(page.text), "school": school}
    )
    assert started.status_code == 302, started.text
    sent: dict = {}
    index = 0
    location = started.headers["Location"]
    while True:
        assert location.endswith(f"/s/{slug}/p/{index + 1}"), location
        page = client.get(location)
        assert page.status_code == 200
        if on_page:
            on_page(location, page)
        data = {"csrf_token": csrf_token(page.text), "action": "next"}
        for question in section_questions(definition, index, sent):
            data[question.key] = answer(question)
            sent[question.key] = data[question.key]
        posted = client.post(location, data=data)
        assert posted.status_code == 302, posted.text
        location = posted.headers["Location"]
        following = next_section(definition, _as_values(definition, sent), index)
        if following is None:
            assert location.endswith(f"/s/{slug}/thanks")
            return sent
        index = following


def _as_values(definition, sent):
    from engagement.surveys import parse_form_values

    return {k: parse_form_values(definition.question(k), v) for k, v in sent.items()}


def open_survey(session, clock, path):
    """Store a fixture template and open it, as `flask surveys load --open` would."""
    from engagement.models import SurveyStatus
    from engagement.surveys.store import save_definition, set_status

    definition = template(path)
    save_definition(session, definition, clock)
    set_status(session, definition.slug, SurveyStatus.OPEN)
    return definition


def respond(session, clock, slug, school, answers, language="en", channel="web"):
    """One completed response through the delivery service, as web and SMS both store them."""
    from engagement.delivery.service import complete_response, save_answers, start_response
    from engagement.models import Channel

    draft = start_response(session, slug, school, language, Channel(channel), clock)
    save_answers(session, draft.token, answers, clock)
    return complete_response(session, draft.token, clock)
