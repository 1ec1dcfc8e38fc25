"""Respondent-facing web pages: thin views over engagement.delivery."""

from flask import Blueprint

from engagement.web.csrf import protect

bp = Blueprint("web", __name__)
protect(bp)  # respondents have no session: form tokens are bound to a cookie instead

from engagement.web import views  # noqa: E402,F401  (registers the routes)
