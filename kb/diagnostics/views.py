"""Pages of guided diagnostics: the public list and walk (plain GET forms, htmx optional), the pilots'
YAML editor and statistics."""

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.platform.errors import DomainError, translate
from helpdesk.platform.extensions import db
from helpdesk.platform.prefill import sign_prefill
from helpdesk.platform.timeutil import utcnow
from helpdesk.web.templating import link_if
from kb import services as kb_services
from kb.diagnostics import services
from kb.diagnostics import statistics as statistics_service
from kb.diagnostics.models import DiagnosticRun
from kb.diagnostics.tree import MAX_QUESTIONS, WalkError, remaining_questions, walk

bp = Blueprint("diagnostics", __name__, url_prefix="/erreurs-frequentes", template_folder="templates")

NEW_TREE_TEMPLATE = """slug: nouveau-diagnostic
title: "Titre du diagnostic"
summary: "Une phrase qui dit à qui il sert."
service: autre
keywords: []
start: q1
nodes:
  q1:
    kind: question
    text: "Première question ?"
    answers:
      - {id: oui, label: "Oui", next: fix1}
      - {id: non, label: "Non", next: tkt1}
  fix1:
    kind: fix
    title: "Ce qu'il faut faire"
    text: "Les étapes, en Markdown."
    admin_path: ""
    delay: ""
    fallback: {keyword: "mot-clé du catalogue", tier: n1}
  tkt1:
    kind: escalation
    title: "Ouvrir un ticket"
    text: "Pourquoi il faut un ticket."
    keyword: "mot-clé du catalogue"
    tier: n1
    carry: [q1]
    attach: []
"""


