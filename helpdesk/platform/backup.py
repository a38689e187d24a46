"""Backup and restore of what the database and the data directory hold; everything else is rebuilt.

Saved: the database (SQLite through its online backup API, PostgreSQL with `pg_dump --format=custom`), the
attachments directory and the generated secret key. Not saved, because they are derived and rebuilt: each
node's search index (`flask kb reindex`) and Redis (timers, queued mails and jobs are re-created from the
database by the sweeps: SLA checks every minute, unsent mails every five minutes)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

DATABASE_SQLITE = "helpdesk.db"
DATABASE_DUMP = "database.dump"
UPLOADS = "uploads"
SECRET_KEY = "secret_key"


def _libpq_url(uri: str) -> str:
    url = make_url(uri).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def backup(config: dict, destination: str | Path) -> list[str]:
    """Write the backup into `destination` (created; must be empty). Returns what was saved. The app may run:
    SQLite's backup API and pg_dump both take a consistent snapshot."""
    dest = Path(destination)
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise FileExistsError(f"{dest} n'est pas vide")
    uri = config["SQLALCHEMY_DATABASE_URI"]
    url = make_url(uri)
    saved = []
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        target = sqlite3.connect(dest / DATABASE_SQLITE)
        with target:
            source.backup(target)
        source.close()
        target.close()
        saved.append(DATABASE_SQLITE)
    else:
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(dest / DATABASE_DUMP), _libpq_url(uri)], check=True
        )
        saved.append(DATABASE_DUMP)
    uploads = Path(config["UPLOAD_DIR"])
    if uploads.is_dir():
        shutil.copytree(uploads, dest / UPLOADS)
        saved.append(UPLOADS)
    secret = Path(config["HELPDESK_DATA_DIR"]) / SECRET_KEY
    if secret.exists():
        shutil.copy2(secret, dest / SECRET_KEY)
        saved.append(SECRET_KEY)
    return saved


def restore(config: dict, source: str | Path) -> list[str]:
    """Put a backup back in place of the configured database and directories. Stop the web and worker
    processes first; afterwards run `flask db upgrade` and, on each node, `flask kb reindex`."""
    src = Path(source)
    uri = config["SQLALCHEMY_DATABASE_URI"]
    url = make_url(uri)
    restored = []
    if (src / DATABASE_SQLITE).exists():
        if url.get_backend_name() != "sqlite":
            raise ValueError("sauvegarde SQLite, base configurée PostgreSQL")
        database = Path(url.database)
        for leftover in (database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copy2(src / DATABASE_SQLITE, database)
        restored.append(DATABASE_SQLITE)
    elif (src / DATABASE_DUMP).exists():
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--dbname", _libpq_url(uri), str(src / DATABASE_DUMP)],
            check=True,
        )
        restored.append(DATABASE_DUMP)
    else:
        raise FileNotFoundError(f"aucune base dans {src}")
    if (src / UPLOADS).is_dir():
        uploads = Path(config["UPLOAD_DIR"])
        if uploads.exists():
            shutil.rmtree(uploads)
        shutil.copytree(src / UPLOADS, uploads)
        restored.append(UPLOADS)
    if (src / SECRET_KEY).exists():
        shutil.copy2(src / SECRET_KEY, Path(config["HELPDESK_DATA_DIR"]) / SECRET_KEY)
        restored.append(SECRET_KEY)
    return restored
