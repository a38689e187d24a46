"""Journal entries in the reader's words: field labels, codes as labels, ids as names, lists joined."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk.audit.tracked import ENTITIES
from helpdesk.organisation.models import Basin, School
from helpdesk.platform.i18n import N_
from helpdesk.routing.codes import PRIORITY_LABELS, SERVICE_LABELS, TICKET_TYPE_LABELS, TIER_LABELS
from helpdesk.routing.models import Keyword
from helpdesk.users.models import PROFILE_LABELS, ROLE_LABELS

ACTION_LABELS = {"created": N_("Création"), "updated": N_("Modification"), "deleted": N_("Suppression")}
_CODES = {
    "service": SERVICE_LABELS,
    "tier": TIER_LABELS,
    "priority": PRIORITY_LABELS,
    "ticket_type": TICKET_TYPE_LABELS,
    "profile": PROFILE_LABELS,
    "role_rows": ROLE_LABELS,
}
_NAMES = {"school_id": School, "basin_id": Basin, "keyword_id": Keyword}


def _names(session, entries) -> dict:
    wanted: dict[str, set] = {name: set() for name in _NAMES}
    for entry in entries:
        for name, values in (entry.changes or {}).items():
            if name in wanted:
                wanted[name].update(v for v in values if isinstance(v, int))
    found = {}
    for name, ids in wanted.items():
        model = _NAMES[name]
        label = model.label if model is Keyword else model.name
        found[name] = dict(session.execute(select(model.id, label).where(model.id.in_(sorted(ids)))).all()) if ids else {}
    return found


def _value(name: str, value, names: dict) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if name in _CODES:
        labels = _CODES[name]
        if isinstance(value, list):
            return ", ".join(_(labels[v]) if v in labels else str(v) for v in value)
        return _(labels[value]) if value in labels else str(value)
    if name in _NAMES and isinstance(value, int):
        return names.get(name, {}).get(value, _("n° %(id)s", id=value))
    if name == "fields" and isinstance(value, list):
        return "; ".join(f"{f.get('label')} ({f.get('type')})" for f in value if isinstance(f, dict)) or "—"
    if name == "hours" and isinstance(value, dict):
        days = [_("lun."), _("mar."), _("mer."), _("jeu."), _("ven."), _("sam."), _("dim.")]
        return (
            "; ".join(f"{days[int(d)]} " + ", ".join(f"{a}–{b}" for a, b in spans) for d, spans in sorted(value.items()) if spans)
            or "—"
        )
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def rows(session, entries) -> dict[int, list[tuple[str, str, str]]]:
    """Per entry id: (field label, before, after) in the reader's words."""
    names = _names(session, entries)
    out = {}
    for entry in entries:
        spec = ENTITIES.get(entry.entity)
        labels = {**(spec.fields if spec else {}), **({k: v[0] for k, v in spec.collections.items()} if spec else {})}
        out[entry.id] = [
            (_(labels.get(name, name)), _value(name, before, names), _value(name, after, names))
            for name, (before, after) in (entry.changes or {}).items()
        ]
    return out


def kind(entry) -> str:
    spec = ENTITIES.get(entry.entity)
    return _(spec.kind) if spec else entry.entity


def action(entry) -> str:
    return _(ACTION_LABELS.get(entry.action, entry.action))


def who(entry) -> str:
    if entry.actor_name:
        return entry.actor_name
    return {
        "seed": _("chargement des données de référence"),
        "command": _("ligne de commande"),
        "job": _("tâche automatique"),
    }.get(entry.source, _("système"))
