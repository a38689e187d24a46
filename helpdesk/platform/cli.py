"""`flask config-show` (the effective settings, secrets masked), `flask backup` and `flask restore`."""

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


@click.command("backup")
@click.argument("destination", type=click.Path(file_okay=False))
def backup_command(destination):
    """Sauvegarde la base, les pièces jointes et la clé secrète dans un dossier vide."""
    from helpdesk.platform.backup import backup

    saved = backup(current_app.config, destination)
    click.echo(f"Sauvegardé dans {destination} : {', '.join(saved)}.")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False))
@click.confirmation_option(prompt="Remplacer la base et les pièces jointes par cette sauvegarde ?")
def restore_command(source):
    """Restaure une sauvegarde (arrêtez d'abord le web et les workers)."""
    from helpdesk.platform.backup import restore

    restored = restore(current_app.config, source)
    click.echo(f"Restauré : {', '.join(restored)}. Puis : flask db upgrade, et sur chaque nœud flask kb reindex.")
