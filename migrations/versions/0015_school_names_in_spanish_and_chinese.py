"""school.name_es, school.name_zh: the names Spanish and Chinese speakers know a school by

A grandparent who reads Chinese texts "杰克逊小学", not "Jackson Elementary";
survey pages and text messages name the school in the respondent's language.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("school") as batch:
        batch.add_column(sa.Column("name_es", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("name_zh", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("school") as batch:
        batch.drop_column("name_zh")
        batch.drop_column("name_es")
