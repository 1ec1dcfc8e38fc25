"""The schema comes only from the migrations, and they match the models."""

import os
from datetime import UTC, datetime, time

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from engagement.extensions import db
from tests.conftest import FakeClock, make_app


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_every_table_comes_from_a_migration(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert tables == set(db.metadata.tables) | {"alembic_version"}


def test_respondent_groups_are_filled_in_for_earlier_responses(database_url, clock, tmp_path):
    """Migration 0009 gives every response stored before it, and its answers, the group of
    the response's own columns."""
    url, schema = _scratch_database(database_url, tmp_path)
    app = make_app(url, clock)
    try:
        with app.app_context():
            downgrade(revision="0008")
            with db.engine.begin() as connection:
                for statement in (
                    "INSERT INTO school (id, code, name, level, signature_programs, active) "
                    "VALUES (1, 'a', 'A', 'elementary', '[]', true), "
                    "(2, 'b', 'B', 'middle', '[]', true)",
                    "INSERT INTO survey (id, slug, title, audience, school_year, status, "
                    "created_at) VALUES (1, 's', '{}', 'parent', '2026-27', 'open', "
                    "CURRENT_TIMESTAMP)",
                    "INSERT INTO survey_version (id, survey_id, number, content_hash, "
                    "definition, question_ids, created_at) "
                    "VALUES (1, 1, 1, 'h', '{}', '{}', CURRENT_TIMESTAMP)",
                    "INSERT INTO question (id, version_id, key, position, section_key, type, "
                    "required, text, reverse_coded, favourable_values) "
                    "VALUES (1, 1, 'q', 0, 's', 'yes_no', true, '{}', false, '[]')",
                ):
                    connection.execute(text(statement))
                rows = [
                    (1, "en", "web", None),
                    (1, "en", "web", None),
                    (1, "en", "web", "6-8"),
                    (2, "zh", "sms", "6-8"),
                ]
                for number, (school, language, channel, band) in enumerate(rows, start=1):
                    connection.execute(
                        text(
                            "INSERT INTO response (id, version_id, school_id, channel, language, "
                            "role, grade_band, started_at, completed_at) VALUES (:id, 1, :school, "
                            ":channel, :language, 'parent', :band, CURRENT_TIMESTAMP, "
                            "CURRENT_TIMESTAMP)"
                        ),
                        {
                            "id": number,
                            "school": school,
                            "channel": channel,
                            "language": language,
                            "band": band,
                        },
                    )
                    connection.execute(
                        text(
                            "INSERT INTO answer (response_id, question_id, ordinal, value_number) "
                            "VALUES (:id, 1, 0, 1)"
                        ),
                        {"id": number},
                    )
            upgrade()
            with db.engine.connect() as connection:
                groups = connection.execute(
                    text(
                        "SELECT r.id, g.id, g.school_id, g.language, g.channel, g.grade_band "
                        "FROM response r JOIN respondent_group g ON g.id = r.group_id ORDER BY r.id"
                    )
                ).all()
                answer_groups = connection.execute(
                    text("SELECT response_id, group_id FROM answer ORDER BY response_id")
                ).all()
                # Migration 0013: exact times (CURRENT_TIMESTAMP above) cut to the day.
                times = connection.execute(
                    text("SELECT started_at, completed_at FROM response")
                ).all()
                if connection.dialect.name == "sqlite":
                    # Migrations run with foreign keys off; the connection comes back with them on.
                    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            db.engine.dispose()
    finally:
        _drop_scratch(database_url, schema)
    assert [row[2:] for row in groups] == [
        (1, "en", "web", ""),
        (1, "en", "web", ""),
        (1, "en", "web", "6-8"),
        (2, "zh", "sms", "6-8"),
    ]
    assert groups[0][1] == groups[1][1] and len({row[1] for row in groups}) == 3
    assert answer_groups == [(row[0], row[1]) for row in groups]
    moments = [
        m if isinstance(m, datetime) else datetime.fromisoformat(m) for r in times for m in r
    ]
    assert {m.astimezone(UTC).time() if m.tzinfo else m.time() for m in moments} == {time(0)}


def _scratch_database(database_url: str, tmp_path) -> tuple[str, str | None]:
    """A migrated database of this test's own: it is taken down a revision and back up."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'scratch.db'}"
        schema = None
    else:
        schema = f"pytest_scratch_{os.getpid()}"
        engine = sa.create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        base = database_url.split("?")[0]
        url = f"{base}?options=-csearch_path%3D{schema}"
    app = make_app(url, FakeClock())
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url, schema


def _drop_scratch(database_url: str, schema: str | None) -> None:
    if schema is None:
        return
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()
