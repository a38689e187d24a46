"""The documented backup and restore (docs/operations.md), run as an operator would with `flask backup` and
`flask restore` in their own processes: the database, the attachments and the secret key come back, the search
index is rebuilt, and Redis needs no backup (the sweeps hand out the SLA checks and mails from the database)."""

import re
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.factories import ArticleFactory, AttachmentFactory, TicketFactory
from tests.faults.support import ROOT, env_for

pytestmark = pytest.mark.slow


def _flask(env: dict, *args: str) -> str:
    flask = str(Path(__import__("sys").executable).with_name("flask"))
    done = subprocess.run([flask, "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return done.stdout.decode()


@pytest.fixture
def target_database(app):
    """An empty database of the same kind as the tests' one, to restore into."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":
        yield None  # a new SQLite file in the target data directory
        return
    name = f"{url.database}_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_backup_then_restore_elsewhere_brings_everything_back(app, session, tmp_path, target_database):
    source_data, uploads = tmp_path / "source", tmp_path / "source" / "uploads"
    uploads.mkdir(parents=True)
    (source_data / "secret_key").write_text("the-production-secret")
    ticket = TicketFactory(subject="Import EDT bloqué depuis ce matin")
    attachment = AttachmentFactory(ticket=ticket)
    (uploads / attachment.storage_name).write_bytes(b"\x89PNG capture")
    ArticleFactory(title="Réinitialiser le mot de passe ENT", slug="mot-de-passe-ent")
    session.commit()
    source_env = env_for(app, source_data) | {"HELPDESK_UPLOAD_DIR": str(uploads)}
    backup_dir = tmp_path / "backup"
    assert "Sauvegardé" in _flask(source_env, "backup", str(backup_dir))

    restored_data = tmp_path / "restored"
    restored_data.mkdir()
    database = target_database or f"sqlite:///{restored_data / 'helpdesk.db'}"
    target_env = env_for(app, restored_data) | {"DATABASE_URL": database}
    _flask(target_env, "restore", "--yes", str(backup_dir))
    reindexed = _flask(target_env, "kb", "reindex")  # the search index is derived: rebuilt, never restored
    assert int(re.search(r"(\d+) documents indexés", reindexed).group(1)) >= 1, reindexed

    engine = create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT subject FROM ticket")).scalars().all() == ["Import EDT bloqué depuis ce matin"]
    engine.dispose()
    assert (restored_data / "uploads" / attachment.storage_name).read_bytes() == b"\x89PNG capture"
    assert (restored_data / "secret_key").read_text() == "the-production-secret"
