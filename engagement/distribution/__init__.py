"""Getting a survey to people: school links, QR codes, student access codes, consent."""

from flask import Blueprint

bp = Blueprint("access", __name__)

from engagement.distribution import views  # noqa: E402,F401  (registers the routes)
