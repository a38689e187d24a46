"""The entry tier of a request: where a new ticket enters the chain, from the nature of what is asked.

Pure module (standard library and the code tables): the catalog validation, ticket opening and the
diagnostics all use these functions, so the rule has one home."""

from dataclasses import dataclass

from helpdesk.platform.i18n import N_
from helpdesk.routing.codes import ENTRY_TIERS, Service, TicketType, Tier

LEVEL1_SERVICES = frozenset({Service.NAVIGATEUR_ACCES})  # browser and access problems are level 1's job


@dataclass(frozen=True)
class Nature:
    """What kind of request a keyword (or a ticket) stands for, independently of its service."""

    service: str
    ticket_type: str = TicketType.INCIDENT
    is_mass_incident: bool = False
    is_password: bool = False


def required_entry_tier(nature: Nature) -> Tier | None:
    """The tier the request must enter at, or None when the catalog may choose among the entry tiers.

    Order matters: a mass incident is level 1 even when it is about a service the EduLAB usually handles;
    an evolution request starts at the pilot team whatever service it is about (it keeps its service code)."""
    if nature.is_mass_incident:
        return Tier.N1
    if nature.ticket_type == TicketType.EVOLUTION:
        return Tier.PILOTE
    if nature.service in LEVEL1_SERVICES or nature.is_password:
        return Tier.N1
    return None


def default_entry_tier(nature: Nature) -> Tier:
    """The tier proposed for a new keyword: the required one, else the school's EduLAB (configuration and usage)."""
    return required_entry_tier(nature) or Tier.EDULAB


def entry_tier_errors(nature: Nature, tier: str) -> list[str]:
    """French messages explaining why `tier` is not a valid entry tier for `nature` (empty when it is)."""
    if tier == Tier.EDITEUR:
        return [N_("L'éditeur n'est jamais un niveau d'entrée : il ne reçoit que les bugs confirmés par l'équipe pilote.")]
    if tier not in ENTRY_TIERS:
        return [N_("Niveau d'entrée inconnu : « %(tier)s ».", tier=tier)]
    required = required_entry_tier(nature)
    if required is None or required == tier:
        return []
    if nature.is_mass_incident:
        reason = N_("un incident de masse est pris en charge par le niveau 1")
    elif nature.ticket_type == TicketType.EVOLUTION:
        reason = N_("une demande d'évolution entre par l'équipe pilote, quel que soit le service")
    elif nature.is_password:
        reason = N_("les problèmes de mot de passe relèvent du niveau 1")
    else:
        reason = N_("les problèmes de navigateur et d'accès relèvent du niveau 1")
    return [N_("Niveau d'entrée incorrect : %(reason)s.", reason=reason)]


def ticket_entry_tier(keyword_tier: str, ticket_type: str, is_mass_incident: bool = False, *,
                      keyword_is_guess: bool = False) -> Tier:  # fmt: skip
    """Entry tier of a new ticket: the keyword's, unless the ticket's own nature overrides it (the vendor
    only receives what the pilot team transmits). A keyword that no person chose (the suggester's guess for a
    mail read from the assistance mailbox) enters at level 1, which checks it before anything moves on."""
    if keyword_is_guess:
        return Tier.N1
    required = required_entry_tier(Nature(service="", ticket_type=ticket_type, is_mass_incident=is_mass_incident))
    if required is not None:
        return required
    if keyword_tier == Tier.EDITEUR:
        return Tier.PILOTE
    return Tier(keyword_tier) if keyword_tier in ENTRY_TIERS else Tier.N1
