"""answer: (response_id, group_id) refers to the response's own (id, group_id)

Reports count answers by answer.group_id, a copy of the response's group kept
so they need no join; small-number suppression trusts it. One composite foreign
key makes the copy provably the response's, and replaces two checks per answer
row (response, group) with one.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_response_id_group_id"), ["id", "group_id"])
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_answer_group_id_respondent_group"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_answer_response_id_response"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_answer_response_id_response"),
            "response",
            ["response_id", "group_id"],
            ["id", "group_id"],
            ondelete="CASCADE",
        )


def downgrade():
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_answer_response_id_response"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_answer_response_id_response"),
            "response",
            ["response_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_answer_group_id_respondent_group"),
            "respondent_group",
            ["group_id"],
            ["id"],
        )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_response_id_group_id"), type_="unique")
