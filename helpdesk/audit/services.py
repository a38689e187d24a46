"""Reading the configuration journal: newest first, by kind of row, by row, by person, one page at a time."""

from __future__ import annotations

from sqlalchemy import or_, select

from helpdesk import policy
from helpdesk.audit.models import AuditEntry
from helpdesk.audit.tracked import ENTITIES
from helpdesk.platform.errors import NotAllowed, ValidationFailed
from helpdesk.platform.i18n import N_

PAGE = 30


def journal(
    session,
    *,
    actor,
    entity: str | None = None,
    entity_id: str | None = None,
    who: str | None = None,
    before_id: int | None = None,
    limit: int = PAGE,
):
    """(entries, id to continue before or None). Raises NotAllowed, ValidationFailed for an unknown kind."""
    if not policy.can(actor, policy.Action.VIEW_CONFIG_AUDIT):
        raise NotAllowed(
            N_("Le journal des modifications de la configuration est réservé à l'équipe pilote et aux administrateurs.")
        )
    if entity and entity not in ENTITIES:
        raise ValidationFailed(N_("Type d'élément inconnu."))
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == str(entity_id))
    if who:
        pattern = f"%{who.strip()[:100].replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(AuditEntry.actor_name.ilike(pattern), AuditEntry.entity_label.ilike(pattern)))
    if before_id:
        stmt = stmt.where(AuditEntry.id < before_id)
    rows = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def history(session, entity: str, entity_id) -> list[AuditEntry]:
    """Every recorded change of one row, newest first (its page checks who may read it)."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
            .order_by(AuditEntry.id.desc())
        )
    )
