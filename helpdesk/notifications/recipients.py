"""Who belongs to a tier's group: the people told when a ticket arrives at their tier or its clock runs out."""

from sqlalchemy import select

from helpdesk.policy import TIER_ROLE
from helpdesk.routing.codes import Tier
from helpdesk.users.models import User, UserRole, referent_basin

# A job that works many tickets in one transaction (the SLA sweep's batch) may put a dict under this key of
# `session.info` for that transaction: each tier's group is then read once for the lot, not once per ticket.
GROUPS_MEMO = "tier_groups_memo"


def tier_group_ids(session, ticket, tier: str) -> list[int]:
    """The active people of `tier` who work this ticket (EduLAB: the referents of the ticket's basin)."""
    memo = session.info.get(GROUPS_MEMO)
    key = (tier, ticket.basin_id if tier == Tier.EDULAB and ticket is not None else None)
    if memo is not None and key in memo:
        return list(memo[key])
    role = TIER_ROLE[Tier(tier)]
    query = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role.value, User.is_active_account.is_(True))
    )
    if tier == Tier.EDULAB:
        query = query.join(referent_basin, referent_basin.c.user_id == User.id).where(
            referent_basin.c.basin_id == ticket.basin_id
        )
    found = sorted(set(session.scalars(query)))
    if memo is not None:
        memo[key] = tuple(found)
    return found


def holder_or_group(session, ticket) -> list[int]:
    """The person holding the ticket, or, when nobody holds it, its tier's group."""
    if ticket.assignee_id is not None:
        return [ticket.assignee_id]
    return tier_group_ids(session, ticket, ticket.tier)
