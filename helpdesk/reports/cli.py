"""`flask reports ...`: refresh or rebuild the rollups behind the dashboards."""

import click
from flask.cli import AppGroup

from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.reports import rollups

reports_cli = AppGroup("reports", help="Chiffres des tableaux de bord.")


@reports_cli.command("refresh")
def refresh():
    """Recalcule les jours dont les tickets ont changé depuis le dernier passage."""
    days = rollups.refresh(db.session, now=utcnow())
    db.session.commit()
    click.echo(f"{days} jour(s) recalculé(s).")


@reports_cli.command("rebuild")
def rebuild():
    """Recalcule tous les chiffres depuis les tickets (après un import en masse)."""
    days = rollups.rebuild(db.session, now=utcnow())
    db.session.commit()
    click.echo(f"{days} jour(s) recalculé(s).")
