"""The keyword catalog: a keyword decides service, entry tier, priority, type and the form's extra fields.

Its edits are kept by the configuration audit (helpdesk.audit), like every other configuration change."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.platform.types import UTCDateTime


class Keyword(db.Model):
    __tablename__ = "keyword"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120), unique=True)
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    service: Mapped[str] = mapped_column(String(40), index=True)
    tier: Mapped[str] = mapped_column(String(10))
    ticket_type: Mapped[str] = mapped_column(String(20), default="incident")
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    is_mass_incident: Mapped[bool] = mapped_column(Boolean, default=False)
    synonyms: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[list] = mapped_column(JSON, default=list)
    diagnostic_slug: Mapped[str | None] = mapped_column(String(80))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return self.label
