"""Which configuration tables the audit follows, which of their fields, and how each row is named.

One list: adding a table here (canned replies, incident links...) is all it takes for its changes to be recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from escalation.models import Closure, PublicHoliday, SchoolHolidayPeriod, SlaPolicy, TierCalendar
from helpdesk.answers.models import CannedReply
from helpdesk.organisation.models import Basin, School
from helpdesk.platform.i18n import N_
from helpdesk.routing.models import Keyword
from helpdesk.routing.services import FIELD_LABELS as KEYWORD_FIELDS
from helpdesk.users.models import User


@dataclass(frozen=True)
class Tracked:
    entity: str  # stored in AuditEntry.entity
    kind: str  # French name of such a row
    fields: dict[str, str]  # attribute → French label
    describe: Callable  # row → the name shown in the journal
    collections: dict[str, tuple[str, Callable]] = field(default_factory=dict)  # relationship → (label, item → value)
    secret: frozenset = frozenset()  # recorded as changed, never with their values


TRACKED: dict[type, Tracked] = {
    User: Tracked(
        "user",
        N_("Compte"),
        {
            "email": N_("Adresse électronique"),
            "full_name": N_("Nom"),
            "profile": N_("Profil"),
            "school_id": N_("Établissement"),
            "phone": N_("Téléphone"),
            "is_active_account": N_("Compte actif"),
            "auth_source": N_("Authentification"),
            "password_hash": N_("Mot de passe"),
        },
        lambda u: f"{u.full_name} <{u.email}>",
        collections={"role_rows": (N_("Rôles"), lambda r: r.role), "basins": (N_("Bassins suivis"), lambda b: b.name)},
        secret=frozenset({"password_hash"}),
    ),
    School: Tracked(
        "school",
        N_("Établissement"),
        {"uai": N_("UAI"), "name": N_("Nom"), "type": N_("Type"), "town": N_("Commune"), "basin_id": N_("Bassin")},
        lambda s: f"{s.name} ({s.uai})",
    ),
    Basin: Tracked("basin", N_("Bassin"), {"name": N_("Nom"), "department": N_("Département")}, lambda b: b.name),
    Keyword: Tracked("keyword", N_("Mot-clé"), dict(KEYWORD_FIELDS), lambda k: k.label),
    SlaPolicy: Tracked(
        "sla_policy",
        N_("Délai (SLA)"),
        {
            "tier": N_("Niveau"),
            "priority": N_("Priorité"),
            "keyword_id": N_("Mot-clé"),
            "first_response_minutes": N_("Première réponse (minutes ouvrées)"),
            "resolution_minutes": N_("Résolution (minutes ouvrées)"),
            "warning_ratio": N_("Alerte à (part du délai)"),
            "on_breach": N_("En cas de dépassement"),
        },
        lambda p: f"{p.tier} / {p.priority}" + (f" / mot-clé n° {p.keyword_id}" if p.keyword_id else ""),
    ),
    TierCalendar: Tracked(
        "tier_calendar",
        N_("Horaires d'un niveau"),
        {"hours": N_("Horaires"), "counts_during_school_holidays": N_("Compte pendant les vacances scolaires")},
        lambda c: c.tier,
    ),
    PublicHoliday: Tracked("public_holiday", N_("Jour férié"), {"day": N_("Jour"), "label": N_("Libellé")}, lambda h: str(h.day)),
    SchoolHolidayPeriod: Tracked(
        "school_holiday",
        N_("Vacances scolaires"),
        {"zone": N_("Zone"), "label": N_("Libellé"), "first_day": N_("Premier jour"), "last_day": N_("Dernier jour")},
        lambda p: f"{p.label} ({p.first_day} – {p.last_day})",
    ),
    Closure: Tracked(
        "closure",
        N_("Fermeture"),
        {"tier": N_("Niveau"), "label": N_("Libellé"), "first_day": N_("Premier jour"), "last_day": N_("Dernier jour")},
        lambda c: f"{c.label} ({c.first_day} – {c.last_day})",
    ),
}
TRACKED[CannedReply] = Tracked(
    "canned_reply",
    N_("Réponse type"),
    {
        "title": N_("Titre"),
        "body": N_("Texte"),
        "service": N_("Service"),
        "keyword_id": N_("Mot-clé"),
        "is_active": N_("Proposée aux agents"),
    },
    lambda r: r.title,
)
ENTITIES = {spec.entity: spec for spec in TRACKED.values()}
