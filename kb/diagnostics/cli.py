"""`flask diagnostics export <slug>` and `flask diagnostics import <file>`: trees as YAML for review."""

import click
from flask.cli import AppGroup

from helpdesk.platform.errors import DomainError
from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from kb.diagnostics import services

diagnostics_cli = AppGroup("diagnostics", help="Importer et exporter les diagnostics guidés (YAML).")


@diagnostics_cli.command("export")
@click.argument("slug")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="Fichier de sortie (défaut : écran).")
def export_tree(slug, output):
    """Écrit la version courante d'un diagnostic en YAML."""
    try:
        tree = services.get_tree_or_404(db.session, slug)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    output.write(services.dump_yaml(services.current_version(db.session, tree).data))


@diagnostics_cli.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--comment", default="Import YAML", show_default=True, help="Commentaire de la nouvelle version.")
def import_tree(file, comment):
    """Enregistre un fichier YAML comme nouvelle version de son diagnostic (après validation)."""
    try:
        version = services.save_tree(db.session, services.load_yaml(file.read()), actor=None, now=utcnow(), comment=comment)
    except DomainError as error:
        for line in error.details.get("errors", []) or [error.message]:
            click.echo(line, err=True)
        raise click.ClickException("Diagnostic refusé : rien n'a été enregistré.") from error
    db.session.commit()
    click.echo(f"Diagnostic « {version.tree.slug} » enregistré en version {version.version}.")
