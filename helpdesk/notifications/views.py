"""The bell: list, unread badge (polled by base.html), mark read, delivery preference."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.notifications import services
from helpdesk.platform.errors import ValidationFailed
from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow

bp = Blueprint("notifications", __name__, url_prefix="/notifications", template_folder="templates")


@bp.get("/")
@login_required
def index():
    return render_template(
        "notifications/index.html",
        notifications=services.list_for(db.session, actor=current_user),
        mode=services.preference(db.session, current_user.id),
    )


@bp.get("/badge")
@login_required
def badge():
    count = services.unread_count(db.session, actor=current_user)
    return _("Notifications (%(count)s)", count=count) if count else _("Notifications")


@bp.post("/<int:notification_id>/lue")
@login_required
def mark_read(notification_id):
    services.mark_read(db.session, notification_id, actor=current_user, now=utcnow())
    db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.post("/tout-lu")
@login_required
def mark_all_read():
    services.mark_all_read(db.session, actor=current_user, now=utcnow())
    db.session.commit()
    flash(_("Toutes les notifications sont marquées comme lues."), "success")
    return redirect(url_for("notifications.index"))


@bp.post("/preference")
@login_required
def preference():
    try:
        services.set_preference(db.session, actor=current_user, mode=request.form.get("mode", ""))
    except ValidationFailed as error:
        db.session.rollback()
        flash(error.text(), "error")
        return redirect(url_for("notifications.index")), 303
    db.session.commit()
    flash(_("Préférence enregistrée."), "success")
    return redirect(url_for("notifications.index"))
