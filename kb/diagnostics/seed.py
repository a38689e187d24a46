"""Reference diagnostic trees, loaded from kb/data/diagnostics/*.yaml; a tree already in the database is
left alone, so the pilots' edits survive every later `flask seed`."""

from pathlib import Path

import yaml
from sqlalchemy import select

from helpdesk.platform.timeutil import utcnow
from kb.diagnostics.models import DiagnosticTree
from kb.diagnostics.services import save_tree

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "diagnostics"
KEYWORD_CATALOG = Path(__file__).resolve().parents[2] / "helpdesk" / "routing" / "data" / "keywords.yaml"


def reference_trees() -> list[dict]:
    trees = []
    for path in sorted(DATA_DIR.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            trees.append(yaml.safe_load(handle))
    return trees


def catalog_labels() -> set[str]:
    """Labels of the reference keyword catalog, which the routing seed loads: the trees may be seeded first."""
    if not KEYWORD_CATALOG.exists():
        return set()
    with KEYWORD_CATALOG.open(encoding="utf-8") as handle:
        return {item["label"] for item in yaml.safe_load(handle) or [] if isinstance(item, dict) and "label" in item}


def seed_reference(session) -> None:
    trees = reference_trees()
    slugs = {data["slug"] for data in trees}
    labels = catalog_labels()
    existing = set(session.scalars(select(DiagnosticTree.slug)))
    now = utcnow()
    for data in trees:
        if data["slug"] not in existing:
            save_tree(
                session,
                data,
                actor=None,
                now=now,
                comment="Version initiale (données de référence)",
                extra_keywords=labels,
                extra_slugs=slugs,
            )
