"""response_draft.revision: a page writes only over the draft it read

A respondent's page reads the draft without a lock and writes it back in one
statement that names the revision it read (compare-and-set), bumping it. A
request that lost a race writes nothing and is run again. On PostgreSQL this
lets a page skip BEGIN, the row lock and COMMIT: two round trips of four.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("response_draft", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revision", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("response_draft", schema=None) as batch_op:
        batch_op.drop_column("revision")
