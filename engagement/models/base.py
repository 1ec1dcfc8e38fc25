"""Declarative base shared by every model; no Flask imports here."""

from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import JSON, DateTime, MetaData
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named constraints so Alembic migrations are reproducible on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def insert_unless_present(target, dialect: str, values: dict, *unique_columns: str):
    """An INSERT that adds nothing when a unique key already holds the row (PostgreSQL, SQLite).

    For rows two requests may add at once: the loser's insert is a no-op, not an error.
    """
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(target)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(unique_columns) or None)
    )


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on SQLite as well as PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict] = {
        datetime: UTCDateTime(),
        dict: JSON(),
        dict[str, str]: JSON(),
        list: JSON(),
    }


def utcnow() -> datetime:
    return datetime.now(UTC)