def _answers_from(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _walk_url(slug: str, answers: list[str]) -> str:
    return url_for("diagnostics.walk", slug=slug, a=",".join(answers)) if answers else url_for("diagnostics.walk", slug=slug)


def _remembered_run(slug: str) -> int | None:
    return (session.get("diagnostic_runs") or {}).get(slug)


def _remember_run(slug: str, run_id: int | None) -> None:
    runs = dict(session.get("diagnostic_runs") or {})
    if run_id is None:
        runs.pop(slug, None)
    else:
        runs[slug] = run_id
    if runs != (session.get("diagnostic_runs") or {}):
        session["diagnostic_runs"] = runs


# The problem as the person typed it (home page, FAQ search, step 1 of the ticket form), per diagnostic, so the
# pre-filled ticket repeats it: nobody types the problem twice. At most what the suggester reads.
TYPED_MAX = 500


def _remembered_text(slug: str) -> str:
    return (session.get("diagnostic_texts") or {}).get(slug, "")


def _remember_text(slug: str, text: str) -> None:
    texts = dict(session.get("diagnostic_texts") or {})
    texts.pop(slug, None)
    texts[slug] = text[:TYPED_MAX]
    session["diagnostic_texts"] = dict(list(texts.items())[-2:])  # the cookie stays small: the last two


@bp.app_context_processor
def _free_text_start():
    """For any page's template: diagnostic_for_text(text), the diagnostic to propose first for a typed problem (step 1
    of the ticket form renders it without JavaScript), and diagnostic_for_keyword(label), the keyword's own (step 2)."""
    return {
        "diagnostic_for_text": lambda text: services.diagnostic_for_text(db.session, text),
        "diagnostic_for_keyword": lambda label: services.tree_for_keyword(db.session, label),
    }


@bp.get("/proposition")
def proposal():
    """Fragment for htmx: the diagnostic proposed first for the text being typed (?q=), or nothing."""
    typed = request.args.get("q", "").strip()[:TYPED_MAX]
    found = services.diagnostic_for_text(db.session, typed) if typed else None
    return render_template("diagnostics/_proposal.html", proposal=found, typed=typed)


def _ticket_handoff(tree, result, run) -> dict:
    """The pre-filled ticket link (or, without the ticket area, what to tell the agent)."""
    data = services.prefill_data(
        tree, result, run, services.keyword_fields(db.session, result.node.keyword), typed=_remembered_text(tree.slug)
    )
    token = sign_prefill(current_app.config["SECRET_KEY"], data)
    keyword_slug = services.keyword_slug(db.session, data["keyword"])
    url = link_if("tickets.new", keyword=keyword_slug, prefill=token) if keyword_slug else link_if("tickets.new", prefill=token)
    return {"data": data, "url": url, "login_url": url_for("users.login", next=request.full_path)}


@bp.get("")
def index():
    trees = services.list_trees(db.session)
    return render_template("diagnostics/index.html", trees=trees)


@bp.get("/<slug>", endpoint="walk")
def walk_page(slug: str):
    tree_row = services.get_tree_or_404(db.session, slug)
    version = services.current_version(db.session, tree_row)
    tree = services.parsed(version)
    answers = _answers_from(request.args.get("a", ""))
    chosen = request.args.get("r", "").strip()
    typed = request.args.get("texte", "").strip()
    if typed:
        _remember_text(slug, typed)
        if not answers and not chosen:  # keep the shareable address free of the person's own words
            return redirect(_walk_url(slug, []))
    try:
        result = walk(tree, answers)
        if chosen:
            answers.append(chosen)
            result = walk(tree, answers)
    except WalkError as error:
        return render_template("diagnostics/walk.html", tree=tree, error=translate(error.args[0]), result=None), 400
    canonical = _walk_url(slug, answers)
    if chosen and not request.headers.get("HX-Request"):
        return redirect(canonical)  # keep the shareable ?a=… form in the address bar
    missing_choice = "envoi" in request.args and not chosen
    run = services.track_run(db.session, tree_row, version, result, run_id=_remembered_run(slug), now=utcnow())
    _remember_run(slug, run.id if run else None)
    context = {
        "tree": tree,
        "result": result,
        "answers": answers,
        "error": None,
        "missing_choice": missing_choice,
        "back_url": _walk_url(slug, answers[:-1]) if answers else None,
        "restart_url": _walk_url(slug, []),
        "typed": _remembered_text(slug),
        "share_url": url_for("diagnostics.walk", slug=slug, a=",".join(answers) or None, _external=True),
        "at_most": len(result.path) + remaining_questions(tree, result.node.id),
        "max_questions": MAX_QUESTIONS,
        "handoff": _ticket_handoff(tree, result, run) if result.node.kind == "escalation" else None,
        "articles": kb_services.articles_for_facts(db.session, result.node.faq_facts or tree.faq_facts, actor=current_user)
        if result.node.kind == "fix"
        else [],
    }
    # Rendered inside the transaction that records the walk, committed before answering: a commit first expired the
    # signed-in person, whom the page then loaded again. A failed commit still answers an error page.
    if request.headers.get("HX-Request"):
        response = Response(render_template("diagnostics/_card.html", **context))
        response.headers["HX-Push-Url"] = canonical
    else:
        response = render_template("diagnostics/walk.html", **context), (400 if missing_choice else 200)
    db.session.commit()
    return response


@bp.post("/<slug>/resolu")
def resolve(slug: str):
    tree_row = services.get_tree_or_404(db.session, slug)
    run = db.session.get(DiagnosticRun, _remembered_run(slug) or 0)
    if run is None or run.tree_id != tree_row.id:
        flash(_("Ce diagnostic n'a pas été suivi dans ce navigateur : reprenez-le depuis le début."), "error")
        return redirect(_walk_url(slug, []))
    if request.form.get("resolu") not in ("oui", "non"):
        flash(_("Indiquez si le problème est résolu : oui ou non."), "error")
        return redirect(_walk_url(slug, run.answers))
    resolved = request.form.get("resolu") == "oui"
    services.record_resolution(db.session, run, resolved=resolved, now=utcnow())
    db.session.commit()
    tree = services.parsed(run.version)
    result = walk(tree, run.answers)
    if resolved:
        return render_template("diagnostics/resolved.html", tree=tree, result=result)
    handoff = _ticket_handoff(tree, result, run)
    if handoff["url"]:
        return redirect(handoff["url"])
    return render_template("diagnostics/unresolved.html", tree=tree, result=result, handoff=handoff)


@bp.get("/statistiques")
@login_required
def statistics():
    services.ensure_can_view_statistics(current_user)
    return render_template("diagnostics/statistics.html", stats=statistics_service.tree_statistics(db.session))


def _editor(template: str, *, slug: str | None, text: str, status: int = 200, **context):
    tree_row = services.get_tree_or_404(db.session, slug) if slug else None
    return render_template(template, tree_row=tree_row, text=text, **context), status


@bp.route("/nouveau", methods=["GET", "POST"])
@login_required
def create():
    services.ensure_can_edit(current_user)
    return _edit_or_create(None)


@bp.route("/<slug>/modifier", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    services.ensure_can_edit(current_user)
    return _edit_or_create(slug)


def _edit_or_create(slug: str | None):
    if request.method == "GET":
        text = (
            services.dump_yaml(services.current_version(db.session, services.get_tree_or_404(db.session, slug)).data)
            if slug
            else NEW_TREE_TEMPLATE
        )
        return _editor("diagnostics/edit.html", slug=slug, text=text)
    text = request.form.get("yaml", "")
    upload = request.files.get("fichier")
    if upload and upload.filename:
        text = upload.read().decode("utf-8", errors="replace")
    comment = request.form.get("comment", "")
    try:
        data = services.load_yaml(text)
        checked = services.check_tree(db.session, data)
        if request.form.get("action") != "save":
            return _editor("diagnostics/edit.html", slug=slug, text=text, preview=checked, comment=comment)
        version = services.save_tree(
            db.session, data, actor=current_user, now=utcnow(), comment=comment, editing=slug, creating=slug is None
        )
    except DomainError as error:
        errors = error.texts()
        return _editor("diagnostics/edit.html", slug=slug, text=text, errors=errors, comment=comment, status=400)
    db.session.commit()
    flash(_("Version %(n)s enregistrée.", n=version.version), "success")
    return redirect(url_for("diagnostics.edit", slug=version.tree.slug))


@bp.get("/<slug>/export.yaml")
def export(slug: str):
    """The current version as YAML, or an earlier one with ?version=N (to compare or restore it)."""
    tree_row = services.get_tree_or_404(db.session, slug)
    number = request.args.get("version", type=int)
    version = services.version_or_404(db.session, tree_row, number) if number else services.current_version(db.session, tree_row)
    filename = f"{slug}-v{version.version}.yaml" if number else f"{slug}.yaml"
    return Response(
        services.dump_yaml(version.data),
        mimetype="application/x-yaml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
