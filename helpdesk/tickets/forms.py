"""Ticket forms; the keyword's extra fields are added per keyword (a WTForms class built on the fly)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from helpdesk.tickets.channels import AGENT_CHANNELS, CHANNEL_LABELS

EXTRA_PREFIX = "x_"
TYPED_SUBJECT_MAX = 120  # a subject reads as a line in the queues; the whole text stays in the description


class TicketForm(FlaskForm):
    subject = StringField(
        _l("Objet"), [DataRequired(_l("Indiquez l'objet du ticket.")), Length(max=200, message=_l("200 caractères au plus."))]
    )
    description = TextAreaField(
        _l("Description du problème"),
        [DataRequired(_l("Décrivez le problème rencontré.")), Length(max=20000, message=_l("20 000 caractères au plus."))],
    )
    contact_name = StringField(_l("Nom du contact"), [Optional(), Length(max=200)])
    contact_email = StringField(
        _l("Courriel du contact"),
        [Optional(), Email(_l("Adresse électronique invalide."), check_deliverability=False), Length(max=254)],
    )
    contact_phone = StringField(_l("Téléphone du contact"), [Optional(), Length(max=40, message=_l("40 caractères au plus."))])
    requester_email = StringField(
        _l("Courriel du demandeur"), [Optional(), Email(_l("Adresse électronique invalide."), check_deliverability=False)]
    )
    caller_name = StringField(_l("Nom de l'appelant"), [Optional(), Length(max=200, message=_l("200 caractères au plus."))])
    caller_school = StringField(
        _l("Établissement de l'appelant (UAI)"), [Optional(), Length(max=8, message=_l("8 caractères au plus."))]
    )
    channel = SelectField(_l("Canal"), choices=[SelectChoice(k, _l(CHANNEL_LABELS[k])) for k in AGENT_CHANNELS], default="web")
    attachments = MultipleFileField(_l("Pièces jointes"))


def _extra_field(spec: dict):
    label = spec.get("label") or spec["name"]
    required = bool(spec.get("required"))
    message = _l("Le champ « %(label)s » est obligatoire.", label=label)  # the label is the catalogue's (domain content)
    kind = spec.get("type", "text")
    if kind == "date":
        return DateField(
            label, [InputRequired(message) if required else Optional()], format="%Y-%m-%d", render_kw={"type": "date"}
        )
    if kind == "number":
        return DecimalField(label, [InputRequired(message) if required else Optional()], render_kw={"inputmode": "decimal"})
    if kind == "choice":
        choices = [SelectChoice("", _l("— Choisir —"))] + [SelectChoice(str(c), str(c)) for c in spec.get("choices", [])]
        return SelectField(label, [DataRequired(message) if required else Optional()], choices=choices)
    return StringField(label, [DataRequired(message) if required else Optional(), Length(max=500)])


def ticket_form_class(keyword, *, on_behalf: bool):
    """A form class for this keyword: base fields plus x_<name> for each extra field."""
    attrs = {}
    for spec in keyword.fields or []:
        if spec.get("name"):
            attrs[EXTRA_PREFIX + spec["name"]] = _extra_field(spec)
    if not on_behalf:  # requesters open for themselves only, from the web form
        attrs["requester_email"] = None
        attrs["channel"] = None
        attrs["caller_name"] = None
        attrs["caller_school"] = None
    return type("KeywordTicketForm", (TicketForm,), attrs)


def extra_values(form, keyword) -> dict:
    """The extra fields as JSON-ready values, keyed by the catalog's field names (empty ones left out)."""
    values = {}
    for spec in keyword.fields or []:
        field = form[EXTRA_PREFIX + spec["name"]] if EXTRA_PREFIX + spec.get("name", "") in form else None
        if field is None or field.data in (None, ""):
            continue
        data = field.data
        values[spec["name"]] = (
            data.isoformat() if hasattr(data, "isoformat") else (float(data) if spec.get("type") == "number" else data)
        )
    return values


def extra_labels(keyword) -> dict:
    return {spec["name"]: spec.get("label") or spec["name"] for spec in (keyword.fields or []) if spec.get("name")}


def subject_from_typed(text: str) -> str:
    """The subject a problem typed in step 1 gives: the text on one line, its first sentence when the whole is too
    long for a subject, else cut at a word with « … »; first letter in capitals."""
    line = " ".join((text or "").split())
    if len(line) > TYPED_SUBJECT_MAX:
        ends = [line.find(mark) for mark in (". ", "? ", "! ") if 0 < line.find(mark) < TYPED_SUBJECT_MAX]
        if ends:
            line = line[: min(ends) + 1]
        else:
            cut = line.rfind(" ", 0, TYPED_SUBJECT_MAX - 1)
            line = line[: cut if cut > 0 else TYPED_SUBJECT_MAX - 1].rstrip(" ,;:") + "…"
    return line[:1].upper() + line[1:]


def fill_from_typed(form, text: str) -> None:
    """Step 1's text into the empty subject and description (both stay editable): nobody types a problem twice."""
    text = (text or "").strip()
    if not text:
        return
    form.subject.data = form.subject.data or subject_from_typed(text)
    form.description.data = form.description.data or text
