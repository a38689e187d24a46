"""`flask user ...`: create a local account, set its password, issue an API token."""

import click
from flask.cli import AppGroup

from helpdesk.platform import audit
from helpdesk.platform.errors import DomainError
from helpdesk.platform.extensions import db
from helpdesk.policy import Scope

user_cli = AppGroup("user", help="Gérer les comptes.")


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
    audit.acting_as(db.session, None, "command")
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
    audit.acting_as(db.session, None, "command")
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
@click.option("--scope", "scopes", multiple=True, type=click.Choice([str(s) for s in Scope]),
              help="Limite le jeton à cette portée (répétable) ; sans portée : tous les droits du compte.")  # fmt: skip
@click.option("--expires", "expires_on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Dernier jour de validité.")
def user_token(email, name, scopes, expires_on):
    """Émet un jeton d'API pour un compte (affiché une seule fois)."""
    from helpdesk.platform.timeutil import utcnow
    from helpdesk.users.services import find_by_email, issue_api_token, token_expiry

    user = find_by_email(db.session, email)
    if user is None:
        raise click.ClickException("Compte introuvable.")
    expires_at = token_expiry(expires_on.date() if expires_on else None, now=utcnow())
    if expires_at is False:
        raise click.ClickException("La date d'expiration est passée.")
    raw = issue_api_token(db.session, user, name, scopes=scopes, expires_at=expires_at)
    db.session.commit()
    click.echo(raw)
