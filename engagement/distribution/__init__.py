"""Getting a survey to people: school links, QR codes, student access codes, consent."""

from flask import Blueprint

from engagement.web.csrf import protect

bp = Blueprint("access", __name__)
protect(bp)  # the class-code page is a respondent's: its form token is bound to a cookie

from engagement.distribution import views  # noqa: E402,F401  (registers the routes)
