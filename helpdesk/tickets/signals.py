"""What happens to tickets, announced as blinker signals with typed payloads: SLA clocks, notifications and
statistics subscribe, so `tickets` never imports them.

Receivers run inside the publisher's transaction (what they write commits or rolls back with it) and are
called as `receiver(session, event=<payload>)`; anything outside the database goes through
`helpdesk.platform.queue.enqueue_after_commit`. Subscribers connect at module level; `create_app` imports
their modules (escalation.subscribers, helpdesk.notifications.subscribers, kb.diagnostics.subscribers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from blinker import Namespace

if TYPE_CHECKING:
    from helpdesk.tickets.models import Message, Ticket
    from helpdesk.tickets.states import Move, Status

_signals = Namespace()

# Before the new ticket's INSERT (no id yet on SQLite): receivers fill derived columns such as the SLA
# deadlines and the promised date, so the row is written once. `ticket_opened` follows once the row exists.
ticket_opening = _signals.signal("ticket-opening")
ticket_opened = _signals.signal("ticket-opened")
# A move of the life cycle (tickets.states.RULES): status, holder and perhaps tier changed together.
# `ticket_moving` comes before the move is flushed: receivers fill derived columns (the SLA deadlines), so the
# ticket row is written once per move; they must not need the move's rows in the database. `ticket_moved`
# follows once the move is flushed (its message and event have their ids).
ticket_moving = _signals.signal("ticket-moving")
ticket_moved = _signals.signal("ticket-moved")
message_posted = _signals.signal("message-posted")
ticket_assigned = _signals.signal("ticket-assigned")
keyword_changed = _signals.signal("keyword-changed")
# A duplicate merged into another ticket (its conversation moved there), or that merge undone.
tickets_merged = _signals.signal("tickets-merged")


@dataclass(frozen=True)
class TicketOpening:
    ticket: Ticket
    now: datetime


@dataclass(frozen=True)
class TicketOpened:
    ticket: Ticket
    actor: Any
    now: datetime
    prefill: dict | None = None


@dataclass(frozen=True)
class TicketMoved:
    ticket: Ticket
    move: Move
    old_status: Status
    new_status: Status
    old_tier: str
    new_tier: str
    actor: Any  # None: the system (sweep, breach)
    now: datetime
    reason: str = ""
    message: Message | None = None  # the question, solution or transmission note written with the move

    @property
    def changed_tier(self) -> bool:
        return self.old_tier != self.new_tier


@dataclass(frozen=True)
class MessagePosted:
    ticket: Ticket
    message: Message
    actor: Any
    now: datetime
    with_move: bool = False  # written by a move (question, solution...): the move's receivers tell people


@dataclass(frozen=True)
class TicketAssigned:
    ticket: Ticket
    old_holder_id: int | None
    new_holder_id: int | None
    actor: Any
    now: datetime


@dataclass(frozen=True)
class KeywordChanged:
    ticket: Ticket
    old_keyword: str
    new_keyword: str
    actor: Any
    now: datetime


@dataclass(frozen=True)
class TicketsMerged:
    duplicate: Ticket
    survivor: Ticket
    actor: Any
    now: datetime
    undone: bool = False


def send(signal, session, event) -> None:
    signal.send(session, event=event)
