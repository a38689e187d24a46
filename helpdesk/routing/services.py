"""Catalog use cases: list, create and edit keywords; each edit is recorded by the configuration audit with who and why."""

from datetime import datetime

from sqlalchemy import func, or_, select

from helpdesk import policy
from helpdesk.platform import audit
from helpdesk.platform.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.french import fold
from helpdesk.platform.i18n import N_
from helpdesk.routing import catalog
from helpdesk.routing.codes import SERVICE_LABELS
from helpdesk.routing.models import Keyword

FIELD_LABELS = {
    "label": N_("Libellé"),
    "slug": N_("Identifiant"),
    "service": N_("Service"),
    "tier": N_("Niveau d'entrée"),
    "ticket_type": N_("Type de ticket"),
    "priority": N_("Priorité"),
    "is_mass_incident": N_("Incident de masse"),
    "synonyms": N_("Synonymes"),
    "description": N_("Description"),
    "fields": N_("Champs complémentaires"),
    "diagnostic_slug": N_("Diagnostic guidé"),
    "is_active": N_("Actif"),
}


def snapshot(keyword: Keyword) -> dict:
    data = {name: getattr(keyword, name) for name in catalog.EDITABLE}
    data["slug"] = keyword.slug
    data["synonyms"] = list(data["synonyms"] or [])
    data["fields"] = list(data["fields"] or [])
    return data


def list_keywords(
    session, *, service: str | None = None, tier: str | None = None, text: str | None = None, include_inactive: bool = True
) -> list[Keyword]:
    query = select(Keyword).order_by(Keyword.service, Keyword.label)
    if service:
        query = query.where(Keyword.service == service)
    if tier:
        query = query.where(Keyword.tier == tier)
    if not include_inactive:
        query = query.where(Keyword.is_active.is_(True))
    if text:
        pattern = f"%{text.strip()[:100].replace('%', '').replace('_', '')}%"
        query = query.where(or_(Keyword.label.ilike(pattern), Keyword.description.ilike(pattern), Keyword.slug.ilike(pattern)))
    return list(session.scalars(query))


def active_keywords_by_service(session) -> list[tuple[str, list[Keyword]]]:
    """Active keywords grouped under their service's French label, in label order: the full list a ticket form
    offers when no suggestion fits (or without JavaScript)."""
    groups: dict[str, list[Keyword]] = {}
    for keyword in list_keywords(session, include_inactive=False):
        label = next((name for code, name in SERVICE_LABELS.items() if code == keyword.service), keyword.service)
        groups.setdefault(label, []).append(keyword)
    return sorted(groups.items(), key=lambda item: fold(item[0]))


def get_keyword(session, keyword_id: int) -> Keyword:
    keyword = session.get(Keyword, keyword_id)
    if keyword is None:
        raise NotFound(N_("Mot-clé introuvable."))
    return keyword


def active_keyword_by_slug(session, slug: str) -> Keyword | None:
    return session.scalar(select(Keyword).where(Keyword.slug == slug, Keyword.is_active.is_(True)))


def _check(session, data: dict, keyword: Keyword | None) -> str:
    errors = catalog.keyword_errors(data)
    slug = catalog.slugify(data.get("label") or "")
    if not errors:
        clash = session.scalar(
            select(Keyword).where(or_(func.lower(Keyword.label) == data["label"].strip().lower(), Keyword.slug == slug))
        )
        if clash is not None and clash is not keyword:
            errors.append(N_("Un mot-clé porte déjà ce libellé (ou un libellé trop proche) : « %(label)s ».", label=clash.label))
    if errors:
        raise ValidationFailed(errors, errors=errors)
    return slug


def _clean(data: dict) -> dict:
    clean = {name: data.get(name) for name in catalog.EDITABLE}
    clean["label"] = (clean["label"] or "").strip()
    clean["synonyms"] = [s.strip() for s in clean["synonyms"] or [] if s and s.strip()]
    clean["description"] = (clean["description"] or "").strip()
    clean["fields"] = clean["fields"] or []
    clean["diagnostic_slug"] = (clean["diagnostic_slug"] or "").strip() or None
    clean["is_mass_incident"] = bool(clean["is_mass_incident"])
    clean["is_active"] = True if clean["is_active"] is None else bool(clean["is_active"])
    return clean


def create_keyword(session, data: dict, *, actor, now: datetime, comment: str = "") -> Keyword:
    """Add a keyword to the catalog. Raises NotAllowed, ValidationFailed (with the list of problems)."""
    if not policy.can(actor, policy.Action.EDIT_CATALOG):
        raise NotAllowed(N_("Seuls l'équipe pilote et les administrateurs modifient le catalogue des mots-clés."))
    data = _clean(data)
    slug = _check(session, data, None)
    keyword = Keyword(slug=slug, version=1, updated_at=now, **data)
    session.add(keyword)
    audit.note(session, comment or "Création")
    session.flush()
    return keyword


def update_keyword(
    session, keyword: Keyword, data: dict, *, actor, now: datetime, comment: str = "", expected_version: int | None = None
) -> Keyword:
    """Edit a keyword and record a revision (nothing is recorded when nothing changed). The slug stays as created, so
    links to the ticket form keep working after a relabelling. Raises NotAllowed, Conflict, ValidationFailed."""
    if not policy.can(actor, policy.Action.EDIT_CATALOG):
        raise NotAllowed(N_("Seuls l'équipe pilote et les administrateurs modifient le catalogue des mots-clés."))
    if expected_version is not None and expected_version != keyword.version:
        raise Conflict(
            N_(
                "Ce mot-clé a été modifié entre-temps (version %(version)s). Rechargez la page pour voir la version "
                "à jour avant d'enregistrer vos changements."
            ),
            params={"version": keyword.version},
        )
    data = _clean(data)
    _check(session, data, keyword)
    before = snapshot(keyword)
    for name, value in data.items():
        setattr(keyword, name, value)
    after = snapshot(keyword)
    if before == after:
        return keyword
    keyword.version += 1
    keyword.updated_at = now
    audit.note(session, comment)
    session.flush()
    return keyword
