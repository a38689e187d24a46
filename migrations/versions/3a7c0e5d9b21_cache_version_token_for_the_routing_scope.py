"""cache_version: a token for the keyword suggester's index (scope "routing")

Revision ID: 3a7c0e5d9b21
Revises: ee7aed192fee
Create Date: 2026-12-02 15:00:00

The suggester's per-process index now follows the same invalidation scheme as the SLA reference
(helpdesk/platform/refcache.py) instead of an aggregate fingerprint of the keyword table.
"""
import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3a7c0e5d9b21'
down_revision = 'ee7aed192fee'
branch_labels = None
depends_on = None

cache_version = sa.table("cache_version", sa.column("scope", sa.String), sa.column("token", sa.String))


def upgrade():
    op.bulk_insert(cache_version, [{"scope": "routing", "token": uuid.uuid4().hex}])


def downgrade():
    op.execute(cache_version.delete().where(cache_version.c.scope == "routing"))
