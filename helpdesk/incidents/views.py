"""Mass-incident pages for level 1 and the pilot team: candidates, confirmation, children, grouped resolution."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.incidents import services as service
from helpdesk.platform.errors import ValidationFailed
from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow

bp = Blueprint("incidents", __name__, template_folder="templates")


@bp.record_once
def _install_banner_global(state):
    """base.html calls incident_banners() when it is defined; the ticket form may pass its service."""

    def incident_banners(service_code=None):

        try:
            return service.banners(db.session, service_code)
        except Exception:  # noqa: BLE001 — a banner must never break a page (e.g. before migrations ran)
            db.session.rollback()
            return []

    state.app.jinja_env.globals["incident_banners"] = incident_banners


def _incidents_page(status=200, **extra):

    rows = service.list_incidents(db.session, actor=current_user)
    proposals = {i.id: service.matching_tickets(db.session, i) for i in rows if i.status in service.OPEN}
    return render_template("incidents/index.html", incidents=rows, proposals=proposals, **extra), status


@bp.get("/incidents")
@login_required
def index():
    return _incidents_page()


@bp.post("/incidents/<int:incident_id>/confirmer")
@login_required
def confirm_incident(incident_id):

    try:
        service.confirm_incident(
            db.session,
            incident_id,
            actor=current_user,
            title=request.form.get("title", ""),
            message=request.form.get("message", ""),
            now=utcnow(),
        )
    except ValidationFailed as error:
        db.session.rollback()
        return _incidents_page(400, form_error=(incident_id, error.message), form=request.form)
    db.session.commit()
    flash(_("Incident confirmé : le bandeau est affiché sur le portail."), "success")
    return redirect(url_for("incidents.index"))


@bp.post("/incidents/<int:incident_id>/ecarter")
@login_required
def dismiss_incident(incident_id):

    service.dismiss_incident(db.session, incident_id, actor=current_user, now=utcnow())
    db.session.commit()
    return redirect(url_for("incidents.index"))


@bp.post("/incidents/<int:incident_id>/rattacher/<int:ticket_id>")
@login_required
def link_ticket(incident_id, ticket_id):

    service.link_ticket(db.session, incident_id, ticket_id, actor=current_user)
    db.session.commit()
    return redirect(url_for("incidents.index"))


@bp.post("/incidents/<int:incident_id>/resoudre")
@login_required
def resolve_incident(incident_id):

    try:
        count = service.resolve_incident(
            db.session, incident_id, actor=current_user, message=request.form.get("message", ""), now=utcnow()
        )
    except ValidationFailed as error:
        db.session.rollback()
        return _incidents_page(400, form_error=(incident_id, error.message), form=request.form)
    db.session.commit()
    flash(_("%(count)s ticket(s) résolu(s) ; chaque demandeur est prévenu.", count=count), "success")
    return redirect(url_for("incidents.index"))
