"""`python -m devserver`: the embedded default in one command — web server, RQ worker with its
scheduler and the cron process, all sharing the embedded Redis and the SQLite file of the data directory."""

import os
import signal
import subprocess
import sys
import time

from helpdesk import create_app

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
    app = create_app()  # starts the embedded Redis when REDIS_URL is unset, and keeps it alive
    env = dict(os.environ, REDIS_URL=app.config["REDIS_URL"], HELPDESK_DATA_DIR=app.config["HELPDESK_DATA_DIR"])
    env.setdefault("PUBLIC_URL", f"http://{host}:{port}")
    bin_dir = os.path.dirname(sys.executable)
    children = [
        subprocess.Popen([sys.executable, "-m", "worker"], env=env),
        subprocess.Popen(
            [
                os.path.join(bin_dir, "gunicorn"),
                "--bind",
                f"{host}:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "wsgi:app",
            ],
            env=env,
        ),
    ]
    from helpdesk.users.seed import DEMO_PASSWORD

    print("\n  Assistance ENT démarrée : " + f"http://{host}:{port}/")
    print(f"  Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
    for label, email in DEMO_LOGINS:
        print(f"    {label:<50} {email}")
    print("  Ctrl-C pour arrêter.\n", flush=True)

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(child.poll() is None for child in children):
        time.sleep(1)
    stop()


if __name__ == "__main__":
    main()
