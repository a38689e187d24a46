"""Administration pages: accounts and schools (admins only; every rule lives in policy/services)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from wtforms.fields.choices import SelectChoice

from helpdesk import policy
from helpdesk.admin import services
from helpdesk.admin.forms import SchoolForm, UserForm
from helpdesk.organisation.models import Basin, School
from helpdesk.platform.errors import ValidationFailed
from helpdesk.platform.extensions import db
from helpdesk.users.models import User, UserRole

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _only_admins():
    if not (
        policy.can(current_user, policy.Action.MANAGE_USERS)
        or policy.can(current_user, policy.Action.EDIT_CATALOG)
        or policy.can(current_user, policy.Action.VIEW_OPERATIONS)
    ):
        abort(403)


def _basin_choices():
    return [SelectChoice(str(b.id), b.name) for b in db.session.scalars(select(Basin).order_by(Basin.name))]


@bp.get("/")
def index():
    counts = {
        "users": db.session.scalar(select(func.count(User.id))),
        "schools": db.session.scalar(select(func.count(School.id))),
        "basins": db.session.scalar(select(func.count(Basin.id))),
    }
    return render_template("admin/index.html", counts=counts)


@bp.get("/utilisateurs")
def users():
    if not policy.can(current_user, policy.Action.MANAGE_USERS):
        abort(403)
    q = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") or ""
    query = select(User).order_by(User.full_name).limit(200)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.full_name).like(like), func.lower(User.email).like(like)))
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return render_template("admin/users.html", users=list(db.session.scalars(query)), q=q, role=role)


@bp.route("/utilisateurs/nouveau", methods=["GET", "POST"])
@bp.route("/utilisateurs/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int | None = None):
    if not policy.can(current_user, policy.Action.MANAGE_USERS):
        abort(403)
    user = db.session.get(User, user_id) if user_id else None
    if user_id and user is None:
        abort(404)
    form = UserForm(obj=user) if request.method == "GET" and user else UserForm()
    form.basins.choices = _basin_choices()
    if request.method == "GET" and user:
        form.roles.data = sorted(user.roles)
        form.basins.data = sorted(user.basin_ids)
        form.school_uai.data = user.school.uai if user.school else ""
    if form.validate_on_submit():
        try:
            saved = services.save_user(
                db.session,
                user,
                actor=current_user,
                full_name=form.full_name.data,
                email=form.email.data,
                profile=form.profile.data,
                school_uai=form.school_uai.data,
                roles=form.roles.data,
                basin_ids=form.basins.data,
                is_active=form.is_active_account.data,
            )
        except ValidationFailed as error:
            flash(error.text(), "error")
            return render_template("admin/user_form.html", form=form, user=user), 400
        db.session.commit()
        flash(_("Compte enregistré : %(email)s", email=saved.email), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user), (400 if form.errors else 200)


@bp.route("/etablissements", methods=["GET", "POST"])
def schools():
    if not policy.can(current_user, policy.Action.MANAGE_USERS):
        abort(403)
    form = SchoolForm()
    form.basin_id.choices = _basin_choices()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                school = services.save_school(
                    db.session,
                    actor=current_user,
                    uai=form.uai.data,
                    name=form.name.data,
                    type=form.type.data,
                    town=form.town.data,
                    basin_id=form.basin_id.data,
                )
            except ValidationFailed as error:
                flash(error.text(), "error")
                status = 400
            else:
                db.session.commit()
                flash(_("Établissement ajouté : %(name)s", name=school.name), "success")
                return redirect(url_for("admin.schools"))
        else:
            status = 400
    basins = list(db.session.scalars(select(Basin).order_by(Basin.name)))
    return render_template("admin/schools.html", form=form, basins=basins), status


@bp.get("/exploitation")
@login_required
def operations():
    from datetime import datetime

    from helpdesk.admin.operations import queue_health

    health = queue_health(actor=current_user)
    last = datetime.fromisoformat(health["last_sweep"]) if health["last_sweep"] else None
    return render_template("admin/operations.html", health=health, last_sweep=last)


@bp.post("/exploitation/<queue_name>/relancer")
@login_required
def retry_failed(queue_name):
    from helpdesk.admin.operations import retry_failed as retry

    count = retry(actor=current_user, queue_name=queue_name)
    flash(_("%(count)s tâche(s) relancée(s).", count=count), "success")
    return redirect(url_for("admin.operations"))
