"""The level-1 triage list of mails that could not become a ticket by themselves, and the quarantine."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from helpdesk import policy
from helpdesk.mailchannel import services
from helpdesk.organisation.models import School
from helpdesk.platform.errors import DomainError, ValidationFailed
from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_
from helpdesk.platform.timeutil import utcnow
from helpdesk.policy import Action
from helpdesk.routing.services import active_keyword_by_slug, active_keywords_by_service

bp = Blueprint("mailchannel", __name__, template_folder="templates")


def _page(status=200, error=None, error_row=None):
    rows, quarantine = services.mail_page(db.session, actor=current_user)
    return render_template(
        "mailchannel/triage.html",
        rows=rows,
        texts={row.id: services.triage_text(row) for row in rows},
        quarantine=quarantine,
        may_triage=policy.can(current_user, Action.TRIAGE_MAIL),
        groups=active_keywords_by_service(db.session) if rows else [],
        error=error,
        error_row=error_row,
        values=request.form if status != 200 else {},
    ), status


@bp.get("/courriels")
@login_required
def triage():
    return _page()


@bp.post("/courriels/<int:inbound_id>/ticket")
@login_required
def convert(inbound_id):
    form = request.form
    try:
        keyword = active_keyword_by_slug(db.session, form.get("keyword", "").strip())
        if keyword is None:
            raise ValidationFailed(N_("Choisissez un mot-clé dans la liste."), field="keyword")
        uai = form.get("school_uai", "").strip().upper()
        school = db.session.scalar(select(School).where(School.uai == uai)) if uai else None
        if uai and school is None:
            raise ValidationFailed(N_("Aucun établissement n'a l'UAI %(uai)s."), params={"uai": uai[:20]}, field="school_uai")
        ticket = services.convert_triage(db.session, inbound_id, actor=current_user, keyword=keyword,
                                         requester_email=form.get("requester_email", ""), school=school,
                                         subject=form.get("subject", ""), description=form.get("description", ""),
                                         settings=services.MailSettings.from_config(current_app.config), now=utcnow())  # fmt: skip
        db.session.commit()
    except DomainError as failure:
        db.session.rollback()
        return _page(failure.status, error=failure.text(), error_row=inbound_id)
    flash(_("Ticket %(ref)s ouvert à partir du courriel.", ref=ticket.reference), "success")
    return redirect(url_for("tickets.detail", ref=ticket.reference))


@bp.post("/courriels/<int:inbound_id>/ecarter")
@login_required
def discard(inbound_id):
    try:
        services.discard_triage(db.session, inbound_id, actor=current_user, reason=request.form.get("reason", ""), now=utcnow())
        db.session.commit()
    except DomainError as failure:
        db.session.rollback()
        return _page(failure.status, error=failure.text(), error_row=inbound_id)
    flash(_("Courriel écarté."), "success")
    return redirect(url_for("mailchannel.triage"))
