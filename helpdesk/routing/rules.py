"""Routing rules held as data: which entry tier a request's nature allows.

Pure module: standard library only, so the catalog validation, the suggester and the tests share one definition.
French text analysis lives in helpdesk.platform.french; the signs of a request's nature in free text in signals.py.
"""

from dataclasses import dataclass

# Tier and service codes are repeated as plain strings (codes.py is the source of truth; a test checks they agree).
ENTRY_TIERS = ("n1", "edulab", "pilote")
VENDOR_TIER = "editeur"
LEVEL1_SERVICES = frozenset({"navigateur_acces"})  # browser and access problems are level 1's job
GENERIC_SERVICE = "autre"  # requests about no service in particular (e.g. a general evolution request)
TRAINING_SERVICE = "formation"  # training requests, whatever the service the training is about


# ---------------------------------------------------------------------------
# Entry tier from the nature of the request
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Nature:
    """What kind of request a keyword (or a ticket) stands for, independently of its service."""

    service: str
    ticket_type: str = "incident"
    is_mass_incident: bool = False
    is_password: bool = False


def required_entry_tier(nature: Nature) -> str | None:
    """The tier the request must enter at, or None when the catalog may choose among the entry tiers.

    Order matters: a mass incident is level 1 even when it is about a service the EduLAB usually handles;
    an evolution request starts at the pilot team whatever service it is about (it keeps its service code)."""
    if nature.is_mass_incident:
        return "n1"
    if nature.ticket_type == "evolution":
        return "pilote"
    if nature.service in LEVEL1_SERVICES or nature.is_password:
        return "n1"
    return None


def default_entry_tier(nature: Nature) -> str:
    """The tier proposed for a new keyword: the required one, else the school's EduLAB (configuration and usage)."""
    return required_entry_tier(nature) or "edulab"


def entry_tier_errors(nature: Nature, tier: str) -> list[str]:
    """French messages explaining why `tier` is not a valid entry tier for `nature` (empty when it is)."""
    if tier == VENDOR_TIER:
        return ["L'éditeur n'est jamais un niveau d'entrée : il ne reçoit que les bugs confirmés par l'équipe pilote."]
    if tier not in ENTRY_TIERS:
        return [f"Niveau d'entrée inconnu : « {tier} »."]
    required = required_entry_tier(nature)
    if required is None or required == tier:
        return []
    if nature.is_mass_incident:
        reason = "un incident de masse est pris en charge par le niveau 1"
    elif nature.ticket_type == "evolution":
        reason = "une demande d'évolution entre par l'équipe pilote, quel que soit le service"
    elif nature.is_password:
        reason = "les problèmes de mot de passe relèvent du niveau 1"
    else:
        reason = "les problèmes de navigateur et d'accès relèvent du niveau 1"
    return [f"Niveau d'entrée incorrect : {reason}."]


def ticket_entry_tier(keyword_tier: str, ticket_type: str, is_mass_incident: bool = False) -> str:
    """Entry tier of a new ticket: the keyword's, unless the ticket's own nature overrides it."""
    if is_mass_incident:
        return "n1"
    if ticket_type == "evolution":
        return "pilote"
    return keyword_tier if keyword_tier in ENTRY_TIERS else "n1"
