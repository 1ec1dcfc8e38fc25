"""Write a completed response in as few round trips as the database allows.

PostgreSQL takes the whole completion as one statement: data-modifying CTEs
claim the draft, insert the response, and insert its answers and outcomes from
JSON (json_to_recordset): one round trip, not one INSERT per answer, and one
json.dumps in C rather than the driver dumping an array per column. SQLite has
no data-modifying CTEs and runs the same steps one by one. Either way the draft
is claimed only over the revision the request read and only while its
respondent group exists, so nothing is written until the group is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    Integer,
    Text,
    bindparam,
    cast,
    column,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.engine import Connection

from engagement.models import Answer, RespondentGroup, Response, ResponseDraft, ResponseOutcome
from engagement.models.base import insert_unless_present
from engagement.models.driver import HotStatement

_GROUP_KEYS = ("school_id", "language", "channel", "role", "grade_band")
_RESPONSE_KEYS = ("version_id", *_GROUP_KEYS, "started_at", "completed_at")


@dataclass(frozen=True)
class CompletionRows:
    """Everything one completion writes, worked out before the first write."""

    draft_id: int
    read_revision: int  # the claim lands only if nobody wrote the draft since it was read
    tombstone_day: datetime  # the retired draft's timestamps, cut to the day
    response: dict[str, Any]  # _RESPONSE_KEYS
    group: dict[str, Any]  # _GROUP_KEYS; grade_band "" stands for none
    answers: list[dict[str, Any]]  # question_id, ordinal, value_number, value_text
    outcomes: list[dict[str, Any]]  # indicator, value (response_id: set by the write)

    def parameters(self) -> dict[str, Any]:
        """The binds of the claim and the response insert, the same on both databases."""
        return {
            "draft_id": self.draft_id,
            "read_revision": self.read_revision,
            "empty": {},
            "day": self.tombstone_day,
            **{f"response_{key}": value for key, value in self.response.items()},
            **{f"group_{key}": value for key, value in self.group.items()},
        }


def write_completion(connection: Connection, rows: CompletionRows) -> int | None:
    """The new response's id; None when the draft was completed, or written, since it was read.

    Does not commit.
    """
    write = _in_one_statement if connection.dialect.name == "postgresql" else _step_by_step
    response_id = write(connection, rows)
    if response_id is None:  # the draft's group may be new: add it unless a concurrent one did
        connection.execute(insert_unless_present(_groups, connection.dialect.name, rows.group))
        response_id = write(connection, rows)
    return response_id


_drafts, _groups = ResponseDraft.__table__, RespondentGroup.__table__
_responses, _answers, _outcomes = Response.__table__, Answer.__table__, ResponseOutcome.__table__

_GROUP_ID = (
    select(_groups.c.id)
    .where(*(_groups.c[k] == bindparam(f"group_{k}", type_=_groups.c[k].type) for k in _GROUP_KEYS))
    .scalar_subquery()
)
# Retire the draft exactly once, only over the revision read, and only while its group
# exists. The draft stays as a tombstone (so a repeated submission is recognised) with its
# answers emptied and its timestamps cut to the day: nothing on it can be matched to the
# response it became.
_CLAIM = (
    update(_drafts)
    .where(_drafts.c.id == bindparam("draft_id"), _drafts.c.completed.is_(False))
    .where(_drafts.c.revision == bindparam("read_revision"), _GROUP_ID.is_not(None))
    .values(
        completed=true(),
        revision=_drafts.c.revision + 1,
        answers=bindparam("empty", type_=_drafts.c.answers.type),
        created_at=bindparam("day"),
        updated_at=bindparam("day"),
    )
    .returning(_GROUP_ID.label("group_id"))
)
_RESPONSE_BINDS = [
    bindparam(f"response_{key}", type_=_responses.c[key].type) for key in _RESPONSE_KEYS
]

# SQLite, step by step. The row inserts are executed with a list of rows: one cached
# statement, batched by the driver.
_INSERT_RESPONSE = (
    insert(_responses)
    .from_select([*_RESPONSE_KEYS, "group_id"], select(*_RESPONSE_BINDS, bindparam("group_id")))
    .returning(_responses.c.id)
)
_INSERT_ANSWERS = insert(_answers)
_INSERT_OUTCOMES = insert(_outcomes)


def _step_by_step(connection: Connection, rows: CompletionRows) -> int | None:
    parameters = rows.parameters()
    group_id = connection.execute(_CLAIM, parameters).scalar()
    if group_id is None:
        return None
    parameters["group_id"] = group_id
    response_id = connection.execute(_INSERT_RESPONSE, parameters).scalar_one()
    if rows.answers:
        connection.execute(
            _INSERT_ANSWERS,
            [{**row, "response_id": response_id, "group_id": group_id} for row in rows.answers],
        )
    if rows.outcomes:
        connection.execute(
            _INSERT_OUTCOMES, [{**row, "response_id": response_id} for row in rows.outcomes]
        )
    return response_id


# PostgreSQL, one statement: each CTE feeds the next, and the rows come in as JSON.
def _json_rows(name: str, **columns) -> Any:
    """json_to_recordset(:name) AS name_values(a type, ...): a list of dicts, sent as one text."""
    rows = func.json_to_recordset(cast(bindparam(name, type_=Text), JSON))
    typed = (column(key, type_) for key, type_ in columns.items())
    return rows.table_valued(*typed).render_derived(name=f"{name}_values", with_types=True)


_claimed = _CLAIM.cte("claimed")
_new_response = (
    insert(_responses)
    .from_select([*_RESPONSE_KEYS, "group_id"], select(*_RESPONSE_BINDS, _claimed.c.group_id))
    .returning(_responses.c.id, _responses.c.group_id)
    .cte("new_response")
)
_answer_values = _json_rows(
    "answers", question_id=Integer, ordinal=Integer, value_number=Float, value_text=Text
)
_new_answers = insert(_answers).from_select(
    ["response_id", "group_id", "question_id", "ordinal", "value_number", "value_text"],
    select(_new_response.c.id, _new_response.c.group_id, *_answer_values.c).select_from(
        _new_response.join(_answer_values, true())
    ),
)
_outcome_values = _json_rows("outcomes", indicator=Text, value=Boolean)
_new_outcomes = insert(_outcomes).from_select(
    ["response_id", "indicator", "value"],
    select(_new_response.c.id, *_outcome_values.c).select_from(
        _new_response.join(_outcome_values, true())
    ),
)
_COMPLETE = HotStatement(
    select(_new_response.c.id).add_cte(
        _new_answers.cte("new_answers"), _new_outcomes.cte("new_outcomes")
    )
)


def _in_one_statement(connection: Connection, rows: CompletionRows) -> int | None:
    # allow_nan=False: PostgreSQL's JSON has no NaN or Infinity (answers never hold them).
    as_json = {
        "answers": json.dumps(rows.answers, ensure_ascii=False, allow_nan=False),
        "outcomes": json.dumps(rows.outcomes, allow_nan=False),
    }
    return _COMPLETE.execute(connection, {**rows.parameters(), **as_json}).scalar()
