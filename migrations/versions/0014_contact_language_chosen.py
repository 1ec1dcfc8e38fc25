"""sms_contact.language_chosen: a language the person texted themselves outranks an import

A roster's home-language column is often wrong. A parent who texts ESPAÑOL
keeps Spanish when the office imports the roster again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sms_contact") as batch:
        batch.add_column(
            sa.Column("language_chosen", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("sms_contact") as batch:
        batch.drop_column("language_chosen")
