"""Input models shared by a page form and its API twin: pydantic validates both, and its refusals are said in
French (translated at the edge) with the field they concern, so a page re-renders with the text kept and the
API answers 400 `{"error", "detail", "fields"}`.

A page posts strings (`request.form`); `from_form` reads each field of the model from it (lists with
`getlist`), so the same model accepts the JSON body of the API and the form of the page."""

from __future__ import annotations

import types
import typing

from pydantic import BaseModel, ConfigDict, ValidationError

from helpdesk.platform.errors import ValidationFailed
from helpdesk.platform.i18n import N_


class Input(BaseModel):
    """Base of every action's input: unknown fields refused, text stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


MESSAGES = {
    "missing": N_("Le champ « %(field)s » est obligatoire."),
    "string_too_short": N_("Le champ « %(field)s » est obligatoire."),
    "string_too_long": N_("Le champ « %(field)s » dépasse %(max)s caractères."),
    "int_parsing": N_("Le champ « %(field)s » doit être un nombre entier."),
    "int_type": N_("Le champ « %(field)s » doit être un nombre entier."),
    "greater_than_equal": N_("Le champ « %(field)s » est hors des valeurs permises."),
    "less_than_equal": N_("Le champ « %(field)s » est hors des valeurs permises."),
    "date_from_datetime_parsing": N_("Le champ « %(field)s » doit être une date AAAA-MM-JJ."),
    "date_parsing": N_("Le champ « %(field)s » doit être une date AAAA-MM-JJ."),
    "date_type": N_("Le champ « %(field)s » doit être une date AAAA-MM-JJ."),
    "bool_parsing": N_("Le champ « %(field)s » doit valoir oui ou non."),
    "literal_error": N_("Valeur refusée pour « %(field)s » : choisissez parmi %(choices)s."),
    "extra_forbidden": N_("Champ inconnu : « %(field)s »."),
    "string_type": N_("Le champ « %(field)s » doit être un texte."),
    "list_type": N_("Le champ « %(field)s » doit être une liste."),
}
FALLBACK = N_("Le champ « %(field)s » est invalide.")


def parse(model: type[Input], data: dict) -> Input:
    """The validated input, or ValidationFailed naming the first wrong field in French (all in `fields`)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = error.errors(include_url=False, include_input=False)
        first = problems[0]
        name = ".".join(str(part) for part in first["loc"]) or "?"
        field = model.model_fields.get(str(first["loc"][0])) if first["loc"] else None
        label = field.title if field is not None and field.title else name
        context = first.get("ctx") or {}
        params = {"field": label, "max": context.get("max_length", ""), "choices": context.get("expected", "")}
        raise ValidationFailed(MESSAGES.get(first["type"], FALLBACK), params=params,
                               fields=sorted({".".join(str(p) for p in e["loc"]) for e in problems})) from None  # fmt: skip


def _is_list(annotation) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return False


def from_form(model: type[Input], form) -> dict:
    """The fields of `model` read from a submitted form (empty strings are « not given »)."""
    data = {}
    for name, info in model.model_fields.items():
        if _is_list(info.annotation):
            values = [v for v in form.getlist(name) for v in v.split(",") if v.strip()]
            if values:
                data[name] = values
        elif name in form and form.get(name, "") != "":
            data[name] = form.get(name)
    return data
