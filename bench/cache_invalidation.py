"""Why the KB keeps its change sequence beside the refcache tokens: `python -m bench.cache_invalidation`.

Every per-process reference cache (SLA policies and calendars, the keyword suggester's index) follows one
scheme, helpdesk.platform.refcache: a token per scope, changed by any ORM write in the same transaction, read
once per transaction by primary key. The KB's search index is not a cache of a value but a Whoosh index on
each node's disk; a token would only say « something changed » and force a full rebuild on every node, while
the kb_change sequence says which documents changed. This measures both costs on 5,000 articles (SQLite,
throw-away data directory), and the per-transaction check of each scheme."""

import random
import statistics
import tempfile
import time


def _median_ms(action, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    from sqlalchemy import func, select

    from bench.kb_search import add_generated_articles
    from helpdesk import create_app
    from helpdesk.platform.extensions import db
    from helpdesk.platform.refcache import CacheVersion
    from helpdesk.routing.models import Keyword
    from kb import indexing
    from kb.models import Article, KbChange
    from kb.seed import seed_reference

    app = create_app({"HELPDESK_DATA_DIR": tempfile.mkdtemp(prefix="cache-bench-"), "TESTING": True})
    with app.app_context():
        db.create_all()
        seed_reference(db.session)
        add_generated_articles(db.session, 5000, random.Random(42))
        db.session.commit()
        node = indexing.node()
        started = time.perf_counter()
        count = node.rebuild(db.session)
        print(f"full rebuild of the node index ({count} documents): {time.perf_counter() - started:.2f} s")

        def one_edit():
            article = db.session.scalar(select(Article).order_by(func.random()).limit(1))
            article.title = article.title + " !"
            db.session.add(KbChange(kind="faq", object_id=article.id))
            db.session.commit()
            node.sync(db.session, force=True)

        print(f"one article edited, applied through the change sequence: median {_median_ms(one_edit, 20):.1f} ms")
        token = select(CacheVersion.token).where(CacheVersion.scope == "routing")
        fingerprint = select(
            func.count(Keyword.id), func.max(Keyword.id), func.sum(Keyword.version), func.max(Keyword.updated_at)
        )
        seq = select(func.max(KbChange.id))
        for label, statement in (
            ("refcache token (PK)", token),
            ("old keyword fingerprint (aggregate)", fingerprint),
            ("kb max(id)", seq),
        ):
            print(f"{label}: median {_median_ms(lambda s=statement: db.session.execute(s).all(), 2000) * 1000:.0f} µs per check")


if __name__ == "__main__":
    main()
