"""Reference SLA data: default delays per tier and priority, tier calendars, zone C holidays 2026–2027."""

from datetime import date

from sqlalchemy import select

from escalation.models import Closure, SlaPolicy, TierCalendar
from escalation.services import import_public_holidays, import_school_holidays
from escalation.working_calendar import OFFICE_HOURS, dump_hours
from helpdesk.routing.codes import Tier

# (first response, resolution) in working minutes. Lower tiers answer faster; the vendor's are contractual.
DEFAULT_DELAYS = {
    Tier.N1: {"urgent": (60, 480), "high": (120, 960), "normal": (240, 2400), "low": (480, 4800)},
    Tier.EDULAB: {"urgent": (120, 960), "high": (240, 1440), "normal": (480, 3000), "low": (960, 6000)},
    Tier.PILOTE: {"urgent": (120, 960), "high": (480, 1920), "normal": (960, 4800), "low": (1440, 9600)},
    Tier.EDITEUR: {"urgent": (240, 1440), "high": (600, 3000), "normal": (1440, 6000), "low": (2400, 12000)},
}

# Zone C school holidays (académies de Créteil, Montpellier, Paris, Toulouse, Versailles), days without classes,
# inclusive. Same figures as the `vacances-scolaires-france` package; kept here so a fresh install needs no import.
ZONE_C_2026_2027 = [
    ("Vacances de la Toussaint", date(2026, 10, 17), date(2026, 11, 1)),
    ("Vacances de Noël", date(2026, 12, 19), date(2027, 1, 3)),
    ("Vacances d'hiver", date(2027, 2, 6), date(2027, 2, 21)),
    ("Vacances de printemps", date(2027, 4, 3), date(2027, 4, 18)),
    ("Pont de l'Ascension", date(2027, 5, 6), date(2027, 5, 8)),
    ("Vacances d'été", date(2027, 7, 3), date(2027, 8, 31)),
]

# French public holidays (metropolitan France), 2026 and 2027.
PUBLIC_HOLIDAYS = [
    (date(2026, 1, 1), "Jour de l'an"),
    (date(2026, 4, 6), "Lundi de Pâques"),
    (date(2026, 5, 1), "Fête du travail"),
    (date(2026, 5, 8), "Victoire 1945"),
    (date(2026, 5, 14), "Ascension"),
    (date(2026, 5, 25), "Lundi de Pentecôte"),
    (date(2026, 7, 14), "Fête nationale"),
    (date(2026, 8, 15), "Assomption"),
    (date(2026, 11, 1), "Toussaint"),
    (date(2026, 11, 11), "Armistice 1918"),
    (date(2026, 12, 25), "Noël"),
    (date(2027, 1, 1), "Jour de l'an"),
    (date(2027, 3, 29), "Lundi de Pâques"),
    (date(2027, 5, 1), "Fête du travail"),
    (date(2027, 5, 6), "Ascension"),
    (date(2027, 5, 8), "Victoire 1945"),
    (date(2027, 5, 17), "Lundi de Pentecôte"),
    (date(2027, 7, 14), "Fête nationale"),
    (date(2027, 8, 15), "Assomption"),
    (date(2027, 11, 1), "Toussaint"),
    (date(2027, 11, 11), "Armistice 1918"),
    (date(2027, 12, 25), "Noël"),
]

CHRISTMAS_CLOSURE = ("Fermeture entre Noël et le jour de l'an", date(2026, 12, 28), date(2026, 12, 31))


def seed_reference(session) -> None:
    existing = {(p.tier, p.priority) for p in session.scalars(select(SlaPolicy).where(SlaPolicy.keyword_id.is_(None)))}
    for tier, delays in DEFAULT_DELAYS.items():
        for priority, (first, resolution) in delays.items():
            if (tier, priority) not in existing:
                session.add(
                    SlaPolicy(
                        tier=tier,
                        priority=priority,
                        first_response_minutes=first,
                        resolution_minutes=resolution,
                        warning_ratio=0.75,
                        on_breach="notify" if tier == Tier.EDITEUR else "escalate",
                    )
                )
        if session.get(TierCalendar, tier) is None:
            # Level 1 and EduLAB staff are school-based and off during school holidays; pilots and vendor are not.
            session.add(
                TierCalendar(
                    tier=tier, hours=dump_hours(OFFICE_HOURS), counts_during_school_holidays=tier in {Tier.PILOTE, Tier.EDITEUR}
                )
            )
    import_public_holidays(session, {2026, 2027}, PUBLIC_HOLIDAYS)
    import_school_holidays(session, ZONE_C_2026_2027)
    label, first, last = CHRISTMAS_CLOSURE
    if session.scalar(select(Closure).where(Closure.first_day == first, Closure.tier.is_(None))) is None:
        session.add(Closure(label=label, first_day=first, last_day=last))
    session.flush()
