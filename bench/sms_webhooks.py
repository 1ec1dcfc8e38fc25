"""Inbound SMS webhooks per second under gunicorn on PostgreSQL, beside a bare Flask TwiML
endpoint, and the outbox worker's sustained send rate against a local fake Twilio.

    .venv/bin/python bench/sms_webhooks.py [--phones 200] [--warmup 20] [--workers 3]
                                           [--clients 8] [--rounds 3] [--outbox 2000]
                                           [--outbox-workers 1,4] [--floor] [--base REF]

Each phone texts the whole mini survey (9 signed webhook calls, in order, one at
a time per phone, phones concurrently). The bare endpoint gets the same signed
bodies and answers a fixed TwiML message; the two take turns in alternating
rounds and the median of the rounds' ratios is printed. Afterwards the stored responses,
answers and inbound records are counted: none may be lost or duplicated.
Then N outbox messages are queued and sent by 1..k workers through the real
twilio client to the fake server, with the rate limit out of the way.
`--floor` also times a webhook that does only the durable minimum (FLOOR_APP),
to show how much of the bare rate any per-text transaction leaves. `--base REF`
also serves a git revision in the same rounds, as bench/web_submissions.py does.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from web_submissions import (  # noqa: E402
    Gunicorn,
    checkout,
    compare,
    drop_database,
    interleaved,
    remove_checkout,
    run_in,
    run_load,
    second_database,
)

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")
PG_BENCH_DB = "bench_sms"
SURVEY_FILE = ROOT / "tests" / "fixtures" / "mini.yaml"
AUTH_TOKEN = "bench-auth-token"
PUBLIC = "https://sms.bench.example"
PATH = "/sms/twilio/inbound"
SCRIPT = ["MINI", "1", "A", "1", "2", "3", "2", "1 2", "comment {i}"]
ANSWER_ROWS_PER_PHONE = 9  # eight questions, the multiple choice gives two rows
# 10:00 in Pasadena: inside the sending window, whatever the time the bench runs.
MORNING = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)

BARE_APP = """
from flask import Flask, Response
from twilio.twiml.messaging_response import MessagingResponse
app = Flask(__name__)

@app.post("/sms/twilio/inbound")
def inbound():
    twiml = MessagingResponse()
    twiml.message("What grade would you give the school?")
    return Response(str(twiml), mimetype="text/xml")
"""

# --floor: the least a durable, in-order, exactly-once webhook can do, to show what 40% allows.
# 2 statements: lock the phone's row, record the MessageSid (then commit). 5: also the
# MessageSid check, the active conversation and one UPDATE, as a real turn needs at least.
FLOOR_APP = """
import os
import sqlalchemy as sa
from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

app = Flask(__name__)
engine = sa.create_engine(os.environ["FLOOR_DATABASE_URL"])
validator = RequestValidator(os.environ["FLOOR_AUTH_TOKEN"])
URL = os.environ["FLOOR_PUBLIC_URL"]
FULL = os.environ["FLOOR_STATEMENTS"] == "5"
REPLY = "What grade would you give the school?"
LOCK = sa.text("select id from sms_contact where phone = :phone for update")
SEEN = sa.text("select 1 from bench_floor where sid = :sid")
ACTIVE = sa.text("select id from sms_conversation where contact_id = :id and status = 'active'")
TOUCH = sa.text("update sms_contact set language = language where id = :id")
RECORD = sa.text("insert into bench_floor (sid, reply) values (:sid, :reply)")

@app.post("/sms/twilio/inbound")
def inbound():
    signature = request.headers.get("X-Twilio-Signature", "")
    if not validator.validate(URL, request.form, signature):
        abort(403)
    form = request.form
    with engine.begin() as connection:
        contact = connection.execute(LOCK, {"phone": form["From"]}).scalar_one()
        if FULL:
            connection.execute(SEEN, {"sid": form["MessageSid"]}).first()
            connection.execute(ACTIVE, {"id": contact}).first()
            connection.execute(TOUCH, {"id": contact})
        connection.execute(RECORD, {"sid": form["MessageSid"], "reply": REPLY})
    twiml = MessagingResponse()
    twiml.message(REPLY)
    return Response(str(twiml), mimetype="text/xml")
