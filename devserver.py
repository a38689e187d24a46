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


def main() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "5000")
    # Starts the embedded Redis when REDIS_URL is unset: this process owns it, and it stops with this process.
    app = create_app()
    env = dict(os.environ, REDIS_URL=app.config["REDIS_URL"], HELPDESK_DATA_DIR=app.config["HELPDESK_DATA_DIR"])
    env.setdefault("PUBLIC_URL", f"http://{host}:{port}")
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    web = [gunicorn, "--bind", f"{host}:{port}", "--workers", "2", "--threads", "4", "--graceful-timeout", "5"]
    # No control socket: gunicorn's default one is per user ($HOME/.gunicorn), shared with any other gunicorn.
    web += ["--no-control-socket", "--access-logfile", "-", "wsgi:app"]
    # Both die with this process, however it ends (SIGKILL included); a crashed one is started again.
    supervisor = Supervisor([Child("worker", python_module("worker"), env=env), Child("web", web, env=env)])
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
