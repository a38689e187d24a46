"""Telling French interface text from English: one detector for the template scan and the English walk-through.

A text looks French when it has a letter English does not use (é, è, à, ç, œ…) or a French word that is never
English (« le », « votre », « aucun »…). Words both languages share (« ticket », « date », « service », « message »,
« plus », « en », « a ») never decide alone, so English sentences about the ENT do not trip it."""

import re

# Letters English does not use, French quotation marks, « n° » (English writes “No.”) and the French space before
# « : ; ? ! » (« Motif : », English « Reason: »), which a label glued to its value in a template brings along.
FRENCH_MARKS = re.compile(r"[àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ«»]|\bn°|\s[:;?!](?=\s|$)")
ADDRESS = re.compile(r"\S+@\S+|https?://\S+")
WORD = re.compile(r"[A-Za-zÀ-ÿœŒæÆ]+(?:['’][A-Za-zÀ-ÿ]+)?")

# Frequent French words that are not English words (nor usual abbreviations on these pages).
FRENCH_WORDS = frozenset(
    """
    le la les des du une au aux et ou où ce cet cette ces qui que quoi dont
    mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs
    je tu il elle nous vous ils elles on y
    pour avec sans sur sous dans chez vers entre depuis pendant avant après selon
    est sont être avoir ont fait faire peut doit
    pas ne ni jamais aucun aucune rien tout tous toute toutes chaque autre autres
    mais donc car si très bien aussi encore déjà ici
    ouvrir fermer envoyer enregistrer modifier supprimer annuler valider rechercher retour suivant précédent
    connexion déconnecter connecter compte accueil aide établissement établissements
    demande demandes réponse réponses nouveau nouvelle nouveaux statut priorité niveau créé créée
    mois jour jours semaine année heure heures aujourd'hui hier
    oui merci bonjour
    titre sujet objet filtrer trier afficher masquer voir ajouter choisir adresse courriel passe nom prénom
    personne personnes fichier fichiers pièce pièces erreur erreurs chiffres bassin ouvert ouverts ouverte fermé
    pilote mot mots clé clés lien liens étape étapes suivi suivre traiter traité envoyé reçu reçus
    """.split()
)

# Two-letter words and shared words that are English too: never evidence on their own.
_SHARED = frozenset({"mon", "non", "aide", "on", "y", "si", "ma", "son", "ne", "ont", "car", "pas", "est", "fait", "nous", "ton"})
_DECISIVE = FRENCH_WORDS - _SHARED
_ELIDED = re.compile(r"(?:l|d|qu|j|c)'[a-zà-ÿ]")  # « l'article », « d'un », « qu'il » (not English « n't », « 's »)


# Proper names, written the same in every language: the académie, the two ENT products it runs, and the ENT's
# « Médiacentre » (the menu entry people click, named as they see it).
PROPER_NAMES = ("Académie de Toulouse", "Mon ENT Occitanie", "eCollège31", "Médiacentre")


def french_evidence(text: str) -> list[str]:
    """The letters or words that make `text` look French (empty when it reads as English or carries no words)."""
    text = ADDRESS.sub(" ", text)  # an e-mail address or a URL is not text (« pilote@demo.ent »)
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    found = FRENCH_MARKS.findall(text)
    words = [w.lower().replace("’", "'") for w in WORD.findall(text)]
    found += [w for w in words if w in _DECISIVE or _ELIDED.match(w)]
    shared = sorted({w for w in words if w in _SHARED})
    if len(shared) >= 2:  # « ne … pas », « on est »: two shared words together are French
        found += shared
    return found


def looks_french(text: str) -> bool:
    return bool(french_evidence(text))
