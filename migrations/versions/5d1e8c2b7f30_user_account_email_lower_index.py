"""users: an index on lower(email), the key every lookup of an account by its address uses

Sign-in, the caller level 1 records, SSO provisioning and the admin's clash check find an account by its address
whatever its case (users.services.find_by_email); without this index each of them read the whole table.

Revision ID: 5d1e8c2b7f30
Revises: 7b3e9f2a41c8
Create Date: 2026-12-04 20:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1e8c2b7f30'
down_revision = '7b3e9f2a41c8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_user_account_email_lower', 'user_account', [sa.text('lower(email)')], unique=False)


def downgrade():
    op.drop_index('ix_user_account_email_lower', table_name='user_account')
