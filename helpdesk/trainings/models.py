"""PRAF modules, sessions and registrations; FIL requests with their slots and audit trail; mail markers."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.organisation.models import School
from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_
from helpdesk.platform.timeutil import utcnow
from helpdesk.platform.types import UTCDateTime
from helpdesk.trainings.rules import AUDIENCE_LABELS, FORMAT_LABELS, LEVEL_LABELS, Period
from helpdesk.trainings.states import STATE_LABELS
from helpdesk.users.models import User


class TrainingModule(db.Model):
    """A catalogue entry; durations and texts are editable by the coordinators."""

    __tablename__ = "training_module"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    audience: Mapped[str] = mapped_column(String(20), index=True)
    level: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_hours: Mapped[int] = mapped_column(Integer, default=3)
    prerequisites: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    sessions: Mapped[list["TrainingSession"]] = relationship(back_populates="module", order_by="TrainingSession.starts_at")

    @property
    def audience_label(self) -> str:
        return _(AUDIENCE_LABELS[self.audience]) if self.audience in AUDIENCE_LABELS else self.audience

    @property
    def level_label(self) -> str:
        return _(LEVEL_LABELS[self.level]) if self.level in LEVEL_LABELS else self.level

    def __str__(self) -> str:
        return self.title


class TrainingSession(db.Model):
    __tablename__ = "training_session"
    __table_args__ = (Index("ix_training_session_starts", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("training_module.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200), default="")
    remote_url: Mapped[str] = mapped_column(String(500), default="")
    trainer: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=20)
    cancel_deadline_hours: Mapped[int] = mapped_column(Integer, default=48)
    # Bumped on every write: the registration services lock this row so that seats are counted one at a time.
    seat_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    module: Mapped[TrainingModule] = relationship(back_populates="sessions")
    registrations: Mapped[list["Registration"]] = relationship(back_populates="training_session", order_by="Registration.id")


class RegistrationStatus:
    REGISTERED = "registered"
    WAITING = "waiting"
    CANCELLED = "cancelled"


REGISTRATION_LABELS = {"registered": N_("Inscrit"), "waiting": N_("Liste d'attente"), "cancelled": N_("Annulée")}


class Registration(db.Model):
    """One person on one session (unique): registered, on the waiting list (ordered by waiting_since_at) or cancelled."""

    __tablename__ = "training_registration"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_training_registration_session_user"),
        Index("ix_training_registration_queue", "session_id", "status", "waiting_since_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    waiting_since_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attended: Mapped[bool | None] = mapped_column(Boolean)
    # A coordinator who let someone outside the module's audience in (None = the ordinary rule applied).
    exception_granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    training_session: Mapped[TrainingSession] = relationship(back_populates="registrations")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    exception_granted_by: Mapped[User | None] = relationship(foreign_keys=[exception_granted_by_id])

    @property
    def status_label(self) -> str:
        return _(REGISTRATION_LABELS[self.status]) if self.status in REGISTRATION_LABELS else self.status


fil_request_topic = Table(
    "fil_request_topic",
    db.metadata,
    Column("fil_request_id", ForeignKey("fil_request.id", ondelete="CASCADE"), primary_key=True),
    Column("module_id", ForeignKey("training_module.id", ondelete="CASCADE"), primary_key=True),
)


class FilRequest(db.Model):
    """A head of school's request for a local-initiative training (FIL) for the school's team."""

    __tablename__ = "fil_request"
    __table_args__ = (Index("ix_fil_request_state_created", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    audience: Mapped[str] = mapped_column(String(20))
    expected_trainees: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(20))
    preferred_periods: Mapped[list] = mapped_column(JSON, default=list)
    needs: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="submitted")
    trainers: Mapped[str] = mapped_column(String(300), default="")
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    school: Mapped[School] = relationship()
    requester: Mapped[User] = relationship()
    topics: Mapped[list[TrainingModule]] = relationship(secondary=fil_request_topic, order_by="TrainingModule.title")
    slots: Mapped[list["FilSlot"]] = relationship(
        back_populates="fil_request", order_by="FilSlot.starts_at", cascade="all, delete-orphan"
    )
    events: Mapped[list["FilEvent"]] = relationship(back_populates="fil_request", order_by="FilEvent.id")

    @property
    def reference(self) -> str:
        return f"FIL-{self.created_at.year}-{self.id:04d}"

    @property
    def state_label(self) -> str:
        return _(STATE_LABELS[self.state]) if self.state in STATE_LABELS else self.state

    @property
    def audience_label(self) -> str:
        return _(AUDIENCE_LABELS[self.audience]) if self.audience in AUDIENCE_LABELS else self.audience

    @property
    def format_label(self) -> str:
        return _(FORMAT_LABELS[self.format]) if self.format in FORMAT_LABELS else self.format

    @property
    def periods(self) -> list[Period]:
        return [Period.from_dict(p) for p in self.preferred_periods or []]


class FilSlot(db.Model):
    """One scheduled half-day or day of a FIL, as set by the DRANE (what the calendar shows)."""

    __tablename__ = "fil_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    fil_request_id: Mapped[int] = mapped_column(ForeignKey("fil_request.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())

    fil_request: Mapped[FilRequest] = relationship(back_populates="slots")


class FilEvent(db.Model):
    """Audit trail of a FIL request: who moved it from which state to which, when and why."""

    __tablename__ = "fil_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    fil_request_id: Mapped[int] = mapped_column(ForeignKey("fil_request.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    from_state: Mapped[str] = mapped_column(String(12), default="")
    to_state: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    fil_request: Mapped[FilRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class CalendarToken(db.Model):
    """The secret in a person's calendar-feed address (no login: calendar apps cannot log in)."""

    __tablename__ = "training_calendar_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
