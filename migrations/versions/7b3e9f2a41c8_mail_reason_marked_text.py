"""mail channel: the app's reason on a received mail kept as a marked text (template and parameters)

Rows written before keep their French `reason` and are shown as they are.

Revision ID: 7b3e9f2a41c8
Revises: a3c9e5f1d207
Create Date: 2026-12-04 02:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3e9f2a41c8'
down_revision = 'a3c9e5f1d207'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mail_inbound', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_message', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('mail_inbound', schema=None) as batch_op:
        batch_op.drop_column('reason_message')
