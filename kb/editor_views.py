"""Editors' screens beyond the article form: the pilots' review of proposals (diff, approve, reject with a reason)
and the glossary editor with its history."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.platform.errors import DomainError, translate
from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from kb import glossary, review
from kb.forms import GlossaryTermForm, ReviewForm
from kb.models import REVIEW_STATE_LABELS, GlossaryTerm

bp = Blueprint("kb_edit", __name__, template_folder="templates")


@bp.context_processor
def _labels():
    return {"review_state_labels": {k.value: _(v) for k, v in REVIEW_STATE_LABELS.items()}}


def _translated_rows(rows):
    """A proposal's (label, before, after) rows: labels, audiences and statuses are marked French, shown translated."""
    return [tuple(translate(cell) for cell in row) for row in rows]


def _changed_fields(revision):
    """A glossary revision's rows: the field label translated, the values as written (domain content)."""
    return [(translate(label), before, after) for label, before, after in glossary.changed_fields(revision)]


# -- proposals -----------------------------------------------------------------------------------------------


def _proposal_page(proposal, form, status: int = 200):
    return render_template(
        "kb/proposal.html",
        proposal=proposal,
        diff=review.diff(proposal),
        changes=_translated_rows(review.changes(proposal)),
        form=form,
    ), status


@bp.get("/faq/gestion/propositions/<int:revision_id>")
@login_required
def proposal(revision_id: int):
    found = review.get_proposal_or_404(db.session, revision_id, actor=current_user)
    return _proposal_page(found, ReviewForm())


@bp.post("/faq/gestion/propositions/<int:revision_id>/<any(approuver, refuser):decision>")
@login_required
def decide(revision_id: int, decision: str):
    review.ensure_reviewer(current_user)
    found = review.get_proposal_or_404(db.session, revision_id, actor=current_user)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _proposal_page(found, form, 400)
    try:
        if decision == "approuver":
            review.approve(db.session, found, actor=current_user, now=utcnow(), reason=form.reason.data or "")
        else:
            review.reject(db.session, found, actor=current_user, now=utcnow(), reason=form.reason.data or "")
    except DomainError as error:
        db.session.rollback()
        reason_error = (error.details.get("fields") or {}).get("reason")
        form.reason.errors = [*form.reason.errors, translate(reason_error) if reason_error else error.text()]
        flash(error.text(), "error")
        return _proposal_page(review.get_proposal_or_404(db.session, revision_id, actor=current_user), form, 400)
    db.session.commit()
    flash(
        _("Proposition approuvée : l'article publié est à jour.")
        if decision == "approuver"
        else _("Proposition refusée : son auteur en est informé."),
        "success",
    )
    return redirect(url_for("kb.manage"))


# -- glossary ------------------------------------------------------------------------------------------------


@bp.get("/glossaire/gestion")
@login_required
def glossary_manage():
    history = glossary.history(db.session, actor=current_user, limit=30)
    terms = sorted(db.session.query(GlossaryTerm).all(), key=lambda t: t.term.lower())
    return render_template("kb/glossary_manage.html", terms=terms, history=history, changed=_changed_fields)


def _term_values(form) -> dict:
    return {
        "term": form.term.data,
        "expansion": form.expansion.data,
        "aliases": glossary.split_list(form.aliases.data),
        "definition": form.definition.data,
        "service": form.service.data,
        "see_also": glossary.split_list(form.see_also.data),
    }


def _term_editor(term: GlossaryTerm | None):
    form = GlossaryTermForm(obj=term)
    if request.method == "GET" and term is not None:
        form.aliases.data = ", ".join(term.aliases or [])
        form.see_also.data = ", ".join(term.see_also or [])
        form.service.data = term.service or ""
    if request.method == "POST" and form.validate_on_submit():
        try:
            saved = glossary.save_term(
                db.session, term, _term_values(form), comment=form.comment.data or "", actor=current_user, now=utcnow()
            )
        except DomainError as error:
            db.session.rollback()
            for name, message in error.details.get("fields", {}).items():
                getattr(form, name).errors = [*getattr(form, name).errors, translate(message)]
            flash(error.text(), "error")
        else:
            db.session.commit()
            flash(_("Terme enregistré."), "success")
            return redirect(url_for("kb.glossary") + f"#{saved.anchor}")
    history = glossary.history(db.session, actor=current_user, term=term) if term is not None else []
    status = 400 if request.method == "POST" else 200
    return render_template("kb/glossary_edit.html", form=form, term=term, history=history, changed=_changed_fields), status


@bp.route("/glossaire/gestion/nouveau", methods=["GET", "POST"])
@login_required
def glossary_new():
    glossary.history(db.session, actor=current_user, limit=1)  # refuses non-editors before showing the form
    return _term_editor(None)


@bp.route("/glossaire/gestion/<int:term_id>", methods=["GET", "POST"])
@login_required
def glossary_edit(term_id: int):
    glossary.history(db.session, actor=current_user, limit=1)
    return _term_editor(glossary.get_term_or_404(db.session, term_id))


@bp.post("/glossaire/gestion/<int:term_id>/supprimer")
@login_required
def glossary_delete(term_id: int):
    term = glossary.get_term_or_404(db.session, term_id)
    glossary.delete_term(db.session, term, comment=request.form.get("comment", ""), actor=current_user, now=utcnow())
    db.session.commit()
    flash(_("Terme supprimé du glossaire (l'historique le garde)."), "success")
    return redirect(url_for("kb_edit.glossary_manage"))


@bp.get("/glossaire/historique")
@login_required
def glossary_history():
    history = glossary.history(db.session, actor=current_user)
    return render_template("kb/glossary_history.html", history=history, changed=_changed_fields)
