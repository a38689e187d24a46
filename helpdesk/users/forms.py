"""Account forms (labels are translatable, errors speak French)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length


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


# Each language is named in its own words, so that whoever cannot read the current one still finds theirs.
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


class LanguageForm(FlaskForm):
    locale = SelectField(
        _l("Langue de l'interface et des courriels"), choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]
    )
