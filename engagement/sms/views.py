"""Twilio webhooks: check the signature, parse the form, call one service function, reply."""

from __future__ import annotations

from flask import Response, abort, current_app, request
from twilio.request_validator import RequestValidator, get_signature_algorithm
from twilio.twiml.messaging_response import MessagingResponse

from engagement.adapters.clock import app_clock
from engagement.extensions import db
from engagement.sms import bp
from engagement.sms.conversation import BadMessage, Inbound, SmsSettings, handle_inbound
from engagement.sms.outbox import record_status
from engagement.web.guards import whole_number


def signed_url() -> str:
    """The URL Twilio signed: the public base (behind a proxy) plus this path and query."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return base.rstrip("/") + request.path + ("?" + query if query else "")


def _check_signature() -> None:
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        abort(403)
    algorithm = get_signature_algorithm(request.headers.get("X-Twilio-Webhooks-Signature-Settings"))
    if not RequestValidator(token).validate(signed_url(), request.form, signature, algorithm):
        abort(403)


@bp.post("/twilio/inbound")
def inbound():
    _check_signature()
    form = request.form
    if "Body" not in form or not form.get("From") or not form.get("MessageSid"):
        abort(400)
    message = Inbound(sid=form["MessageSid"], phone=form["From"], body=form["Body"])
    try:
        replies = handle_inbound(
            db.session, message, app_clock(), SmsSettings.from_config(current_app.config)
        )
    except BadMessage:
        abort(400)
    twiml = MessagingResponse()
    for reply in replies:
        twiml.message(reply)
    return Response(str(twiml), mimetype="text/xml")


@bp.post("/twilio/status")
def status():
    _check_signature()
    form = request.form
    sid, state = form.get("MessageSid", ""), form.get("MessageStatus", "")
    if not sid or not state or len(sid) > 64:
        abort(400)
    error = form.get("ErrorCode", "")
    outbound_id = request.args.get("m", "")
    record_status(
        db.session,
        sid,
        state,
        whole_number(error),
        whole_number(outbound_id),
        app_clock(),
    )
    return Response(status=204)
