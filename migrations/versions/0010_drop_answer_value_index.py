"""answer: drop the (question, value) index, which every completion paid for and no query used

Each answer of a completed response landed on a different leaf page of this
index (one per question), so a completion wrote some forty scattered index
pages. Reports count answers by a full pass (cube.py keeps off this index on
purpose) and reach single answers through (response, question, ordinal).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_question_id_value_number"))


def downgrade():
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_answer_question_id_value_number"),
            ["question_id", "value_number"],
            unique=False,
        )
