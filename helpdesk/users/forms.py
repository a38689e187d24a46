"""Account forms (labels are translatable, errors speak French)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from helpdesk.policy import Scope

# What each scope lets a token do, as its owner reads it on the account page.
SCOPE_LABELS = {
    Scope.TICKETS_READ: _l("Lire les tickets"),
    Scope.TICKETS_WRITE: _l("Créer des tickets et agir dessus (lecture comprise)"),
    Scope.INCIDENTS_READ: _l("Lire les incidents majeurs"),
    Scope.INCIDENTS_WRITE: _l("Déclarer et gérer les incidents majeurs (lecture comprise)"),
    Scope.KB_READ: _l("Lire la FAQ et les diagnostics avec vos droits"),
}


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Adresse électronique"), validators=[DataRequired(_l("Indiquez votre adresse électronique.")), Length(max=254)]
    )
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(_l("Indiquez votre mot de passe."))])


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("Adresse électronique"),
        validators=[
            DataRequired(_l("Indiquez votre adresse électronique.")),
            Email(_l("Adresse électronique invalide.")),
            Length(max=254),
        ],
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nouveau mot de passe"), validators=[DataRequired(_l("Choisissez un mot de passe.")), Length(max=200)]
    )
    confirm = PasswordField(
        _l("Confirmez le mot de passe"), validators=[EqualTo("password", _l("Les deux mots de passe ne correspondent pas."))]
    )


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Nom du jeton"), validators=[DataRequired(_l("Donnez un nom au jeton.")), Length(max=100)])
    scopes = SelectMultipleField(
        _l("Portées (aucune cochée : tous vos droits)"),
        choices=[SelectChoice(str(scope), label) for scope, label in SCOPE_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )
    expires_on = DateField(
        _l("Expire le (facultatif)"),
        validators=[Optional()],
        format="%Y-%m-%d",
        render_kw={"type": "date"},
    )


# Each language is named in its own words, so that whoever cannot read the current one still finds theirs.
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


class LanguageForm(FlaskForm):
    locale = SelectField(
        _l("Langue de l'interface et des courriels"), choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]
    )
