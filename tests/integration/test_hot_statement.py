"""HotStatement gives what Core gives (types, counts, errors), on both databases."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError

from engagement.delivery.service import _DRAFT_BY_TOKEN
from engagement.models import Channel, ResponseDraft, School, SurveyStatus, SurveyVersion
from engagement.models.driver import HotStatement
from engagement.surveys.store import save_definition, set_status
from tests.support import mini

_drafts = ResponseDraft.__table__
PACIFIC = timezone(timedelta(hours=-8))


@pytest.fixture
def version_id(seeded, clock):
    save_definition(seeded, mini(), clock)
    set_status(seeded, "mini-2026", SurveyStatus.OPEN)
    return seeded.scalar(select(SurveyVersion.id))


def _add_draft(session, version_id, token) -> int:
    draft = ResponseDraft(
        token=token,
        version_id=version_id,
        school_id=session.scalar(select(School.id).limit(1)),
        channel=Channel.SMS,
        language="zh",
        answers={"grade": 4, "comment": "好的 <b>"},
        created_at=datetime(2026, 11, 30, 8, 0, tzinfo=PACIFIC),
        updated_at=datetime(2026, 11, 30, 8, 0, tzinfo=PACIFIC),
    )
    session.add(draft)
    session.flush()
    return draft.id


# Takes another draft's token: the unique token refuses it.
_RETOKEN = HotStatement(
    update(_drafts)
    .where(_drafts.c.id == bindparam("draft_id"))
    .values(token=bindparam("new_token"))
    .returning(_drafts.c.id)
)


def test_a_row_reads_as_core_reads_it(seeded, version_id):
    _add_draft(seeded, version_id, "t" * 32)
    core = seeded.connection().execute(_DRAFT_BY_TOKEN, {"token": "t" * 32}).first()._mapping
    hot = HotStatement(_DRAFT_BY_TOKEN).execute(seeded.connection(), {"token": "t" * 32}).first()
    assert hot == dict(core)
    assert [type(value) for value in hot.values()] == [type(value) for value in core.values()]
    assert hot["draft_channel"] is Channel.SMS and hot["survey_status"] is SurveyStatus.OPEN
    assert hot["draft_answers"] == {"grade": 4, "comment": "好的 <b>"}
    assert hot["draft_created_at"] == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert (
        HotStatement(_DRAFT_BY_TOKEN).execute(seeded.connection(), {"token": "x"}).first() is None
    )


def test_binds_go_through_their_types_and_counts_are_kept(seeded, version_id):
    draft_id = _add_draft(seeded, version_id, "u" * 32)
    revise = HotStatement(
        update(_drafts)
        .where(_drafts.c.id == bindparam("draft_id"))
        .values(
            answers=bindparam("answers", type_=_drafts.c.answers.type),
            updated_at=bindparam("now", type_=_drafts.c.updated_at.type),
            revision=_drafts.c.revision + 1,  # a value the statement carries itself
        )
    )
    now = datetime(2026, 12, 1, 9, 30, tzinfo=PACIFIC)
    written = revise.execute(seeded.connection(), {"draft_id": draft_id, "answers": {}, "now": now})
    assert written.rowcount == 1 and written.rows == [] and written.scalar() is None
    nobody = revise.execute(seeded.connection(), {"draft_id": -1, "answers": {}, "now": now})
    assert nobody.rowcount == 0
    stored = seeded.execute(select(_drafts).where(_drafts.c.id == draft_id)).one()
    assert (stored.answers, stored.revision, stored.updated_at) == ({}, 1, now)
    with pytest.raises(StatementError, match="naive datetime"):
        revise.execute(
            seeded.connection(),
            {"draft_id": draft_id, "answers": {}, "now": now.replace(tzinfo=None)},
        )


def test_errors_are_sqlalchemys_and_nothing_is_half_written(seeded, version_id):
    first, second = (
        _add_draft(seeded, version_id, "v" * 32),
        _add_draft(seeded, version_id, "w" * 32),
    )
    seeded.commit()
    with pytest.raises(IntegrityError):
        _RETOKEN.execute(seeded.connection(), {"draft_id": second, "new_token": "v" * 32})
    seeded.rollback()
    moved = _RETOKEN.execute(seeded.connection(), {"draft_id": first, "new_token": "x" * 32})
    assert moved.scalar() == first  # the session is usable again
    seeded.rollback()
    tokens = seeded.scalars(select(_drafts.c.token).order_by(_drafts.c.token)).all()
    assert tokens == ["v" * 32, "w" * 32]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite runs Core
def test_a_lost_connection_is_dropped_from_the_pool_as_core_drops_it(app, seeded, version_id):
    read = HotStatement(_DRAFT_BY_TOKEN)
    pid = seeded.scalar(text("select pg_backend_pid()"))
    with seeded.get_bind().connect() as other:
        other.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid})
    with pytest.raises(OperationalError) as lost:
        read.execute(seeded.connection(), {"token": "t" * 32})
    assert lost.value.connection_invalidated
    seeded.rollback()
    assert read.execute(seeded.connection(), {"token": "t" * 32}).first() is None
