"""figures: school levels in the ticket rollup (school_id column, big ids), the school rollup table dropped

The rollups are emptied and the refresh job told to count every day again on its next run (a minute later): the
new levels must be counted from the tickets, and the old rows do not carry the school.

Revision ID: 5e1d0c7a9b42
Revises: d481a92b6cf5
Create Date: 2026-12-03 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1d0c7a9b42'
down_revision = 'd481a92b6cf5'
branch_labels = None
depends_on = None

MEASURES = ('opened', 'still_open', 'finished', 'fr_measured', 'fr_met', 'res_measured', 'res_met',
            'keyword_changed', 'tier_changed')


def _ticket_rollup(*, big_ids, school):
    id_type = sa.BigInteger().with_variant(sa.Integer(), 'sqlite') if big_ids else sa.Integer()
    columns = [
        sa.Column('id', id_type, nullable=False),
        sa.Column('cuboid', sa.String(length=20), nullable=False),
        sa.Column('grain', sa.String(length=5), nullable=False),
        sa.Column('bucket', sa.Date(), nullable=False),
        sa.Column('service', sa.String(length=40), nullable=False),
        sa.Column('keyword_id', sa.Integer(), nullable=False),
        sa.Column('opened_keyword_id', sa.Integer(), nullable=False),
        sa.Column('entry_tier', sa.String(length=10), nullable=False),
        sa.Column('tier', sa.String(length=10), nullable=False),
        sa.Column('basin_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
    ]
    if school:
        columns.append(sa.Column('school_id', sa.Integer(), server_default='0', nullable=False))
    columns += [sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES]
    op.create_table('report_ticket_rollup', *columns, sa.PrimaryKeyConstraint('id', name=op.f('pk_report_ticket_rollup')))
    with op.batch_alter_table('report_ticket_rollup', schema=None) as batch_op:
        batch_op.create_index('ix_report_ticket_rollup_bucket', ['cuboid', 'grain', 'bucket'], unique=False)
        if school:
            batch_op.create_index(
                'ix_report_ticket_rollup_school', ['school_id', 'cuboid', 'grain', 'bucket'], unique=False,
                postgresql_where=sa.text('school_id <> 0'), sqlite_where=sa.text('school_id <> 0'),
            )


def _drop_ticket_rollup():
    op.drop_table('report_ticket_rollup')  # its indexes go with it


def upgrade():
    _drop_ticket_rollup()
    _ticket_rollup(big_ids=True, school=True)
    with op.batch_alter_table('report_school_rollup', schema=None) as batch_op:
        batch_op.drop_index('ix_report_school_rollup_bucket')
    op.drop_table('report_school_rollup')
    op.execute("UPDATE report_rollup_state SET events_until = NULL")


def downgrade():
    _drop_ticket_rollup()
    _ticket_rollup(big_ids=False, school=False)
    op.create_table('report_school_rollup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grain', sa.String(length=5), nullable=False),
    sa.Column('bucket', sa.Date(), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('basin_id', sa.Integer(), nullable=False),
    sa.Column('opened', sa.Integer(), nullable=False),
    sa.Column('still_open', sa.Integer(), nullable=False),
    sa.Column('finished', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_school_rollup'))
    )
    with op.batch_alter_table('report_school_rollup', schema=None) as batch_op:
        batch_op.create_index('ix_report_school_rollup_bucket', ['grain', 'service', 'bucket'], unique=False)
    op.execute("UPDATE report_rollup_state SET events_until = NULL")
