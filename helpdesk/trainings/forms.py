"""Training forms: labels translatable, errors in French; domain checks live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from helpdesk.platform.errors import translate
from helpdesk.platform.timeutil import to_paris, utcnow
from helpdesk.trainings.rules import AUDIENCE_LABELS, FORMAT_LABELS, LEVEL_LABELS, MOMENT_LABELS, Moment, Period, period_problems

MAX_FIL_TRAINEES = 30

AUDIENCE_CHOICES = [SelectChoice(str(k), _l(v)) for k, v in AUDIENCE_LABELS.items()]
LEVEL_CHOICES = [SelectChoice(str(k), _l(v)) for k, v in LEVEL_LABELS.items()]
FORMAT_CHOICES = [SelectChoice(str(k), _l(v)) for k, v in FORMAT_LABELS.items()]
MOMENT_CHOICES = [SelectChoice(str(k), _l(v)) for k, v in MOMENT_LABELS.items()]
NOT_A_NUMBER = _l("Indiquez un nombre entier.")
NOT_A_DATE = _l("Indiquez une date valide (jj/mm/aaaa).")
NOT_A_TIME = _l("Indiquez une heure valide (hh:mm).")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ModuleForm(FlaskForm):
    title = StringField(_l("Titre"), validators=[DataRequired(_l("Donnez un titre au module.")), Length(max=200)])
    audience = SelectField(_l("Public"), choices=AUDIENCE_CHOICES)
    level = SelectField(_l("Niveau"), choices=LEVEL_CHOICES)
    duration_hours = IntegerField(
        _l("Durée (heures)"),
        validators=[InputRequired(NOT_A_NUMBER), NumberRange(1, 30, _l("La durée doit être comprise entre 1 et 30 heures."))],
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    prerequisites = TextAreaField(_l("Prérequis"), validators=[Length(max=2000)])
    is_active = BooleanField(_l("Proposé au catalogue"), default=True)


class SessionForm(FlaskForm):
    starts_on = DateField(_l("Date"), validators=[InputRequired(NOT_A_DATE)])
    start_time = TimeField(_l("Heure de début"), validators=[InputRequired(NOT_A_TIME)])
    end_time = TimeField(_l("Heure de fin"), validators=[InputRequired(NOT_A_TIME)])
    place = StringField(_l("Lieu"), validators=[Length(max=200)])
    remote_url = URLField(
        _l("Lien de classe virtuelle"), validators=[Optional(), URL(message=_l("Adresse web invalide.")), Length(max=500)]
    )
    trainer = StringField(_l("Formateur ou formatrice"), validators=[Length(max=200)])
    capacity = IntegerField(
        _l("Nombre de places"),
        default=20,
        validators=[
            InputRequired(NOT_A_NUMBER),
            NumberRange(1, 500, _l("La capacité doit être comprise entre 1 et 500 places.")),
        ],
    )
    cancel_deadline_hours = IntegerField(
        _l("Délai d'annulation (heures avant le début)"),
        default=48,
        validators=[InputRequired(NOT_A_NUMBER), NumberRange(0, 720, _l("Indiquez un délai entre 0 et 720 heures."))],
    )


class RegisterSomeoneForm(FlaskForm):
    email = EmailField(
        _l("Adresse électronique de la personne"),
        validators=[DataRequired(_l("Indiquez l'adresse électronique de la personne.")), Length(max=254)],
    )
    allow_other_audience = BooleanField(_l("Accorder une dérogation au public du module"))


class FilRequestForm(FlaskForm):
    school_uai = StringField(
        _l("UAI de l'établissement"), validators=[DataRequired(_l("Indiquez l'UAI de votre établissement.")), Length(max=8)]
    )
    audience = RadioField(
        _l("Public de la formation"),
        choices=AUDIENCE_CHOICES,
        validators=[InputRequired(_l("Choisissez le public de la formation."))],
    )
    expected_trainees = IntegerField(
        _l("Nombre de stagiaires prévus"),
        validators=[
            InputRequired(NOT_A_NUMBER),
            NumberRange(
                1,
                MAX_FIL_TRAINEES,
                _l(
                    "Le nombre de stagiaires doit être compris entre 1 et %(max)s (une FIL accueille une "
                    "vingtaine de personnes).",
                    max=MAX_FIL_TRAINEES,
                ),
            ),
        ],
    )
    format = RadioField(
        _l("Format"),
        choices=FORMAT_CHOICES,
        validators=[InputRequired(_l("Choisissez le format : deux demi-journées ou une journée."))],
    )
    period1_start = DateField(_l("Période 1 : du"), validators=[InputRequired(NOT_A_DATE)])
    period1_end = DateField(_l("Période 1 : au (facultatif)"), validators=[Optional()])
    period1_moment = SelectField(_l("Période 1 : moment"), choices=MOMENT_CHOICES)
    period2_start = DateField(_l("Période 2 : du (facultatif)"), validators=[Optional()])
    period2_end = DateField(_l("Période 2 : au (facultatif)"), validators=[Optional()])
    period2_moment = SelectField(_l("Période 2 : moment"), choices=MOMENT_CHOICES)
    period3_start = DateField(_l("Période 3 : du (facultatif)"), validators=[Optional()])
    period3_end = DateField(_l("Période 3 : au (facultatif)"), validators=[Optional()])
    period3_moment = SelectField(_l("Période 3 : moment"), choices=MOMENT_CHOICES)
    topics = MultiCheckboxField(_l("Thèmes souhaités"), coerce=int, validate_choice=False)
    needs = TextAreaField(_l("Besoins particuliers"), validators=[Length(max=5000)])

    PERIODS = (1, 2, 3)

    def periods(self) -> list[tuple[int, Period]]:
        """(row number, period) for every row whose start date is filled in."""
        rows = []
        for n in self.PERIODS:
            start = self[f"period{n}_start"].data
            if start and self[f"period{n}_moment"].data in set(Moment):  # an unknown moment is the select's own error
                rows.append((n, Period(start, self[f"period{n}_end"].data or start, Moment(self[f"period{n}_moment"].data))))
        return rows

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then every period problem at once (past, reversed, overlapping), next to its row."""
        is_valid = super().validate(extra_validators)
        rows = self.periods()
        for index, message in period_problems([p for _n, p in rows], to_paris(utcnow()).date()):
            field = self[f"period{rows[index][0]}_start"]
            field.errors = list(field.errors) + [translate(message)]
            is_valid = False
        return is_valid


class TransitionForm(FlaskForm):
    target = StringField(validators=[DataRequired()])
    reason = TextAreaField(_l("Motif"), validators=[Length(max=2000)])


class ScheduleForm(FlaskForm):
    trainers = StringField(_l("Formateur(s)"), validators=[DataRequired(_l("Indiquez le ou les formateurs.")), Length(max=300)])
    slot1_date = DateField(_l("Créneau 1 : date"), validators=[InputRequired(NOT_A_DATE)])
    slot1_start = TimeField(_l("Créneau 1 : début"), default=None, validators=[InputRequired(NOT_A_TIME)])
    slot1_end = TimeField(_l("Créneau 1 : fin"), validators=[InputRequired(NOT_A_TIME)])
    slot2_date = DateField(_l("Créneau 2 : date (facultatif)"), validators=[Optional()])
    slot2_start = TimeField(_l("Créneau 2 : début"), validators=[Optional()])
    slot2_end = TimeField(_l("Créneau 2 : fin"), validators=[Optional()])

    SLOTS = (1, 2)
