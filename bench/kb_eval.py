"""Search quality through the public API: `python -m bench.kb_eval [FILE.yaml ...]`.

Seeds the real FAQ and glossary in a throw-away data directory, then sends every query of the evaluation files
(default: the three tuned parts and the held-out set) to GET /api/v1/kb/search as an anonymous caller, as an
outside evaluator would, and prints the top-1 and top-3 hit rates per file and each miss."""

import argparse
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent.parent
DEFAULT_FILES = ["eval_queries_part1.yaml", "eval_queries_part2.yaml", "eval_queries_part3.yaml", "eval_heldout.yaml"]


def judge(case: dict, payload: dict) -> tuple[bool, bool]:
    """(top-1 hit, top-3 hit) for one evaluation case and one API answer."""
    results = payload["results"]
    if "expect_glossary" in case:
        wanted = case["expect_glossary"]
        card = payload.get("glossary_card") or {}
        first_term = next((r["slug"] for r in results if r["kind"] == "glossary"), None)
        found = card.get("url", "").endswith("#" + wanted) or (not card and first_term == wanted)
        return found, found
    top = [r["slug"] for r in results[:3] if r["kind"] == "faq"]
    return bool(top) and top[0] in case["expect"], all(slug in top for slug in case["expect"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=DEFAULT_FILES)
    parser.add_argument("--quiet", action="store_true", help="rates only, no list of misses")
    args = parser.parse_args()

    from helpdesk import create_app
    from helpdesk.platform.extensions import db
    from kb.seed import seed_reference

    app = create_app({"HELPDESK_DATA_DIR": tempfile.mkdtemp(prefix="kb-eval-"), "TESTING": True})
    with app.app_context():
        db.create_all()
        seed_reference(db.session)
        db.session.commit()
        client = app.test_client()
        for name in args.files:
            path = Path(name) if Path(name).exists() else HERE / "tests/kb" / name
            cases = yaml.safe_load(path.read_text(encoding="utf-8"))
            top1 = top3 = 0
            misses = []
            for case in cases:
                payload = client.get("/api/v1/kb/search", query_string={"q": case["q"], "limit": 10}).get_json()
                one, three = judge(case, payload)
                top1 += one
                top3 += three
                if not three:
                    got = [r["slug"] for r in payload["results"][:3]]
                    card = (payload.get("glossary_card") or {}).get("term")
                    misses.append(
                        f"  MISS {case['q']!r}: expected {case.get('expect') or case.get('expect_glossary')}, got {got} card={card}"
                    )
            print(
                f"{path.name}: top-1 {top1 / len(cases):.3f} ({top1}/{len(cases)}), top-3 {top3 / len(cases):.3f} ({top3}/{len(cases)})"
            )
            if not args.quiet:
                print("\n".join(misses))


if __name__ == "__main__":
    main()
