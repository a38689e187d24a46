"""Canned replies: one text with placeholders, offered on tickets of one keyword, one service, or all of them.
Their history (who changed what, when) is the configuration journal's (helpdesk/audit/tracked.py)."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.platform.types import UTCDateTime
from helpdesk.routing.models import Keyword


class CannedReply(db.Model):
    __tablename__ = "canned_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    service: Mapped[str] = mapped_column(String(40), default="", index=True)  # "" = every service
    keyword_id: Mapped[int | None] = mapped_column(ForeignKey("keyword.id", ondelete="SET NULL"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    keyword: Mapped[Keyword | None] = relationship()
