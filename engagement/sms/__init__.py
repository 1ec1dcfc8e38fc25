"""Two-way SMS surveys through Twilio: conversation engine, outbox, contacts and campaigns."""

from flask import Blueprint

bp = Blueprint("sms", __name__, url_prefix="/sms")

from engagement.sms import views  # noqa: E402,F401  (registers the routes)
