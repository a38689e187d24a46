"""Held-out diagnostic situations: `python -m bench.diag_eval [--quiet]`.

Seeds the keyword catalog and the reference diagnostic trees in a throw-away SQLite database, walks every situation
of tests/diagnostics/eval_situations.yaml through kb.diagnostics.services as the walk pages do, and prints the
share that reaches its key facts or its ticket, per tree and overall, with each miss. Also prints, for information,
how often the situation's text typed in the keyword suggester leads to the right tree (top suggestion's diagnostic)."""

import argparse
import tempfile
from collections import defaultdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="rates only, no list of misses")
    args = parser.parse_args()

    from helpdesk import create_app
    from helpdesk.platform.extensions import db
    from helpdesk.routing.seed import seed_reference as seed_keywords
    from helpdesk.routing.suggest import suggest_keywords
    from kb.diagnostics import services
    from kb.diagnostics.seed import seed_reference as seed_trees
    from tests.diagnostics.situations import evaluate

    app = create_app({"HELPDESK_DATA_DIR": tempfile.mkdtemp(prefix="diag-eval-"), "TESTING": True})
    with app.app_context():
        db.create_all()
        seed_keywords(db.session)
        seed_trees(db.session)
        db.session.commit()
        verdicts = evaluate(db.session)
        per_tree = defaultdict(lambda: [0, 0])
        for verdict in verdicts:
            per_tree[verdict.case["tree"]][0] += verdict.reached
            per_tree[verdict.case["tree"]][1] += 1
        for tree, (hit, total) in sorted(per_tree.items()):
            print(f"{tree:28s} {hit:3d}/{total:<3d}")
        reached = sum(v.reached for v in verdicts)
        print(f"reached key facts: {reached}/{len(verdicts)} = {reached / len(verdicts):.3f}")
        if not args.quiet:
            for verdict in verdicts:
                if not verdict.reached:
                    print(
                        f"  MISS {verdict.case['id']} [{verdict.case['tree']}] {verdict.reason}; path: {' > '.join(verdict.path)}"
                    )
        started = 0
        for verdict in verdicts:
            top = suggest_keywords(db.session, verdict.case["situation"], limit=1)
            tree = services.tree_for_keyword(db.session, top[0].doc.label) if top else None
            started += tree is not None and tree.slug == verdict.case["tree"]
        print(
            f"free text → top keyword's diagnostic is the expected tree: {started}/{len(verdicts)} = {started / len(verdicts):.3f}"
        )


if __name__ == "__main__":
    main()
