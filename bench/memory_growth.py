"""What one web process allocates over mixed requests (tracemalloc): the first requests (caches filled at first
use), then the next ones (what grows per request). In process, through Flask's test client.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h_rss_bench BENCH_REDIS_URL=redis://127.0.0.1:6379/11 \
        python bench/memory_growth.py [--rounds 25]

The database must hold `flask seed --demo` (bench/create_profile.py --reset, or side_by_side.py --prepare). A round
is six requests: the level-1 queue, a ticket, the FAQ, an article, a FAQ search and one ticket opened from the
keyword step. Slow (tracemalloc): a round takes about a second."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    os.environ.update(DATABASE_URL=os.environ["BENCH_DATABASE_URL"], REDIS_URL=os.environ["BENCH_REDIS_URL"],
                      HELPDESK_DATA_DIR=tempfile.mkdtemp(prefix="memory-growth-"), SECRET_KEY="memory-growth-bench-only",
                      RATELIMIT_ENABLED="false")  # fmt: skip
    sys.path.insert(0, str(ROOT))
    from bench.side_by_side import PASSWORD  # the demo accounts' (flask seed --demo)

    tracemalloc.start(1)
    from sqlalchemy import text

    import wsgi
    from helpdesk.platform.extensions import db

    app = wsgi.app
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        keyword = db.session.execute(text("select slug from keyword where is_active and tier = 'n1' and "
                                          "(fields is null or fields::text not like '%required%') order by id limit 1")).scalar()  # fmt: skip
        ticket = db.session.execute(text("select reference from ticket order by id limit 1")).scalar()
        article = db.session.execute(text("select slug from kb_article where status = 'published' limit 1")).scalar()
    staff, agent = app.test_client(), app.test_client()
    for client, email in ((staff, "enseignant@demo.ent"), (agent, "agent.n1@demo.ent")):
        assert client.post("/connexion", data={"email": email, "password": PASSWORD}).status_code == 302

    def rounds(n: int) -> None:
        for i in range(n):
            for client, path in ((agent, "/tickets/file"), (agent, f"/tickets/{ticket}"), (staff, "/faq"),
                                 (staff, f"/faq/{article}"), (staff, "/faq?q=mot+de+passe+oublie")):  # fmt: skip
                assert client.get(path).status_code == 200, path
            response = staff.post(f"/tickets/nouveau?keyword={keyword}", data={
                "subject": f"Élève sans accès au cahier de textes ({i})",
                "description": "Bonjour, depuis la rentrée un élève de 4e ne voit plus le cahier de textes."})  # fmt: skip
            assert response.status_code == 302, response.status_code

    snapshots = [tracemalloc.take_snapshot()]
    for n in (2, args.rounds):
        rounds(n)
        gc.collect()
        snapshots.append(tracemalloc.take_snapshot())
    for title, before, after in (("first 2 rounds", *snapshots[:2]), (f"next {args.rounds} rounds", *snapshots[1:])):
        stats = after.compare_to(before, "filename")
        print(f"--- {title}: {sum(s.size_diff for s in stats) / 1e6:+.2f} MB traced")
        for stat in stats[: args.top]:
            print(
                f"{stat.size_diff / 1e6:+7.2f} MB {stat.count_diff:+8d}  {stat.traceback[0].filename.split('site-packages/')[-1]}"
            )


if __name__ == "__main__":
    main()
