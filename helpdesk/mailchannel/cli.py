"""`flask mail ...`: import one message file as the poller would, read the mailbox now, show the channel's state."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from helpdesk.platform import audit
from helpdesk.platform.extensions import db

mail_cli = AppGroup("mail", help="Canal courriel : import, relève de la boîte, état.")


@mail_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def mail_import(path: Path):
    """Importe un message RFC 822 (fichier .eml) exactement comme la relève IMAP (même Message-ID, même fil)."""
    from helpdesk.mailchannel import intake, services

    audit.acting_as(db.session, None, "command")
    settings = services.MailSettings.from_config(current_app.config)
    outcome = intake.import_one(db.session, path.read_bytes(), settings=settings, source="file")
    click.echo(f"{path.name} : {outcome}")


@mail_cli.command("poll")
def mail_poll():
    """Relève la boîte d'assistance maintenant (comme la tâche périodique)."""
    from helpdesk.mailchannel import intake

    audit.acting_as(db.session, None, "command")
    if not current_app.config.get("MAIL_IMAP_HOST"):
        raise click.ClickException("Relève désactivée : MAIL_IMAP_HOST n'est pas défini.")
    outcomes = intake.poll_once(db.session, current_app.config) or {}
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())) or "aucun nouveau message")


@mail_cli.command("lmtp")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute (le serveur de courrier local).")
@click.option("--port", default=8024, show_default=True, type=int)
def mail_lmtp(host: str, port: int):
    """Reçoit les courriels poussés en LMTP par le serveur de courrier (même import que la relève IMAP)."""
    import signal
    import threading

    from helpdesk.mailchannel import lmtp

    controller = lmtp.start(current_app._get_current_object(), host=host, port=port)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"LMTP : écoute sur {host}:{port}")
    try:
        stop.wait()
    finally:
        controller.stop()


@mail_cli.command("status")
def mail_status():
    """Dernière relève, nombre de courriels par issue, quarantaine."""
    from helpdesk.mailchannel import services

    state = services.status(db.session)
    poll = state["poll"]
    enabled = "activée" if current_app.config.get("MAIL_IMAP_HOST") else "désactivée (MAIL_IMAP_HOST vide)"
    click.echo(f"Relève IMAP : {enabled}")
    if poll is None:
        click.echo("Dernière relève : jamais")
    else:
        click.echo(f"Dernière relève : {poll.last_poll_at:%Y-%m-%d %H:%M:%S} UTC, {poll.last_fetched} message(s)")
        click.echo(f"Dernière relève réussie : {poll.last_success_at:%Y-%m-%d %H:%M:%S} UTC" if poll.last_success_at
                   else "Dernière relève réussie : jamais")  # fmt: skip
        if poll.last_error:
            click.echo(f"Dernière erreur : {poll.last_error}")
    click.echo("Courriels : " + (", ".join(f"{k} {v}" for k, v in sorted(state["counts"].items())) or "aucun"))
    click.echo(f"Quarantaine : {len(state['quarantine'])} (les plus récents)")
    for row in state["quarantine"]:
        click.echo(f"  #{row.id} {row.imported_at:%Y-%m-%d %H:%M} {row.sender or '?'} « {row.subject[:60]} » — {row.reason}")
