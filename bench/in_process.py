"""What one web completion and one SMS answer cost in-process: Python CPU and PostgreSQL CPU.

    .venv/bin/python bench/in_process.py [--completions 400] [--phones 100]

No server and no load generator: the Flask test client drives the app in this
process, so the figures are the app's own work per request, with nothing else
competing for the two cores. The web part runs on SQLite and PostgreSQL, the
SMS part on PostgreSQL. Python CPU is this process's `time.process_time()`;
PostgreSQL CPU is read from /proc for the app's backend processes.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sms_webhooks  # noqa: E402
import web_submissions  # noqa: E402

PG_BENCH_DB = "bench_in_process"
WARM = 50


def backend_cpu(app) -> float:
    """Seconds of CPU used so far by the PostgreSQL backends serving this database.

    Asked on the app's own pooled connection: the one its requests use.
    """
    from sqlalchemy import text

    from engagement.extensions import db

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return 0.0
    with app.app_context():
        pids = db.session.scalars(
            text(
                "select pid from pg_stat_activity where datname = :name"
                " and backend_type = 'client backend'"
            ),
            {"name": PG_BENCH_DB},
        ).all()
        db.session.rollback()
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def measure(app, label: str, requests: list, send) -> None:
    """Send the warm-up requests untimed, then time the rest; print per-request costs.

    The heap is frozen first, as gunicorn.conf.py does in a server: otherwise how often a full
    garbage collection comes round (~85 ms each) depends on how many requests were prepared.
    """
    for request in requests[:WARM]:
        send(request)
    timed = requests[WARM:]
    gc.collect()
    gc.freeze()
    cpu, pg, wall = time.process_time(), backend_cpu(app), time.perf_counter()
    for request in timed:
        send(request)
    cpu, pg, wall = time.process_time() - cpu, backend_cpu(app) - pg, time.perf_counter() - wall
    gc.unfreeze()
    n = len(timed)
    print(
        f"  {label:<37} wall {wall / n * 1000:5.2f} ms   Python CPU {cpu / n * 1000:5.2f} ms"
        f"   PostgreSQL CPU {pg / n * 1000:5.2f} ms   ({n} requests)"
    )


def web(url: str, label: str, completions: int) -> None:
    from werkzeug.datastructures import MultiDict

    from engagement import create_app

    drafts = web_submissions.prepare_database(url, completions + WARM, web_submissions.SURVEY_FILE)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    client = app.test_client()
    posts = []
    for token, slug, last, final in drafts:
        client.set_cookie(f"draft_{slug}", token)
        path = f"/s/{slug}/p/{last + 1}"
        page = client.get(path).text
        token_field = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        pairs = [("csrf_token", token_field.group(1)), ("action", "next")]
        for key, value in final.items():
            pairs += [(key, str(item)) for item in (value if isinstance(value, list) else [value])]
        posts.append((slug, token, path, MultiDict(pairs)))

    def send(post):
        slug, token, path, form = post
        client.set_cookie(f"draft_{slug}", token)
        reply = client.post(path, data=form)
        assert reply.status_code == 302 and reply.location.endswith("/thanks"), reply.status

    measure(app, f"{label}: a completing final page", posts, send)


def sms(url: str, phones: int) -> None:
    from engagement import create_app

    numbers = [f"+1626{i // 10000 + 200:03d}{i % 10000:04d}" for i in range(phones)]
    sms_webhooks.prepare(url, numbers)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "TWILIO_AUTH_TOKEN": sms_webhooks.AUTH_TOKEN,
            "PUBLIC_BASE_URL": sms_webhooks.PUBLIC,
        }
    )
    client = app.test_client()
    texts = [text for phone in sms_webhooks.signed_requests(numbers) for text in phone]

    def send(text):
        headers, body = text
        reply = client.post(sms_webhooks.PATH, data=body, headers=headers)
        assert reply.status_code == 200, reply.status

    # Phones text in turn, each whole conversation in order (the warm-up is 50 texts).
    measure(app, "PostgreSQL: an SMS text (webhook)", texts, send)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--completions", type=int, default=400)
    parser.add_argument("--phones", type=int, default=100)
    args = parser.parse_args()
    print("Per request, in-process (Flask test client), after 50 untimed:")
    with tempfile.TemporaryDirectory(prefix="bench-in-process-") as workdir:
        web(f"sqlite:///{workdir}/bench.db", "SQLite", args.completions)
    web_submissions.PG_BENCH_DB = PG_BENCH_DB
    web(web_submissions.postgres_url(), "PostgreSQL", args.completions)
    sms_webhooks.PG_BENCH_DB = PG_BENCH_DB
    sms(sms_webhooks.postgres_url(), args.phones)
    web_submissions.drop_database(PG_BENCH_DB)


if __name__ == "__main__":
    main()
