"""A parent on a phone completes the family survey in Spanish and in Mandarin."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.extensions import db
from engagement.models import Response
from engagement.surveys import QuestionType
from engagement.surveys.flow import next_section, section_questions
from tests.browser.axe import assert_accessible


def answer_section(page, definition, index, answers, language):
    """Tap an answer for every visible question, as a parent would."""
    for question in section_questions(definition, index, answers):
        if question.type is QuestionType.TEXT:
            text = {"es": "Gracias por todo <b>equipo</b>", "zh": "谢谢老师们的辛苦付出"}[language]
            # By its accessible name, as a screen reader finds it: the question's own text.
            page.get_by_role("textbox", name=question.text[language]).fill(text)
            answers[question.key] = text
        elif question.type is QuestionType.NUMBER:
            box = page.get_by_role("textbox", name=question.text[language])
            box.fill("２")  # full-width, as a phone IME types
            answers[question.key] = 2
        else:
            choice = question.choices[0]
            label = choice.label[language]
            page.locator(f"fieldset#q-{question.key} label.choice", has_text=label).first.click()
            value = choice.value
            answers[question.key] = (
                [value] if question.type is QuestionType.MULTIPLE_CHOICE else value
            )


@pytest.mark.parametrize(
    ("language", "school", "start", "submit", "thanks"),
    [
        ("es", "jackson", "Empezar la encuesta", "Enviar mis respuestas", "¡Gracias!"),
        ("zh", "field", "开始填写问卷", "提交我的回答", "谢谢您！"),
    ],
)
def test_parent_completes_family_survey_on_a_phone(
    live_app, family, phone, screenshot, language, school, start, submit, thanks
):
    phone.goto(f"{live_app.base_url}/s/{family.slug}?school={school}&lang={language}")
    assert family.title[language] in phone.content()
    screenshot(phone, f"family-{language}-0-start")
    phone.get_by_role("button", name=start).click()

    answers: dict = {}
    index = 0
    while index is not None:
        phone.wait_for_url(f"**/s/{family.slug}/p/{index + 1}")
        assert family.sections[index].title[language] in phone.content()
        assert_accessible(phone)  # every page of the survey, comment box included
        answer_section(phone, family, index, answers, language)
        screenshot(phone, f"family-{language}-{index + 1}")
        following = next_section(family, answers, index)
        button = submit if following is None else {"es": "Siguiente", "zh": "下一页"}[language]
        phone.get_by_role("button", name=button, exact=True).click()
        index = following

    phone.wait_for_url(f"**/s/{family.slug}/thanks")
    assert thanks in phone.content()
    screenshot(phone, f"family-{language}-thanks")

    with live_app.app_context(), Session(db.engine) as session:
        response = session.scalars(select(Response)).one()
        assert (response.language, response.school.code) == (language, school)
        assert len(response.answers) >= len(answers)


def test_language_switch_keeps_what_was_tapped(live_app, family, phone, screenshot):
    phone.goto(f"{live_app.base_url}/s/{family.slug}?school=field&lang=en")
    phone.get_by_role("button", name="Start the survey").click()
    phone.wait_for_url("**/p/1")
    first = section_questions(family, 0, {})[0]
    choice = first.choices[0]
    phone.locator(f"fieldset#q-{first.key} label.choice", has_text=choice.label["en"]).first.click()
    phone.get_by_role("button", name="中文").click()
    phone.wait_for_url("**/p/1")
    assert first.text["zh"] in phone.content()
    checked = phone.locator(f"fieldset#q-{first.key} input:checked")
    assert checked.get_attribute("value") == str(choice.value)
    screenshot(phone, "family-switch-to-zh")


def test_the_pages_work_without_javascript(browser, live_app, family):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_app.base_url}/s/{family.slug}?school=jackson&lang=es")
    page.get_by_role("button", name="Empezar la encuesta").click()
    page.wait_for_url("**/p/1")
    page.get_by_role("button", name="Siguiente", exact=True).click()
    # Nothing answered: the server explains, in Spanish, what is missing.
    assert "Por favor, responda esta pregunta." in page.content()
    context.close()
