"""Diagnostic trees are versioned (a new version per save, never edited in place) and every walk records
the version it followed, so analytics and tickets always point at the exact questions that were asked."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.platform.types import UTCDateTime


class DiagnosticTree(db.Model):
    __tablename__ = "diagnostic_tree"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # Copied from the current version so listings need not parse JSON.
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    service: Mapped[str] = mapped_column(String(40), default="", index=True)
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    versions: Mapped[list["DiagnosticTreeVersion"]] = relationship(
        back_populates="tree", order_by="DiagnosticTreeVersion.version.desc()", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.title


class DiagnosticTreeVersion(db.Model):
    __tablename__ = "diagnostic_tree_version"
    __table_args__ = (UniqueConstraint("tree_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_id: Mapped[int] = mapped_column(ForeignKey("diagnostic_tree.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    comment: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    tree: Mapped[DiagnosticTree] = relationship(back_populates="versions")
    author = relationship("User")


class DiagnosticRun(db.Model):
    """One person walking one tree: started, possibly finished at an outcome, possibly marked resolved."""

    __tablename__ = "diagnostic_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_id: Mapped[int] = mapped_column(ForeignKey("diagnostic_tree.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("diagnostic_tree_version.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome_node_id: Mapped[str | None] = mapped_column(String(80))
    outcome_kind: Mapped[str | None] = mapped_column(String(20))
    resolved: Mapped[bool | None] = mapped_column(Boolean)  # True: a deflection; False: went on to a ticket
    answers: Mapped[list] = mapped_column(JSON, default=list)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"))

    tree: Mapped[DiagnosticTree] = relationship()
    version: Mapped[DiagnosticTreeVersion] = relationship()
