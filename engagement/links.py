"""Absolute links for printing (CLI output, flyers, QR codes)."""

from flask import current_app, has_request_context, url_for

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def public_url(endpoint: str, **values) -> str:
    """PUBLIC_BASE_URL when configured, else the host of the current request."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base is None and has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=base or DEVELOPMENT_BASE_URL):
        return url_for(endpoint, _external=True, **values)
