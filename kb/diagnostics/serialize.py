"""JSON form of trees and nodes for the API: every field a client needs to run the diagnostic itself."""

from kb.diagnostics.tree import Node, Tree


def node_json(node: Node) -> dict:
    data = {"id": node.id, "kind": node.kind}
    if node.kind == "question":
        data.update(
            text=node.text,
            help=node.help,
            answers=[
                {"id": a.id, "label": a.label, "next": a.next, **({"fields": dict(a.fields)} if a.fields else {})}
                for a in node.answers
            ],
        )
    elif node.kind == "fix":
        data.update(
            title=node.title,
            text=node.text,
            admin_path=node.admin_path,
            delay=node.delay,
            faq_facts=list(node.faq_facts),
            fallback={"keyword": node.keyword, "tier": node.tier},
        )
    elif node.kind == "escalation":
        data.update(
            title=node.title,
            text=node.text,
            keyword=node.keyword,
            tier=node.tier,
            carry=list(node.carry),
            attach=list(node.attach),
        )
    else:
        data.update(title=node.title, text=node.text, tree=node.tree)
    if node.subject:
        data["subject"] = node.subject
    return data


def tree_json(tree: Tree, version: int) -> dict:
    return {
        "slug": tree.slug,
        "title": tree.title,
        "summary": tree.summary,
        "service": tree.service,
        "version": version,
        "keywords": list(tree.keywords),
        "start": tree.start,
        "nodes": [node_json(n) for n in tree.nodes.values()],
    }
