"""App, client and runner fixtures, with a fresh database per test on SQLite and PostgreSQL.

Database tests take the `app` fixture, which runs each test twice: once on an
SQLite file and once on PostgreSQL (TEST_DATABASE_URL, default the local
`test` database). The schema comes from the Alembic migrations, applied once
per session; each test then starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.orm import Session

from engagement import create_app
from engagement.extensions import db

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _postgres_problem(url: str) -> str | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
    except Exception as error:  # any failure to connect means "not available"
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    finally:
        engine.dispose()
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    problem = _postgres_problem(POSTGRES_URL)
    session.config.postgres_problem = problem  # type: ignore[attr-defined]
    if problem and IN_CI:
        pytest.exit(
            f"PostgreSQL is required in CI but unreachable at {POSTGRES_URL}: {problem}",
            returncode=3,
        )


class FakeClock:
    """A settable clock: services take it instead of reading the system time."""

    def __init__(self, now: datetime | None = None):
        self.now = now or datetime(2026, 11, 24, 17, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def make_app(url: str, clock: FakeClock, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "CLOCK": clock,
        "SERVER_NAME": "survey.test",
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
    }
    config.update(overrides)
    return create_app(config)


def _migrate(url: str) -> None:
    app = make_app(url, FakeClock())
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


@contextmanager
def postgres_schema(schema: str) -> Iterator[str]:
    """The URL of an empty schema of its own in the PostgreSQL test database, dropped after."""
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url(request) -> str:
    """A schema of this test run's own, so runs sharing one database do not collide."""
    problem = request.config.postgres_problem
    if problem:
        pytest.skip(f"PostgreSQL unavailable ({problem}); set TEST_DATABASE_URL")
    with postgres_schema(f"pytest_{os.getpid()}") as url:
        _migrate(url)
        yield url


_ENGINES: dict[str, sa.Engine] = {}


def _empty_all_tables(url: str) -> None:
    """DELETE, child tables first: much quicker than TRUNCATE on a handful of rows."""
    engine = _ENGINES.setdefault(url, sa.create_engine(url))
    with engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        _empty_all_tables(url)
        yield url


@pytest.fixture
def app(request, database_url, clock):
    """The app with no context pushed, so each request gets its own session, as in production.

    A module or test marked `app_config(**overrides)` gets those settings too.
    """
    marker = request.node.get_closest_marker("app_config")
    app = make_app(database_url, clock, **(marker.kwargs if marker else {}))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """A session of the test's own, apart from the ones requests use."""
    with app.app_context():
        engine = db.engine
    with Session(engine) as test_session:
        yield test_session


@pytest.fixture
def seeded(session):
    """Schools and the result-area framework, as `flask seed domain` loads them."""
    from engagement.seeding import load_framework, load_schools

    load_schools(session)
    load_framework(session)
    return session
