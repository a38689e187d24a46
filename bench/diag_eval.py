"""Held-out diagnostic situations: `python -m bench.diag_eval [--quiet]`.

Seeds the keyword catalog and the reference diagnostic trees in a throw-away SQLite database, walks every situation
of tests/diagnostics/eval_situations.yaml through kb.diagnostics.services as the walk pages do, and prints the
share that reaches its key facts or its ticket, per tree and overall, with each miss. Also prints, for information,
how often the situation's text, and each phrasing of tests/diagnostics/eval_freetext.yaml, typed as free text gets
the right diagnostic proposed first (kb.diagnostics.services.diagnostic_for_text)."""

import argparse
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="rates only, no list of misses")
    args = parser.parse_args()

    from helpdesk import create_app
    from helpdesk.platform.extensions import db
    from helpdesk.routing.seed import seed_reference as seed_keywords
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
        free_text(db.session, [(v.case["situation"], v.case["tree"]) for v in verdicts], "situations", quiet=True)
        cases = yaml.safe_load((HERE / "tests/diagnostics/eval_freetext.yaml").read_text(encoding="utf-8"))
        free_text(db.session, [(c["q"], c["tree"]) for c in cases], "eval_freetext.yaml", quiet=args.quiet)


def free_text(session, cases, name: str, *, quiet: bool) -> None:
    """The free-text start: the diagnostic the app proposes first (kb.diagnostics.services.diagnostic_for_text)
    against the expected tree (a slug, a list of acceptable slugs, or None: nothing should be proposed); for
    comparison, the first suggested keyword's own diagnostic (the start measured before issue 16's free-text work)."""
    from helpdesk.routing.suggest import suggest_keywords
    from kb.diagnostics import services

    proposed = top_only = 0
    for text, expected in cases:
        wanted = [expected] if isinstance(expected, str) else list(expected or [])
        found = services.diagnostic_for_text(session, text)
        slug = found.tree.slug if found else None
        top = suggest_keywords(session, text, limit=1)
        tree = services.tree_for_keyword(session, top[0].doc.label) if top else None
        proposed += (slug in wanted) if wanted else slug is None
        top_only += (tree is not None and tree.slug in wanted) if wanted else tree is None
        if not quiet and ((slug not in wanted) if wanted else slug is not None):
            print(f"  FREE-TEXT MISS {text!r}: expected {wanted or 'nothing'}, proposed {slug or 'nothing'}")
    total = len(cases)
    print(
        f"free text ({name}, {total}): diagnostic proposed first is the expected one {proposed}/{total} = "
        f"{proposed / total:.3f}; top keyword's own diagnostic {top_only}/{total} = {top_only / total:.3f}"
    )


if __name__ == "__main__":
    main()
