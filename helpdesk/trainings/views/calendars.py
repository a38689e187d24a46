"""Calendars: the month page, one ICS file per session and the personal feed behind a secret token."""

from flask import Response, abort, flash, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import to_paris, utcnow
from helpdesk.trainings import month as month_calendar
from helpdesk.trainings import services
from helpdesk.trainings.ics import build_calendar
from helpdesk.trainings.views import bp


def _ics_response(body: str, filename: str) -> Response:
    return Response(body, mimetype="text/calendar", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/sessions/<int:session_id>.ics")
def session_ics(session_id: int):
    ts = services.get_session_or_404(db.session, session_id)
    event = month_calendar.session_event(ts, url_for("trainings.session_detail", session_id=ts.id, _external=True))
    return _ics_response(build_calendar([event], name=ts.module.title, now=utcnow()), f"formation-{ts.id}.ics")


@bp.get("/calendrier/<token>.ics")
def feed(token: str):
    user = services.user_of_token(db.session, token)
    if user is None:
        abort(404)
    events = month_calendar.personal_events(
        db.session,
        user,
        lambda ts_id: url_for("trainings.session_detail", session_id=ts_id, _external=True),
        lambda fil_id: url_for("trainings.fil_detail", fil_id=fil_id, _external=True),
    )
    return _ics_response(build_calendar(events, name=_("Mes formations ENT"), now=utcnow()), "mes-formations.ics")


@bp.get("/calendrier")
def calendar():
    month = month_calendar.parse_month(request.args.get("mois"), to_paris(utcnow()).date())
    if month is None:
        flash(_("Mois invalide : utilisez la forme AAAA-MM, par exemple 2026-12."), "error")
        month = to_paris(utcnow()).date().replace(day=1)
    viewer = current_user if current_user.is_authenticated else None
    grid = month_calendar.month_grid(db.session, month, viewer=viewer)
    previous, following = month_calendar.shift(month, -1), month_calendar.shift(month, 1)
    return render_template(
        "trainings/calendar.html",
        month=month,
        grid=grid,
        today=to_paris(utcnow()).date(),
        previous=previous,
        following=following,
        month_label=format_date(month, "MMMM yyyy"),
        previous_label=format_date(previous, "MMMM yyyy"),
        following_label=format_date(following, "MMMM yyyy"),
    )
