"""API tokens: scopes and expiry

An existing token keeps every right of its owner (empty scopes) and never expires, as before.

Revision ID: d481a92b6cf5
Revises: d2cad8794ff3
Create Date: 2026-12-03 15:19:52.973462

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd481a92b6cf5'
down_revision = 'd2cad8794ff3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scopes', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.drop_column('scopes')
