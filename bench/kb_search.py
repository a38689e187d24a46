"""Search latency with 5,000 articles: `python -m bench.kb_search [--articles N] [--queries N]`.

Builds a throw-away data directory (SQLite, its own index), loads the real FAQ and glossary, adds generated
articles made by recombining real paragraphs with varied titles, rebuilds the index, then times the whole
search service (change-sequence check, query building, Whoosh, snippets, glossary card) over varied queries:
the evaluation set, the same with typos, long pasted sentences and hostile input."""

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent.parent


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    i = rng.randrange(len(words))
    w = words[i]
    if len(w) > 4:
        j = rng.randrange(1, len(w) - 1)
        words[i] = w[:j] + w[j + 1 :]
    return " ".join(words)


def _queries(rng: random.Random, count: int) -> list[str]:
    base = []
    for name in ("eval_queries_part1.yaml", "eval_queries_part2.yaml"):
        base += [case["q"] for case in yaml.safe_load((HERE / "tests/kb" / name).read_text(encoding="utf-8"))]
    hostile = ['"title:* OR OR', "😀" * 30 + " mdp", "a " * 5000, "x" * 10000, "cahier " * 300]
    pool = base + [_typo(q, rng) for q in base] + [" ".join(rng.sample(base, 3)) for _ in range(40)] + hostile
    return [rng.choice(pool) for _ in range(count)]


def add_generated_articles(session, total: int, rng: random.Random) -> None:
    """Published articles made by recombining the real FAQ's paragraphs, up to `total` articles (not committed)."""
    from helpdesk.platform.timeutil import utcnow
    from kb.models import Article

    real = list(session.query(Article))
    paragraphs = [p for a in real for p in a.body_md.split("\n\n") if len(p) > 40]
    vocabulary = sorted({w for a in real for w in a.title.split() if len(w) > 3})
    now = utcnow()
    for n in range(total - len(real)):
        source = rng.choice(real)
        session.add(
            Article(
                slug=f"bench-{n}",
                title=" ".join(rng.sample(vocabulary, 6)) + " ?",
                service=source.service,
                audience=rng.choice(["public", "staff", "ent_admin", "heads", "agents"]),
                tags=rng.sample(vocabulary, 3),
                keywords=[],
                glossary_terms=[],
                admin_path="",
                status="published",
                body_md="\n\n".join(rng.sample(paragraphs, 4)),
                created_at=now,
                updated_at=now,
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()

    from helpdesk import create_app
    from helpdesk.platform.extensions import db
    from kb import indexing, services
    from kb.seed import seed_reference

    rng = random.Random(42)
    data_dir = tempfile.mkdtemp(prefix="kb-bench-")
    app = create_app({"HELPDESK_DATA_DIR": data_dir, "TESTING": True})
    with app.app_context():
        db.create_all()
        seed_reference(db.session)
        db.session.commit()
        add_generated_articles(db.session, args.articles, rng)
        db.session.commit()
        started = time.perf_counter()
        count = indexing.node().rebuild(db.session)
        print(f"indexed {count} documents in {time.perf_counter() - started:.1f} s")

        class Head:  # reads every audience but the agents' one, like a school head
            is_authenticated, roles, profile, school_id, id = True, frozenset(), "chef_etablissement", 1, None

        actor = Head()
        queries = _queries(rng, args.queries)
        for q in queries[:50]:  # warm caches and the searcher
            services.search(db.session, q, actor=actor)
        timings = []
        for q in queries:
            started = time.perf_counter()
            services.search(db.session, q, actor=actor, limit=10)
            timings.append((time.perf_counter() - started) * 1000)
        _report("warm (posting cache kept, as on a live node)", timings, count)
        node = indexing.node()
        cold = []
        for q in queries[:300]:
            node.index._local.postings[1].cache.clear()  # every word read from the index again
            started = time.perf_counter()
            services.search(db.session, q, actor=actor, limit=10)
            cold.append((time.perf_counter() - started) * 1000)
        _report("cold (posting cache emptied before each query)", cold, count)


def _report(label: str, timings: list[float], count: int) -> None:
    timings = sorted(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{label}: {len(timings)} searches over {count} documents: median {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