"""


def postgres_url() -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {PG_BENCH_DB}")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_BENCH_DB


def prepare(url: str, phones: list[str]):
    from flask_migrate import upgrade
    from sqlalchemy.orm import Session

    from engagement import create_app
    from engagement.adapters.clock import system_clock
    from engagement.extensions import db
    from engagement.models import Contact, School, SurveyStatus
    from engagement.seeding import load_framework, load_schools
    from engagement.surveys.store import load_template_files, set_status

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        engine = db.engine
    with Session(engine) as session:
        load_schools(session)
        load_framework(session)
        (result,), problems = load_template_files(session, [SURVEY_FILE], system_clock)
        assert not problems, problems
        set_status(session, result.slug, SurveyStatus.OPEN)
        school = session.query(School).filter_by(code="field").one()
        for phone in phones:
            contact = Contact(phone=phone, language="en", created_at=system_clock())
            contact.schools = [school]
            session.add(contact)
        session.commit()
    return app, engine


def signed_requests(phones: list[str]) -> list[list[tuple[dict, bytes]]]:
    """For each phone, its messages in order as (headers, body), signed for the public URL."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(AUTH_TOKEN)
    conversations = []
    for i, phone in enumerate(phones):
        messages = []
        for step, text in enumerate(SCRIPT):
            params = {
                "MessageSid": f"SM{i:08d}{step:04d}",
                "AccountSid": "AC" + "0" * 32,
                "From": phone,
                "To": "+16265550299",
                "Body": text.format(i=i),
            }
            headers = {
                "X-Twilio-Signature": validator.compute_signature(PUBLIC + PATH, params),
                "Content-Type": "application/x-www-form-urlencoded",
            }
            messages.append((headers, urlencode(params).encode()))
        conversations.append(messages)
    return conversations


def twiml_reply(reply, data) -> tuple[bool, str]:
    """A webhook's reply: TwiML with a message in it."""
    return reply.status == 200 and b"<Message>" in data, f"{reply.status} {data[:120]!r}"


def phone_jobs(conversations) -> list:
    """One job per phone: its texts, sent in order, one at a time."""
    return [[(PATH, headers, body) for headers, body in messages] for messages in conversations]


def run_conversations(port: int, conversations, clients: int):
    """Each client thread plays whole phones, one message at a time; latencies and failures."""
    return run_load(port, phone_jobs(conversations), clients, twiml_reply)


def count(url: str) -> dict[str, int]:
    import sqlalchemy as sa

    from engagement.config import normalise_database_url

    engine = sa.create_engine(normalise_database_url(url))
    with engine.connect() as connection:
        found = {
            table: connection.execute(sa.text(f"select count(*) from {table}")).scalar_one()
            for table in ("response", "answer", "sms_inbound")
        }
        found["distinct comments"] = connection.execute(
            sa.text("select count(distinct value_text) from answer where value_text is not null")
        ).scalar_one()
    engine.dispose()
    return found


def bench_outbox(engine, messages: int, worker_counts: list[int]) -> None:
    from sqlalchemy import delete, func, select
    from sqlalchemy.orm import Session

    from engagement.models import Contact, OutboundMessage, OutboundStatus
    from engagement.sms.outbox import OutboxSettings, queue_message, run_worker
    from engagement.sms.transports import TwilioTransport
    from tests.fake_twilio import ACCOUNT_SID, FakeTwilio
    from tests.fake_twilio import AUTH_TOKEN as FAKE_TOKEN

    print(f"\nOutbox: {messages} messages through the real twilio client to a local fake Twilio")
    for workers in worker_counts:
        with Session(engine) as session:
            session.execute(delete(OutboundMessage))
            contacts = session.scalars(select(Contact).order_by(Contact.id)).all()
            for i in range(messages):
                queue_message(
                    session, contacts[i % len(contacts)], f"Reminder {i}", "reminder", MORNING
                )
            session.commit()
        with FakeTwilio() as fake:

            def work(_n, fake=fake):
                transport = TwilioTransport(
                    ACCOUNT_SID, FAKE_TOKEN, from_number="+16265550299", base_url=fake.url
                )
                with Session(engine) as session:
                    settings = OutboxSettings(rate=100_000.0, batch_size=20)
                    return run_worker(session, transport, lambda: MORNING, settings, once=True)

            started = time.perf_counter()
            threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - started
            bodies = [m["Body"] for m in fake.messages]
        with Session(engine) as session:
            unsent = session.scalar(
                select(func.count())
                .select_from(OutboundMessage)
                .where(OutboundMessage.status != OutboundStatus.SENT)
            )
        print(
            f"  {workers} worker(s): {messages / seconds:8.1f} messages/s   "
            f"texts received by the fake {len(bodies)}, distinct {len(set(bodies))}, "
            f"unsent {unsent}   (target >= 100/s)"
        )


