"""Test fixtures: one app per session on SQLite + embedded Redis by default, or on the PostgreSQL and
Redis named by TEST_DATABASE_URL / TEST_REDIS_URL; every test starts from empty tables and an empty Redis."""

import os
import signal
import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from helpdesk import create_app
from helpdesk.platform.extensions import db as _db

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def _own_services_per_worker():
    """Under pytest-xdist (`make test` runs `-n auto`) every worker empties its tables and its Redis after each
    test, so each one gets its own PostgreSQL database (`<name>_gw0`, created when missing) and the next Redis
    database numbers; SQLite and the embedded Redis already live in each worker's own temporary directory."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    index = int(worker.removeprefix("gw"))
    if os.environ.get("TEST_DATABASE_URL"):
        import psycopg
        from psycopg import sql
        from sqlalchemy.engine import make_url

        shared = make_url(os.environ["TEST_DATABASE_URL"])
        own = f"{shared.database}_{worker}"
        with psycopg.connect(shared.render_as_string(hide_password=False), autocommit=True) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (own,)).fetchone():
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(own)))
        os.environ["TEST_DATABASE_URL"] = shared.set(database=own).render_as_string(hide_password=False)
    if os.environ.get("TEST_REDIS_URL"):
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(os.environ["TEST_REDIS_URL"])
        number = int(parts.path.strip("/") or 0) + index
        assert number < 16, f"{worker}: Redis has 16 databases, TEST_REDIS_URL leaves too few for this many workers"
        os.environ["TEST_REDIS_URL"] = urlunsplit(parts._replace(path=f"/{number}"))


_own_services_per_worker()


def pytest_collection_modifyitems(items):
    """Files holding a `slow` test first, then the browser ones: under xdist the long tests then overlap the many
    short ones instead of finishing alone at the end of the run. The order is otherwise kept."""
    marked = {name: {item.path for item in items if item.get_closest_marker(name)} for name in ("slow", "browser")}
    items.sort(key=lambda item: (item.path not in marked["slow"], item.path not in marked["browser"]))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    config = {
        "TESTING": True,
        "HELPDESK_DATA_DIR": str(data_dir),
        "SECRET_KEY": "tests-only-secret",
        "WTF_CSRF_ENABLED": False,
        # The limiter is initialised (storage in the test Redis) but switched off; tests that exercise it
        # switch it on with `limiter.enabled = True`.
        "RATELIMIT_ENABLED": True,
        "PUBLIC_URL": "http://testserver",
        "SERVER_NAME": None,
    }
    if os.environ.get("TEST_DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    if os.environ.get("TEST_REDIS_URL"):
        config["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
    app = create_app(config)
    from helpdesk.platform.extensions import limiter

    limiter.enabled = False
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            # A reused database may hold tables that the models no longer declare (and their foreign keys), which
            # drop_all does not know about: start from an empty schema.
            with _db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    from helpdesk.platform.redis_embedded import stop_embedded

    stop_embedded(data_dir)
    # Everything this session started lives under its base temporary directory (data dirs, tmp_path of each test).
    survivors = processes_of(f"{tmp_path_factory.getbasetemp()}/")
    for pid in survivors:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not survivors, f"processes of this test session still running: {survivors}"


def processes_of(path) -> dict[int, str]:
    """Every other process whose command line or environment names `path` (the embedded Redis, workers and
    servers that tests started under it): {pid: command line}."""
    marker = str(path).encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in cmdline or marker in environ:
            found[int(entry.name)] = cmdline.replace(b"\0", b" ").decode(errors="replace")
    return found


@pytest.fixture(scope="session")
def make_app(app):
    """Another app on the same database, Redis and data directory, for the settings that act when the app is
    built (trusted proxies, single sign-on providers). The limiter stays off, as for the main app."""
    from helpdesk.platform.extensions import limiter

    built = []
    shared = ("TESTING", "HELPDESK_DATA_DIR", "SECRET_KEY", "WTF_CSRF_ENABLED", "SQLALCHEMY_DATABASE_URI", "REDIS_URL")

    def _make(**overrides):
        other = create_app({**{key: app.config[key] for key in shared}, "PUBLIC_URL": "http://testserver", **overrides})
        limiter.enabled = False
        built.append(other)
        return other

    yield _make
    for other in built:
        with other.app_context():
            _db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(app):
    """Each test runs in an app context on empty tables and an empty Redis database."""
    ctx = app.app_context()
    ctx.push()
    yield
    _db.session.rollback()
    _db.session.remove()
    with _db.engine.begin() as connection:
        for table in reversed(_db.metadata.sorted_tables):
            connection.execute(table.delete())
    try:
        from helpdesk.platform.queue import redis_connection, reset_breakers

        reset_breakers()
        redis_connection(app.config["REDIS_URL"]).flushdb()
    except Exception:
        pass
    ctx.pop()


@pytest.fixture
def db():
    return _db


@pytest.fixture
def session():
    return _db.session


class FreshContextClient:
    """Each call in its own app context: `helpdesk.users.api_auth` keeps the request's token in `g`, and the test
    fixture's app context would otherwise keep the first caller for every later request."""

    def __init__(self, app, client):
        self.app, self.client = app, client

    def __getattr__(self, method):
        def call(*args, **kwargs):
            with self.app.app_context():
                return getattr(self.client, method)(*args, **kwargs)

        return call


@pytest.fixture
def api(app, client):
    """A test client for the JSON API (see FreshContextClient)."""
    return FreshContextClient(app, client)


@pytest.fixture
def statements(app):
    """The SQL statements the test's code sends, whitespace folded (cost tests count and read them)."""
    from sqlalchemy import event

    from helpdesk.platform.extensions import db as extension

    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(extension.engine, "before_cursor_execute", record)
    yield seen
    event.remove(extension.engine, "before_cursor_execute", record)


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, user, password="correct-horse-42"):
    return client.post("/connexion", data={"email": user.email, "password": password}, follow_redirects=False)


@pytest.fixture
def login_as(client):
    def _login(user, password="correct-horse-42"):
        response = login(client, user, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _login


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(app):
    """The app served over real HTTP in a thread, for browser tests."""
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run the README's test command, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def _shot(page, name: str, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 1000
        return path

    return _shot


class Inbox:
    def __init__(self):
        self.messages = []
        self.peers = []  # the client's (address, port) of each message: one per SMTP connection used

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        self.peers.append(session.peer)
        return "250 OK"


@pytest.fixture
def smtp(app):
    """A real SMTP sink (aiosmtpd) on its own port; `inbox.messages` is [(recipients, raw message)]."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    saved = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", controller.port
    yield inbox
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = saved
    controller.stop()
