"""Completed responses keep only the day they were started and completed

A response's exact times could be matched to a web server's log (an address),
or to the moment an SMS contact was created: they are cut to the day (UTC), as
the retired draft's already are. A completed SMS conversation forgets its
school: with the day and the survey it would name the response's school too.
Nothing reads these values at a finer grain.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        day = "date_trunc('day', {0} at time zone 'UTC') at time zone 'UTC'"
    else:  # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff"
        day = "substr({0}, 1, 10) || ' 00:00:00.000000'"
    op.execute(
        "update response set started_at = {}, completed_at = {}".format(
            day.format("started_at"), day.format("completed_at")
        )
    )
    op.execute("update sms_conversation set school_id = null where status = 'completed'")


def downgrade():
    pass  # the exact times are gone for good
