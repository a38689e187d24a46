"""`flask seed [--demo]`: every area's reference data (idempotent), then the demo académie, in dependency order.

Each area's seed module may define seed_reference(session) and seed_demo(session)."""

import click

from helpdesk.platform import audit
from helpdesk.platform.extensions import db


def _seed_modules():
    from escalation import seed as sla
    from helpdesk.answers import seed as answers
    from helpdesk.mailchannel import seed as mailchannel
    from helpdesk.organisation import seed as organisation
    from helpdesk.routing import seed as routing
    from helpdesk.tickets import seed as tickets
    from helpdesk.trainings import seed as trainings
    from helpdesk.users import seed as users
    from kb import seed as kb
    from kb.diagnostics import seed as diagnostics

    return [organisation, users, routing, tickets, kb, diagnostics, trainings, sla, mailchannel, answers]


STEPS = (("seed_reference", "données de référence"), ("seed_demo", "données de démonstration"))


def run_seed(session, demo: bool, echo=lambda message: None) -> None:
    """Every area's reference data, then (with `demo`) its demo data, one commit per area and step."""
    audit.acting_as(session, None, "seed")  # the configuration journal names the loading, not a person
    for step, what in STEPS if demo else STEPS[:1]:
        for module in _seed_modules():
            if hasattr(module, step):
                echo(f"  {what} : {module.__name__}")
                getattr(module, step)(session)
                session.commit()


@click.command("seed")
@click.option("--demo", is_flag=True, help="Ajoute l'académie de démonstration, ses personnes et ses tickets.")
def seed_command(demo: bool):
    """Charge les données de référence (idempotent)."""
    run_seed(db.session, demo, echo=click.echo)
    click.echo("Données chargées.")
