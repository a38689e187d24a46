"""SLA use cases: which policy applies, which calendar a tier follows, editing them and importing holidays."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from escalation.models import ON_BREACH, Closure, PublicHoliday, SchoolHolidayPeriod, SlaPolicy, TierCalendar
from escalation.working_calendar import OFFICE_HOURS, WorkingCalendar, dump_hours, parse_hours
from helpdesk import policy
from helpdesk.platform.errors import NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.formatting import weekday_names
from helpdesk.platform.i18n import N_
from helpdesk.platform.refcache import VersionedCache
from helpdesk.routing.codes import TIER_ORDER, Priority, Tier
from helpdesk.routing.models import Keyword

ZONE = "C"
DEFAULT_PRIORITIES = [p.value for p in Priority]


def _require_pilot(actor, what: str) -> None:
    if not policy.can(actor, policy.Action.EDIT_SLA):
        raise NotAllowed(N_("Seule l'équipe de pilotage peut %(what)s."), params={"what": what})


def _checked_period(label: str, first_day: date | None, last_day: date | None) -> str:
    """A closure or a holiday period needs a label and two ordered days; returns the label to store."""
    label = (label or "").strip()
    if not label or first_day is None or last_day is None:
        raise ValidationFailed(N_("Indiquez un libellé, une date de début et une date de fin."))
    if last_day < first_day:
        raise ValidationFailed(N_("La date de fin précède la date de début."))
    return label[:120]


@dataclass(frozen=True)
class PolicyTerms:
    """The values of one SlaPolicy row, detached from any session (shared by the threads of a process)."""

    id: int
    tier: str
    priority: str
    keyword_id: int | None
    first_response_minutes: int
    resolution_minutes: int
    warning_ratio: float
    on_breach: str


@dataclass
class SlaReference:
    """Every policy, and what every tier's calendar is built from (calendars are built once, on first use)."""

    policies: dict[tuple[str, str, int | None], PolicyTerms]
    tier_rows: dict[str, tuple[dict, bool]]  # tier → (stored hours, counts during school holidays)
    public_holidays: frozenset[date]
    school_holidays: tuple[tuple[date, date], ...]
    closures: tuple[tuple[str | None, date, date], ...]
    calendars: dict[str, WorkingCalendar] = field(default_factory=dict)

    def calendar(self, tier: str) -> WorkingCalendar:
        calendar = self.calendars.get(tier)
        if calendar is None:  # a benign race between threads builds the same value twice
            hours, counts = self.tier_rows.get(tier, (None, True))
            calendar = self.calendars[tier] = WorkingCalendar(
                hours=parse_hours(hours) if hours else dict(OFFICE_HOURS),
                public_holidays=self.public_holidays,
                school_holidays=self.school_holidays,
                runs_during_school_holidays=counts,
                closures=frozenset(
                    day
                    for closure_tier, first, last in self.closures
                    if closure_tier in (None, tier)
                    for day in _days(first, last)
                ),
            )
        return calendar


def _load_reference(session) -> SlaReference:
    policies = {
        (row.tier, row.priority, row.keyword_id): PolicyTerms(
            row.id,
            row.tier,
            row.priority,
            row.keyword_id,
            row.first_response_minutes,
            row.resolution_minutes,
            row.warning_ratio,
            row.on_breach,
        )
        for row in session.scalars(select(SlaPolicy))
    }
    return SlaReference(
        policies=policies,
        tier_rows={
            row.tier: (dict(row.hours or {}), row.counts_during_school_holidays) for row in session.scalars(select(TierCalendar))
        },
        public_holidays=frozenset(session.scalars(select(PublicHoliday.day))),
        school_holidays=tuple(
            (row.first_day, row.last_day)
            for row in session.scalars(
                select(SchoolHolidayPeriod).where(SchoolHolidayPeriod.zone == ZONE).order_by(SchoolHolidayPeriod.first_day)
            )
        ),
        closures=tuple((row.tier, row.first_day, row.last_day) for row in session.scalars(select(Closure))),
    )


