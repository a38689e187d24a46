"""The one-question survey form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from helpdesk.platform.i18n import N_
from helpdesk.satisfaction.services import COMMENT_MAX


class SurveyForm(FlaskForm):
    resolved = RadioField(
        N_("Votre problème est-il résolu ?"),
        choices=[SelectChoice("oui", N_("Oui")), SelectChoice("non", N_("Non"))],
        validators=[InputRequired(_l("Indiquez si votre problème est résolu."))],
    )
    rating = RadioField(
        N_("Votre note, de 1 (très insatisfait) à 5 (très satisfait)"),
        choices=[SelectChoice(str(n), str(n)) for n in range(1, 6)],
        validators=[InputRequired(_l("Choisissez une note de 1 à 5."))],
    )
    comment = TextAreaField(
        _l("Commentaire (facultatif)"),
        [Optional(), Length(max=COMMENT_MAX, message=_l("%(max)s caractères au plus.", max=COMMENT_MAX))],
    )
