"""create_app: settings, extensions, blueprints, error pages, CLI."""

import importlib
import logging

from flask import Flask, has_request_context, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from helpdesk import queue, security
from helpdesk.config import load_settings
from helpdesk.errors import register_error_handlers
from helpdesk.extensions import babel, csrf, db, limiter, login_manager, migrate

# Blueprints by dotted path "module:attribute"; API blueprints are CSRF-exempt (token auth only).
BLUEPRINTS = [
    "helpdesk.web.views:bp",
    "helpdesk.users.views:bp",
    "helpdesk.admin.views:bp",
    "helpdesk.routing.views:bp",
    "helpdesk.tickets.views:bp",
    "kb.views:bp",
    "kb.editor_views:bp",
    "kb.diagnostics.views:bp",
    "helpdesk.trainings.views:bp",
    "escalation.notifications.views:bp",
    "escalation.views:bp",
]
API_BLUEPRINTS: list[str] = [
    "helpdesk.routing.api:bp",
    "helpdesk.tickets.api:bp",
    "kb.api:bp",
    "kb.diagnostics.api:bp",
]

# Model modules, imported so that metadata (and Alembic) see every table.
MODEL_MODULES = [
    "helpdesk.refcache",
    "helpdesk.organisation.models",
    "helpdesk.users.models",
    "helpdesk.routing.models",
    "helpdesk.tickets.models",
    "kb.models",
    "kb.diagnostics.models",
    "helpdesk.trainings.models",
    "escalation.models",
    "escalation.notifications.models",
]

# Modules whose import registers event subscribers (escalation, notifications, statistics).
SUBSCRIBER_MODULES: list[str] = [
    "kb.diagnostics.subscribers",
    "escalation.subscribers",
    "escalation.notifications.subscribers",
]


def _load(path: str):
    module, _, attribute = path.partition(":")
    loaded = importlib.import_module(module)
    return getattr(loaded, attribute) if attribute else loaded


def create_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    app = Flask(__name__)
    app.config.update(load_settings(config.get("HELPDESK_DATA_DIR")))
    app.config.update(config)
    if not app.config["REDIS_URL"]:
        from helpdesk.redis_embedded import embedded_redis_url

        app.config["REDIS_URL"] = embedded_redis_url(app.config["HELPDESK_DATA_DIR"])
    app.config.setdefault("RATELIMIT_STORAGE_URI", _limiter_storage(app.config["REDIS_URL"]))
    logging.basicConfig(level=logging.INFO)

    for module in MODEL_MODULES:
        importlib.import_module(module)
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "users.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    queue.install(db)
    security.install(app)

    for path in BLUEPRINTS:
        app.register_blueprint(_load(path))
    for path in API_BLUEPRINTS:
        blueprint = _load(path)
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
    for module in SUBSCRIBER_MODULES:
        importlib.import_module(module)
    register_error_handlers(app)

    from helpdesk.cli import register_cli
    from helpdesk.templating import install_template_helpers

    register_cli(app)
    install_template_helpers(app)
    return app


def _limiter_storage(redis_url: str) -> str:
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url


def _select_locale() -> str:
    if not has_request_context():  # jobs and CLI render mails and messages in French
        return "fr"
    chosen = request.cookies.get("lang")
    if chosen in ("fr", "en"):
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in ("fr", "en"):
        return current_user.locale
    return "fr"


def _load_user(user_id: str):
    from helpdesk.users.models import User

    return db.session.get(User, int(user_id))


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys; WAL lets the web and the worker read while the other writes."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