def bench_floor(engine, url: str, workdir: Path, args, conversations, bare_port: int) -> None:
    """Time FLOOR_APP with 2 and with 5 statements per text, each beside the bare endpoint."""
    import sqlalchemy as sa

    from engagement.config import normalise_database_url

    env = {
        **os.environ,
        "FLOOR_DATABASE_URL": normalise_database_url(url),
        "FLOOR_AUTH_TOKEN": AUTH_TOKEN,
        "FLOOR_PUBLIC_URL": PUBLIC + PATH,
    }
    print("Floor: a minimal durable webhook (row lock, MessageSid recorded, commit), no engine")
    for statements in (2, 5):
        with engine.begin() as connection:
            connection.execute(sa.text("drop table if exists bench_floor"))
            connection.execute(
                sa.text("create table bench_floor (sid text primary key, reply text)")
            )
        server = Gunicorn(
            "floor_app:app", args.workers, {**env, "FLOOR_STATEMENTS": str(statements)}, workdir
        )
        try:
            run_conversations(server.port, conversations[: args.warmup], args.clients)
            jobs = phone_jobs(conversations[args.warmup :])
            sides = {"floor": (server.port, jobs), "bare": (bare_port, jobs)}
            results = interleaved(sides, args.rounds, args.clients, twiml_reply)
            labels = {"floor": f"floor, {statements} statements", "bare": "bare TwiML endpoint"}
            compare(results, labels, "")
        finally:
            server.stop()
    with engine.begin() as connection:
        connection.execute(sa.text("drop table bench_floor"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=200, help="timed phones")
    parser.add_argument("--warmup", type=int, default=20, help="extra phones, not timed")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="alternating app/bare rounds")
    parser.add_argument("--outbox", type=int, default=2000)
    parser.add_argument("--outbox-workers", default="1,4")
    parser.add_argument(
        "--floor", action="store_true", help="also time minimal durable webhooks (see FLOOR_APP)"
    )
    parser.add_argument("--base", metavar="REF", help="also time this git revision of the app")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-sms-"))
    (workdir / "bare_app.py").write_text(BARE_APP)
    (workdir / "floor_app.py").write_text(FLOOR_APP)
    print(
        f"gunicorn sync workers: {args.workers}; concurrent clients: {args.clients}; "
        f"phones: {args.phones} x {len(SCRIPT)} messages; CPUs: {os.cpu_count()}"
    )
    url = postgres_url()
    total = args.phones + args.warmup
    phones = [f"+1626{i // 10000 + 200:03d}{i % 10000:04d}" for i in range(total)]
    _app, engine = prepare(url, phones)
    conversations = signed_requests(phones)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "PYTHONPATH": str(ROOT),
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_BASE_URL": PUBLIC,
    }
    app_server = Gunicorn("wsgi:app", args.workers, env, ROOT)
    bare_server = Gunicorn("bare_app:app", args.workers, {**os.environ}, workdir)
    base = checkout(args.base, workdir / "base") if args.base else None
    base_server = base_url = None
    try:
        # Warm the servers (imports, compiled statements, connection pools) untimed.
        warm, timed = conversations[: args.warmup], conversations[args.warmup :]
        run_conversations(app_server.port, warm, args.clients)
        run_conversations(bare_server.port, warm, args.clients)
        sides = {"app": (app_server.port, phone_jobs(timed))}
        sides["bare"] = (bare_server.port, phone_jobs(timed))
        if base:
            base_url = second_database(url, PG_BENCH_DB + "_base")
            run_in(base, PREPARE_BASE, base_url, json.dumps(phones))
            base_env = {**env, "DATABASE_URL": base_url, "PYTHONPATH": str(base)}
            base_server = Gunicorn("wsgi:app", args.workers, base_env, base, root=base)
            run_conversations(base_server.port, warm, args.clients)
            sides["base"] = (base_server.port, phone_jobs(timed))
        results = interleaved(sides, args.rounds, args.clients, twiml_reply)
        print("PostgreSQL: signed inbound SMS webhooks (TwiML replies)")
        labels = {"app": "SMS conversation webhook", "bare": "bare Flask TwiML endpoint"}
        compare(results, labels, "  (target >= 40%)")
        if base:
            print(f"  {args.base} served in the same rounds:")
            base_labels = {"base": f"{args.base} (webhook)", "bare": labels["bare"]}
            compare(results, base_labels, "", shown=["base"])
            compare(results, {"app": "app", "base": "base"}, "", shown=[])
            base_server.stop()
        app_server.stop()
        expected = {
            "response": total,
            "answer": total * ANSWER_ROWS_PER_PHONE,
            "sms_inbound": total * len(SCRIPT),
            "distinct comments": total,
        }
        for where, whose in ((url, ""), (base_url, " by the base")):
            if where:
                found = count(where)
                mismatch = f"MISMATCH: expected {expected}"
                verdict = "none lost or duplicated" if found == expected else mismatch
                print(f"  stored{whose}: {found}  ({verdict})")
        if args.floor:
            bench_floor(engine, url, workdir, args, conversations, bare_server.port)
    finally:
        app_server.stop()
        bare_server.stop()
        if base_server:
            base_server.stop()
    bench_outbox(engine, args.outbox, [int(n) for n in args.outbox_workers.split(",")])
    engine.dispose()
    if base:
        remove_checkout(base)
        drop_database(PG_BENCH_DB + "_base")
    shutil.rmtree(workdir, ignore_errors=True)
    drop_database(PG_BENCH_DB)


# Run on the base revision's code: migrates and prepares its database with the same phones.
PREPARE_BASE = """
import json, sys
import sms_webhooks
sms_webhooks.prepare(sys.argv[1], json.loads(sys.argv[2]))[1].dispose()
"""


if __name__ == "__main__":
    main()
