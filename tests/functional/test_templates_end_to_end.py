"""Every template can be completed on the web in every language, and lands tied to indicators."""

import pytest
from sqlalchemy import select

from engagement.models import Answer, Question, Response, SurveyStatus
from engagement.surveys.store import save_definition, set_status
from tests.support import complete_via_web, template, template_files


@pytest.mark.parametrize("language", ["en", "es", "zh"])
@pytest.mark.parametrize("path", template_files(), ids=lambda p: p.stem)
def test_template_completes_in_each_language(client, seeded, clock, path, language):
    definition = template(path)
    save_definition(seeded, definition, clock)
    set_status(seeded, definition.slug, SurveyStatus.OPEN)

    landing = client.get(f"/s/{definition.slug}?school=blair&lang={language}")
    assert definition.title[language] in landing.text
    sent = complete_via_web(client, definition, "blair", language)

    response = seeded.scalars(select(Response)).one()
    assert (response.language, response.school.code, response.role) != (None, None, None)
    assert response.language == language and response.school.code == "blair"
    stored = seeded.execute(
        select(Question.key, Question.indicator_id)
        .join(Answer)
        .where(Answer.response_id == response.id)
    ).all()
    assert {key for key, _ in stored} == set(sent)
    fed = {key for key, indicator in stored if indicator is not None}
    assert fed == {q.key for q in definition.questions if q.indicator and q.key in sent}
