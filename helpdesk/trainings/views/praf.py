"""PRAF pages: catalogue, modules, sessions, registrations and attendance."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from helpdesk import policy
from helpdesk.platform.errors import DomainError, NotFound, ValidationFailed, translate_all
from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import to_paris, utcnow
from helpdesk.trainings import fil as fil_services
from helpdesk.trainings import services
from helpdesk.trainings.forms import ModuleForm, RegisterSomeoneForm, SessionForm
from helpdesk.trainings.models import Registration, TrainingModule
from helpdesk.trainings.rules import AUDIENCE_LABELS, LEVEL_LABELS, audiences_of_profile
from helpdesk.trainings.views import SELF_TRAINING_URL, _form_error, _paris, bp
from helpdesk.users.services import find_by_email


@bp.get("")
def index():
    now = utcnow()
    manage = policy.can(current_user, policy.Action.MANAGE_TRAININGS)
    modules = services.catalogue(db.session, include_inactive=manage)  # coordinators must find retired modules
    sessions = services.upcoming_sessions(db.session, now)
    taken = services.seats_by_session(db.session, [s.id for s in sessions])
    context = dict(
        modules=modules,
        sessions=sessions,
        taken=taken,
        audience_labels=translate_all(AUDIENCE_LABELS),
        level_labels=translate_all(LEVEL_LABELS),
        self_training_url=SELF_TRAINING_URL,
        my_registrations=[],
        fils=[],
        my_audiences=frozenset(),
        feed_url=None,
    )
    if current_user.is_authenticated:
        context["my_registrations"] = services.my_registrations(db.session, current_user, now)
        context["my_audiences"] = audiences_of_profile(current_user.profile)
        context["fils"] = fil_services.visible_fils(db.session, actor=current_user)[:10]
    return render_template("trainings/index.html", **context)


@bp.post("/calendrier/jeton")
@login_required
def feed_token():
    token = services.calendar_token(db.session, current_user, renew=request.form.get("renew") == "1")
    db.session.commit()
    flash(
        _("Adresse de votre agenda personnel : %(url)s", url=url_for("trainings.feed", token=token.token, _external=True)),
        "success",
    )
    return redirect(url_for("trainings.index") + "#agenda")


# --- catalogue -------------------------------------------------------------------------------------------


@bp.get("/modules/<int:module_id>")
def module_detail(module_id: int):
    module = db.session.get(TrainingModule, module_id)
    if module is None:
        raise NotFound(_("Module introuvable."))
    now = utcnow()
    sessions = [s for s in module.sessions if s.starts_at > now]
    # Coordinators also reach past sessions here, to record attendance.
    manage = policy.can(current_user, policy.Action.MANAGE_TRAININGS)
    past = [s for s in module.sessions if s.starts_at <= now][-10:] if manage else []
    return render_template(
        "trainings/module.html",
        module=module,
        sessions=sessions,
        past=past,
        taken=services.seats_by_session(db.session, [s.id for s in sessions]),
    )


@bp.route("/modules/nouveau", methods=["GET", "POST"])
@bp.route("/modules/<int:module_id>/modifier", methods=["GET", "POST"])
@login_required
def module_edit(module_id: int | None = None):
    if not policy.can(current_user, policy.Action.MANAGE_TRAININGS):
        abort(403)
    module = db.session.get(TrainingModule, module_id) if module_id else None
    if module_id and module is None:
        raise NotFound(_("Module introuvable."))
    form = ModuleForm(obj=module)
    if form.validate_on_submit():
        try:
            module = services.save_module(
                db.session,
                module,
                actor=current_user,
                now=utcnow(),
                title=form.title.data,
                audience=form.audience.data,
                level=form.level.data,
                description=form.description.data or "",
                duration_hours=form.duration_hours.data,
                prerequisites=form.prerequisites.data or "",
                is_active=form.is_active.data,
            )
            db.session.commit()
            flash(_("Module enregistré."), "success")
            return redirect(url_for("trainings.module_detail", module_id=module.id))
        except ValidationFailed as error:
            db.session.rollback()
            _form_error(form, error)
    return render_template("trainings/module_form.html", form=form, module=module), (
        400 if form.errors or form.form_errors else 200
    )


# --- sessions --------------------------------------------------------------------------------------------


@bp.get("/sessions/<int:session_id>")
def session_detail(session_id: int):
    ts = services.get_session_or_404(db.session, session_id)
    mine, position = None, None
    if current_user.is_authenticated:
        mine = db.session.scalar(
            select(Registration).where(Registration.session_id == ts.id, Registration.user_id == current_user.id)
        )
        position = services.waiting_position(db.session, mine) if mine else None
    manage = policy.can(current_user, policy.Action.MANAGE_TRAININGS)
    waiting = sorted((r for r in ts.registrations if r.status == "waiting"), key=lambda r: (r.waiting_since_at, r.id))
    return render_template(
        "trainings/session.html",
        ts=ts,
        mine=mine,
        position=position,
        manage=manage,
        now=utcnow(),
        taken=services.seats_taken(db.session, ts.id),
        deadline=services.cancellation_deadline_of(ts),
        waiting=waiting,
        registered=[r for r in ts.registrations if r.status == "registered"],
        someone_form=RegisterSomeoneForm(),
        may_attend=current_user.is_authenticated and ts.module.audience in audiences_of_profile(current_user.profile),
    )


@bp.route("/modules/<int:module_id>/sessions/nouvelle", methods=["GET", "POST"])
@bp.route("/sessions/<int:session_id>/modifier", methods=["GET", "POST"])
@login_required
def session_edit(module_id: int | None = None, session_id: int | None = None):
    if not policy.can(current_user, policy.Action.MANAGE_TRAININGS):
        abort(403)
    ts = services.get_session_or_404(db.session, session_id) if session_id else None
    module = ts.module if ts else db.session.get(TrainingModule, module_id)
    if module is None:
        raise NotFound(_("Module introuvable."))
    form = SessionForm(obj=ts)
    if ts and request.method == "GET":
        start, end = to_paris(ts.starts_at), to_paris(ts.ends_at)
        form.starts_on.data, form.start_time.data, form.end_time.data = start.date(), start.time(), end.time()
    if form.validate_on_submit():
        try:
            ts = services.save_training_session(
                db.session,
                ts,
                actor=current_user,
                now=utcnow(),
                module=module,
                starts_at=_paris(form.starts_on.data, form.start_time.data, "start_time"),
                ends_at=_paris(form.starts_on.data, form.end_time.data, "end_time"),
                place=form.place.data or "",
                remote_url=form.remote_url.data or "",
                trainer=form.trainer.data or "",
                capacity=form.capacity.data,
                cancel_deadline_hours=form.cancel_deadline_hours.data,
            )
            db.session.commit()
            flash(_("Session enregistrée ; les rappels sont programmés."), "success")
            return redirect(url_for("trainings.session_detail", session_id=ts.id))
        except ValidationFailed as error:
            db.session.rollback()
            _form_error(form, error)
    return render_template("trainings/session_form.html", form=form, ts=ts, module=module), (
        400 if form.errors or form.form_errors else 200
    )


@bp.post("/sessions/<int:session_id>/inscription")
@login_required
def session_register(session_id: int):
    ts = services.get_session_or_404(db.session, session_id)
    try:
        registration = services.register(db.session, ts, current_user, actor=current_user, now=utcnow())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.text(), "error")
    else:
        if registration.status == "registered":
            flash(_("Vous êtes inscrit à cette session."), "success")
        else:
            flash(
                _(
                    "La session est complète : vous êtes en position %(n)s sur la liste d'attente. Vous serez inscrit "
                    "automatiquement si une place se libère.",
                    n=services.waiting_position(db.session, registration),
                ),
                "info",
            )
    return redirect(url_for("trainings.session_detail", session_id=session_id))


@bp.post("/inscriptions/<int:registration_id>/annulation")
@login_required
def registration_cancel(registration_id: int):
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise NotFound(_("Inscription introuvable."))
    session_id = registration.session_id
    try:
        services.cancel_registration(db.session, registration, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("Inscription annulée."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.text(), "error")
    return redirect(
        request.form.get("back") == "index"
        and url_for("trainings.index")
        or url_for("trainings.session_detail", session_id=session_id)
    )


@bp.post("/sessions/<int:session_id>/inscrire")
@login_required
def session_register_someone(session_id: int):
    ts = services.get_session_or_404(db.session, session_id)
    form = RegisterSomeoneForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("trainings.session_detail", session_id=session_id))
    person = find_by_email(db.session, form.email.data)
    try:
        if person is None:
            raise ValidationFailed(_("Aucun compte ne correspond à l'adresse %(email)s.", email=form.email.data))
        registration = services.register(
            db.session, ts, person, actor=current_user, now=utcnow(), allow_other_audience=form.allow_other_audience.data
        )
        db.session.commit()
        flash(_("%(name)s : %(status)s.", name=person.full_name, status=registration.status_label), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.text(), "error")
    return redirect(url_for("trainings.session_detail", session_id=session_id))


@bp.post("/sessions/<int:session_id>/presences")
@login_required
def session_attendance(session_id: int):
    ts = services.get_session_or_404(db.session, session_id)
    present = {int(v) for v in request.form.getlist("present") if v.isdigit()}
    try:
        count = services.record_attendance(db.session, ts, present, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("Présences enregistrées : %(n)s présent(s).", n=count), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.text(), "error")
    return redirect(url_for("trainings.session_detail", session_id=session_id))
