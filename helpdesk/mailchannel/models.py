"""Every mail read from the mailbox (one row per Message-ID: the import's idempotency) and the poller's state."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import Message
from helpdesk.platform.timeutil import utcnow
from helpdesk.platform.types import UTCDateTime
from helpdesk.tickets.models import Ticket
from helpdesk.users.models import User

# What became of a mail. "triage" waits for a level-1 agent; "quarantined" for an operator.
OUTCOMES = ("ticket", "reply", "reopened", "follow_up", "triage", "converted", "discarded", "ignored", "quarantined")


class InboundMail(db.Model):
    __tablename__ = "mail_inbound"
    __table_args__ = (
        Index("ix_mail_inbound_outcome_imported", "outcome", "imported_at"),
        Index("ix_mail_inbound_sender_imported", "sender", "imported_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # sha256 of the normalised Message-ID: a message is imported once, whatever delivers it again.
    message_key: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[str] = mapped_column(String(500))
    sender: Mapped[str] = mapped_column(String(254), default="")
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(10), default="imap")  # imap | file | lmtp
    outcome: Mapped[str] = mapped_column(String(12))
    # `reason` reads in French (the CLI, the logs); a reason the app wrote also keeps its marked template and
    # parameters, so each agent reads it in their own language. A reason an agent typed has none: it is theirs.
    reason: Mapped[str] = mapped_column(Text, default="")
    reason_message: Mapped[dict | None] = mapped_column(JSON)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"), index=True)
    # The suggester's best keyword for a triage row (slug), proposed when the agent turns it into a ticket.
    suggested_keyword: Mapped[str] = mapped_column(String(100), default="")
    # The message itself, kept while a person still has to act on it (triage, quarantine within the size limit).
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    ticket: Mapped[Ticket | None] = relationship()
    handled_by: Mapped[User | None] = relationship()

    def set_reason(self, reason: str, *, typed: bool = False) -> None:
        """The app's own reason (a text marked `N_`, with or without parameters), or one a person typed."""
        self.reason = str(reason)
        self.reason_message = None if typed or not reason else _packed(reason)

    @property
    def app_reason(self) -> str | None:
        """The reason the app wrote, as a marked text to translate where it is shown; None for a typed one."""
        return None if self.reason_message is None else _unpacked(self.reason_message)


def _packed(text: str) -> dict:
    """A marked text as JSON; a parameter that is itself a marked text (a refusal quoted) is kept as one."""
    params = text.params if isinstance(text, Message) else {}
    return {
        "template": text.template if isinstance(text, Message) else str(text),
        "params": {
            key: _packed(value) if isinstance(value, Message) else value if isinstance(value, (int, float)) else str(value)
            for key, value in params.items()
        },
    }


def _unpacked(packed: dict) -> str:
    params = {key: _unpacked(value) if isinstance(value, dict) else value for key, value in packed["params"].items()}
    return Message(packed["template"], params) if params else packed["template"]


class MailboxPoll(db.Model):
    """One row: when the mailbox was last read, and how it went (shown by `flask mail status`)."""

    __tablename__ = "mail_poll_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_fetched: Mapped[int] = mapped_column(Integer, default=0)
