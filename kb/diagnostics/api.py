"""Public JSON API of guided diagnostics: list the trees, read one whole, walk it with the answers so far."""

from typing import Any

from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _
from pydantic import BaseModel, Field

from helpdesk.platform.extensions import db
from helpdesk.platform.openapi import Out, documented
from helpdesk.policy import Scope
from helpdesk.users.api_auth import api_user, json_error
from kb import services as kb_services
from kb.diagnostics import services
from kb.diagnostics.serialize import node_json, tree_json

bp = Blueprint("diagnostics_api", __name__, url_prefix="/api/v1/diagnostics")


class TreeSummary(BaseModel):
    slug: str
    title: str
    summary: str | None
    service: str | None
    version: int | None


class TreeList(BaseModel):
    diagnostics: list[TreeSummary]


class TreeOut(Out):
    slug: str
    title: str
    version: int
    start: str
    nodes: list[dict[str, Any]]


class WalkInput(BaseModel):
    answers: list[str] = Field(max_length=200, description="The ids of the answers chosen, in order (empty list: the start).")


class WalkOut(Out):
    """Where the answers lead: `node` (a question) or `outcome` (a fix or an escalation)."""

    node: dict[str, Any] | None = None
    outcome: dict[str, Any] | None = None
    path: list[dict[str, Any]]
    step: int
    version: int


@bp.get("")
@documented(responses={200: TreeList}, tags=["diagnostics"])
def list_trees():
    """The published guided diagnostics."""
    return jsonify(
        diagnostics=[
            {"slug": t.slug, "title": t.title, "summary": t.summary, "service": t.service, "version": t.current_version}
            for t in services.list_trees(db.session)
        ]
    )


@bp.get("/<slug>")
@documented(responses={200: TreeOut}, tags=["diagnostics"])
def show_tree(slug: str):
    """One diagnostic, whole (its current version)."""
    tree = services.get_tree_or_404(db.session, slug)
    version = services.current_version(db.session, tree)
    return jsonify(tree_json(services.parsed(version), version.version))


@bp.post("/<slug>/walk")
@documented(json=WalkInput, responses={200: WalkOut}, tags=["diagnostics"], optional_scope=Scope.KB_READ)
def walk_tree(slug: str):
    """Walk a diagnostic with the answers so far."""
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
            for a in kb_services.articles_for_facts(db.session, result.node.faq_facts, actor=api_user(Scope.KB_READ))
        ]
    return jsonify({key: node, "path": path, "step": result.step_number, "version": version.version})
