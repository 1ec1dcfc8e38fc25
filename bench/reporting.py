"""Reporting benchmark: rebuild every indicator vs one plain GROUP BY, summary latency, memory.

    .venv/bin/python bench/reporting.py --responses 1000000 [--postgres] [--reuse]

SQLite: a file in a temporary folder (or --sqlite-file). --postgres: a fresh database
`bench_reporting` created (dropped first) on the server BENCH_PG_ADMIN points to
(default: the local test server). --reuse keeps the last run's data (generating a
million responses takes 5-12 minutes) and migrates it to the current schema.

Generates a 25-question survey (20 Likert items in 4 scales, 3 yes/no engagement
items, a grade, a bullying item) and N responses across the schools, with answers and
per-response outcomes (decided by scoring.py for a pool of distinct answer sets).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, text

from engagement import create_app
from engagement.extensions import db
from engagement.models import (
    Answer,
    RespondentGroup,
    Response,
    ResponseOutcome,
    School,
    Survey,
    SurveyStatus,
)
from engagement.reporting import cube
from engagement.reporting.metrics import Filters
from engagement.reporting.service import CellSizes, indicator_table, summary, survey_report
from engagement.seeding import load_framework, load_schools
from engagement.surveys.definition import definition_from_dict
from engagement.surveys.scoring import outcomes
from engagement.surveys.store import save_definition, set_status

NOW = datetime(2026, 11, 24, tzinfo=UTC)
T = {"en": "x", "es": "x", "zh": "x"}


def survey_dict() -> dict:
    questions = []
    for scale, indicator in enumerate(
        [
            "school_connectedness",
            "caring_adult",
            "social_personal_competencies",
            "community_engagement",
        ]
    ):
        for item in range(5):
            questions.append(
                {
                    "key": f"s{scale}_{item}",
                    "type": "likert",
                    "text": T,
                    "indicator": indicator,
                    "reverse_coded": item == 4,
                    "choices": [{"value": v, "code": f"c{v}", "label": T} for v in range(1, 6)],
                    "favourable": [1, 2] if item == 4 else [4, 5],
                }
            )
    for key in ("fe_school_activities", "fe_committees", "fe_conferences"):
        questions.append(
            {
                "key": key,
                "type": "yes_no",
                "text": T,
                "indicator": "family_engagement",
                "choices": [
                    {"value": 1, "code": "yes", "label": T},
                    {"value": 0, "code": "no", "label": T},
                ],
                "favourable": [1],
            }
        )
    questions.append(
        {
            "key": "school_grade",
            "type": "grade",
            "text": T,
            "indicator": "school_rating",
            "choices": [
                {"value": v, "code": c, "label": T}
                for v, c in [(4, "a"), (3, "b"), (2, "c"), (1, "d"), (0, "f")]
            ],
            "favourable": [3, 4],
        }
    )
    questions.append(
        {
            "key": "bullied_in_person",
            "type": "single_choice",
            "text": T,
            "indicator": "bullying",
            "choices": [{"value": v, "code": f"b{v}", "label": T} for v in range(1, 6)],
        }
    )
    return {
        "slug": "bench-2026",
        "title": T,
        "audience": "student",
        "school_year": "2026-27",
        "languages": ["en", "es", "zh"],
        "sections": [{"key": "all", "title": T, "questions": questions}],
        "outcomes": [
            {
                "indicator": "bullying",
                "rule": "any_of",
                "questions": ["bullied_in_person"],
                "values": [2, 3, 4, 5],
            }
        ],
    }


def generate(session, definition, n: int, rng: random.Random) -> None:
    survey = session.scalars(select(Survey)).one()
    version = survey.versions[-1]
    qids = version.question_ids
    schools = list(session.scalars(select(School.id)))
    pool = []
    for _ in range(2000):
        answers = {}
        for q in definition.questions:
            values = [c.value for c in q.choices]
            answers[q.key] = rng.choice(values)
        pool.append(
            (answers, {k: v for k, v in outcomes(definition, answers).items() if v is not None})
        )
    groups = {}
    for school in schools:
        for channel in ("web", "sms"):
            for language in ("en", "es", "zh"):
                for band in ("6-8", "9-12"):
                    groups[school, channel, language, band] = session.execute(
                        insert(RespondentGroup)
                        .values(
                            school_id=school,
                            channel=channel,
                            language=language,
                            role="student",
                            grade_band=band,
                        )
                        .returning(RespondentGroup.id)
                    ).scalar_one()
    batch = 20000
    next_id = 1
    for start in range(0, n, batch):
        responses, answers_rows, outcome_rows = [], [], []
        for rid in range(next_id, next_id + min(batch, n - start)):
            answers, decided = pool[rng.randrange(len(pool))]
            school = rng.choice(schools)
            channel = "web" if rng.random() < 0.7 else "sms"
            language = rng.choice(["en", "en", "es", "zh"])
            band = rng.choice(["6-8", "9-12"])
            responses.append(
                {
                    "id": rid,
                    "version_id": version.id,
                    "group_id": groups[school, channel, language, band],
                    "school_id": school,
                    "channel": channel,
                    "language": language,
                    "role": "student",
                    "grade_band": band,
                    "started_at": NOW,
                    "completed_at": NOW,
                }
            )
            for key, value in answers.items():
                answers_rows.append(
                    {
                        "response_id": rid,
                        "question_id": qids[key],
                        "group_id": responses[-1]["group_id"],
                        "ordinal": 0,
                        "value_number": float(value),
                        "value_text": None,
                    }
                )
            for key, value in decided.items():
                outcome_rows.append({"response_id": rid, "indicator": key, "value": value})
        next_id += len(responses)
        session.execute(insert(Response), responses)
        session.execute(insert(Answer), answers_rows)
        session.execute(insert(ResponseOutcome), outcome_rows)
        session.commit()


def postgres_url(reuse: bool) -> str:
    import psycopg

    admin = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = 'bench_reporting'"
        ).fetchone()
        if not (reuse and exists):
            connection.execute("DROP DATABASE IF EXISTS bench_reporting WITH (FORCE)")
            connection.execute("CREATE DATABASE bench_reporting")
    return (
        admin.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0]
        + "/bench_reporting"
    )


def timed(fn, repeat=1):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def http_timings(app, repeat: int = 15) -> tuple[list[float], list[float]]:
    """The page and the API as their readers get them, through the app's own routes.

    Called outside any app context: each request gets its own, as under a server.
    """
    from engagement.auth.passwords import hasher_for
    from engagement.auth.service import Assignment, create_api_token, create_user
    from engagement.models import Role, User

    password = "bench password 2026"

    def user(email, role, areas=()):
        existing = session.scalars(select(User).where(User.email == email)).first()
        if existing is not None:  # a --reuse run
            return existing
        assignment = Assignment(
            name=email, roles=frozenset({role}), result_areas=frozenset(areas), schools=frozenset()
        )
        return create_user(
            session,
            email,
            assignment,
            lambda: NOW,
            actor=None,
            password=password,
            hasher=hasher_for("CHEAPEST"),
        )

    with app.app_context():
        session = db.session
        user("wg@bench.test", Role.WORKING_GROUP, ["B"])
        lead = user("lead@bench.test", Role.LEADERSHIP)
        token = create_api_token(session, lead, "bench", lambda: NOW)
    client = app.test_client()
    client.post("/auth/login", data={"email": "wg@bench.test", "password": password})

    def get(url, **kwargs):
        response = client.get(url, **kwargs)
        assert response.status_code == 200, (url, response.status_code)

    page = timed(lambda: get("/reports/area/B"), repeat)
    api = timed(
        lambda: get(
            "/api/v1/surveys/bench-2026/summary?by=school,indicator",
            headers={"Authorization": f"Bearer {token}"},
        ),
        repeat,
    )
    return page, api


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the data of the last run (PostgreSQL database or --sqlite-file), migrated",
    )
    parser.add_argument("--sqlite-file", help="SQLite file to use (default: a temporary one)")
    args = parser.parse_args()
    sqlite_file = args.sqlite_file or f"{tempfile.mkdtemp()}/bench.db"
    if args.sqlite_file and not args.reuse and os.path.exists(sqlite_file):
        os.remove(sqlite_file)
    url = postgres_url(args.reuse) if args.postgres else f"sqlite:///{sqlite_file}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            "SERVER_NAME": "bench.test",
            "WTF_CSRF_ENABLED": False,  # the bench logs in with a plain form post
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        start = time.perf_counter()
        upgrade()
        session = db.session
        have = session.scalar(select(func.count()).select_from(Response))
        if args.reuse and have:
            print(f"reusing {have:,} responses (migrated in {time.perf_counter() - start:.1f}s)")
            args.responses = have
        else:
            load_schools(session)
            load_framework(session)
            definition = definition_from_dict(survey_dict())
            save_definition(session, definition, lambda: NOW)
            set_status(session, "bench-2026", SurveyStatus.OPEN)
            start = time.perf_counter()
            generate(session, definition, args.responses, random.Random(1))
        print(
            f"database: {url.split(':')[0]}  responses: {args.responses:,}  "
            f"answers: {args.responses * 25:,}  ready in {time.perf_counter() - start:.1f}s"
        )
        if url.startswith("postgresql"):
            session.execute(text("ANALYZE"))
            session.commit()
        survey_id = session.scalars(select(Survey.id)).one()
        plain = text(
            "SELECT r.school_id, a.question_id, a.value_number, count(*) FROM answer a "
            "JOIN response r ON r.id = a.response_id GROUP BY 1, 2, 3"
        )
        plain_s = min(timed(lambda: session.execute(plain).all(), 2))
        rebuild_s = min(timed(lambda: cube.rebuild(session, survey_id, lambda: NOW), 2))
        sizes = CellSizes()

        def page():
            indicator_table(session, "2026-27", lambda: NOW, sizes, area="B")

        def api():
            report = survey_report(session, "bench-2026", lambda: NOW, sizes, kinds=("i",))
            summary(report, ["school", "indicator"], Filters())

        page_times = timed(page, 15)
        api_times = timed(api, 15)
        print(f"plain GROUP BY school, question, value: {plain_s * 1000:.0f} ms")
        print(
            f"rebuild every indicator and question cell: {rebuild_s * 1000:.0f} ms  "
            f"ratio {rebuild_s / plain_s:.2f}x (target <= 2x)"
        )
        print(
            f"Working Group page data (area B, all schools, trends): p50 "
            f"{statistics.median(page_times) * 1000:.0f} ms (target < 300 ms)"
        )
        print(f"summary API by=school,indicator: p50 {statistics.median(api_times) * 1000:.0f} ms")

    http_page, http_api = http_timings(app)
    print(
        f"GET /reports/area/B as a Working Group member (whole HTML page): p50 "
        f"{statistics.median(http_page) * 1000:.0f} ms (target < 300 ms)"
    )
    print(
        f"GET /api/v1/surveys/bench-2026/summary?by=school,indicator (bearer token): p50 "
        f"{statistics.median(http_api) * 1000:.0f} ms (target < 300 ms)"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak_mb:.0f} MB (target < 2048 MB)")


if __name__ == "__main__":
    main()
