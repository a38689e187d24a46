"""Mass-incident pages for level 1 and the pilot team: candidates, declaration, tickets, news, grouped resolution."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.incidents import services
from helpdesk.incidents.models import INCIDENT_STATUS_LABELS, OPEN
from helpdesk.platform.errors import DomainError, NotAllowed
from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_
from helpdesk.platform.timeutil import utcnow
from helpdesk.routing.codes import SERVICE_LABELS
from helpdesk.tickets import services as tickets

bp = Blueprint("incidents", __name__, template_folder="templates")


@bp.record_once
def _install_banner_global(state):
    """base.html calls incident_banners() when it is defined; the ticket form may pass its service."""

    def incident_banners(service_code=None):
        try:
            return services.banners(db.session, service_code)
        except Exception:  # noqa: BLE001 — a banner must never break a page (e.g. before migrations ran)
            db.session.rollback()
            return []

    state.app.jinja_env.globals["incident_banners"] = incident_banners


def _page(status=200, **extra):
    rows = services.list_incidents(db.session, actor=current_user)
    return render_template(
        "incidents/index.html",
        incidents=rows,
        members={i.id: services.members(db.session, i) for i in rows if i.status in OPEN},
        proposals={i.id: services.matching_tickets(db.session, i) for i in rows if i.status in OPEN},
        status_labels=INCIDENT_STATUS_LABELS,
        services_labels=SERVICE_LABELS,
        values=request.form if status != 200 else {},
        **extra,
    ), status


def _act(incident_id, run, done: str):
    """Run one use case from a form of the page; a refusal re-renders the page with the text kept."""
    try:
        result = run()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _page(error.status, form_error=(incident_id, error.text()))
    flash(_(done, count=result if isinstance(result, int) else 0), "success")
    return redirect(url_for("incidents.index") + (f"#incident-{incident_id}" if incident_id else ""))


@bp.get("/incidents")
@login_required
def index():
    return _page()


@bp.route("/incidents/declarer", methods=["GET", "POST"])
@login_required
def declare():
    if not services.allowed(current_user):
        raise NotAllowed(N_("Réservé au niveau 1 et à l'équipe de pilotage."))
    source = request.values.get("depuis", "").strip().upper()
    ticket = tickets.get_visible(db.session, source, actor=current_user) if source else None
    error = None
    if request.method == "POST":
        try:
            incident = services.declare(db.session, actor=current_user, service=request.form.get("service", ""),
                                        title=request.form.get("title", ""), message=request.form.get("message", ""),
                                        now=utcnow(), from_ticket=ticket)  # fmt: skip
            db.session.commit()
        except DomainError as failure:
            db.session.rollback()
            error = failure.text()
        else:
            flash(_("Incident déclaré : le bandeau est affiché sur le portail."), "success")
            return redirect(url_for("incidents.index") + f"#incident-{incident.id}")
    return render_template("incidents/declare.html", ticket=ticket, error=error, services_labels=SERVICE_LABELS,
                           values=request.form), 400 if error else 200  # fmt: skip


@bp.post("/incidents/<int:incident_id>/confirmer")
@login_required
def confirm_incident(incident_id):
    form = request.form
    return _act(incident_id, lambda: services.confirm(db.session, incident_id, actor=current_user, title=form.get("title", ""),
                                                      message=form.get("message", ""), now=utcnow()),
                N_("Incident confirmé : le bandeau est affiché et les tickets correspondants sont rattachés."))  # fmt: skip


@bp.post("/incidents/<int:incident_id>/ecarter")
@login_required
def dismiss_incident(incident_id):
    return _act(incident_id, lambda: services.dismiss(db.session, incident_id, actor=current_user, now=utcnow()),
                N_("Incident écarté."))  # fmt: skip


@bp.post("/incidents/<int:incident_id>/rattacher")
@login_required
def link_ticket(incident_id):
    reference = request.form.get("reference", "")
    return _act(incident_id, lambda: services.attach(db.session, incident_id, reference, actor=current_user, now=utcnow()),
                N_("Ticket rattaché à l'incident."))  # fmt: skip


@bp.post("/incidents/<int:incident_id>/detacher/<int:ticket_id>")
@login_required
def unlink_ticket(incident_id, ticket_id):
    return _act(incident_id, lambda: services.detach(db.session, incident_id, ticket_id, actor=current_user, now=utcnow()),
                N_("Ticket détaché de l'incident."))  # fmt: skip


@bp.post("/incidents/<int:incident_id>/point-d-etape")
@login_required
def post_news(incident_id):
    message = request.form.get("message", "")
    return _act(incident_id, lambda: services.post_news(db.session, incident_id, actor=current_user, message=message,
                                                        now=utcnow()),
                N_("Point d'étape envoyé aux demandeurs de %(count)s ticket(s)."))  # fmt: skip


@bp.post("/incidents/<int:incident_id>/resoudre")
@login_required
def resolve_incident(incident_id):
    form = request.form
    return _act(incident_id, lambda: services.resolve(db.session, incident_id, actor=current_user, message=form.get("message", ""),
                                                      confirmed=form.get("confirmed") == "1", now=utcnow()),
                N_("%(count)s ticket(s) résolu(s) ; chaque demandeur reçoit la solution."))  # fmt: skip
