"""Many phones at once, and several outbox workers at once, on PostgreSQL (row locks)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engagement.extensions import db
from engagement.models import Answer, InboundMessage, OutboundMessage, OutboundStatus, Question
from engagement.sms.conversation import Inbound, SmsSettings, handle_inbound
from engagement.sms.outbox import OutboxSettings, queue_message, run_worker
from engagement.sms.transports import TwilioTransport
from tests.conftest import _empty_all_tables
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.sms import add_contact, open_mini, sms_app

pytestmark = pytest.mark.postgres_only

PHONES = [f"+1626555{2000 + i:04d}" for i in range(20)]


@pytest.fixture
def pg_app(postgres_url, clock):
    _empty_all_tables(postgres_url)
    app = sms_app(postgres_url, clock, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 25})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def pg_session(pg_app):
    from engagement.seeding import load_framework, load_schools

    with pg_app.app_context():
        engine = db.engine
    with Session(engine) as session:
        load_schools(session)
        load_framework(session)
        yield session


def _script(i: int) -> list[str]:
    return ["MINI", "1", "A", "1", "2", "3", str(i % 12), "1 2", f"comment {i}"]


def test_twenty_phones_texting_at_once_store_every_answer_once_in_order(pg_app, pg_session, clock):
    open_mini(pg_session, clock)
    for phone in PHONES:
        add_contact(pg_session, clock, phone, "en", ("field",))
    settings = SmsSettings.from_config(pg_app.config)
    with pg_app.app_context():
        engine = db.engine

    def deliver(message: Inbound) -> list[str]:
        with pg_app.app_context(), Session(engine) as session:
            return handle_inbound(session, message, clock, settings)

    def phone_texts(index: int) -> list[list[str]]:
        """One phone's messages in order, each delivered twice at once (a retried webhook)."""
        got = []
        with ThreadPoolExecutor(2) as twice:
            for step, body in enumerate(_script(index)):
                message = Inbound(f"SM{index:04d}{step:04d}", PHONES[index], body)
                first, second = twice.map(deliver, [message, message])
                assert first == second
                got.append(first)
        return got

    with ThreadPoolExecutor(20) as pool:
        conversations = list(pool.map(phone_texts, range(20)))

    for replies in conversations:
        assert replies[-1] == ["Thanks!"]
    pg_session.expire_all()
    assert pg_session.scalar(select(func.count()).select_from(InboundMessage)) == 20 * 9
    rows = pg_session.execute(
        select(Answer.response_id, Question.key, Answer.value_number, Answer.value_text)
        .join(Question, Question.id == Answer.question_id)
        .order_by(Answer.response_id, Answer.id)
    ).all()
    by_response: dict[int, list] = {}
    for response_id, key, number, value_text in rows:
        by_response.setdefault(response_id, []).append((key, value_text or number))
    assert len(by_response) == 20
    comments = Counter(
        value for answers in by_response.values() for key, value in answers if key == "comment"
    )
    assert comments == Counter(f"comment {i}" for i in range(20))
    for answers in by_response.values():
        keys = [key for key, _value in answers]
        assert keys == [
            "attended",
            "grade",
            "band",
            "how_often",
            "safe",
            "kids",
            "channels",
            "channels",
            "comment",
        ]
        index = int(answers[-1][1].split()[1])
        assert answers[5] == ("kids", float(index % 12))


def test_several_workers_never_send_a_message_twice(pg_app, pg_session, clock):
    from datetime import UTC, datetime

    clock.now = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    for i in range(200):
        contact = add_contact(pg_session, clock, f"+1626556{i:04d}", "en", ("field",))
        queue_message(pg_session, contact, f"hello {i}", "invitation", clock())
    pg_session.commit()
    with pg_app.app_context():
        engine = db.engine

    with FakeTwilio() as fake:

        def work(_n: int) -> int:
            transport = TwilioTransport(
                ACCOUNT_SID, AUTH_TOKEN, from_number="+16265550299", base_url=fake.url
            )
            with Session(engine) as session:
                settings = OutboxSettings(rate=10_000.0, batch_size=5)
                return run_worker(session, transport, clock, settings, once=True).sent

        with ThreadPoolExecutor(4) as pool:
            sent = list(pool.map(work, range(4)))

    assert sum(sent) == 200
    assert len(fake.attempts) == 200 and len(set(fake.attempts)) == 200
    assert sum(1 for n in sent if n) >= 2  # the work really was shared
    statuses = pg_session.scalars(select(OutboundMessage.status)).all()
    assert Counter(statuses) == {OutboundStatus.SENT: 200}
