"""Reference diagnostic trees, loaded from kb/data/diagnostics/*.yaml. A tree whose current version is still the
reference data gets a new version when its file changes; a tree a pilot has edited (or imported) is left alone, so
the pilots' edits survive every later `flask seed`."""

from pathlib import Path

import yaml
from sqlalchemy import select

from helpdesk.platform.timeutil import utcnow
from kb.diagnostics.models import DiagnosticTree
from kb.diagnostics.services import current_version, save_tree

INITIAL_COMMENT = "Version initiale (données de référence)"
UPDATE_COMMENT = "Mise à jour des données de référence"

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
    existing = {tree.slug: tree for tree in session.scalars(select(DiagnosticTree))}
    now = utcnow()
    for data in trees:
        tree = existing.get(data["slug"])
        if tree is not None:
            current = current_version(session, tree)
            if current is None or not _is_reference(current) or current.data == data:
                continue
        save_tree(
            session,
            data,
            actor=None,
            now=now,
            comment=UPDATE_COMMENT if tree is not None else INITIAL_COMMENT,
            extra_keywords=labels,
            extra_slugs=slugs,
        )


def _is_reference(version) -> bool:
    return version.author_id is None and version.comment in (INITIAL_COMMENT, UPDATE_COMMENT)
