"""`flask sla ...`: import French public holidays and zone C school holidays into the SLA calendars."""

from datetime import timedelta

import click
from flask.cli import AppGroup

from escalation.services import ZONE, import_public_holidays, import_school_holidays
from helpdesk.platform.extensions import db

sla_cli = AppGroup("sla", help="Délais de traitement (SLA) et calendriers.")


def school_periods(days_by_name: dict) -> list[tuple[str, object, object]]:
    """Group the package's day-by-day answers into inclusive (label, first, last) ranges of consecutive days."""
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


@sla_cli.command("import-holidays")
@click.option("--year", "years", type=int, multiple=True, required=True, help="Année civile (répétable).")
def import_holidays(years):
    """Importe les jours fériés (paquet holidays) et les vacances scolaires de la zone C."""
    import holidays
    import vacances_scolaires_france

    public = list(holidays.France(years=years, language="fr").items())
    dates = vacances_scolaires_france.SchoolHolidayDates()
    by_name: dict = {}
    for year in years:
        try:
            answers = dates.holidays_for_year_and_zone(year, ZONE)
        except vacances_scolaires_france.UnsupportedYearException:
            click.echo(f"Pas de données de vacances scolaires pour {year}.", err=True)
            continue
        for day, info in answers.items():
            by_name.setdefault(info["nom_vacances"], set()).add(day)
    added_public = import_public_holidays(db.session, set(years), public)
    added_school = import_school_holidays(db.session, school_periods(by_name))
    db.session.commit()
    click.echo(f"{added_public} jour(s) férié(s) et {added_school} période(s) de vacances ajoutés.")
