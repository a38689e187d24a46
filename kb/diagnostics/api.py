"""Public JSON API of guided diagnostics: list the trees, read one whole, walk it with the answers so far."""

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _

from helpdesk.platform.extensions import db
from helpdesk.users.api_auth import api_user, json_error
from kb import services as kb_services
from kb.diagnostics import services
from kb.diagnostics.serialize import node_json, tree_json

bp = Blueprint("diagnostics_api", __name__, url_prefix="/api/v1/diagnostics")


@bp.get("")
def list_trees():
    return jsonify(
        diagnostics=[
            {"slug": t.slug, "title": t.title, "summary": t.summary, "service": t.service, "version": t.current_version}
            for t in services.list_trees(db.session)
        ]
    )


@bp.get("/<slug>")
def show_tree(slug: str):
    tree = services.get_tree_or_404(db.session, slug)
    version = services.current_version(db.session, tree)
    return jsonify(tree_json(services.parsed(version), version.version))


@bp.post("/<slug>/walk")
def walk_tree(slug: str):
    tree = services.get_tree_or_404(db.session, slug)
    body = request.get_json(silent=True)
    answers = body.get("answers") if isinstance(body, dict) else None
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        return json_error(_('Corps attendu : un objet JSON {"answers": ["id de réponse", …]} (liste éventuellement vide).'))
    version = services.current_version(db.session, tree)
    result = services.walk_tree(version, answers)  # ValidationFailed → 400 {"error": ...}
    path = [
        {"question": s.question.id, "text": s.question.text, "answer": s.answer.id, "label": s.answer.label} for s in result.path
    ]
    key = "outcome" if result.node.is_outcome else "node"
    node = node_json(result.node)
    if result.node.kind == "fix":
        node["articles"] = [
            {"id": a.id, "title": a.title, "url": url_for("kb.article", slug=a.slug, _external=True)}
            for a in kb_services.articles_for_facts(db.session, result.node.faq_facts, actor=api_user())
        ]
    return jsonify({key: node, "path": path, "step": result.step_number, "version": version.version})
