"""Per-request cost of loading the signed-in user: the loader before the session version (identity-map get,
then the roles and basins collections loaded by two SELECT ... IN queries) against the loader now (one
SELECT joining both collections, plus the version and activity checks).

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h_sso python bench/session_loader.py --n 3000

Each load runs in a fresh session, as each request does. Without BENCH_DATABASE_URL: a SQLite file in a
temporary directory. The target database is emptied and rebuilt: never point it at real data."""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from helpdesk import create_app  # noqa: E402
from helpdesk.organisation.models import Academie, Basin  # noqa: E402
from helpdesk.platform.extensions import db  # noqa: E402
from helpdesk.users.models import Role, User  # noqa: E402
from helpdesk.users.services import load_session_user  # noqa: E402


def before(session, session_id: str):
    user = session.get(User, int(session_id.split(":")[0]))
    return user.roles, user.basin_ids


def after(session, session_id: str):
    user = load_session_user(session, session_id)
    return user.roles, user.basin_ids


def measure(loader, session_id: str, n: int) -> tuple[float, float, float]:
    statements = []

    def count(*args):
        statements.append(1)

    timings = []
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(n):
            db.session.remove()
            started = time.perf_counter()
            loader(db.session, session_id)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95)], len(statements) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="bench-session-")
    config = {"HELPDESK_DATA_DIR": data, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False}
    if os.environ.get("BENCH_DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["BENCH_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    if os.environ.get("BENCH_REDIS_URL"):
        config["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        academie = Academie(code="bench", name="Académie")
        basins = [Basin(academie=academie, name=f"Bassin {n}") for n in range(2)]
        user = User(email="edulab@bench.example", full_name="Référent", basins=basins, is_active_account=True)
        user.set_roles([Role.EDULAB, Role.REQUESTER])
        db.session.add(user)
        db.session.commit()
        session_id = user.get_id()
        print(f"database: {db.engine.dialect.name}, {args.n} loads per round, median / p95 in ms, statements per load")
        for round_ in range(1, args.rounds + 1):  # alternate, so that a busy moment hits both alike
            for name, loader in (("before", before), ("after", after)):
                median, p95, queries = measure(loader, session_id, args.n)
                print(f"round {round_} {name:6}: {median:.3f} / {p95:.3f} ms, {queries:.0f} statement(s)")
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main()
