"""One row per configuration change: the thing changed, who, when, and each field's value before and after."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.platform.extensions import db
from helpdesk.platform.types import UTCDateTime

ACTIONS = ("created", "updated", "deleted")


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_subject", "entity", "entity_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    actor_name: Mapped[str] = mapped_column(String(200), default="")  # kept when the account goes
    source: Mapped[str] = mapped_column(String(12), default="web")  # web | command | job | seed
    entity: Mapped[str] = mapped_column(String(30))  # see helpdesk.audit.tracked.TRACKED
    entity_id: Mapped[str] = mapped_column(String(40))
    entity_label: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(8))  # created | updated | deleted
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # field → [before, after]
    comment: Mapped[str] = mapped_column(String(300), default="")