# Built once per process and reused while no one edits the reference tables (helpdesk.platform.refcache): creating a
# ticket or applying a breach then reads one token instead of five tables.
REFERENCE = VersionedCache("sla", (SlaPolicy, TierCalendar, PublicHoliday, SchoolHolidayPeriod, Closure), _load_reference)


def reference(session) -> SlaReference:
    return REFERENCE.get(session)


def find_policy(session, *, tier: str, priority: str, keyword_id: int | None = None) -> PolicyTerms | None:
    """The keyword-specific policy when one exists, otherwise the generic one for tier × priority."""
    policies = reference(session).policies
    found = policies.get((tier, priority, keyword_id)) if keyword_id is not None else None
    return found or policies.get((tier, priority, None))


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def load_calendar(session, tier: str) -> WorkingCalendar:
    """The pure calendar of a tier (office hours when none is stored)."""
    return reference(session).calendar(tier)


def update_policy(
    session,
    policy_id: int,
    *,
    actor,
    first_response_minutes: int,
    resolution_minutes: int,
    warning_ratio: float,
    on_breach: str,
    now,
) -> SlaPolicy:
    """Change a policy's delays. Raises NotAllowed, NotFound, ValidationFailed (French message)."""
    _require_pilot(actor, N_("modifier les délais"))
    row = session.get(SlaPolicy, policy_id)
    if row is None:
        raise NotFound(N_("Politique de délai introuvable."))
    _check_delays(first_response_minutes, resolution_minutes, warning_ratio, on_breach)
    row.first_response_minutes = first_response_minutes
    row.resolution_minutes = resolution_minutes
    row.warning_ratio = float(warning_ratio)
    row.on_breach = on_breach
    row.updated_at = now
    session.flush()
    return row


def _check_delays(first_response_minutes, resolution_minutes, warning_ratio, on_breach) -> None:
    """Raise ValidationFailed naming every wrong delay field (one rule for generic and keyword policies)."""
    errors = {}
    if not (isinstance(first_response_minutes, int) and first_response_minutes > 0):
        errors["first_response_minutes"] = N_("Le délai de première réponse doit être un nombre de minutes positif.")
    if not (isinstance(resolution_minutes, int) and resolution_minutes > 0):
        errors["resolution_minutes"] = N_("Le délai de résolution doit être un nombre de minutes positif.")
    elif isinstance(first_response_minutes, int) and resolution_minutes < first_response_minutes:
        errors["resolution_minutes"] = N_("Le délai de résolution ne peut pas être plus court que la première réponse.")
    if not 0 < float(warning_ratio) <= 1:
        errors["warning_ratio"] = N_("Le seuil d'alerte doit être compris entre 0 et 1 (par exemple 0,75).")
    if on_breach not in ON_BREACH:
        errors["on_breach"] = N_("Action en cas de dépassement inconnue.")
    if errors:
        raise ValidationFailed(list(errors.values()), errors=errors)


