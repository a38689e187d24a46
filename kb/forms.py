"""The editor's article form; the rules themselves live in kb.services."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from helpdesk.routing.codes import SERVICE_LABELS
from kb.models import AUDIENCE_LABELS


class ArticleForm(FlaskForm):
    title = StringField("Question ou titre", validators=[DataRequired("Indiquez la question ou le titre."), Length(max=200)])
    service = SelectField("Service de l'ENT", choices=[SelectChoice(k.value, v) for k, v in SERVICE_LABELS.items()])
    audience = SelectField("Public", choices=[SelectChoice(k.value, v) for k, v in AUDIENCE_LABELS.items()])
    tags = StringField("Étiquettes", validators=[Optional(), Length(max=500)])
    admin_path = StringField("Chemin dans les menus de l'ENT", validators=[Optional(), Length(max=300)])
    body_md = TextAreaField("Réponse (Markdown)", validators=[DataRequired("Rédigez la réponse.")])
    comment = StringField("Résumé de la modification", validators=[Optional(), Length(max=300)])

    def tag_list(self) -> list[str]:
        return [t.strip() for t in (self.tags.data or "").split(",") if t.strip()]


class GlossaryTermForm(FlaskForm):
    term = StringField("Terme", validators=[DataRequired("Indiquez le terme."), Length(max=120)])
    expansion = StringField("Développé du sigle", validators=[Optional(), Length(max=300)])
    aliases = StringField("Autres noms (séparés par des virgules)", validators=[Optional(), Length(max=1000)])
    definition = TextAreaField("Définition", validators=[DataRequired("Rédigez la définition.")])
    service = SelectField(
        "Service de l'ENT", choices=[SelectChoice("", "Aucun")] + [SelectChoice(k.value, v) for k, v in SERVICE_LABELS.items()]
    )
    see_also = StringField("Voir aussi (termes séparés par des virgules)", validators=[Optional(), Length(max=1000)])
    comment = StringField("Résumé de la modification", validators=[Optional(), Length(max=300)])


class ReviewForm(FlaskForm):
    reason = TextAreaField("Motif (obligatoire pour un refus)", validators=[Optional(), Length(max=500)])
