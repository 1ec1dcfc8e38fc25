"""A server refuses a database its code was not migrated for, and says what to run instead."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from engagement.schema import schema_problem
from tests.conftest import ROOT, FakeClock, make_app, postgres_schema

HEAD = "0015"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    """A database with no tables at all, as a new deployment's is."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    request.getfixturevalue("postgres_url")  # skips, or fails in CI, as every PG test does
    with postgres_schema(f"pytest_empty_{os.getpid()}") as url:
        yield url


def _stamp(url: str, revision: str) -> None:
    """Record `revision` as the database's migration, as Alembic's own table does."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE alembic_version (version_num varchar(32))"))
        connection.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": revision})
    engine.dispose()


def test_the_newest_migration_is_the_one_these_tests_name(app):
    from alembic.script import ScriptDirectory

    assert ScriptDirectory(app.extensions["migrate"].directory).get_heads() == [HEAD]


def test_a_migrated_database_is_served(app):
    assert schema_problem(app) is None


def test_a_database_never_migrated_is_refused_with_what_to_run(empty_url):
    problem = schema_problem(make_app(empty_url, FakeClock()))
    assert "has no tables yet" in problem
    assert "flask --app wsgi db upgrade" in problem


def test_a_database_behind_the_code_is_refused_with_what_to_run(empty_url):
    _stamp(empty_url, "0011")
    problem = schema_problem(make_app(empty_url, FakeClock()))
    assert f"is at migration 0011; this code needs {HEAD}" in problem
    assert "flask --app wsgi db upgrade" in problem


def test_a_database_newer_code_migrated_is_refused(empty_url):
    _stamp(empty_url, "9999")
    problem = schema_problem(make_app(empty_url, FakeClock()))
    assert "is at migration 9999, which this code does not have" in problem
    assert "db upgrade" not in problem


def test_an_unreachable_database_is_named_without_its_password():
    url = "postgresql+psycopg://someone:s3cret@127.0.0.1:1/engagement"
    problem = schema_problem(make_app(url, FakeClock()))
    assert problem.startswith("Cannot read the database at postgresql+psycopg://someone:***@")
    assert "s3cret" not in problem


def test_gunicorn_on_an_unmigrated_database_stops_and_says_why(tmp_path):
    """What an operator sees: gunicorn exits at once with the reason, not a server of 500s."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        gunicorn = Path(shutil.which("gunicorn") or "gunicorn")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
    finished = subprocess.run(
        [str(gunicorn), "--workers", "1", "--bind", "127.0.0.1:0", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 3  # gunicorn's "worker failed to boot"
    assert "Not serving: The database at sqlite:///" in finished.stderr
    assert "has no tables yet. Run `flask --app wsgi db upgrade`" in finished.stderr


def test_the_send_worker_refuses_a_database_never_migrated(empty_url):
    runner = make_app(empty_url, FakeClock()).test_cli_runner()
    result = runner.invoke(args=["sms", "send-worker", "--once"])
    assert result.exit_code == 1
    assert "has no tables yet. Run `flask --app wsgi db upgrade`" in result.output
