"""Operator commands: `flask --app wsgi seed [--demo]`, `user create`, `user set-password`, `user token`."""

import importlib

import click
from flask import current_app
from flask.cli import AppGroup

from helpdesk.errors import DomainError
from helpdesk.extensions import db

# Seed steps by dotted module path, in dependency order. Each module may define
# seed_reference(session) (idempotent reference data) and seed_demo(session) (demo data).
SEED_MODULES = [
    "helpdesk.organisation.seed",
    "helpdesk.users.seed",
    "helpdesk.routing.seed",
    "helpdesk.tickets.seed",
    "kb.seed",
    "kb.diagnostics.seed",
    "helpdesk.trainings.seed",
    "escalation.seed",
]

user_cli = AppGroup("user", help="Gérer les comptes.")


def run_seed(session, demo: bool, echo=lambda message: None) -> None:
    for path in SEED_MODULES:
        module = importlib.import_module(path)
        if hasattr(module, "seed_reference"):
            echo(f"  données de référence : {path}")
            module.seed_reference(session)
            session.commit()
    if demo:
        for path in SEED_MODULES:
            module = importlib.import_module(path)
            if hasattr(module, "seed_demo"):
                echo(f"  données de démonstration : {path}")
                module.seed_demo(session)
                session.commit()


@click.command("seed")
@click.option("--demo", is_flag=True, help="Ajoute l'académie de démonstration, ses personnes et ses tickets.")
def seed_command(demo: bool):
    """Charge les données de référence (idempotent)."""
    run_seed(db.session, demo, echo=click.echo)
    click.echo("Données chargées.")


@user_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", "roles", multiple=True, default=["requester"], show_default=True)
@click.option("--profile", default="enseignant", show_default=True)
@click.option("--school", "school_uai", default=None, help="UAI de l'établissement")
@click.option("--basin", "basins", multiple=True, help="Bassin suivi (référent EduLAB)")
@click.password_option()
def user_create(email, full_name, roles, profile, school_uai, basins, password):
    """Crée un compte local."""
    from helpdesk.users.services import create_user

    try:
        user = create_user(
            db.session,
            email=email,
            full_name=full_name,
            password=password,
            roles=roles,
            profile=profile,
            school_uai=school_uai,
            basin_names=basins,
        )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Compte créé : {user.email} ({', '.join(sorted(user.roles))})")


@user_cli.command("set-password")
@click.option("--email", required=True)
@click.password_option()
def user_set_password(email, password):
    """Change le mot de passe d'un compte."""
    from helpdesk.users.services import find_by_email, set_password

    user = find_by_email(db.session, email)
    if user is None:
        raise click.ClickException("Compte introuvable.")
    try:
        set_password(db.session, user, password)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo("Mot de passe modifié.")


@user_cli.command("token")
@click.option("--email", required=True)
@click.option("--name", default="cli")
def user_token(email, name):
    """Émet un jeton d'API pour un compte (affiché une seule fois)."""
    from helpdesk.users.services import find_by_email, issue_api_token

    user = find_by_email(db.session, email)
    if user is None:
        raise click.ClickException("Compte introuvable.")
    raw = issue_api_token(db.session, user, name)
    db.session.commit()
    click.echo(raw)


@click.command("config-show")
def config_show():
    """Affiche la configuration effective (sans secrets)."""
    for key in ("HELPDESK_DATA_DIR", "SQLALCHEMY_DATABASE_URI", "REDIS_URL", "MAIL_SERVER", "KB_INDEX_DIR", "UPLOAD_DIR"):
        value = str(current_app.config.get(key, ""))
        if "@" in value and "://" in value:
            value = value.split("://")[0] + "://***@" + value.split("@")[-1]
        click.echo(f"{key} = {value}")


# Further command groups by dotted path (kb, sla, trainings...).
EXTRA_COMMANDS: list[str] = [
    "kb.cli:kb_cli",
    "kb.diagnostics.cli:diagnostics_cli",
    "escalation.cli:sla_cli",
]


def register_cli(app) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(user_cli)
    app.cli.add_command(config_show)
    for path in EXTRA_COMMANDS:
        module, _, attribute = path.partition(":")
        app.cli.add_command(getattr(importlib.import_module(module), attribute))
