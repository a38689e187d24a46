"""Pure training rules: who belongs to which audience, when a registration may still be cancelled,
and whether the periods a head of school proposes for a FIL make sense. Standard library only."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from helpdesk.platform.i18n import N_

# Sessions and FIL dates are planned at most this many calendar years ahead (a year 9999 is a typing slip).
MAX_YEARS_AHEAD = 2


class Audience(StrEnum):
    DIRECTION = "direction"
    ADMINISTRATEURS = "administrateurs"
    EQUIPES = "equipes"
    NEOTITULAIRES = "neotitulaires"


AUDIENCE_LABELS = {
    Audience.DIRECTION: N_("Personnels de direction"),
    Audience.ADMINISTRATEURS: N_("Administrateurs ENT"),
    Audience.EQUIPES: N_("Équipes pédagogiques"),
    Audience.NEOTITULAIRES: N_("Enseignants néotitulaires"),
}


class Level(StrEnum):
    DECOUVERTE = "decouverte"
    CONFIRME = "confirme"


LEVEL_LABELS = {Level.DECOUVERTE: N_("Découverte"), Level.CONFIRME: N_("Confirmé")}


class FilFormat(StrEnum):
    TWO_HALF_DAYS = "two_half_days"
    FULL_DAY = "full_day"


FORMAT_LABELS = {
    FilFormat.TWO_HALF_DAYS: N_("6 heures en deux demi-journées"),
    FilFormat.FULL_DAY: N_("6 heures en une journée entière"),
}


class Moment(StrEnum):
    DAY = "day"
    MORNING = "am"
    AFTERNOON = "pm"


MOMENT_LABELS = {Moment.DAY: N_("Journée entière"), Moment.MORNING: N_("Matin"), Moment.AFTERNOON: N_("Après-midi")}
_HALVES = {Moment.DAY: {"am", "pm"}, Moment.MORNING: {"am"}, Moment.AFTERNOON: {"pm"}}

# School profiles → the PRAF audience they belong to. Teachers may also attend the néotitulaires
# modules: being newly tenured is not recorded in the profile, so the rule stays permissive there.
PROFILE_AUDIENCES: dict[str, frozenset[Audience]] = {
    "chef_etablissement": frozenset({Audience.DIRECTION}),
    "adjoint": frozenset({Audience.DIRECTION}),
    "administrateur_ent": frozenset({Audience.ADMINISTRATEURS}),
    "rupn": frozenset({Audience.ADMINISTRATEURS}),
    "enseignant": frozenset({Audience.EQUIPES, Audience.NEOTITULAIRES}),
    "cpe": frozenset({Audience.EQUIPES}),
    "documentaliste": frozenset({Audience.EQUIPES}),
    "vie_scolaire": frozenset({Audience.EQUIPES}),
}


def audiences_of_profile(profile: str | None) -> frozenset[Audience]:
    return PROFILE_AUDIENCES.get(profile or "", frozenset())


def may_attend(profile: str | None, audience: str) -> bool:
    return Audience(audience) in audiences_of_profile(profile)


class LocalTimeRefused(ValueError):
    """A wall-clock time that names no instant (the spring DST gap) or lies outside the dates we accept."""


def local_instant(day: date, at: time, zone: tzinfo) -> datetime:
    """The UTC instant of a wall-clock time in `zone`. Raises LocalTimeRefused (French) for a time in the spring
    gap, instead of silently moving it an hour later; in the autumn overlap the first (summer-time) one is meant."""
    local = datetime.combine(day, at, tzinfo=zone)
    try:
        instant = local.astimezone(UTC)
    except OverflowError as error:
        raise LocalTimeRefused(N_("Cette date est hors des dates acceptées.")) from error
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise LocalTimeRefused(
            N_(
                "L'heure %(time)s n'existe pas le %(day)s : au passage à l'heure d'été, les horloges avancent "
                "d'une heure (de 2 h à 3 h). Choisissez une heure en dehors de ce saut.",
                time=at.strftime("%H:%M"),
                day=day.strftime("%d/%m/%Y"),
            )
        )
    return instant


def too_far_ahead(day: date, today: date) -> str | None:
    """French reason when `day` lies beyond the planning horizon (MAX_YEARS_AHEAD calendar years), else None."""
    if day.year > today.year + MAX_YEARS_AHEAD:
        return N_(
            "Cette date est trop lointaine : choisissez une date au plus tard le 31/12/%(year)s.",
            year=today.year + MAX_YEARS_AHEAD,
        )
    return None


def cancellation_deadline(starts_at: datetime, deadline_hours: int) -> datetime:
    return starts_at - timedelta(hours=deadline_hours)


def can_still_cancel(starts_at: datetime, deadline_hours: int, now: datetime) -> bool:
    return now <= cancellation_deadline(starts_at, deadline_hours)


@dataclass(frozen=True)
class Period:
    """A preferred period: one day or a range of days, all day long or only mornings/afternoons."""

    start: date
    end: date
    moment: Moment = Moment.DAY

    def overlaps(self, other: "Period") -> bool:
        if self.end < other.start or other.end < self.start:
            return False
        return bool(_HALVES[Moment(self.moment)] & _HALVES[Moment(other.moment)])

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "moment": str(self.moment)}

    @classmethod
    def from_dict(cls, data: dict) -> "Period":
        return cls(date.fromisoformat(data["start"]), date.fromisoformat(data["end"]), Moment(data.get("moment", "day")))


def period_problems(periods: list[Period], today: date) -> list[tuple[int, str]]:
    """(index of the period, French message) for every period in the past, reversed or overlapping another."""
    problems: list[tuple[int, str]] = []
    for index, period in enumerate(periods):
        if period.start <= today:
            problems.append((index, N_("Cette date est passée : proposez une date à partir de demain.")))
        elif too_far_ahead(period.end, today):
            problems.append((index, too_far_ahead(period.end, today)))
        elif period.end < period.start:
            problems.append((index, N_("La fin de la période précède son début.")))
    for index, period in enumerate(periods):
        for earlier in periods[:index]:
            if period.end >= period.start and period.overlaps(earlier):
                problems.append((index, N_("Cette période chevauche une autre demi-journée déjà proposée.")))
                break
    return problems
