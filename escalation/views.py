"""Pilot pages: SLA policies, tier calendars and closures (endpoint escalation.policies)."""

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from escalation import services
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.routing.codes import TIER_ORDER
from helpdesk.timeutil import utcnow

bp = Blueprint("escalation", __name__, url_prefix="/pilotage/delais", template_folder="templates")


def _page(status=200, **extra):
    data = services.reference_overview(db.session, actor=current_user)
    texts = {
        tier: services.hours_to_text(data["calendars"][tier].hours) if tier in data["calendars"] else "" for tier in TIER_ORDER
    }
    texts.update(extra.pop("texts", {}))
    return render_template(
        "escalation/policies.html", tiers=TIER_ORDER, priorities=services.DEFAULT_PRIORITIES, texts=texts, **data, **extra
    ), status


@bp.get("/")
@login_required
def policies():
    return _page()


def _int(name):
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        return None


def _float(name):
    try:
        return float(request.form.get(name, "").replace(",", "."))
    except ValueError:
        return -1.0


def _edit(apply, done: str, **on_error):
    """Run one edit of the SLA reference data. A refused input re-renders the page (400) with the message placed by
    `on_error` (context name → function of the error) and what was typed; success flashes and goes back."""
    try:
        apply()
    except ValidationFailed as error:
        db.session.rollback()
        return _page(400, **{name: build(error) for name, build in on_error.items()})
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("escalation.policies"))


def _delays():
    return {
        "first_response_minutes": _int("first_response_minutes"),
        "resolution_minutes": _int("resolution_minutes"),
        "warning_ratio": _float("warning_ratio"),
        "on_breach": request.form.get("on_breach", ""),
    }


def _date(name):
    try:
        return date.fromisoformat(request.form.get(name, ""))
    except ValueError:
        return None


def _period():
    return {"label": request.form.get("label", ""), "first_day": _date("first_day"), "last_day": _date("last_day")}


@bp.post("/politique/<int:policy_id>")
@login_required
def update_policy(policy_id):
    return _edit(
        lambda: services.update_policy(db.session, policy_id, actor=current_user, now=utcnow(), **_delays()),
        _("Délai enregistré."),
        policy_error=lambda error: (policy_id, error.message),
    )


@bp.post("/politique/<int:policy_id>/supprimer")
@login_required
def delete_keyword_policy(policy_id):
    return _edit(
        lambda: services.delete_keyword_policy(db.session, policy_id, actor=current_user),
        _("Délai propre au mot-clé supprimé : le délai du niveau s'applique de nouveau."),
        policy_error=lambda error: (policy_id, error.message),
    )


@bp.post("/mots-cles")
@login_required
def add_keyword_policy():
    form = request.form
    return _edit(
        lambda: services.add_keyword_policy(
            db.session,
            actor=current_user,
            keyword_id=_int("keyword_id"),
            tier=form.get("tier", ""),
            priority=form.get("priority", ""),
            now=utcnow(),
            **_delays(),
        ),
        _("Délai propre au mot-clé ajouté."),
        keyword_error=lambda error: error.message,
        keyword_form=lambda error: form,
    )


@bp.post("/calendrier/<tier>")
@login_required
def update_calendar(tier):
    text = request.form.get("hours", "")
    return _edit(
        lambda: services.update_tier_calendar(
            db.session,
            tier,
            actor=current_user,
            hours=services.hours_from_text(text),
            counts_during_school_holidays=bool(request.form.get("school")),
        ),
        _("Horaires enregistrés."),
        calendar_error=lambda error: (tier, error.message),
        texts=lambda error: {tier: text},
    )


@bp.post("/fermetures")
@login_required
def add_closure():
    return _edit(
        lambda: services.add_closure(db.session, actor=current_user, tier=request.form.get("tier"), **_period()),
        _("Fermeture ajoutée."),
        closure_error=lambda error: error.message,
        closure_form=lambda error: request.form,
    )


