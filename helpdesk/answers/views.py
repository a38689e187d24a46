"""The canned replies pages (pilot team and EduLAB): the list, writing and changing one, with its history."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from helpdesk.answers import placeholders, services
from helpdesk.audit import display
from helpdesk.audit.services import history
from helpdesk.platform.errors import DomainError
from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.routing.codes import SERVICE_LABELS
from helpdesk.routing.models import Keyword

bp = Blueprint("answers", __name__, url_prefix="/reponses-types", template_folder="templates")


def _keywords():
    return list(db.session.scalars(select(Keyword).where(Keyword.is_active.is_(True)).order_by(Keyword.service, Keyword.label)))


@bp.get("/")
@login_required
def index():
    replies = services.list_all(db.session, actor=current_user)
    return render_template("answers/index.html", replies=replies)


@bp.route("/nouvelle", methods=["GET", "POST"])
@bp.route("/<int:reply_id>", methods=["GET", "POST"])
@login_required
def edit(reply_id: int | None = None):
    session = db.session
    reply = services.get(session, reply_id, actor=current_user) if reply_id else None
    if reply is None:
        services.list_all(session, actor=current_user)  # the permission, before showing an empty form
    error, status = None, 200
    form = request.form
    if request.method == "POST":
        try:
            saved = services.save(session, reply, actor=current_user, title=form.get("title", ""), body=form.get("body", ""),
                                  service=form.get("service", ""), keyword=form.get("keyword", ""),
                                  is_active=form.get("is_active") == "on", now=utcnow())  # fmt: skip
            session.commit()
        except DomainError as failure:
            session.rollback()
            error, status = failure, failure.status
            reply = services.get(session, reply_id, actor=current_user) if reply_id else None
        else:
            flash(_("Réponse type enregistrée."), "success")
            return redirect(url_for("answers.edit", reply_id=saved.id))
    values = (
        form
        if request.method == "POST"
        else {
            "title": reply.title if reply else "",
            "body": reply.body if reply else "",
            "service": reply.service if reply else "",
            "keyword": reply.keyword.slug if reply and reply.keyword else "",
            "is_active": "on" if reply is None or reply.is_active else "",
        }
    )
    # The history is the configuration journal's; services.get above checked who may read it.
    entries = history(session, services.ENTITY, reply.id) if reply else []
    return render_template(
        "answers/edit.html",
        reply=reply,
        values=values,
        error=error.text() if error else None,
        error_fields=(error.details.get("fields") or []) if error else [],
        services=SERVICE_LABELS,
        keywords=_keywords(),
        names=placeholders.NAMES,
        entries=entries,
        rows=display.rows(session, entries),
        display=display,
    ), status
