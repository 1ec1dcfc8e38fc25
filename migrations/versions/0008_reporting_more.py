"""report_build.token: what in-process caches of a survey's report cells are keyed by

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_build', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.String(length=32), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('report_build', schema=None) as batch_op:
        batch_op.drop_column('token')
