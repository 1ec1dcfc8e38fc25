"""respondent groups: reports count answers by one small integer

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DIMENSIONS = "school_id, language, channel, role, grade_band"


def upgrade():
    op.create_table(
        "respondent_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "web",
                "sms",
                "paper",
                name="respondent_group_channel",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("grade_band", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_respondent_group_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_respondent_group")),
        sa.UniqueConstraint(
            "school_id",
            "language",
            "channel",
            "role",
            "grade_band",
            name=op.f("uq_respondent_group_school_id_language_channel_role_grade_band"),
        ),
    )
    for table in ("response", "answer"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))

    # Every existing response gets the group of its own columns ("" for no grade band).
    op.execute(
        f"INSERT INTO respondent_group ({DIMENSIONS}) "
        "SELECT DISTINCT school_id, language, channel, role, COALESCE(grade_band, '') "
        "FROM response"
    )
    op.execute(
        "UPDATE response SET group_id = (SELECT g.id FROM respondent_group g "
        "WHERE g.school_id = response.school_id AND g.language = response.language "
        "AND g.channel = response.channel AND g.role = response.role "
        "AND g.grade_band = COALESCE(response.grade_band, ''))"
    )
    op.execute(
        "UPDATE answer SET group_id = response.group_id FROM response "
        "WHERE response.id = answer.response_id"
    )

    for table in ("response", "answer"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("group_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_group_id_respondent_group"),
                "respondent_group",
                ["group_id"],
                ["id"],
            )


def downgrade():
    for table in ("answer", "response"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_group_id_respondent_group"), type_="foreignkey"
            )
            batch_op.drop_column("group_id")

    op.drop_table("respondent_group")
