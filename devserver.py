"""`python -m devserver`: the embedded default in one command — web server, RQ worker with its
scheduler and the cron process, all sharing the embedded Redis and the SQLite file of the data directory.

HOST (default 127.0.0.1) and PORT (default 5000) choose where the web server listens. Every process it starts
stops with it: Ctrl-C, SIGTERM or even SIGKILL of this process leaves nothing running."""

import os
import sys

from helpdesk import create_app
from helpdesk.platform.processes import Child, Supervisor, python_module
from helpdesk.platform.redis_embedded import stop_embedded

DEMO_LOGINS = [
    ("Enseignant", "enseignant@demo.ent"),
    ("Chef d'établissement", "principal@demo.ent"),
    ("Administrateur ENT (établissement)", "admin-ent@demo.ent"),
    ("Agent niveau 1", "agent.n1@demo.ent"),
    ("Référent EduLAB (Toulouse Centre, Toulouse Nord)", "edulab.toulouse@demo.ent"),
    ("Équipe pilote DRANE/DSI", "pilote@demo.ent"),
    ("Éditeur (Kosmos)", "editeur@demo.ent"),
    ("Administrateur de l'outil", "admin@demo.ent"),
    ("DAFPEN", "dafpen@demo.ent"),
    ("Coordination des formations", "formation@demo.ent"),
]


def web_command(host: str, port: str) -> list[str]:
    """The embedded web server: waitress, which reads each request whole in its I/O loop before a thread runs the
    app, so a slow or stalled client costs a socket, never a worker thread (gunicorn's threads block on the body).
    Bounds: a connection silent for 30 s is closed; bodies past 40 Mo are refused by waitress (the app refuses past
    its own MAX_CONTENT_LENGTH, 32 Mo, with its French page); at most 200 connections. See docs/serving.md."""
    return [
        sys.executable,
        "-m",
        "waitress",
        f"--listen={host}:{port}",
        "--threads=8",
        "--channel-timeout=30",
        "--connection-limit=200",
        f"--max-request-body-size={40 * 1024 * 1024}",
        "--ident=assistance-ent",
        "wsgi:app",
    ]


def main() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "5000")
    # Starts the embedded Redis when REDIS_URL is unset: this process owns it, and it stops with this process.
    app = create_app({"MIGRATIONS": False})  # this process only supervises: no Alembic in its memory
    env = dict(os.environ, REDIS_URL=app.config["REDIS_URL"], HELPDESK_DATA_DIR=app.config["HELPDESK_DATA_DIR"])
    env.setdefault("PUBLIC_URL", f"http://{host}:{port}")
    # Both die with this process, however it ends (SIGKILL included); a crashed one is started again.
    supervisor = Supervisor([Child("worker", python_module("worker"), env=env), Child("web", web_command(host, port), env=env)])
    from helpdesk.users.seed import DEMO_PASSWORD

    print("\n  Assistance ENT démarrée : " + f"http://{host}:{port}/")
    print(f"  Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
    for label, email in DEMO_LOGINS:
        print(f"    {label:<50} {email}")
    print("  Ctrl-C pour arrêter.\n", flush=True)
    status = supervisor.run()
    stop_embedded()
    sys.exit(status)


if __name__ == "__main__":
    main()
