"""The keyword edit form: plain fields plus the extra-field definitions as a strictly validated YAML list."""

import yaml
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from helpdesk.platform.errors import translate
from helpdesk.routing import catalog
from helpdesk.routing.codes import (
    ENTRY_TIERS,
    PRIORITY_LABELS,
    SERVICE_LABELS,
    TICKET_TYPE_LABELS,
    TIER_LABELS,
    TIER_ORDER,
    TicketType,
)

FIELDS_EXAMPLE = """- name: identifiant_ent
  label: Identifiant ENT (jamais le mot de passe)
  type: text
  required: false
- name: profil
  label: Profil concerné
  type: choice
  required: true
  choices: [Élève, Parent, Enseignant]"""


def parse_fields(text: str) -> list:
    """The YAML text as a list of field definitions; raises ValueError with a message in the reader's language."""
    if not (text or "").strip():
        return []
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        if mark:
            message = _l(
                "Le YAML des champs complémentaires est illisible (ligne %(line)s, colonne %(column)s).",
                line=mark.line + 1,
                column=mark.column + 1,
            )
        else:
            message = _l("Le YAML des champs complémentaires est illisible.")
        raise ValueError(str(message)) from error
    if value is None:
        return []
    problems = catalog.field_errors(value)
    if problems:
        raise ValueError(" ".join(translate(problem) for problem in problems))
    return value


def dump_fields(fields: list) -> str:
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, default_flow_style=False).strip() if fields else ""


class KeywordForm(FlaskForm):
    label = StringField(_l("Libellé"), validators=[DataRequired(_l("Indiquez le libellé du mot-clé.")), Length(max=120)])
    synonyms = TextAreaField(_l("Synonymes et abréviations"), validators=[Length(max=5000)])
    service = SelectField(
        _l("Service ENT"), choices=[SelectChoice(code.value, _l(label)) for code, label in SERVICE_LABELS.items()]
    )
    tier = SelectField(
        _l("Niveau d'entrée"), choices=[SelectChoice(t.value, _l(TIER_LABELS[t])) for t in TIER_ORDER if t in ENTRY_TIERS]
    )
    ticket_type = SelectField(
        _l("Type de ticket"),
        choices=[SelectChoice(code.value, _l(label)) for code, label in TICKET_TYPE_LABELS.items() if code != TicketType.BUG],
    )
    priority = SelectField(
        _l("Priorité par défaut"),
        choices=[SelectChoice(code.value, _l(label)) for code, label in PRIORITY_LABELS.items()],
        default="normal",
    )
    is_mass_incident = BooleanField(_l("Incident de masse (plusieurs établissements touchés)"))
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    fields_yaml = TextAreaField(_l("Champs complémentaires du formulaire (YAML)"), validators=[Length(max=20000)])
    diagnostic_slug = StringField(
        _l("Diagnostic guidé associé"),
        validators=[
            Optional(),
            Length(max=80),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Identifiant en minuscules et tirets, par ex. compte-absent.")),
        ],
    )
    is_active = BooleanField(_l("Proposé aux utilisateurs"), default=True)
    comment = StringField(_l("Motif de la modification"), validators=[Length(max=300)])
    version = HiddenField()

    parsed_fields: list = []

    def validate_fields_yaml(self, field):
        try:
            self.parsed_fields = parse_fields(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def to_data(self) -> dict:
        return {
            "label": self.label.data,
            "synonyms": [line.strip() for line in (self.synonyms.data or "").splitlines() if line.strip()],
            "service": self.service.data,
            "tier": self.tier.data,
            "ticket_type": self.ticket_type.data,
            "priority": self.priority.data,
            "is_mass_incident": self.is_mass_incident.data,
            "description": self.description.data,
            "fields": self.parsed_fields,
            "diagnostic_slug": self.diagnostic_slug.data,
            "is_active": self.is_active.data,
        }

    def fill_from(self, keyword) -> None:
        self.label.data = keyword.label
        self.synonyms.data = "\n".join(keyword.synonyms or [])
        self.service.data = keyword.service
        self.tier.data = keyword.tier
        self.ticket_type.data = keyword.ticket_type
        self.priority.data = keyword.priority
        self.is_mass_incident.data = keyword.is_mass_incident
        self.description.data = keyword.description
        self.fields_yaml.data = dump_fields(keyword.fields or [])
        self.diagnostic_slug.data = keyword.diagnostic_slug or ""
        self.is_active.data = keyword.is_active
        self.version.data = str(keyword.version)
