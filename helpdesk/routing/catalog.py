"""What a well-formed keyword is: known codes, a valid entry tier for its nature, and well-formed extra fields.

Pure module (standard library and the code enums only): the seed loader and the edit form share it.
"""

import re

from helpdesk.platform.french import analyse, fold
from helpdesk.platform.i18n import N_
from helpdesk.routing import entry
from helpdesk.routing.codes import Priority, Service, TicketType, Tier

FIELD_TYPES = ("text", "textarea", "choice", "date", "number")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SLUG_DIACRITICS = re.compile(r"[^a-z0-9]+")
EDITABLE = (
    "label",
    "service",
    "tier",
    "ticket_type",
    "priority",
    "is_mass_incident",
    "synonyms",
    "description",
    "fields",
    "diagnostic_slug",
    "is_active",
)
# The catalog file names a keyword's diagnostic `diagnostic`; every other key is the field's own name.
FILE_KEYS = {("diagnostic" if name == "diagnostic_slug" else name): name for name in EDITABLE}
DEFAULTS = {"ticket_type": "incident", "priority": "normal", "is_mass_incident": False, "synonyms": [], "description": "",
            "fields": [], "diagnostic_slug": None, "is_active": True}  # fmt: skip


def slugify(label: str) -> str:
    """ASCII kebab-case: "compte AED/AESH absent" → "compte-aed-aesh-absent"."""
    return SLUG_DIACRITICS.sub("-", fold(label)).strip("-")[:140] or "mot-cle"


def is_password_keyword(label: str, synonyms=()) -> bool:
    """A keyword is about a password when its label says so (synonyms only widen the search, not the nature)."""
    tokens = analyse(label)
    return any((a, b) == tuple(analyse("mot passe")) for a, b in zip(tokens, tokens[1:], strict=False))


def nature_of(data: dict) -> entry.Nature:
    return entry.Nature(
        service=data.get("service", ""),
        ticket_type=data.get("ticket_type", "incident"),
        is_mass_incident=bool(data.get("is_mass_incident")),
        is_password=is_password_keyword(data.get("label", "")),
    )


def field_errors(fields) -> list[str]:
    """Problems with a keyword's extra-field definitions, in French (empty list when they are well-formed)."""
    if fields is None:
        return []
    if not isinstance(fields, list):
        return [N_("Les champs complémentaires doivent former une liste.")]
    errors: list[str] = []
    seen: set[str] = set()
    for position, definition in enumerate(fields, 1):
        if not isinstance(definition, dict):
            errors.append(N_("champ n° %(n)s : chaque champ se décrit par name, label, type, required.", n=position))
            continue
        unknown = set(definition) - {"name", "label", "type", "required", "choices", "help"}
        if unknown:
            errors.append(N_("champ n° %(n)s : clés inconnues %(keys)s.", n=position, keys=", ".join(sorted(map(str, unknown)))))
        name = definition.get("name")
        if not isinstance(name, str) or not FIELD_NAME.match(name):
            errors.append(
                N_("champ n° %(n)s : « name » doit être un identifiant en minuscules (lettres, chiffres, _).", n=position)
            )
        elif name in seen:
            errors.append(N_("champ n° %(n)s : le nom « %(name)s » est utilisé deux fois.", n=position, name=name))
        else:
            seen.add(name)
        label = definition.get("label")
        if not isinstance(label, str) or not label.strip():
            errors.append(N_("champ n° %(n)s : « label » (le libellé affiché) est obligatoire.", n=position))
        kind = definition.get("type")
        if kind not in FIELD_TYPES:
            errors.append(N_("champ n° %(n)s : « type » doit valoir %(types)s.", n=position, types=", ".join(FIELD_TYPES)))
        if not isinstance(definition.get("required", False), bool):
            errors.append(N_("champ n° %(n)s : « required » doit valoir true ou false.", n=position))
        choices = definition.get("choices")
        if kind == "choice":
            if not isinstance(choices, list) or not choices or not all(isinstance(c, str) and c.strip() for c in choices):
                errors.append(
                    N_("champ n° %(n)s : un champ « choice » demande une liste « choices » de libellés non vides.", n=position)
                )
        elif choices is not None:
            errors.append(N_("champ n° %(n)s : « choices » n'a de sens que pour un champ de type choice.", n=position))
    return errors


def keyword_errors(data: dict) -> list[str]:
    """Every problem with a keyword's data, in French; the caller names the keyword."""
    errors: list[str] = []
    label = data.get("label")
    if not isinstance(label, str) or not label.strip():
        errors.append(N_("Le libellé est obligatoire."))
    elif len(label) > 120:
        errors.append(N_("Le libellé ne doit pas dépasser 120 caractères."))
    if data.get("service") not in set(Service):
        errors.append(N_("Service inconnu : « %(value)s ».", value=str(data.get("service"))))
    if data.get("tier") not in set(Tier):
        errors.append(N_("Niveau inconnu : « %(value)s ».", value=str(data.get("tier"))))
    if data.get("ticket_type", "incident") not in set(TicketType):
        errors.append(N_("Type de ticket inconnu : « %(value)s ».", value=str(data.get("ticket_type"))))
    if data.get("priority", "normal") not in set(Priority):
        errors.append(N_("Priorité inconnue : « %(value)s ».", value=str(data.get("priority"))))
    synonyms = data.get("synonyms", [])
    if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
        errors.append(N_("Les synonymes doivent être une liste de textes."))
    if data.get("ticket_type") == "bug":
        errors.append(
            N_(
                "Le type « bug » est réservé aux tickets que l'équipe pilote confirme et transmet à l'éditeur : "
                "un mot-clé ouvre un incident, une demande ou une demande d'évolution."
            )
        )
    if data.get("is_mass_incident") and data.get("ticket_type", "incident") != "incident":
        errors.append(N_("Un incident de masse est forcément de type incident."))
    if data.get("tier") in set(Tier) and data.get("service") in set(Service):
        errors.extend(entry.entry_tier_errors(nature_of(data), data["tier"]))
    errors.extend(field_errors(data.get("fields", [])))
    return errors
