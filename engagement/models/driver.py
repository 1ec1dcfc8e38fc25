"""Core statements that PostgreSQL runs on psycopg directly: the respondent pages' hot path.

Every respondent page reads its draft and writes once, one round trip each. SQLAlchemy's
execution around a round trip (a cache key for the statement, a result object, metadata
for each of the draft's 19 columns) cost more CPU than psycopg's own work for it. A
HotStatement is compiled once per process into the SQL that SQLAlchemy would send, and
converts binds and columns with the statement's own types (their bind and result
processors: enumerations, UTC datetimes, JSON), so callers get what Core would give them.
Errors are SQLAlchemy's too. Other databases run the statement through Core.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import Select


@dataclass(frozen=True)
class HotResult:
    """The rows (processed, in column order) and the count of rows a statement touched."""

    columns: list[str]
    rows: list[tuple]
    rowcount: int

    def first(self) -> dict[str, Any] | None:
        return dict(zip(self.columns, self.rows[0], strict=True)) if self.rows else None

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    literals: dict[str, Any]  # values the statement carries itself: the 1 of `revision + 1`
    binds: list[tuple[str, Callable[[Any], Any]]]  # the binds that have a processor
    results: list[tuple[int, Callable[[Any], Any]]]  # the columns that have a processor


class HotStatement:
    """A Core SELECT, INSERT or UPDATE that skips SQLAlchemy's execution on PostgreSQL.

    Its SQL is fixed when compiled: the values given fill its own binds (an INSERT names
    its columns with `.values()`; no columns come from the parameters, no Python defaults).
    """

    def __init__(self, statement: Select | UpdateBase):
        self.statement = statement
        self.columns = [column.key for column in statement.exported_columns]
        self._compiled: _Compiled | None = None

    def execute(self, connection: Connection, parameters: Mapping[str, Any]) -> HotResult:
        """Run in `connection`'s transaction (begun here if it has none, as Core would)."""
        if connection.dialect.name != "postgresql":
            result = connection.execute(self.statement, parameters)
            rows = [tuple(row) for row in result] if result.returns_rows else []
            return HotResult(self.columns, rows, result.rowcount)
        compiled = self._compiled or self._compile(connection.dialect)
        values = {**compiled.literals, **parameters}
        try:
            for name, process in compiled.binds:
                if name in values:  # else psycopg names the missing parameter
                    values[name] = process(values[name])
        except Exception as error:  # a value its type refuses, as Core reports it
            hide = connection.engine.hide_parameters
            raise StatementError(str(error), compiled.sql, values, error, hide) from error
        if not connection.in_transaction():
            connection.begin()
        try:
            cursor = connection.connection.driver_connection.execute(compiled.sql, values)
            rows = cursor.fetchall() if self.columns else []
        except connection.dialect.loaded_dbapi.Error as error:
            raise self._wrapped(connection, compiled.sql, values, error) from error
        if compiled.results:
            rows = [self._processed(row, compiled.results) for row in rows]
        return HotResult(self.columns, rows, cursor.rowcount)

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        binds = []
        for name in compiled.params:
            process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                binds.append((name, process))
        results = []
        for index, column in enumerate(self.statement.exported_columns):
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None:
                results.append((index, process))
        self._compiled = _Compiled(
            sql=str(compiled),
            literals={k: v for k, v in compiled.params.items() if v is not None},
            binds=binds,
            results=results,
        )
        return self._compiled

    @staticmethod
    def _processed(row: tuple, results: list[tuple[int, Callable[[Any], Any]]]) -> tuple:
        values = list(row)
        for index, process in results:
            values[index] = process(values[index])
        return tuple(values)

    @staticmethod
    def _wrapped(connection: Connection, sql: str, values: dict, error: Exception) -> DBAPIError:
        """The error as Core raises it; a lost connection is dropped from the pool, as there."""
        dialect = connection.dialect
        lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, None)
        if lost:
            connection.invalidate(error)
        return DBAPIError.instance(
            sql,
            values,
            error,
            dialect.loaded_dbapi.Error,
            hide_parameters=connection.engine.hide_parameters,
            connection_invalidated=lost,
            dialect=dialect,
        )
