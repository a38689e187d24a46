"""FIL pages: the head of school's request form, the lists by state and the request page with its next steps."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from helpdesk import policy
from helpdesk.notifications.models import Notification
from helpdesk.platform.errors import DomainError, ValidationFailed, translate_all
from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.trainings import fil as fil_services
from helpdesk.trainings import services
from helpdesk.trainings.forms import FilRequestForm, ScheduleForm, TransitionForm
from helpdesk.trainings.models import FilRequest
from helpdesk.trainings.states import ACTION_LABELS, STATE_LABELS, FilState
from helpdesk.trainings.views import _form_error, _paris, bp

# --- FIL -------------------------------------------------------------------------------------------------


@bp.route("/fil/nouvelle", methods=["GET", "POST"])
@login_required
def fil_new():
    if not policy.can(current_user, policy.Action.REQUEST_FIL):
        abort(403)
    form = FilRequestForm()
    form.topics.choices = [
        SelectChoice(m.id, f"{m.title} ({m.audience_label}, {m.level_label})") for m in services.catalogue(db.session)
    ]
    if request.method == "GET":
        form.school_uai.data = current_user.school.uai
        form.expected_trainees.data = 20
    if form.validate_on_submit():
        try:
            fil = fil_services.submit_fil_request(
                db.session,
                actor=current_user,
                now=utcnow(),
                school_uai=form.school_uai.data,
                audience=form.audience.data,
                expected_trainees=form.expected_trainees.data,
                format=form.format.data,
                periods=[p for _n, p in form.periods()],
                topic_ids=form.topics.data or [],
                needs=form.needs.data or "",
            )
            db.session.commit()
            flash(_("Votre demande %(ref)s est transmise à la DAFPEN.", ref=fil.reference), "success")
            return redirect(url_for("trainings.fil_detail", fil_id=fil.id))
        except ValidationFailed as error:
            db.session.rollback()
            _form_error(form, error)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("trainings/fil_new.html", form=form), status


@bp.get("/fil")
@login_required
def fil_list():
    state = request.args.get("etat") or None
    if state and state not in set(FilState):
        state = None
    fils = fil_services.visible_fils(db.session, actor=current_user)
    if not fils and not policy.can(current_user, policy.Action.LIST_FIL):
        abort(403)
    by_state = {s: [f for f in fils if f.state == s] for s in FilState}
    return render_template("trainings/fil_list.html", by_state=by_state, state=state, state_labels=translate_all(STATE_LABELS))


@bp.get("/fil/<int:fil_id>")
@login_required
def fil_detail(fil_id: int):
    fil = fil_services.get_visible_fil_or_404(db.session, fil_id, actor=current_user)
    return _render_fil(fil)


def _render_fil(fil: FilRequest, schedule_form=None, transition_form=None, status: int = 200):
    mails = list(db.session.scalars(select(Notification).where(Notification.link == f"/formations/fil/{fil.id}")
                                    .order_by(Notification.id)))  # fmt: skip
    return render_template(
        "trainings/fil_detail.html",
        fil=fil,
        moves=fil_services.available_moves(fil, current_user),
        mails=mails,
        schedule_form=schedule_form or ScheduleForm(formdata=None),
        transition_form=transition_form or TransitionForm(formdata=None),
        action_labels=translate_all(ACTION_LABELS),
        state_labels=translate_all(STATE_LABELS),
    ), status


@bp.post("/fil/<int:fil_id>/etat")
@login_required
def fil_transition(fil_id: int):
    fil = fil_services.get_visible_fil_or_404(db.session, fil_id, actor=current_user)
    form = TransitionForm()
    if form.validate_on_submit():
        try:
            fil_services.move_fil(
                db.session, fil, form.target.data, actor=current_user, now=utcnow(), reason=form.reason.data or ""
            )
            db.session.commit()
            flash(_("Demande mise à jour : %(state)s.", state=fil.state_label), "success")
            return redirect(url_for("trainings.fil_detail", fil_id=fil.id))
        except ValueError:
            db.session.rollback()
            form.target.errors = [_("Étape inconnue.")]
        except ValidationFailed as error:
            db.session.rollback()
            _form_error(form, error)
        except DomainError as error:  # a stale page (already moved) or someone else's step: say so on the request page
            db.session.rollback()
            flash(error.text(), "error")
            return redirect(url_for("trainings.fil_detail", fil_id=fil.id))
    return _render_fil(fil, transition_form=form, status=400)


@bp.post("/fil/<int:fil_id>/planifier")
@login_required
def fil_schedule(fil_id: int):
    fil = fil_services.get_visible_fil_or_404(db.session, fil_id, actor=current_user)
    form = ScheduleForm()
    if form.validate_on_submit():
        slots = []
        for n in form.SLOTS:
            day, start, end = form[f"slot{n}_date"].data, form[f"slot{n}_start"].data, form[f"slot{n}_end"].data
            if day and start and end:
                try:
                    slots.append((_paris(day, start, f"slot{n}_start"), _paris(day, end, f"slot{n}_end")))
                except ValidationFailed as error:
                    _form_error(form, error)
            elif day:
                form[f"slot{n}_start"].errors = [_("Indiquez l'heure de début et l'heure de fin de ce créneau.")]
        if not form.errors:
            try:
                fil_services.schedule_fil(
                    db.session, fil, actor=current_user, now=utcnow(), trainers=form.trainers.data, slots=slots
                )
                db.session.commit()
                flash(_("FIL planifiée : l'établissement est invité à confirmer les dates."), "success")
                return redirect(url_for("trainings.fil_detail", fil_id=fil.id))
            except ValidationFailed as error:
                db.session.rollback()
                _form_error(form, error)
            except DomainError as error:
                db.session.rollback()
                flash(error.text(), "error")
                return redirect(url_for("trainings.fil_detail", fil_id=fil.id))
    return _render_fil(fil, schedule_form=form, status=400)
