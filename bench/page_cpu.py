"""Per-request CPU of the rentrée-morning pages, in process: a signed-in Werkzeug test client (a school staff
member, a level-1 agent) against a seeded PostgreSQL database, N GETs per page; the median process CPU
(time.process_time) and the SQL statements of each page.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h_page BENCH_REDIS_URL=redis://127.0.0.1:6379/12 \
      python bench/page_cpu.py --prepare [--n 200] [--profile queue [--profile-sort tottime]]

The app is built as wsgi.py builds it (no migrations, CSRF and rate limits on, the given Redis), so every request
pays what it pays in production: input checks, the miss limiter, the session cookie, loading the signed-in person,
the locale and its catalog, the context processors, the DSFR base layout and the security headers. « trivial » is
the accessibility statement, a static page inside the layout: what every page pays before its own work.
--prepare DROPS the database's schema and seeds it as bench/rentree.py does (side_by_side.prepare, then
rentree.ACCOUNTS). --profile PAGE prints a cProfile of N requests of that page instead. Results:
bench/results/page_cpu.json."""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text  # noqa: E402

from bench.create_profile import Statements  # noqa: E402
from bench.rentree import ACCOUNTS, PASSWORD, PATHS, run_python  # noqa: E402
from bench.side_by_side import RESULTS, lookup, prepare  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REFERENCE = re.compile(r'data-ref="(ENT-\d{4}-\d+)"')
ANSWER = re.compile(r'href="([^"]*\?a=[^"]+)"')
STAFF, AGENT = "personnel0@rentree.example", "agent0@rentree.example"


def signed_in(app, email: str):
    client = app.test_client()
    form = client.get("/connexion").get_data(as_text=True)
    answer = client.post("/connexion", data={"csrf_token": CSRF.search(form).group(1), "email": email, "password": PASSWORD})
    assert answer.status_code == 302, (email, answer.status_code)
    return client


def pages(app, staff, agent, plan: dict, keyword: str) -> dict[str, tuple]:
    """Page name → (client, path), the paths found as a person finds them (the diagnostic's first answer, the
    first ticket of the queue)."""
    tree = f"/erreurs-frequentes/{plan['trees'][0]}"
    step = ANSWER.findall(staff.get(tree).get_data(as_text=True))
    queue = agent.get("/tickets/file").get_data(as_text=True)
    ref = REFERENCE.findall(queue)[0]
    return {
        "trivial (accessibility)": (staff, "/accessibilite"),
        "home (staff)": (staff, "/"),
        "faq": (staff, "/faq"),
        "faq article": (staff, f"/faq/{plan['articles'][0]}"),
        "diagnostic step": (staff, step[0].replace("&amp;", "&") if step else tree),
        "my tickets": (staff, "/tickets/mes-tickets"),
        "ticket form": (staff, f"/tickets/nouveau?keyword={keyword}"),
        "home (agent)": (agent, "/"),
        "queue": (agent, "/tickets/file"),
        "ticket view": (agent, f"/tickets/{ref}"),
    }


def measure(targets: dict, engine, n: int) -> dict:
    results = {}
    for name, (client, path) in targets.items():
        answer = client.get(path)
        assert answer.status_code == 200, (name, path, answer.status_code)
        cpu, wall, counts = [], [], []
        for _ in range(n):
            with Statements(engine) as statements:
                started, started_cpu = time.perf_counter(), time.process_time()
                client.get(path).get_data()
                cpu.append((time.process_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
            counts.append(statements.count)
        results[name] = {
            "path": path,
            "cpu_median_ms": round(statistics.median(cpu), 2),
            "cpu_p10_ms": round(sorted(cpu)[len(cpu) // 10], 2),  # steadier than the median on a busy machine
            "wall_median_ms": round(statistics.median(wall), 2),
            "statements": max(counts),
            "set_cookie": "Set-Cookie" in answer.headers,
        }
        print(f"{name:26} {results[name]['cpu_median_ms']:7.2f} ms CPU (p10 {results[name]['cpu_p10_ms']:6.2f})"
              f"  {results[name]['statements']:3} statements"
              f"  {'Set-Cookie' if results[name]['set_cookie'] else ''}", file=sys.stderr)  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", action="store_true", help="drop, migrate, seed the demo and add the accounts")
    parser.add_argument("--n", type=int, default=200, help="GETs per page")
    parser.add_argument("--profile", metavar="PAGE", help="cProfile N GETs of this page instead")
    parser.add_argument("--profile-sort", default="cumulative")
    parser.add_argument("--profile-lines", type=int, default=45)
    args = parser.parse_args()
    tree, python = Path(__file__).resolve().parent.parent, Path(sys.executable)
    url = os.environ["BENCH_DATABASE_URL"]
    env = os.environ | {"DATABASE_URL": url, "PYTHONPATH": str(tree), "RENTREE_PASSWORD": PASSWORD,
                        "HELPDESK_DATA_DIR": tempfile.mkdtemp(prefix="page-cpu-prep-")}  # fmt: skip
    if args.prepare:
        prepare(tree, python, url)
        run_python(python, ACCOUNTS, env, "20", "5")
    keyword, _uai = lookup(python, tree, url)
    plan = json.loads(run_python(python, PATHS, env))

    from helpdesk import create_app
    from helpdesk.platform.extensions import db
    from helpdesk.users.models import User

    app = create_app({
        "MIGRATIONS": False,
        "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
        "HELPDESK_DATA_DIR": tempfile.mkdtemp(prefix="page-cpu-"),
        "SECRET_KEY": "bench-page-cpu",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
    })  # fmt: skip
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.email == AGENT)), "no bench accounts: run with --prepare"
        db.session.execute(text("SELECT 1"))
        engine = db.engine
    staff, agent = signed_in(app, STAFF), signed_in(app, AGENT)
    targets = pages(app, staff, agent, plan, keyword)
    if args.profile:
        client, path = targets[args.profile]
        client.get(path)
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.n):
            client.get(path).get_data()
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.profile_sort).print_stats(args.profile_lines)
        return
    load = os.getloadavg()
    results = measure(targets, engine, args.n)
    report = {"n": args.n, "load_before": [round(v, 2) for v in load], "load_after": [round(v, 2) for v in os.getloadavg()],
              "pages": results}  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "page_cpu.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps({"load_before": report["load_before"], "load_after": report["load_after"]}))


if __name__ == "__main__":
    main()
