"""Readers' pages: result areas, schools and the district, with charts, exports and the API."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
api = Blueprint("api", __name__, url_prefix="/api/v1")

from engagement.reports import api_views, manage_views, views  # noqa: E402,F401  (registers the routes)
