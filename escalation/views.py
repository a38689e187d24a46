"""Pilot pages: SLA policies, tier calendars and closures (endpoint escalation.policies)."""

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from escalation import services
from helpdesk.platform.errors import ValidationFailed
from helpdesk.platform.extensions import db
from helpdesk.platform.input import INT32_MAX, InputRefused, int_arg
from helpdesk.platform.locale import supported_locales
from helpdesk.platform.timeutil import utcnow
from helpdesk.routing.codes import TIER_ORDER

bp = Blueprint("escalation", __name__, url_prefix="/pilotage/delais", template_folder="templates")


def _page(status=200, **extra):
    data = services.reference_overview(db.session, actor=current_user, today=utcnow().date())
    texts = {
        tier: services.hours_to_text(data["calendars"][tier].hours, str(get_locale())) if tier in data["calendars"] else ""
        for tier in TIER_ORDER
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
    """The field as an integer, None when it is not one that a column holds (the service then says what is expected)."""
    try:
        return int_arg(request.form.get(name, ""), name, low=-INT32_MAX, high=INT32_MAX)
    except InputRefused:
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
        policy_error=lambda error: (policy_id, error.text()),
    )


@bp.post("/politique/<int:policy_id>/supprimer")
@login_required
def delete_keyword_policy(policy_id):
    return _edit(
        lambda: services.delete_keyword_policy(db.session, policy_id, actor=current_user),
        _("Délai propre au mot-clé supprimé : le délai du niveau s'applique de nouveau."),
        policy_error=lambda error: (policy_id, error.text()),
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
        keyword_error=lambda error: error.text(),
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
            hours=services.hours_from_text(text, supported_locales()),
            counts_during_school_holidays=bool(request.form.get("school")),
        ),
        _("Horaires enregistrés."),
        calendar_error=lambda error: (tier, error.text()),
        texts=lambda error: {tier: text},
    )


@bp.post("/fermetures")
@login_required
def add_closure():
    return _edit(
        lambda: services.add_closure(db.session, actor=current_user, tier=request.form.get("tier"), **_period()),
        _("Fermeture ajoutée."),
        closure_error=lambda error: error.text(),
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
        school_error=lambda error: error.text(),
        school_form=lambda error: request.form,
    )


@bp.post("/vacances/<int:period_id>/supprimer")
@login_required
def delete_school_holiday(period_id):
    return _edit(
        lambda: services.delete_school_holiday(db.session, period_id, actor=current_user), _("Période de vacances supprimée.")
    )
