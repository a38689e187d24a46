"""Tickets, their conversation, attachments and the audit trail of every change."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.organisation.models import School
from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.platform.types import UTCDateTime
from helpdesk.routing.models import Keyword
from helpdesk.users.models import User

BigId = BigInteger().with_variant(Integer, "sqlite")


class Ticket(db.Model):
    __tablename__ = "ticket"
    __table_args__ = (
        # Queue listings: one tier (and for EduLAB one basin), open tickets, by due date then id (keyset).
        Index("ix_ticket_queue", "tier", "is_open", "resolution_due_at", "id"),
        Index("ix_ticket_basin_queue", "basin_id", "tier", "is_open", "resolution_due_at", "id"),
        # The queue's tabs (one status, or a few): their capped counts read the index alone, their pages by due date.
        Index("ix_ticket_queue_status", "tier", "is_open", "status", "resolution_due_at", "id"),
        # The queue's sorts on the ticket's own dates (age, last activity), read forwards or backwards.
        Index("ix_ticket_queue_created", "tier", "is_open", "created_at", "id"),
        Index("ix_ticket_queue_updated", "tier", "is_open", "updated_at", "id"),
        # Sorts read group by group (priority, holder, school, basin): one seek per group, ids in order.
        Index("ix_ticket_queue_priority", "tier", "is_open", "priority", "id"),
        Index("ix_ticket_queue_holder", "tier", "is_open", "assignee_id", "id"),
        Index("ix_ticket_queue_school", "tier", "is_open", "school_id", "id"),
        Index("ix_ticket_queue_basin", "tier", "is_open", "basin_id", "id"),
        Index("ix_ticket_school_created", "school_id", "created_at"),
        Index("ix_ticket_requester_created", "requester_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    type: Mapped[str] = mapped_column(String(20), default="incident")
    status: Mapped[str] = mapped_column(String(24), default="new")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    tier: Mapped[str] = mapped_column(String(10))
    entry_tier: Mapped[str] = mapped_column(String(10))
    service: Mapped[str] = mapped_column(String(40), index=True)
    keyword_id: Mapped[int] = mapped_column(ForeignKey("keyword.id"), index=True)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    extra_fields: Mapped[dict] = mapped_column(JSON, default=dict)
    channel: Mapped[str] = mapped_column(String(20), default="web")  # web | phone | mail | api | diagnostic

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    basin_id: Mapped[int] = mapped_column(ForeignKey("basin.id"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")

    # The mass incident this ticket is part of (helpdesk.incidents owns the incident; tickets only point at it).
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("major_incident.id", ondelete="SET NULL"), index=True)
    has_reached_vendor: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    vendor_reference: Mapped[str] = mapped_column(String(60), default="")
    # Pilot inventory of evolution requests: duplicates point at the request they repeat.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    # A duplicate merged into another ticket (its messages and attachments moved there): the survivor.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    evolution_status: Mapped[str] = mapped_column(String(20), default="")  # submitted | planned | delivered | refused

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The tier's own targets (for agents; they restart at each tier) and the one date promised to the requester,
    # set at creation from the keyword and moved only by waits the requester causes (see escalation.clocks).
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    promised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # End of the current wait (any waiting status): the sweep gives the ticket back to its tier then.
    waiting_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    # Optimistic locking: a stale form or API call gets a Conflict instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    keyword: Mapped[Keyword] = relationship()
    school: Mapped[School] = relationship()
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    messages: Mapped[list["Message"]] = relationship(back_populates="ticket", order_by="Message.id")
    events: Mapped[list["TicketEvent"]] = relationship(back_populates="ticket", order_by="TicketEvent.id")
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="ticket", order_by="Attachment.id")
    duplicate_of: Mapped["Ticket | None"] = relationship(remote_side=[id], foreign_keys=[duplicate_of_id])
    merged_into: Mapped["Ticket | None"] = relationship(remote_side=[id], foreign_keys=[merged_into_id])

    @property
    def duplicate_group_head(self) -> "Ticket":
        """The ticket a new duplicate of this one points at: the head of its group, so duplicates never form chains."""
        return self.duplicate_of if self.duplicate_of is not None else self


class Message(db.Model):
    """A written entry of the timeline: its kind says what it is, its audience who reads it (see audiences.py)."""

    __tablename__ = "ticket_message"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(12), default="reply")
    audience: Mapped[str] = mapped_column(String(10), default="public")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    author: Mapped[User] = relationship()


class Attachment(db.Model):
    """A file stored outside the web root under a random name; served only to people who may see the ticket."""

    __tablename__ = "ticket_attachment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_message.id", ondelete="SET NULL"))
    uploader_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(10), default="public")
    # Marked by the pilot team when transmitting: the vendor's dossier shows it whatever its audience.
    is_shared_with_vendor: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")


class TicketEvent(db.Model):
    """Audit trail: who, when, what, from → to, and why."""

    __tablename__ = "ticket_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # None = the system (SLA, jobs)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    audience: Mapped[str] = mapped_column(String(10), default="internal")
    from_value: Mapped[str] = mapped_column(String(200), default="")
    to_value: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class TicketLink(db.Model):
    """Two related tickets (« voir aussi »), stored once per pair with the smaller id first. Duplicates live in
    Ticket.duplicate_of_id and mass incidents in Ticket.incident_id: this table holds only the other links."""

    __tablename__ = "ticket_link"
    __table_args__ = (UniqueConstraint("ticket_id", "other_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="see_also")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ticket: Mapped[Ticket] = relationship(foreign_keys=[ticket_id])
    other: Mapped[Ticket] = relationship(foreign_keys=[other_id])


class TimeSpent(db.Model):
    """Minutes an agent spent on a ticket, given with a reply or a note; the tier is the one holding the ticket
    then, so that time sums per tier stay true after escalations."""

    __tablename__ = "ticket_time_spent"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_message.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    tier: Mapped[str] = mapped_column(String(10))
    minutes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SavedQueueView(db.Model):
    """A queue view an agent named and keeps: the query string of the queue page (filters and sort), replayed as is."""

    __tablename__ = "saved_queue_view"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