@bp.post("/fermetures/<int:closure_id>/supprimer")
@login_required
def delete_closure(closure_id):
    return _edit(lambda: services.delete_closure(db.session, closure_id, actor=current_user), _("Fermeture supprimée."))


@bp.post("/vacances")
@login_required
def add_school_holiday():
    return _edit(
        lambda: services.add_school_holiday(db.session, actor=current_user, **_period()),
        _("Période de vacances ajoutée."),
        school_error=lambda error: error.message,
        school_form=lambda error: request.form,
    )


@bp.post("/vacances/<int:period_id>/supprimer")
@login_required
def delete_school_holiday(period_id):
    return _edit(
        lambda: services.delete_school_holiday(db.session, period_id, actor=current_user), _("Période de vacances supprimée.")
    )


@bp.get("/exploitation")
@login_required
def operations():
    from datetime import datetime

    from escalation.operations import queue_health

    health = queue_health(actor=current_user)
    last = datetime.fromisoformat(health["last_sweep"]) if health["last_sweep"] else None
    return render_template("escalation/operations.html", health=health, last_sweep=last)


@bp.post("/exploitation/<queue_name>/relancer")
@login_required
def retry_failed(queue_name):
    from escalation.operations import retry_failed as retry

    count = retry(actor=current_user, queue_name=queue_name)
    flash(_("%(count)s tâche(s) relancée(s).", count=count), "success")
    return redirect(url_for("escalation.operations"))


# --- mass incidents (level 1 and pilots) ---------------------------------------------------------------------


@bp.record_once
def _install_banner_global(state):
    """base.html calls incident_banners() when it is defined; the ticket form may pass its service."""

    def incident_banners(service=None):
        from escalation.incidents import banners

        try:
            return banners(db.session, service)
        except Exception:  # noqa: BLE001 — a banner must never break a page (e.g. before migrations ran)
            db.session.rollback()
            return []

    state.app.jinja_env.globals["incident_banners"] = incident_banners


def _incidents_page(status=200, **extra):
    from escalation import incidents

    rows = incidents.list_incidents(db.session, actor=current_user)
    proposals = {i.id: incidents.matching_tickets(db.session, i) for i in rows if i.status in incidents.OPEN}
    return render_template("escalation/incidents.html", incidents=rows, proposals=proposals, **extra), status


@bp.get("/incidents")
@login_required
def incidents():
    return _incidents_page()


@bp.post("/incidents/<int:incident_id>/confirmer")
@login_required
def confirm_incident(incident_id):
    from escalation import incidents as service

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
    return redirect(url_for("escalation.incidents"))


@bp.post("/incidents/<int:incident_id>/ecarter")
@login_required
def dismiss_incident(incident_id):
    from escalation import incidents as service

    service.dismiss_incident(db.session, incident_id, actor=current_user, now=utcnow())
    db.session.commit()
    return redirect(url_for("escalation.incidents"))


@bp.post("/incidents/<int:incident_id>/rattacher/<int:ticket_id>")
@login_required
def link_ticket(incident_id, ticket_id):
    from escalation import incidents as service

    service.link_ticket(db.session, incident_id, ticket_id, actor=current_user)
    db.session.commit()
    return redirect(url_for("escalation.incidents"))


@bp.post("/incidents/<int:incident_id>/resoudre")
@login_required
def resolve_incident(incident_id):
    from escalation import incidents as service

    try:
        count = service.resolve_incident(
            db.session, incident_id, actor=current_user, message=request.form.get("message", ""), now=utcnow()
        )
    except ValidationFailed as error:
        db.session.rollback()
        return _incidents_page(400, form_error=(incident_id, error.message), form=request.form)
    db.session.commit()
    flash(_("%(count)s ticket(s) résolu(s) ; chaque demandeur est prévenu.", count=count), "success")
    return redirect(url_for("escalation.incidents"))
