"""`flask kb reindex`: rebuild this node's search index from the database (the index is derived data)."""

import click
from flask.cli import AppGroup

from helpdesk.platform.extensions import db

kb_cli = AppGroup("kb", help="Base de connaissances (FAQ et glossaire).")


@kb_cli.command("reindex")
def reindex():
    """Reconstruit l'index de recherche de ce nœud à partir de la base."""
    from kb import indexing

    total = indexing.count_documents(db.session)
    node = indexing.node()
    with click.progressbar(length=total, label="Indexation de la FAQ et du glossaire") as bar:
        count = node.rebuild(db.session, progress=bar.update)
    click.echo(f"{count} documents indexés dans {node.index.path}.")
