"""Trainings pages under /formations: one blueprint, its routes split by subject (praf, calendars, fil)."""

from datetime import date, datetime, time

from flask import Blueprint

from helpdesk.platform.errors import ValidationFailed
from helpdesk.platform.timeutil import PARIS
from helpdesk.trainings.rules import LocalTimeRefused, local_instant

bp = Blueprint("trainings", __name__, url_prefix="/formations")

SELF_TRAINING_URL = "https://ac-toulouse.mon-ent-occitanie.fr/formations-ent/"


def _paris(day: date, at: time, field: str | None = None) -> datetime:
    """The UTC instant of a Paris wall-clock time; ValidationFailed (for `field`) in the spring DST gap."""
    try:
        return local_instant(day, at, PARIS)
    except LocalTimeRefused as refused:
        raise ValidationFailed(refused.args[0], field=field) from refused


def _form_error(form, error: ValidationFailed) -> None:
    field = error.details.get("field")
    if field and field in form:
        form[field].errors = list(form[field].errors) + [error.text()]
    else:
        form.form_errors.append(error.text())


# Importing the route modules registers their views on `bp`.
from helpdesk.trainings.views import calendars, fil, praf  # noqa: E402, F401