def add_keyword_policy(
    session,
    *,
    actor,
    keyword_id: int | None,
    tier: str,
    priority: str,
    first_response_minutes: int,
    resolution_minutes: int,
    warning_ratio: float,
    on_breach: str,
    now,
) -> SlaPolicy:
    """Give one keyword its own delays at one tier × priority (e.g. a password reset promised faster).

    Raises NotAllowed, ValidationFailed (unknown keyword, tier or priority, bad delays, override already there)."""
    _require_pilot(actor, N_("modifier les délais"))
    keyword = session.get(Keyword, keyword_id) if keyword_id else None
    if keyword is None:
        raise ValidationFailed(N_("Choisissez un mot-clé."), errors={"keyword_id": N_("Choisissez un mot-clé.")})
    if tier not in {t.value for t in Tier}:
        raise ValidationFailed(N_("Niveau inconnu."), errors={"tier": N_("Niveau inconnu.")})
    if priority not in DEFAULT_PRIORITIES:
        raise ValidationFailed(N_("Priorité inconnue."), errors={"priority": N_("Priorité inconnue.")})
    _check_delays(first_response_minutes, resolution_minutes, warning_ratio, on_breach)
    existing = session.scalar(
        select(SlaPolicy).where(SlaPolicy.keyword_id == keyword.id, SlaPolicy.tier == tier, SlaPolicy.priority == priority)
    )
    if existing is not None:
        message = N_(
            "Le mot-clé « %(keyword)s » a déjà un délai propre pour ce niveau et cette priorité : modifiez-le.",
            keyword=keyword.label,
        )
        raise ValidationFailed(message, errors={"keyword_id": message})
    row = SlaPolicy(
        keyword_id=keyword.id,
        tier=tier,
        priority=priority,
        first_response_minutes=first_response_minutes,
        resolution_minutes=resolution_minutes,
        warning_ratio=float(warning_ratio),
        on_breach=on_breach,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def delete_keyword_policy(session, policy_id: int, *, actor) -> SlaPolicy:
    """Remove a keyword's own delays: its tickets follow the tier × priority policy again from their next clock.

    The generic tier × priority rows cannot be deleted (every ticket needs a policy)."""
    _require_pilot(actor, N_("modifier les délais"))
    row = session.get(SlaPolicy, policy_id)
    if row is None:
        raise NotFound(N_("Politique de délai introuvable."))
    if row.keyword_id is None:
        raise ValidationFailed(N_("Les délais par niveau et priorité ne se suppriment pas ; modifiez-les."))
    session.delete(row)
    session.flush()
    return row


def update_tier_calendar(session, tier: str, *, actor, hours: dict, counts_during_school_holidays: bool) -> TierCalendar:
    """Replace a tier's weekly hours. Raises NotAllowed, ValidationFailed when the hours do not parse."""
    _require_pilot(actor, N_("modifier les délais"))
    if tier not in {t.value for t in Tier}:
        raise NotFound(N_("Niveau inconnu."))
    try:
        parsed = parse_hours(hours)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(
            N_("Horaires invalides : %(problem)s", problem=exc.args[0]), errors={"hours": exc.args[0]}
        ) from exc
    row = session.get(TierCalendar, tier) or TierCalendar(tier=tier)
    row.hours = dump_hours(parsed)
    row.counts_during_school_holidays = counts_during_school_holidays
    session.add(row)
    session.flush()
    return row


def import_public_holidays(session, years, entries) -> int:
    """Insert (day, label) pairs not yet known; returns how many were added. Idempotent."""
    known = set(session.scalars(select(PublicHoliday.day)))
    added = 0
    for day, label in entries:
        if day.year in years and day not in known:
            session.add(PublicHoliday(day=day, label=label))
            known.add(day)
            added += 1
    session.flush()
    return added


def import_school_holidays(session, periods, zone: str = ZONE) -> int:
    """Insert (label, first_day, last_day) periods not yet known for the zone; returns how many were added."""
    known = set(session.scalars(select(SchoolHolidayPeriod.first_day).where(SchoolHolidayPeriod.zone == zone)))
    added = 0
    for label, first, last in periods:
        if first not in known:
            session.add(SchoolHolidayPeriod(zone=zone, label=label, first_day=first, last_day=last))
            known.add(first)
            added += 1
    session.flush()
    return added


_TIER_RANK = {tier.value: rank for rank, tier in enumerate(TIER_ORDER)}
_PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def hours_to_text(hours: dict, locale: str = "fr") -> str:
    """Stored JSON hours → the editable form in the reader's language, one line per open day:
    « lundi 08:00-12:00 13:30-18:00 », « monday 08:00-12:00 13:30-18:00 »."""
    day_names = weekday_names(locale)
    lines = []
    for key, ranges in sorted(hours.items(), key=lambda item: int(item[0])):
        if ranges:
            lines.append(day_names[int(key)] + " " + " ".join(f"{a}-{b}" for a, b in ranges))
    return "\n".join(lines)


def hours_from_text(text: str, locales=("fr",)) -> dict:
    """Parse the editable form, day names in any of `locales` (the product's languages: a pilot may paste lines
    written in the other one); raises ValidationFailed with the faulty line quoted."""
    days = {name: day for locale in locales for day, name in enumerate(weekday_names(locale))}
    raw: dict = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        day, *ranges = line.split()
        if day.lower() not in days or not ranges:
            raise ValidationFailed(
                N_("Ligne incomprise : « %(line)s » (exemple : lundi 08:00-18:00)."),
                params={"line": line.strip()},
                errors={"hours": line},
            )
        pairs = []
        for item in ranges:
            opening, sep, closing = item.partition("-")
            if not sep:
                raise ValidationFailed(
                    N_("Plage incomprise : « %(range)s » (exemple : 08:00-18:00)."),
                    params={"range": item},
                    errors={"hours": item},
                )
            pairs.append([opening, closing])
        raw[str(days[day.lower()])] = pairs
    try:
        return dump_hours(parse_hours(raw))
    except ValueError as exc:
        raise ValidationFailed(
            N_("Horaires invalides : %(problem)s", problem=exc.args[0]), errors={"hours": exc.args[0]}
        ) from exc


def reference_overview(session, *, actor, today: date) -> dict:
    """Everything the SLA page shows. Raises NotAllowed for anyone but the pilot team."""
    _require_pilot(actor, N_("consulter et modifier les délais"))
    keywords = session.scalars(select(Keyword).order_by(Keyword.service, Keyword.label)).all()
    return {
        "policies": sorted(
            session.scalars(select(SlaPolicy)),
            key=lambda p: (_TIER_RANK.get(p.tier, 9), _PRIORITY_RANK.get(p.priority, 9), p.keyword_id or 0),
        ),
        "calendars": {row.tier: row for row in session.scalars(select(TierCalendar))},
        "holidays": session.scalars(select(PublicHoliday).order_by(PublicHoliday.day)).all(),
        "school": session.scalars(select(SchoolHolidayPeriod).order_by(SchoolHolidayPeriod.first_day)).all(),
        "closures": session.scalars(select(Closure).order_by(Closure.first_day)).all(),
        # Active keywords are offered for a new override; an existing one may name a keyword since retired.
        "keywords": [k for k in keywords if k.is_active],
        "keyword_labels": {k.id: k.label for k in keywords},
        "coverage": holiday_coverage(session, today=today),
    }


def add_closure(session, *, actor, label: str, first_day: date | None, last_day: date | None, tier: str | None) -> Closure:
    _require_pilot(actor, N_("modifier les fermetures"))
    label = _checked_period(label, first_day, last_day)
    if tier and tier not in {t.value for t in Tier}:
        raise ValidationFailed(N_("Niveau inconnu."))
    row = Closure(label=label, first_day=first_day, last_day=last_day, tier=tier or None)
    session.add(row)
    session.flush()
    return row


def delete_closure(session, closure_id: int, *, actor) -> None:
    _require_pilot(actor, N_("modifier les fermetures"))
    _delete_calendar_row(session, Closure, closure_id, N_("Fermeture introuvable."))


def _delete_calendar_row(session, model, row_id: int, missing: str) -> None:
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(missing)
    session.delete(row)
    session.flush()


def add_school_holiday(
    session, *, actor, label: str, first_day: date | None, last_day: date | None, zone: str = ZONE
) -> SchoolHolidayPeriod:
    """Add a school-holiday period by hand (a late change of the official calendar, a local bridge day)."""
    _require_pilot(actor, N_("modifier les vacances scolaires"))
    label = _checked_period(label, first_day, last_day)
    if session.scalar(
        select(SchoolHolidayPeriod.id).where(SchoolHolidayPeriod.zone == zone, SchoolHolidayPeriod.first_day == first_day)
    ):
        raise ValidationFailed(
            N_("Une période de vacances commence déjà le %(day)s : supprimez-la d'abord."),
            params={"day": f"{first_day:%d/%m/%Y}"},
        )
    row = SchoolHolidayPeriod(zone=zone, label=label, first_day=first_day, last_day=last_day)
    session.add(row)
    session.flush()
    return row


def delete_school_holiday(session, period_id: int, *, actor) -> None:
    _require_pilot(actor, N_("modifier les vacances scolaires"))
    _delete_calendar_row(session, SchoolHolidayPeriod, period_id, N_("Période de vacances introuvable."))


HOLIDAY_WARNING_DAYS = 180  # pilots are warned this long before the calendars run out of holiday data


@dataclass(frozen=True)
class HolidayCoverage:
    """Until when the calendars know the public holidays and the zone's school holidays."""

    public_until: date | None
    school_until: date | None
    today: date

    @property
    def until(self) -> date | None:
        known = [day for day in (self.public_until, self.school_until) if day is not None]
        return min(known) if len(known) == 2 else None

    @property
    def runs_out_soon(self) -> bool:
        return self.until is None or self.until < self.today + timedelta(days=HOLIDAY_WARNING_DAYS)

    @property
    def message(self) -> str:
        if self.until is None:
            return "Aucun jour férié ou aucune période de vacances scolaires n'est enregistré : les délais les ignorent."
        return (
            f"Les jours fériés et les vacances scolaires ne sont connus que jusqu'au {self.until:%d/%m/%Y} : "
            "au-delà, les délais les ignorent. Importez les années suivantes dès qu'elles sont publiées."
        )


def holiday_coverage(session, *, today: date) -> HolidayCoverage:
    """Two indexed max() queries; the SLA page and /healthz show a warning when `runs_out_soon`."""
    from sqlalchemy import func

    return HolidayCoverage(
        public_until=session.scalar(select(func.max(PublicHoliday.day))),
        school_until=session.scalar(select(func.max(SchoolHolidayPeriod.last_day)).where(SchoolHolidayPeriod.zone == ZONE)),
        today=today,
    )


def school_periods(days_by_name: dict) -> list[tuple[str, date, date]]:
    """Group day-by-day answers into inclusive (label, first, last) ranges of consecutive days."""
    periods = []
    for name, days in days_by_name.items():
        run_start = previous = None
        for day in sorted(days):
            if previous is not None and day - previous == timedelta(days=1):
                previous = day
                continue
            if run_start is not None:
                periods.append((name, run_start, previous))
            run_start = previous = day
        if run_start is not None:
            periods.append((name, run_start, previous))
    return sorted(periods, key=lambda p: p[1])


def import_holidays_from_libraries(session, years) -> tuple[int, int, list[int]]:
    """Public holidays (`holidays` package) and zone school holidays (`vacances-scolaires-france`) of `years`
    that are not stored yet. Idempotent. Returns (public days added, school periods added, years the school
    holiday package does not know yet)."""
    import holidays
    import vacances_scolaires_france

    years = sorted(set(years))
    public = list(holidays.France(years=years, language="fr").items())
    dates = vacances_scolaires_france.SchoolHolidayDates()
    by_name: dict = {}
    unknown = []
    for year in years:
        try:
            answers = dates.holidays_for_year_and_zone(year, ZONE)
        except vacances_scolaires_france.UnsupportedYearException:
            unknown.append(year)
            continue
        for day, info in answers.items():
            by_name.setdefault(info["nom_vacances"], set()).add(day)
    added_public = import_public_holidays(session, set(years), public)
    added_school = import_school_holidays(session, school_periods(by_name))
    return added_public, added_school, unknown
