"""Per-tree statistics of the walks: started, finished, outcomes named by the text people read, deflections."""

from sqlalchemy import func, select

from kb.diagnostics.models import DiagnosticRun, DiagnosticTree
from kb.diagnostics.services import list_trees


def tree_statistics(session) -> list[dict]:
    """Per tree: runs started, finished, count per outcome node, fixes reached, deflections and their rate."""
    rows = session.execute(
        select(
            DiagnosticRun.tree_id, DiagnosticRun.outcome_kind, DiagnosticRun.outcome_node_id, DiagnosticRun.resolved, func.count()
        ).group_by(DiagnosticRun.tree_id, DiagnosticRun.outcome_kind, DiagnosticRun.outcome_node_id, DiagnosticRun.resolved)
    ).all()
    stats = {
        t.id: {"tree": t, "started": 0, "finished": 0, "fixes": 0, "deflections": 0, "escalations": 0, "outcomes": {}}
        for t in list_trees(session)
    }
    for tree_id, kind, node_id, resolved, count in rows:
        entry = stats.get(tree_id)
        if entry is None:
            continue
        entry["started"] += count
        if kind:
            entry["finished"] += count
            entry["outcomes"][node_id] = entry["outcomes"].get(node_id, 0) + count
        entry["fixes"] += count if kind == "fix" else 0
        entry["escalations"] += count if kind == "escalation" else 0
        entry["deflections"] += count if resolved else 0
    for entry in stats.values():
        entry["deflection_rate"] = round(100 * entry["deflections"] / entry["finished"]) if entry["finished"] else 0
        labels = _node_labels(session, entry["tree"]) if entry["outcomes"] else {}
        entry["outcomes"] = [
            {"label": labels.get(node_id, ("", None))[1], "kind": labels.get(node_id, ("", None))[0], "count": n}
            for node_id, n in sorted(entry["outcomes"].items(), key=lambda item: -item[1])
        ]
    return list(stats.values())


def _node_labels(session, tree: DiagnosticTree) -> dict[str, tuple[str, str]]:
    """node id → (kind, the text a person read: a question's text, an outcome's title), newest version winning.

    A node no version knows any more maps to nothing: the page says so, it never shows the internal id."""
    labels: dict[str, tuple[str, str]] = {}
    for version in sorted(tree.versions, key=lambda v: v.version):
        for node_id, raw in (version.data.get("nodes") or {}).items():
            if isinstance(raw, dict):
                text = raw.get("text") if raw.get("kind") == "question" else raw.get("title")
                labels[str(node_id)] = (str(raw.get("kind") or ""), str(text or node_id).strip())
    return labels
