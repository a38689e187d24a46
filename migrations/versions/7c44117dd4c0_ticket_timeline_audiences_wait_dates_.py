"""ticket timeline audiences, wait dates, promise, idempotent API writes

Revision ID: 7c44117dd4c0
Revises: 733652230d59
Create Date: 2026-12-02 14:39:52.946793

Every message, event and attachment gets its audience (public, internal, vendor); messages a kind; tickets the
end date of their current wait (`waiting_until`, which replaces `sla_pause.until` and the propagation date kept
in `extra_fields`) and the date promised to the requester (`promised_at`). Existing rows are converted: internal
messages become notes, the open waits end at their recorded date or after the default length of their kind.
"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c44117dd4c0'
down_revision = '733652230d59'
branch_labels = None
depends_on = None

WAIT_DAYS = {"waiting_requester": 7, "waiting_vendor": 14, "waiting_propagation": 2}
PUBLIC_EVENTS = ("created", "resolved", "closed", "reopened", "evolution_status")


def upgrade():
    op.create_table('idempotent_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_idempotent_request_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotent_request')),
    sa.UniqueConstraint('user_id', 'key', name='uq_idempotent_request_key')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link', sa.String(length=300), nullable=False, server_default=''))

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('promised_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('waiting_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_ticket_waiting_until'), ['waiting_until'], unique=False)

    with op.batch_alter_table('ticket_attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sa.String(length=10), nullable=False, server_default='public'))
        batch_op.add_column(sa.Column('is_shared_with_vendor', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sa.String(length=10), nullable=False, server_default='internal'))

    with op.batch_alter_table('ticket_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=12), nullable=False, server_default='reply'))
        batch_op.add_column(sa.Column('audience', sa.String(length=10), nullable=False, server_default='public'))

    _convert()

    with op.batch_alter_table('ticket_message', schema=None) as batch_op:
        batch_op.drop_column('is_internal')
    with op.batch_alter_table('ticket_attachment', schema=None) as batch_op:
        batch_op.drop_column('is_internal')
    with op.batch_alter_table('sla_pause', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_pause_until'))
        batch_op.drop_column('until')


def _convert():
    message = sa.table("ticket_message", sa.column("is_internal", sa.Boolean), sa.column("kind"), sa.column("audience"))
    op.execute(message.update().where(message.c.is_internal.is_(True)).values(kind="note", audience="internal"))
    attachment = sa.table("ticket_attachment", sa.column("is_internal", sa.Boolean), sa.column("audience"))
    op.execute(attachment.update().where(attachment.c.is_internal.is_(True)).values(audience="internal"))
    event = sa.table("ticket_event", sa.column("kind"), sa.column("audience"))
    op.execute(event.update().where(event.c.kind.in_(PUBLIC_EVENTS)).values(audience="public"))
    ticket = sa.table("ticket", sa.column("id", sa.Integer), sa.column("type"), sa.column("status"), sa.column("is_open", sa.Boolean),
                      sa.column("resolution_due_at", sa.DateTime(timezone=True)), sa.column("promised_at", sa.DateTime(timezone=True)),
                      sa.column("waiting_until", sa.DateTime(timezone=True)))
    op.execute(ticket.update().where(ticket.c.type != "evolution").values(promised_at=ticket.c.resolution_due_at))
    pause = sa.table("sla_pause", sa.column("ticket_id", sa.Integer), sa.column("until", sa.DateTime(timezone=True)),
                     sa.column("ended_at", sa.DateTime(timezone=True)))
    now = datetime.now(UTC)
    connection = op.get_bind()
    for status, days in WAIT_DAYS.items():
        recorded = (sa.select(pause.c.until).where(pause.c.ticket_id == ticket.c.id, pause.c.ended_at.is_(None),
                                                     pause.c.until.is_not(None)).limit(1).scalar_subquery())
        connection.execute(ticket.update().where(ticket.c.status == status).values(
            waiting_until=sa.func.coalesce(recorded, sa.literal(now + timedelta(days=days), sa.DateTime(timezone=True)))))


def downgrade():
    with op.batch_alter_table('sla_pause', schema=None) as batch_op:
        batch_op.add_column(sa.Column('until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_sla_pause_until'), ['until'], unique=False)
    with op.batch_alter_table('ticket_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_internal', sa.Boolean(), nullable=False, server_default=sa.false()))
    message = sa.table("ticket_message", sa.column("is_internal", sa.Boolean), sa.column("audience"))
    op.execute(message.update().where(message.c.audience != "public").values(is_internal=True))
    with op.batch_alter_table('ticket_message', schema=None) as batch_op:
        batch_op.drop_column('audience')
        batch_op.drop_column('kind')

    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_column('audience')

    with op.batch_alter_table('ticket_attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_internal', sa.Boolean(), nullable=False, server_default=sa.false()))
    attachment = sa.table("ticket_attachment", sa.column("is_internal", sa.Boolean), sa.column("audience"))
    op.execute(attachment.update().where(attachment.c.audience != "public").values(is_internal=True))
    with op.batch_alter_table('ticket_attachment', schema=None) as batch_op:
        batch_op.drop_column('is_shared_with_vendor')
        batch_op.drop_column('audience')

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_waiting_until'))
        batch_op.drop_column('waiting_until')
        batch_op.drop_column('promised_at')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('link')

    op.drop_table('idempotent_request')
