"""`flask config-show`: the effective settings, secrets masked."""

import click
from flask import current_app


@click.command("config-show")
def config_show():
    """Affiche la configuration effective (sans secrets)."""
    for key in ("HELPDESK_DATA_DIR", "SQLALCHEMY_DATABASE_URI", "REDIS_URL", "MAIL_SERVER", "KB_INDEX_DIR", "UPLOAD_DIR"):
        value = str(current_app.config.get(key, ""))
        if "@" in value and "://" in value:
            value = value.split("://")[0] + "://***@" + value.split("@")[-1]
        click.echo(f"{key} = {value}")
    click.echo(f"TRUSTED_PROXIES = {current_app.config.get('TRUSTED_PROXIES', 0)}")
    providers = (current_app.config.get("SSO_ENV") or {}).get("HELPDESK_SSO_PROVIDERS", "")
    click.echo(f"HELPDESK_SSO_PROVIDERS = {providers or '(aucun : connexion unique désactivée)'}")
