"""`flask sla ...`: import French public holidays and zone C school holidays into the SLA calendars."""

import click
from flask.cli import AppGroup

from escalation.services import import_holidays_from_libraries
from helpdesk.platform.extensions import db

sla_cli = AppGroup("sla", help="Délais de traitement (SLA) et calendriers.")


@sla_cli.command("import-holidays")
@click.option("--year", "years", type=int, multiple=True, required=True, help="Année civile (répétable).")
def import_holidays(years):
    """Importe les jours fériés (paquet holidays) et les vacances scolaires de la zone C."""
    added_public, added_school, unknown = import_holidays_from_libraries(db.session, years)
    db.session.commit()
    for year in unknown:
        click.echo(f"Pas de données de vacances scolaires pour {year}.", err=True)
    click.echo(f"{added_public} jour(s) férié(s) et {added_school} période(s) de vacances ajoutés.")
