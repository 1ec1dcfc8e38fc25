"""Respondent-facing web pages: thin views over engagement.delivery."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from engagement.web import views  # noqa: E402,F401  (registers the routes)
