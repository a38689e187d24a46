"""Time spent on a ticket: minutes given with a reply or a note, summed per ticket and per tier. Recorded and read
by the académie's agents only (`policy` RECORD_TIME_SPENT and VIEW_INTERNAL): never shown to the requester's side
nor to the vendor."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from helpdesk import policy
from helpdesk.platform.errors import NotAllowed, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.routing.codes import Tier
from helpdesk.tickets.models import Message, Ticket, TimeSpent

MAX_MINUTES = 24 * 60  # one entry is at most a day of work


@dataclass(frozen=True)
class Totals:
    minutes: int = 0
    per_tier: dict[str, int] = field(default_factory=dict)  # in the chain's order

    @property
    def entries(self) -> int:
        return len(self.per_tier)


def check_minutes(minutes) -> int | None:
    """None when not given; the whole number of minutes, or ValidationFailed."""
    if minutes in (None, ""):
        return None
    try:
        value = int(minutes)
    except (TypeError, ValueError) as error:
        raise ValidationFailed(N_("Le temps passé se donne en minutes (nombre entier)."), fields=["minutes"]) from error
    if not 1 <= value <= MAX_MINUTES:
        raise ValidationFailed(N_("Le temps passé va de 1 à %(max)s minutes."), params={"max": MAX_MINUTES}, fields=["minutes"])
    return value


def record(session, ticket: Ticket, minutes, *, actor, now: datetime, message: Message | None = None) -> TimeSpent | None:
    """Minutes spent by `actor` at the tier holding the ticket now (None given: nothing recorded)."""
    value = check_minutes(minutes)
    if value is None:
        return None
    if not policy.can(actor, policy.Action.RECORD_TIME_SPENT, ticket):
        raise NotAllowed(N_("Seuls les agents de l'académie indiquent le temps passé."))
    row = TimeSpent(ticket_id=ticket.id, message_id=getattr(message, "id", None), user_id=actor.id, tier=ticket.tier,
                    minutes=value, created_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def totals(session, ticket: Ticket) -> Totals:
    """The minutes recorded on the ticket, in all and per tier (tiers without time are left out)."""
    rows = session.execute(
        select(TimeSpent.tier, func.sum(TimeSpent.minutes)).where(TimeSpent.ticket_id == ticket.id).group_by(TimeSpent.tier)
    ).all()
    found = {tier: int(total or 0) for tier, total in rows}
    ordered = {str(t): found[t] for t in Tier if t in found}
    ordered.update({t: m for t, m in found.items() if t not in ordered})
    return Totals(minutes=sum(found.values()), per_tier=ordered)


def by_message(session, ticket: Ticket) -> dict[int, int]:
    """Minutes given with each message of the ticket (message id → minutes), for the agents' timeline."""
    rows = session.execute(
        select(TimeSpent.message_id, func.sum(TimeSpent.minutes))
        .where(TimeSpent.ticket_id == ticket.id, TimeSpent.message_id.is_not(None))
        .group_by(TimeSpent.message_id)
    ).all()
    return {message_id: int(total) for message_id, total in rows}


def readable(reader, ticket: Ticket) -> bool:
    return policy.can(reader, policy.Action.VIEW_INTERNAL, ticket)
