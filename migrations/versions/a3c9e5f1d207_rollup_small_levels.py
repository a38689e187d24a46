"""figures: four small rollup levels (one basin by channel, the per-school breakdown of one channel, the backlog
under a channel or a basin filter) and an index for a service filter

No column changes: the levels are rows of report_ticket_rollup. The refresh job is told to count every day again
on its next run (a minute later), which writes the new levels beside the others; until it has passed a day, the
pages that read a new level show that day empty.

Revision ID: a3c9e5f1d207
Revises: 5e1d0c7a9b42
Create Date: 2026-12-04 01:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a3c9e5f1d207'
down_revision = '5e1d0c7a9b42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_ticket_rollup', schema=None) as batch_op:
        batch_op.create_index('ix_report_ticket_rollup_service', ['cuboid', 'grain', 'service', 'bucket'], unique=False)
    op.execute("UPDATE report_rollup_state SET events_until = NULL")


def downgrade():
    with op.batch_alter_table('report_ticket_rollup', schema=None) as batch_op:
        batch_op.drop_index('ix_report_ticket_rollup_service')
    # The older code neither reads nor refreshes these levels: their rows would only go stale.
    op.execute(
        "DELETE FROM report_ticket_rollup WHERE cuboid IN ('channel_basin', 'tier_channel', 'tier_basin', 'school_channel')"
    )
