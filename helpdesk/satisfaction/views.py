"""The survey pages: through the signed link of the resolution e-mail (no login) or from the ticket page."""

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from helpdesk.platform.errors import Conflict, ValidationFailed
from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.satisfaction import services
from helpdesk.satisfaction.forms import SurveyForm
from helpdesk.tickets import services as tickets

bp = Blueprint("satisfaction", __name__, url_prefix="/satisfaction", template_folder="templates")


def _handle(survey, via: str, action: str):
    if survey.answered_at is not None:
        return render_template("satisfaction/done.html", survey=survey, already=True)
    form = SurveyForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("satisfaction/form.html", form=form, survey=survey, action=action), status
    try:
        services.answer(
            db.session,
            survey,
            resolved=form.resolved.data == "oui",
            rating=int(form.rating.data),
            comment=form.comment.data or "",
            via=via,
            now=utcnow(),
        )
    except Conflict:
        db.session.rollback()
        return render_template("satisfaction/done.html", survey=survey, already=True)
    except ValidationFailed as error:
        form.form_errors.extend(error.texts())
        return render_template("satisfaction/form.html", form=form, survey=survey, action=action), 400
    db.session.commit()
    return redirect(url_for("satisfaction.thanks"))


@bp.route("/<token>", methods=["GET", "POST"])
def by_link(token: str):
    """The link of the resolution e-mail: it stands for the requester, logged in or not, until it is used."""
    survey = services.survey_from_token(db.session, current_app.secret_key, token)
    return _handle(survey, "link", url_for("satisfaction.by_link", token=token))


@bp.route("/ticket/<reference>", methods=["GET", "POST"])
@login_required
def in_app(reference: str):
    ticket = tickets.get_visible(db.session, reference, actor=current_user)
    survey = services.survey_for_ticket(db.session, ticket, actor=current_user)
    return _handle(survey, "app", url_for("satisfaction.in_app", reference=reference))


@bp.get("/merci")
def thanks():
    return render_template("satisfaction/done.html", survey=None, already=False)


def survey_link(ticket) -> str:
    """Absolute signed link to the ticket's survey, for the resolution e-mail (rendered in jobs too: no request)."""
    path = current_app.url_map.bind("localhost").build(
        "satisfaction.by_link", {"token": services.make_token(current_app.secret_key, ticket.id)}
    )
    return current_app.config.get("PUBLIC_URL", "").rstrip("/") + path


def pending_survey(ticket):
    if not current_user.is_authenticated:
        return None
    return services.pending_for(db.session, ticket, actor=current_user)


def install(app) -> None:
    app.jinja_env.globals.update(satisfaction_link=survey_link, pending_survey=pending_survey)
