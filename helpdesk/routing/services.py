"""Catalog use cases: list, create and edit keywords, each edit kept as a revision snapshot with who and why."""

from datetime import datetime

from sqlalchemy import func, or_, select

from helpdesk import policy
from helpdesk.platform.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.french import fold
from helpdesk.routing import catalog
from helpdesk.routing.codes import PRIORITY_LABELS, SERVICE_LABELS, TICKET_TYPE_LABELS, TIER_LABELS
from helpdesk.routing.models import Keyword, KeywordRevision

FIELD_LABELS = {
    "label": "Libellé",
    "slug": "Identifiant",
    "service": "Service",
    "tier": "Niveau d'entrée",
    "ticket_type": "Type de ticket",
    "priority": "Priorité",
    "is_mass_incident": "Incident de masse",
    "synonyms": "Synonymes",
    "description": "Description",
    "fields": "Champs complémentaires",
    "diagnostic_slug": "Diagnostic guidé",
    "is_active": "Actif",
}
_VALUE_LABELS = {"service": SERVICE_LABELS, "tier": TIER_LABELS, "ticket_type": TICKET_TYPE_LABELS, "priority": PRIORITY_LABELS}


def snapshot(keyword: Keyword) -> dict:
    data = {name: getattr(keyword, name) for name in catalog.EDITABLE}
    data["slug"] = keyword.slug
    data["synonyms"] = list(data["synonyms"] or [])
    data["fields"] = list(data["fields"] or [])
    return data


def _display(name: str, value) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if name in _VALUE_LABELS:
        for key, label in _VALUE_LABELS[name].items():
            if key == value:
                return label
    if name == "synonyms":
        return ", ".join(value or []) or "—"
    if name == "fields":
        return "; ".join(f"{f.get('label')} ({f.get('type')})" for f in value or []) or "—"
    return str(value) if value not in (None, "") else "—"


def diff(before: dict | None, after: dict) -> list[tuple[str, str, str]]:
    """Field-by-field differences between two snapshots, as (field label, before, after) in French."""
    before = before or {}
    changes = []
    for name, label in FIELD_LABELS.items():
        old, new = before.get(name), after.get(name)
        if old != new:
            changes.append((label, _display(name, old) if name in before else "—", _display(name, new)))
    return changes


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
        raise NotFound("Mot-clé introuvable.")
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
            errors.append(f"Un mot-clé porte déjà ce libellé (ou un libellé trop proche) : « {clash.label} ».")
    if errors:
        raise ValidationFailed(" ".join(errors), errors=errors)
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
        raise NotAllowed("Seuls l'équipe pilote et les administrateurs modifient le catalogue des mots-clés.")
    data = _clean(data)
    slug = _check(session, data, None)
    keyword = Keyword(slug=slug, version=1, updated_at=now, **data)
    session.add(keyword)
    session.flush()
    session.add(
        KeywordRevision(
            keyword=keyword,
            editor_id=actor.id,
            version=1,
            snapshot=snapshot(keyword),
            comment=(comment or "Création").strip()[:300],
            created_at=now,
        )
    )
    session.flush()
    return keyword


def update_keyword(
    session, keyword: Keyword, data: dict, *, actor, now: datetime, comment: str = "", expected_version: int | None = None
) -> Keyword:
    """Edit a keyword and record a revision (nothing is recorded when nothing changed). The slug stays as created, so
    links to the ticket form keep working after a relabelling. Raises NotAllowed, Conflict, ValidationFailed."""
    if not policy.can(actor, policy.Action.EDIT_CATALOG):
        raise NotAllowed("Seuls l'équipe pilote et les administrateurs modifient le catalogue des mots-clés.")
    if expected_version is not None and expected_version != keyword.version:
        raise Conflict(
            f"Ce mot-clé a été modifié entre-temps (version {keyword.version}). Rechargez la page pour voir la version "
            "à jour avant d'enregistrer vos changements."
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
    session.add(
        KeywordRevision(
            keyword=keyword,
            editor_id=actor.id,
            version=keyword.version,
            snapshot=after,
            comment=(comment or "").strip()[:300],
            created_at=now,
        )
    )
    session.flush()
    return keyword


def editor_names(session, ids: set) -> dict[int, str]:
    from helpdesk.users.models import User

    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.full_name).where(User.id.in_(sorted(ids)))).all())


def revisions_with_diffs(keyword: Keyword) -> list[tuple[KeywordRevision, list[tuple[str, str, str]]]]:
    """Revisions newest first, each with its differences from the revision before it."""
    ordered = sorted(keyword.revisions, key=lambda r: r.id)
    result = []
    previous = None
    for revision in ordered:
        result.append((revision, diff(previous, revision.snapshot)))
        previous = revision.snapshot
    return list(reversed(result))
