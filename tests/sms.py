"""SMS test helpers: an app with Twilio settings, signed webhook posts, TwiML replies."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from sqlalchemy import select
from twilio.request_validator import RequestValidator

from engagement.models import Contact, School, SurveyStatus
from engagement.sms.outbox import OutboxSettings
from engagement.surveys.store import save_definition, set_status
from tests.conftest import make_app
from tests.support import mini

AUTH_TOKEN = "test-auth-token-0123456789"
PUBLIC_BASE_URL = "https://sms.example.org"
INBOUND_URL = PUBLIC_BASE_URL + "/sms/twilio/inbound"
STATUS_URL = PUBLIC_BASE_URL + "/sms/twilio/status"
# 10:00 in Pasadena (UTC-8 in November): inside the sending window.
MORNING = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
# The outbox as tests run it: the rate limit out of the way, callbacks to the public URL.
OUTBOX = OutboxSettings(rate=1000.0, public_base_url=PUBLIC_BASE_URL)
# A contacts file: two good rows, a duplicate of the first, and a row for each way to be wrong.
GOOD_AND_BAD = """phone,language,schools,role
(626) 555-0201,es,jackson;field,parent
626.555.0102,zh,field,guardian
+1 626 555 0201,,blair,
12345,en,field,parent
(626) 555-0203,klingon,field,parent
(626) 555-0204,en,hogwarts,parent
(626) 555-0205,en,field,pirate
,en,field,parent
"""
SMS_CONFIG = {
    "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
    "SMS_OFFICE_NAME": "PUSD Engagement",
    "SMS_OFFICE_PHONE": "(626) 555-0200",
}
_sids = itertools.count(1)


def sms_app(database_url, clock, **overrides):
    return make_app(database_url, clock, **{**SMS_CONFIG, **overrides})


def sign(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def post_signed(client, path: str, params: dict, url: str | None = None, query: str = ""):
    signed = (url or PUBLIC_BASE_URL + path) + (f"?{query}" if query else "")
    return client.post(
        path + (f"?{query}" if query else ""),
        data=params,
        headers={"X-Twilio-Signature": sign(signed, params)},
    )


def replies(response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    return [m.text or "" for m in root.iter("Message")]


def text(client, phone: str, body: str, sid: str | None = None) -> list[str]:
    """Text `body` from `phone`; the replies the phone gets back."""
    params = {
        "MessageSid": sid or f"SM{next(_sids):032d}",
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "To": "+16265550299",
        "Body": body,
        "NumMedia": "0",
    }
    return replies(post_signed(client, "/sms/twilio/inbound", params))


def open_mini(session, clock):
    save_definition(session, mini(), clock)
    set_status(session, "mini-2026", SurveyStatus.OPEN)


def add_contact(session, clock, phone, language=None, schools=(), role="parent") -> Contact:
    rows = session.scalars(select(School).where(School.code.in_(schools))).all()
    contact = Contact(
        phone=phone, language=language, role=role, created_at=clock(), opted_out=False
    )
    contact.schools = list(rows)
    session.add(contact)
    session.commit()
    return contact
