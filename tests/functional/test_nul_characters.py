"""A NUL character anywhere a view reads gets a 400, never a database error (PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engagement.models import InboundMessage, ResponseDraft
from tests.sms import SMS_CONFIG, open_mini, post_signed
from tests.support import csrf_token

pytestmark = pytest.mark.app_config(**SMS_CONFIG)


@pytest.fixture
def survey(seeded, clock):
    open_mini(seeded, clock)
    return seeded


@pytest.mark.parametrize(
    "path",
    [
        "/s/mini-2026?school=jack%00son",
        "/s/mini%002026",
        "/s/mini-2026?lang=es%00",
        "/reports/area/B?year=2026%00",
        "/api/v1/surveys/mini%00/summary",
    ],
)
def test_nul_in_the_address_is_refused_with_a_page_that_says_so(client, survey, path):
    refused = client.get(path, headers={"Accept-Language": "es"})
    assert refused.status_code == 400
    if not path.startswith("/api/"):
        assert "No pudimos leer lo que envió" in refused.text


def test_nul_in_a_cookie_or_a_form_answer_is_refused_and_changes_nothing(app, client, survey):
    cookie = {"Cookie": "draft_mini-2026=tok\x00en"}  # the draft's resume cookie
    assert (
        app.test_client(use_cookies=False).get("/s/mini-2026/p/1", headers=cookie).status_code
        == 400
    )
    page = client.get("/s/mini-2026?school=jackson&lang=en")
    token = csrf_token(page.text)
    form = {"csrf_token": token, "school": "jackson\x00"}
    assert client.post("/s/mini-2026/start", data=form).status_code == 400
    survey.expire_all()
    assert survey.scalar(select(func.count()).select_from(ResponseDraft)) == 0


def test_nul_in_a_bearer_token_is_refused(client, survey):
    headers = {"Authorization": "Bearer eng_\x00forged"}
    assert client.get("/api/v1/openapi.json", headers=headers).status_code == 400


@pytest.mark.parametrize("field", ["Body", "MessageSid", "From"])
def test_nul_in_a_signed_sms_webhook_is_refused_and_stores_nothing(client, survey, field):
    params = {
        "MessageSid": "SM" + "1" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": "+16265550201",
        "To": "+16265550299",
        "Body": "MINI",
    }
    params[field] += "\x00"
    refused = post_signed(client, "/sms/twilio/inbound", params)
    assert refused.status_code == 400
    assert refused.json == {"error": "Bad Request", "status": 400}
    survey.expire_all()
    assert survey.scalar(select(func.count()).select_from(InboundMessage)) == 0
