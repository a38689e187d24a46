"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`.

Migrations (Flask-Migrate, Alembic) are loaded for the `flask` command only: a web worker never runs them."""

import os

from helpdesk import create_app

app = create_app({"MIGRATIONS": os.environ.get("FLASK_RUN_FROM_CLI") == "true"})
