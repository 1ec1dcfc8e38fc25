"""Campaigns, the outbox and its worker against a local fake Twilio that the real client calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from engagement.models import (
    Campaign,
    Contact,
    Conversation,
    ConversationStatus,
    OptEvent,
    OutboundMessage,
    OutboundStatus,
    School,
    Survey,
)
from engagement.sms.campaigns import create_campaign, estimate_campaign, remind_non_responders
from engagement.sms.conversation import SmsSettings
from engagement.sms.outbox import OutboxSettings, abandon_stale, claim, run_worker, send_claimed
from engagement.sms.transports import TwilioTransport
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.sms import MORNING, OUTBOX, SMS_CONFIG, add_contact, open_mini, post_signed, text

pytestmark = pytest.mark.app_config(**SMS_CONFIG)


@pytest.fixture
def fake():
    with FakeTwilio() as server:
        yield server


@pytest.fixture
def transport(fake):
    return TwilioTransport(ACCOUNT_SID, AUTH_TOKEN, from_number="+16265550299", base_url=fake.url)


@pytest.fixture
def ready(app, seeded, clock):
    """The mini survey open and five contacts, one opted out; runs inside an app context."""
    clock.now = MORNING
    open_mini(seeded, clock)
    add_contact(seeded, clock, "+16265550001", "en", ("field",))
    add_contact(seeded, clock, "+16265550002", "es", ("field", "jackson"))
    add_contact(seeded, clock, "+16265550003", "zh", ("jackson",))
    add_contact(seeded, clock, "+16265550004", None, ("field",))
    gone = add_contact(seeded, clock, "+16265550005", "en", ("field",))
    gone.opted_out = True
    add_contact(seeded, clock, "+16265550006", "en", ("madison",))  # not a chosen school
    seeded.commit()
    with app.app_context():
        yield seeded


def _ids(session, *codes):
    return [s.id for s in session.scalars(select(School).where(School.code.in_(codes)))]


def _survey_id(session):
    return session.scalars(select(Survey)).one().id


def _settings(app):
    return SmsSettings.from_config(app.config)


def _worker(session, transport, clock, **kwargs):
    return run_worker(session, transport, clock, OUTBOX, once=True, sleep=lambda s: None, **kwargs)


def test_campaign_invites_each_contact_in_their_language_and_the_worker_sends(
    app, ready, clock, fake, transport
):
    session = ready
    schools = _ids(session, "field", "jackson")
    estimate = estimate_campaign(session, _survey_id(session), schools, [], clock, _settings(app))
    assert estimate.recipients == 4
    campaign = create_campaign(session, _survey_id(session), schools, [], clock, _settings(app))
    queued = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
    assert len(queued) == 4 == len(campaign.invitations)
    assert estimate.segments == sum(m.segments for m in queued)
    assert {k: v[0] for k, v in estimate.by_language.items()} == {"en": 1, "es": 1, "zh": 1, "": 1}

    stats = _worker(session, transport, clock)
    assert stats.sent == 4
    bodies = {m["To"]: m["Body"] for m in fake.messages}
    assert set(bodies) == {"+16265550001", "+16265550002", "+16265550003", "+16265550004"}
    assert bodies["+16265550001"].startswith("PUSD Engagement: please answer our Mini survey")
    assert "Did you attend a school event this year?\n1 Yes\n2 No" in bodies["+16265550001"]
    assert "¿Sobre qué escuela son sus respuestas?" in bodies["+16265550002"]
    assert "您今年参加过学校活动吗？" in bodies["+16265550003"]
    assert "Responda 2 para español." in bodies["+16265550004"]
    # Where the answers go, in the invitation that asks a first question (in its language).
    assert (
        "Reply STOP to opt out. Your answers are not kept with your phone number,"
        " and we only report group results.\n" in bodies["+16265550001"]
    )
    assert "Sus respuestas no se guardan con su número de teléfono" in bodies["+16265550002"]
    assert "回复 STOP 退订。您的回答不会与您的电话号码一起保存" in bodies["+16265550003"]
    # Language not known yet: who asks and how to stop, in all three, before the choice
    # (and not three times where the answers go: the survey's opening says it in theirs).
    assert "kept with your phone" not in bodies["+16265550004"]
    assert bodies["+16265550004"].split("\n")[:3] == [
        "PUSD Engagement: please answer our Mini survey by text. Reply STOP to opt out.",
        "PUSD Engagement: por favor conteste nuestra Encuesta mini por mensaje de texto. "
        "Responda STOP para darse de baja.",
        "PUSD Engagement：请通过短信回答我们的小调查。回复 STOP 退订。",
    ]
    assert all(
        m["StatusCallback"].startswith("https://sms.example.org/sms/twilio/status?m=")
        for m in fake.messages
    )
    session.expire_all()
    assert {m.status for m in session.scalars(select(OutboundMessage))} == {OutboundStatus.SENT}
    assert all(m.twilio_sid.startswith("SM") for m in session.scalars(select(OutboundMessage)))

    # The invited English parent answers by text: the invitation's first question is live.
    client = app.test_client()
    assert text(client, "+16265550001", "yes")[0].startswith("What grade")
    # A second campaign for the same survey invites nobody twice.
    again = create_campaign(session, _survey_id(session), schools, [], clock, _settings(app))
    assert again.invitations == []


def test_language_filter_and_reminders_reach_only_non_responders(
    app, ready, clock, fake, transport
):
    session = ready
    campaign = create_campaign(
        session,
        _survey_id(session),
        _ids(session, "field", "jackson"),
        ["en", "zh"],
        clock,
        _settings(app),
    )
    assert len(campaign.invitations) == 2
    client = app.test_client()
    for answer in ["1", "A", "skip", "skip", "skip", "skip", "skip", "skip"]:
        last = text(client, "+16265550001", answer)
    assert last == ["Thanks!"]
    # The invitations go out, but the one whose parent already answered everything by text:
    # its first question is long past.
    stats = _worker(session, transport, clock)
    assert (stats.sent, stats.cancelled) == (1, 1)
    clock.advance(days=2)
    assert remind_non_responders(session, campaign.id, clock, _settings(app)) == 1
    reminder = session.scalars(
        select(OutboundMessage).where(OutboundMessage.kind == "reminder")
    ).one()
    assert reminder.contact.phone == "+16265550003"
    assert reminder.body.startswith("PUSD Engagement：提醒您回答我们的小调查")
    assert "您今年参加过学校活动吗？" in reminder.body
    # Their language came from the contacts file: the reminder offers the other two too.
    assert "English? Reply ENGLISH.\n¿Español? Responda ESPAÑOL." in reminder.body
    # A second call sends nothing more (one reminder each by default).
    assert remind_non_responders(session, campaign.id, clock, _settings(app)) == 0


def test_quiet_hours_and_rate_limit(app, ready, clock, transport, fake):
    session = ready
    create_campaign(
        session, _survey_id(session), _ids(session, "field", "jackson"), [], clock, _settings(app)
    )
    clock.now = datetime(2026, 11, 25, 5, 30, tzinfo=UTC)  # 21:30 in Pasadena
    assert _worker(session, transport, clock).sent == 0
    clock.now = datetime(2026, 11, 25, 15, 59, tzinfo=UTC)  # 7:59
    assert _worker(session, transport, clock).sent == 0
    assert fake.attempts == []
    clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # 8:00
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    stats = run_worker(
        session,
        transport,
        clock,
        OutboxSettings(rate=2.0),
        once=True,
        sleep=sleep,
        timer=lambda: now[0],
    )
    assert stats.sent == 4
    # Four messages at two a second: three half-second gaps.
    assert sum(slept) == pytest.approx(1.5)


def test_a_crash_between_sending_and_recording_never_sends_twice(
    app, ready, clock, transport, fake
):
    session = ready
    create_campaign(
        session, _survey_id(session), _ids(session, "field"), ["en"], clock, _settings(app)
    )

    class Crash(BaseException):
        pass

    class CrashAfterSending:
        def send(self, to, body, status_callback):
            transport.send(to, body, status_callback)
            raise Crash()

    [message_id] = claim(session, clock(), 10)
    with pytest.raises(Crash):
        send_claimed(session, message_id, CrashAfterSending(), clock, OUTBOX)
    session.rollback()
    assert len(fake.messages) == 1
    # The restarted worker does not send it again.
    assert _worker(session, transport, clock).sent == 0
    assert len(fake.messages) == 1
    message = session.get(OutboundMessage, message_id)
    assert message.status == OutboundStatus.SENDING and message.twilio_sid is None
    # Twilio's status callback names the row: the sid and the delivery are recorded.
    sid = fake.messages[0]["sid"]
    response = post_signed(
        app.test_client(),
        "/sms/twilio/status",
        {"MessageSid": sid, "MessageStatus": "delivered"},
        query=f"m={message_id}",
    )
    assert response.status_code == 204
    session.expire_all()
    message = session.get(OutboundMessage, message_id)
    assert (message.status, message.twilio_sid) == (OutboundStatus.DELIVERED, sid)


def test_stale_claims_become_unknown_not_resent(app, ready, clock, transport, fake):
    session = ready
    create_campaign(
        session, _survey_id(session), _ids(session, "field"), ["en"], clock, _settings(app)
    )
    claim(session, clock(), 10)
    clock.advance(minutes=11)
    assert abandon_stale(session, clock, timedelta(minutes=10)) == 1
    assert _worker(session, transport, clock).sent == 0
    assert fake.attempts == []


def test_twilio_21610_opts_the_contact_out(app, ready, clock, transport, fake):
    session = ready
    fake.fail("+16265550001", (400, 21610))
    create_campaign(
        session, _survey_id(session), _ids(session, "field"), ["en"], clock, _settings(app)
    )
    stats = _worker(session, transport, clock)
    assert stats.failed == 1
    session.expire_all()
    contact = session.scalars(select(Contact).where(Contact.phone == "+16265550001")).one()
    assert contact.opted_out
    event = session.scalars(select(OptEvent)).one()
    assert (event.kind.value, event.source) == ("opt_out", "twilio_21610")
    message = session.scalars(select(OutboundMessage)).one()
    assert (message.status, message.error_code) == (OutboundStatus.FAILED, 21610)


def test_temporary_errors_are_retried_with_backoff(app, ready, clock, transport, fake):
    session = ready
    fake.fail("+16265550001", (503, 20500), (429, 20429))
    create_campaign(
        session, _survey_id(session), _ids(session, "field"), ["en"], clock, _settings(app)
    )
    assert _worker(session, transport, clock).retried == 1
    message = session.scalars(select(OutboundMessage)).one()
    assert (message.status, message.attempts) == (OutboundStatus.QUEUED, 1)
    assert message.not_before == clock() + timedelta(seconds=30)
    assert _worker(session, transport, clock).sent == 0  # not due yet
    clock.advance(seconds=31)
    assert _worker(session, transport, clock).retried == 1  # 429: backoff doubles
    session.expire_all()
    assert session.scalars(select(OutboundMessage)).one().not_before == clock() + timedelta(
        seconds=60
    )
    clock.advance(seconds=61)
    assert _worker(session, transport, clock).sent == 1
    assert fake.attempts == ["+16265550001"] * 3 and len(fake.messages) == 1


def test_status_callbacks_move_forward_only_and_are_signed(app, ready, clock, transport, fake):
    session = ready
    create_campaign(
        session, _survey_id(session), _ids(session, "field"), ["en"], clock, _settings(app)
    )
    _worker(session, transport, clock)
    sid = fake.messages[0]["sid"]
    client = app.test_client()
    for state in ("delivered", "sent"):
        assert (
            post_signed(
                client, "/sms/twilio/status", {"MessageSid": sid, "MessageStatus": state}
            ).status_code
            == 204
        )
    session.expire_all()
    assert session.scalars(select(OutboundMessage)).one().status == OutboundStatus.DELIVERED
    forged = client.post("/sms/twilio/status", data={"MessageSid": sid, "MessageStatus": "failed"})
    assert forged.status_code == 403
    assert post_signed(client, "/sms/twilio/status", {"MessageSid": sid}).status_code == 400


def test_stop_cancels_queued_texts_and_opted_out_numbers_are_never_sent(
    app, ready, clock, transport, fake
):
    session = ready
    create_campaign(session, _survey_id(session), _ids(session, "field"), [], clock, _settings(app))
    assert text(app.test_client(), "+16265550001", "STOP")[0].startswith("You will not")
    _worker(session, transport, clock)
    assert "+16265550001" not in fake.attempts and "+16265550005" not in fake.attempts
    session.expire_all()
    cancelled = session.scalars(
        select(OutboundMessage).where(OutboundMessage.status == OutboundStatus.CANCELLED)
    ).all()
    assert [m.contact.phone for m in cancelled] == ["+16265550001"]
    conversation = session.scalars(
        select(Conversation).join(Contact).where(Contact.phone == "+16265550001")
    ).one()
    assert conversation.status == ConversationStatus.ACTIVE  # START would resume it


def test_no_reminder_while_the_invitation_itself_waits_to_be_sent(
    app, ready, clock, fake, transport
):
    session = ready
    schools = _ids(session, "field")
    campaign = create_campaign(session, _survey_id(session), schools, ["en"], clock, _settings(app))
    # Sent after hours, the invitation waits for the morning: a reminder would arrive with it.
    assert remind_non_responders(session, campaign.id, clock, _settings(app)) == 0
    assert _worker(session, transport, clock).sent == 1
    clock.advance(days=2)
    assert remind_non_responders(session, campaign.id, clock, _settings(app)) == 1


def test_an_invitation_to_the_survey_a_phone_is_already_answering_starts_nothing_new(
    app, ready, clock, fake, transport
):
    session = ready
    client = app.test_client()
    assert text(client, "+16265550001", "MINI")[0].startswith("Mini survey.")
    campaign = create_campaign(
        session, _survey_id(session), _ids(session, "field"), ["en"], clock, _settings(app)
    )
    assert len(campaign.invitations) == 1
    assert session.scalars(select(OutboundMessage)).all() == []  # no second first question
    for answer in ["1", "A", "skip", "skip", "skip", "skip", "skip", "skip"]:
        last = text(client, "+16265550001", answer)
    assert last == ["Thanks!"]  # and nothing after it
    session.expire_all()
    assert campaign.invitations[0].responded  # their answers count for the invitation
    conversations = session.scalars(select(Conversation)).all()
    assert [c.status for c in conversations] == [ConversationStatus.COMPLETED]
    assert conversations[0].school_id is None  # with the day, it would name the response


def test_texts_queued_overnight_do_not_go_out_once_overtaken(app, ready, clock, transport):
    """A campaign sent at night waits for 8:00; by then its question may be out of date."""
    from engagement.designer.service import close, closing_summary
    from engagement.models import User

    session = ready
    clock.now = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)  # 4:30 in Pasadena
    create_campaign(
        session, _survey_id(session), _ids(session, "field"), ["en", "es"], clock, _settings(app)
    )
    # Before 8:00 the English parent texts back and answers the first question.
    clock.now = datetime(2026, 11, 25, 12, 35, tzinfo=UTC)
    client = app.test_client()
    assert text(client, "+16265550001", "yes")[0].startswith("What grade")
    summary = closing_summary(session, "mini-2026")
    assert summary.waiting_texts == 2
    clock.now = datetime(2026, 11, 25, 16, 5, tzinfo=UTC)  # 8:05
    stats = _worker(session, transport, clock)
    # The parent who moved on does not get "Did you attend..." again; the other one does.
    assert (stats.sent, stats.cancelled) == (1, 1)

    # A reminder queued before the survey closes does not go out after it.
    clock.now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    campaign = session.scalars(select(Campaign)).one()
    assert remind_non_responders(session, campaign.id, clock, _settings(app)) == 2
    office = User(email="office@example.org", name="Office", active=True, created_at=clock())
    session.add(office)
    session.commit()
    assert closing_summary(session, "mini-2026").waiting_texts == 2
    close(session, "mini-2026", actor=office, clock=clock)
    clock.now = datetime(2026, 11, 27, 16, 5, tzinfo=UTC)
    stats = _worker(session, transport, clock)
    assert (stats.sent, stats.cancelled) == (0, 2)


def test_a_student_survey_is_texted_to_students_only(app, ready, clock):
    from tests.support import FIXTURES, open_survey

    session = ready
    open_survey(session, clock, FIXTURES / "protected.yaml")
    add_contact(session, clock, "+16265550007", "en", ("field",), role="student")
    add_contact(session, clock, "+16265550008", "en", ("field",), role=None)
    survey = session.scalars(select(Survey).where(Survey.slug == "protected-2026")).one()
    estimate = estimate_campaign(
        session, survey.id, _ids(session, "field"), [], clock, _settings(app)
    )
    # Field: the student; left out, the three parents who can be texted and the one of no role.
    assert (estimate.recipients, estimate.other_roles) == (1, 4)
