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
