"""The fixed vocabularies of routing: ENT service codes and the tiers of the assistance chain."""

from enum import StrEnum


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
    Service.MESSAGERIE: "Messagerie",
    Service.CAHIER_DE_TEXTES: "Cahier de textes",
    Service.CLASSEUR_PEDAGOGIQUE: "Classeur pédagogique",
    Service.RUBRIQUES: "Rubriques",
    Service.PAGE_ACCUEIL: "Page d'accueil",
    Service.COMMUNICATION_CIBLEE: "Communication ciblée",
    Service.MEDIACENTRE_GAR: "Médiacentre (GAR)",
    Service.PIX: "Pix",
    Service.COMPTES_ANNUAIRE: "Comptes et annuaire",
    Service.EDUCONNECT: "EduConnect",
    Service.IMPORT_EDT: "Import de l'emploi du temps",
    Service.IMPORT_SIECLE_STSWEB: "Alimentation Siècle / STSweb",
    Service.PRONOTE: "Pronote",
    Service.REMPLACEMENTS_INSPECTIONS: "Remplacements et inspections",
    Service.FORMULAIRES: "Formulaires",
    Service.NAVIGATEUR_ACCES: "Connexion et navigateur",
    Service.FORMATION: "Formation",
    Service.AUTRE: "Autre",
}


class Tier(StrEnum):
    N1 = "n1"
    EDULAB = "edulab"
    PILOTE = "pilote"
    EDITEUR = "editeur"


TIER_ORDER = (Tier.N1, Tier.EDULAB, Tier.PILOTE, Tier.EDITEUR)
ENTRY_TIERS = frozenset({Tier.N1, Tier.EDULAB, Tier.PILOTE})  # the vendor is never an entry point

TIER_LABELS = {
    Tier.N1: "Niveau 1",
    Tier.EDULAB: "EduLAB",
    Tier.PILOTE: "Équipe pilote",
    Tier.EDITEUR: "Éditeur",
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


PRIORITY_LABELS = {Priority.LOW: "Basse", Priority.NORMAL: "Normale", Priority.HIGH: "Haute", Priority.URGENT: "Urgente"}


class TicketType(StrEnum):
    INCIDENT = "incident"
    DEMANDE = "demande"
    EVOLUTION = "evolution"
    BUG = "bug"


TICKET_TYPE_LABELS = {
    TicketType.INCIDENT: "Incident",
    TicketType.DEMANDE: "Demande",
    TicketType.EVOLUTION: "Demande d'évolution",
    TicketType.BUG: "Bug",
}
