"""The editor's article form; the rules themselves live in kb.services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from helpdesk.routing.codes import SERVICE_LABELS
from kb.models import AUDIENCE_LABELS


class ArticleForm(FlaskForm):
    title = StringField(
        _l("Question ou titre"), validators=[DataRequired(_l("Indiquez la question ou le titre.")), Length(max=200)]
    )
    service = SelectField(_l("Service de l'ENT"), choices=[SelectChoice(k.value, _l(v)) for k, v in SERVICE_LABELS.items()])
    audience = SelectField(_l("Public"), choices=[SelectChoice(k.value, _l(v)) for k, v in AUDIENCE_LABELS.items()])
    tags = StringField(_l("Étiquettes"), validators=[Optional(), Length(max=500)])
    admin_path = StringField(_l("Chemin dans les menus de l'ENT"), validators=[Optional(), Length(max=300)])
    body_md = TextAreaField(_l("Réponse (Markdown)"), validators=[DataRequired(_l("Rédigez la réponse."))])
    comment = StringField(_l("Résumé de la modification"), validators=[Optional(), Length(max=300)])

    def tag_list(self) -> list[str]:
        return [t.strip() for t in (self.tags.data or "").split(",") if t.strip()]


class GlossaryTermForm(FlaskForm):
    term = StringField(_l("Terme"), validators=[DataRequired(_l("Indiquez le terme.")), Length(max=120)])
    expansion = StringField(_l("Développé du sigle"), validators=[Optional(), Length(max=300)])
    aliases = StringField(_l("Autres noms (séparés par des virgules)"), validators=[Optional(), Length(max=1000)])
    definition = TextAreaField(_l("Définition"), validators=[DataRequired(_l("Rédigez la définition."))])
    service = SelectField(
        _l("Service de l'ENT"),
        choices=[SelectChoice("", _l("Aucun"))] + [SelectChoice(k.value, _l(v)) for k, v in SERVICE_LABELS.items()],
    )
    see_also = StringField(_l("Voir aussi (termes séparés par des virgules)"), validators=[Optional(), Length(max=1000)])
    comment = StringField(_l("Résumé de la modification"), validators=[Optional(), Length(max=300)])


class ReviewForm(FlaskForm):
    reason = TextAreaField(_l("Motif (obligatoire pour un refus)"), validators=[Optional(), Length(max=500)])
