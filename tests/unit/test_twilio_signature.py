"""The webhook signature check, wired as the views use it, against Twilio's published vectors."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import Forbidden

from engagement import create_app
from engagement.sms.views import _check_signature, signed_url

# Twilio's webhook security guide (auth token 12345).
DOCS_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
DOCS_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
# twilio-python's own test suite.
LIBRARY_PARAMS = {**DOCS_PARAMS, "Caller": "+14158675309", "From": "+14158675309"}
LIBRARY_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
PATH = "/myapp.php?foo=1&bar=2"


def _app(**config):
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "TWILIO_AUTH_TOKEN": "12345", **config}
    )


def _check(app, params, signature, base_url="http://10.0.0.5:8000"):
    """Run the views' check on a request as it reaches the app behind a proxy."""
    with app.test_request_context(
        PATH,
        method="POST",
        base_url=base_url,
        data=params,
        headers={"X-Twilio-Signature": signature},
    ):
        assert signed_url() == "https://mycompany.com" + PATH
        _check_signature()


@pytest.mark.parametrize(
    ("params", "signature"),
    [(DOCS_PARAMS, DOCS_SIGNATURE), (LIBRARY_PARAMS, LIBRARY_SIGNATURE)],
)
def test_published_vectors_validate_through_the_public_base_url(params, signature):
    _check(_app(PUBLIC_BASE_URL="https://mycompany.com/"), params, signature)


def test_a_changed_parameter_or_token_is_refused():
    app = _app(PUBLIC_BASE_URL="https://mycompany.com")
    with pytest.raises(Forbidden):
        _check(app, {**DOCS_PARAMS, "Digits": "9999"}, DOCS_SIGNATURE)
    with pytest.raises(Forbidden):
        _check(app, LIBRARY_PARAMS, DOCS_SIGNATURE)
    with pytest.raises(Forbidden):
        _check(
            _app(PUBLIC_BASE_URL="https://mycompany.com", TWILIO_AUTH_TOKEN="54321"),
            DOCS_PARAMS,
            DOCS_SIGNATURE,
        )


def test_without_a_public_base_url_the_request_url_is_used():
    app = _app()
    with pytest.raises(Forbidden):  # the proxy's internal address is not what Twilio signed
        _check_plain(app, "http://10.0.0.5:8000")
    _check_plain(app, "https://mycompany.com")


def _check_plain(app, base_url):
    with app.test_request_context(
        PATH,
        method="POST",
        base_url=base_url,
        data=DOCS_PARAMS,
        headers={"X-Twilio-Signature": DOCS_SIGNATURE},
    ):
        _check_signature()


def test_no_auth_token_configured_refuses_everything():
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "PUBLIC_BASE_URL": "https://mycompany.com"}
    )
    with pytest.raises(Forbidden):
        _check(app, DOCS_PARAMS, DOCS_SIGNATURE)
