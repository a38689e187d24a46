"""The fixed vocabularies of routing: ENT service codes and the tiers of the assistance chain."""

from enum import StrEnum

from helpdesk.platform.i18n import N_


class Service(StrEnum):
    MESSAGERIE = "messagerie"
    CAHIER_DE_TEXTES = "cahier_de_textes"
    CLASSEUR_PEDAGOGIQUE = "classeur_pedagogique"
    RUBRIQUES = "rubriques"
    PAGE_ACCUEIL = "page_accueil"
    COMMUNICATION_CIBLEE = "communication_ciblee"
    MEDIACENTRE_GAR = "mediacentre_gar"
    PIX = "pix"
    COMPTES_ANNUAIRE = "comptes_annuaire"
    EDUCONNECT = "educonnect"
    IMPORT_EDT = "import_edt"
    IMPORT_SIECLE_STSWEB = "import_siecle_stsweb"
    PRONOTE = "pronote"
    REMPLACEMENTS_INSPECTIONS = "remplacements_inspections"
    FORMULAIRES = "formulaires"
    NAVIGATEUR_ACCES = "navigateur_acces"
    FORMATION = "formation"
    AUTRE = "autre"


SERVICE_LABELS = {
    Service.MESSAGERIE: N_("Messagerie"),
    Service.CAHIER_DE_TEXTES: N_("Cahier de textes"),
    Service.CLASSEUR_PEDAGOGIQUE: N_("Classeur pédagogique"),
    Service.RUBRIQUES: N_("Rubriques"),
    Service.PAGE_ACCUEIL: N_("Page d'accueil"),
    Service.COMMUNICATION_CIBLEE: N_("Communication ciblée"),
    Service.MEDIACENTRE_GAR: N_("Médiacentre (GAR)"),
    Service.PIX: N_("Pix"),
    Service.COMPTES_ANNUAIRE: N_("Comptes et annuaire"),
    Service.EDUCONNECT: N_("EduConnect"),
    Service.IMPORT_EDT: N_("Import de l'emploi du temps"),
    Service.IMPORT_SIECLE_STSWEB: N_("Alimentation Siècle / STSweb"),
    Service.PRONOTE: N_("Pronote"),
    Service.REMPLACEMENTS_INSPECTIONS: N_("Remplacements et inspections"),
    Service.FORMULAIRES: N_("Formulaires"),
    Service.NAVIGATEUR_ACCES: N_("Connexion et navigateur"),
    Service.FORMATION: N_("Formation"),
    Service.AUTRE: N_("Autre"),
}


class Tier(StrEnum):
    N1 = "n1"
    EDULAB = "edulab"
    PILOTE = "pilote"
    EDITEUR = "editeur"


TIER_ORDER = (Tier.N1, Tier.EDULAB, Tier.PILOTE, Tier.EDITEUR)
ENTRY_TIERS = frozenset({Tier.N1, Tier.EDULAB, Tier.PILOTE})  # the vendor is never an entry point

TIER_LABELS = {
    Tier.N1: N_("Niveau 1"),
    Tier.EDULAB: N_("EduLAB"),
    Tier.PILOTE: N_("Équipe pilote"),
    Tier.EDITEUR: N_("Éditeur"),
}


def next_tier(tier: Tier) -> Tier | None:
    index = TIER_ORDER.index(Tier(tier))
    return TIER_ORDER[index + 1] if index + 1 < len(TIER_ORDER) else None


def previous_tier(tier: Tier) -> Tier | None:
    index = TIER_ORDER.index(Tier(tier))
    return TIER_ORDER[index - 1] if index > 0 else None


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_LABELS = {
    Priority.LOW: N_("Basse"),
    Priority.NORMAL: N_("Normale"),
    Priority.HIGH: N_("Haute"),
    Priority.URGENT: N_("Urgente"),
}


class TicketType(StrEnum):
    INCIDENT = "incident"
    DEMANDE = "demande"
    EVOLUTION = "evolution"
    BUG = "bug"


TICKET_TYPE_LABELS = {
    TicketType.INCIDENT: N_("Incident"),
    TicketType.DEMANDE: N_("Demande"),
    TicketType.EVOLUTION: N_("Demande d'évolution"),
    TicketType.BUG: N_("Bug"),
}
