"""Keyword suggestions for the ticket form (htmx fragment) and the catalog pages for pilots and admins."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk import policy
from helpdesk.audit import display as audit_display
from helpdesk.audit import services as audit_services
from helpdesk.platform.errors import Conflict, NotAllowed, ValidationFailed
from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.routing import services
from helpdesk.routing.codes import ENTRY_TIERS, SERVICE_LABELS, TIER_LABELS, TIER_ORDER
from helpdesk.routing.forms import FIELDS_EXAMPLE, KeywordForm
from helpdesk.routing.suggest import suggest_keywords

bp = Blueprint("routing", __name__)


@bp.get("/routing/suggestions")
def suggestions():
    """HTML fragment for htmx: the best keywords for the text, one link each to the ticket form carrying the text
    (see _suggestions.html). The text is read from `q`, else from the ticket form's `subject` or `description`
    field, so the form's own input can drive it through hx-include."""
    query = request.args.get("q") or request.args.get("subject") or request.args.get("description") or ""
    found = suggest_keywords(db.session, query)
    return render_template(
        "routing/_suggestions.html",
        suggestions=found,
        query=query.strip(),
    )


def _require_catalog_editor() -> None:
    if not policy.can(current_user, policy.Action.EDIT_CATALOG):
        raise NotAllowed(_("Seuls l'équipe pilote et les administrateurs modifient le catalogue des mots-clés."))


@bp.get("/admin/mots-cles")
@login_required
def catalog():
    _require_catalog_editor()
    service = request.args.get("service") or None
    tier = request.args.get("tier") or None
    text = (request.args.get("q") or "").strip()
    keywords = services.list_keywords(
        db.session,
        service=service if service in SERVICE_LABELS else None,
        tier=tier if tier in TIER_LABELS else None,
        text=text or None,
    )
    return render_template(
        "routing/catalog.html",
        keywords=keywords,
        service=service,
        tier=tier,
        text=text,
        services=SERVICE_LABELS,
        tiers=[(t, TIER_LABELS[t]) for t in TIER_ORDER if t in ENTRY_TIERS],
    )


def _render_form(form, keyword=None, status=200, conflict=False):
    return (
        render_template("routing/edit.html", form=form, keyword=keyword, fields_example=FIELDS_EXAMPLE, conflict=conflict),
        status,
    )


@bp.route("/admin/mots-cles/nouveau", methods=["GET", "POST"])
@login_required
def create():
    _require_catalog_editor()
    form = KeywordForm()
    if request.method == "GET":
        return _render_form(form)
    if not form.validate_on_submit():
        return _render_form(form, status=400)
    try:
        keyword = services.create_keyword(db.session, form.to_data(), actor=current_user, now=utcnow(), comment=form.comment.data)
    except ValidationFailed as error:
        form.form_errors.extend(error.texts())
        return _render_form(form, status=400)
    db.session.commit()
    flash(_("Le mot-clé « %(label)s » a été ajouté au catalogue.", label=keyword.label), "success")
    return redirect(url_for("routing.catalog"))


@bp.route("/admin/mots-cles/<int:keyword_id>", methods=["GET", "POST"])
@login_required
def edit(keyword_id: int):
    _require_catalog_editor()
    keyword = services.get_keyword(db.session, keyword_id)
    form = KeywordForm()
    if request.method == "GET":
        form.fill_from(keyword)
        return _render_form(form, keyword)
    if not form.validate_on_submit():
        return _render_form(form, keyword, 400)
    expected = int(form.version.data) if (form.version.data or "").isdigit() else None
    try:
        services.update_keyword(
            db.session,
            keyword,
            form.to_data(),
            actor=current_user,
            now=utcnow(),
            comment=form.comment.data,
            expected_version=expected,
        )
    except (ValidationFailed, Conflict) as error:
        db.session.rollback()
        keyword = services.get_keyword(db.session, keyword_id)
        form.form_errors.extend(error.texts())
        if isinstance(error, Conflict):
            return _render_form(form, keyword, 409, conflict=True)
        return _render_form(form, keyword, 400)
    db.session.commit()
    flash(_("Le mot-clé « %(label)s » a été enregistré.", label=keyword.label), "success")
    return redirect(url_for("routing.catalog"))


@bp.get("/admin/mots-cles/<int:keyword_id>/historique")
@login_required
def history(keyword_id: int):
    _require_catalog_editor()
    keyword = services.get_keyword(db.session, keyword_id)
    entries = audit_services.history(db.session, "keyword", keyword.id)
    return render_template(
        "routing/history.html",
        keyword=keyword,
        entries=entries,
        rows=audit_display.rows(db.session, entries),
        display=audit_display,
    )
