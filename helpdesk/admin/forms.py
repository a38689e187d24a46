"""Forms of the administration pages; UAI and e-mail checked here, uniqueness in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from helpdesk.organisation.models import SCHOOL_TYPE_LABELS
from helpdesk.organisation.uai import validation_error
from helpdesk.platform.errors import translate
from helpdesk.users.models import PROFILE_LABELS, ROLE_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _uai(form, field):
    if field.data and (problem := validation_error(field.data)):
        raise ValidationError(translate(problem))


class UserForm(FlaskForm):
    full_name = StringField(_l("Nom complet"), validators=[DataRequired(_l("Indiquez le nom.")), Length(max=200)])
    email = EmailField(
        _l("Adresse électronique"),
        validators=[DataRequired(_l("Indiquez l'adresse.")), Email(_l("Adresse électronique invalide.")), Length(max=254)],
    )
    profile = SelectField(_l("Profil"), choices=[SelectChoice(k.value, _l(v)) for k, v in PROFILE_LABELS.items()])
    school_uai = StringField(_l("UAI de l'établissement"), validators=[Optional(), _uai, Length(max=12)])
    roles = MultiCheckboxField(_l("Rôles"), choices=[SelectChoice(k.value, _l(v)) for k, v in ROLE_LABELS.items()])
    basins = MultiCheckboxField(_l("Bassins suivis (référent EduLAB)"), coerce=int, choices=[])
    is_active_account = BooleanField(_l("Compte actif"), default=True)


class SchoolForm(FlaskForm):
    uai = StringField(_l("Code UAI"), validators=[DataRequired(_l("Indiquez le code UAI.")), _uai, Length(max=12)])
    name = StringField(_l("Nom"), validators=[DataRequired(_l("Indiquez le nom.")), Length(max=200)])
    type = SelectField(_l("Type"), choices=[SelectChoice(k.value, _l(v)) for k, v in SCHOOL_TYPE_LABELS.items()])
    town = StringField(_l("Commune"), validators=[DataRequired(_l("Indiquez la commune.")), Length(max=120)])
    basin_id = SelectField(_l("Bassin"), coerce=int, choices=[])
