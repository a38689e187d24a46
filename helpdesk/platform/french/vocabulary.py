"""One vocabulary of the ENT's French: abbreviations, synonyms and broader words, for the suggester and the FAQ alike.

A group lists phrases that say the same thing, the usual one first (the suggester writes every member with it);
a one-way entry says that a word also means broader ones, never the other way round ("collège" is a school, a
school is not always a "collège"). Phrases are written as staff type them; they are folded and stemmed like any
text (helpdesk.platform.french.analysis), so plurals, feminines and accents need no entry of their own. Pure."""

from helpdesk.platform.french.analysis import STOP_WORDS, stem, without_cannot, words

GROUPS: list[tuple[str, ...]] = [
    # accounts and access
    ("mot de passe", "mdp", "password", "pwd", "code"),
    ("identifiant", "login", "code"),
    ("connexion", "connecter", "se connecter", "co"),
    ("acces refuse", "403", "acces interdit", "forbidden"),
    ("doublon", "en double"),
    # services and their tools
    ("cahier de textes", "cdt", "cahier de texte", "ctexte", "cdtxt"),
    ("emploi du temps", "edt", "emplois du temps"),
    ("gar", "mediacentre", "gestionnaire d acces aux ressources", "ressources numeriques"),
    ("messagerie", "message", "msg", "mail", "courriel", "email", "courrier", "mel"),
    ("piece jointe", "pj"),
    ("ent", "espace numerique de travail"),
    ("rss", "flux rss"),
    ("stsweb", "sts"),
    ("ecollege31", "ecollege"),
    ("notification", "notif"),
    ("formulaire", "sondage", "questionnaire"),
    ("exercice", "exo"),
    ("convocation", "convoc"),
    ("actualite", "actu"),
    ("accueil", "page d accueil"),
    ("aide en ligne", "point d interrogation", "skolengo academy"),
    ("acces rapide", "raccourci", "lien direct"),
    ("bloc", "tuile", "widget", "encart"),
    ("telephone", "mobile", "smartphone", "portable", "tel"),
    ("appli", "application"),
    ("param", "parametre", "parametrage", "reglage"),
    ("image", "photo", "illustration"),
    ("devoir", "travail a faire"),
    ("fil", "formation d initiative locale"),
    ("formation", "stage"),
    ("aide", "documentation", "tutoriel", "tuto", "guide", "mode d emploi"),
    ("ticket", "demande d assistance", "signaler un probleme"),
    # people
    ("professeur", "prof", "enseignant", "collegue"),
    ("professeur principal", "pp"),
    ("parent", "responsable legal", "mere", "pere", "maman", "papa"),
    ("eleve", "enfant"),
    ("aed", "assistant d education", "surveillant", "assed"),
    ("aesh", "avs", "avsi"),
    ("cpe", "conseiller principal d education"),
    ("chef", "chef d etablissement", "principal", "proviseur", "directeur"),
    ("inspecteur", "inspection", "inspectrice", "ipr", "ien"),
    ("remplacement", "remplacant", "suppleant", "contractuel"),
    ("psy", "psychologue", "psyen"),
    ("documentaliste", "doc"),
    ("admin", "administrateur"),
    ("etablissement", "etab", "bahut"),
    ("dsden", "direction des services departementaux"),
    ("qui fait quoi", "role", "organisation"),
    # what happens
    ("probleme", "souci", "pb", "pbm", "prb", "bazar", "galere", "dysfonctionnement"),
    ("erreur", "bug", "bugue", "plantage"),
    ("lenteur", "lent", "rame", "ramer"),
    ("absent", "manquant", "introuvable", "disparu", "apparait pas", "apparait plus", "existe pas", "existe plus"),
    ("bloque", "verrouille", "fige"),
    ("oublie", "perdu", "souvient plus", "souviens plus", "rappelle plus"),
    ("nouvel", "nouveau", "nouvelle", "arrive", "arrivee", "arrivant"),
    ("modif", "modification", "modifier", "changement", "changer", "correction", "corriger"),
    ("supprimer", "effacer", "enlever", "ecraser", "retirer"),
    ("empecher", "interdire", "restreindre", "limiter", "desactiver"),
    ("envoyer", "envoi", "diffuser", "diffusion", "expedier"),
    ("exporter", "export", "extraire", "recuperer"),
    ("rechercher", "recherche", "chercher"),
    ("retrouver", "trouver"),
    ("traiter", "occuper", "prendre en charge"),
    ("mise a jour", "maj", "mettre a jour", "actualiser", "repercuter", "synchroniser"),
    ("visa", "viser"),
    ("dispo", "disponible"),
    ("info", "information"),
    ("perso", "personnelle"),
    ("tous", "tout le monde"),
    # when
    ("rentree", "debut d annee", "debut de l annee", "septembre"),
    ("6e", "sixieme"),
    ("5e", "cinquieme"),
    ("4e", "quatrieme"),
    ("3e", "troisieme"),
]

# A word that also means broader ones; a query for the broader word does not bring the narrow one back.
ONE_WAY: list[tuple[str, tuple[str, ...]]] = [
    ("college", ("etablissement",)),
    ("lycee", ("etablissement",)),
    ("ecole", ("etablissement",)),
    ("famille", ("parent",)),
    ("incident", ("ticket",)),
    ("resultat", ("reponse",)),
    ("identifiant", ("compte",)),
    ("plante", ("erreur", "panne")),
    ("tablette", ("telephone",)),
    ("chrome", ("navigateur",)),
    ("firefox", ("navigateur",)),
    ("safari", ("navigateur",)),
    ("edge", ("navigateur",)),
    ("cache", ("navigateur",)),
    ("h5p", ("exerciseur",)),
    ("faq", ("aide",)),
    ("tzr", ("remplacement",)),
    ("cpe", ("vie scolaire",)),
    # "deux comptes", "3 comptes", "plusieurs comptes" say the same thing (duplicates, several schools...)
    *((number, ("plusieurs",)) for number in "2 3 4 5 6 7 8 9 deux trois quatre cinq six sept huit neuf dix".split()),
]


GROUP_MARK = "="  # starts the token that stands for a whole group in Vocabulary.expand (never a typed word)


def key(phrase: str) -> tuple[str, ...]:
    """How a phrase is looked up: the stems of all its words (stop words too: "qui fait quoi" is only those)."""
    return tuple(stem(w) for w in words(phrase))


def phrase_stems(phrase: str) -> tuple[str, ...]:
    """The stems a phrase is searched by: its content words' (stop words and single letters dropped)."""
    return tuple(stem(w) for w in words(phrase) if w not in STOP_WORDS and (len(w) > 1 or w.isdigit()))


class Vocabulary:
    """Phrase (as stems) → every way of saying it (stem tuples), from the groups and one-way entries above plus any
    extra groups (the FAQ adds its glossary's terms, expansions and aliases)."""

    def __init__(self, groups=GROUPS, one_way=ONE_WAY):
        self.alternatives: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        self.group_marks: dict[tuple[str, ...], set[str]] = {}  # phrase → the token naming each group it belongs to
        self.implied: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        for group in groups:
            said = [phrase_stems(p) for p in group if words(p)]
            usual = next((s for s in said if s), ())
            for phrase in group:
                if not words(phrase):
                    continue
                self.alternatives.setdefault(key(phrase), set()).update(s for s in said if s)
                if usual:
                    self.group_marks.setdefault(key(phrase), set()).add(GROUP_MARK + "_".join(usual))
        for phrase, targets in one_way:
            implied = {phrase_stems(t) for t in targets} - {()}
            self.alternatives.setdefault(key(phrase), set()).update(implied | {phrase_stems(phrase)} - {()})
            self.implied.setdefault(key(phrase), set()).update(implied)
        self.longest = max((len(k) for k in self.alternatives), default=1)
        self.phrase_stems = {s for k in self.alternatives if len(k) > 1 for s in k}

    def match(self, stems: list[str], start: int) -> int:
        """Length of the longest known phrase at `start` (0 when none)."""
        for size in range(min(self.longest, len(stems) - start), 0, -1):
            if tuple(stems[start : start + size]) in self.alternatives:
                return size
        return 0

    def expand(self, text: str) -> list[str]:
        """The text's content stems in order, each known phrase followed by the mark of its group and the broader
        words it implies ("mdp" → mdp =mot_pass; "mot de passe" → mot pass =mot_pass; "collège" → colleg etabl): both
        sides of a comparison are written alike, and every way of saying a thing weighs the same."""
        typed = without_cannot(words(text))
        stems = [stem(w) for w in typed]
        out: list[str] = []
        i = 0
        while i < len(stems):
            size = self.match(stems, i)
            if size and not (size == 1 and typed[i] in STOP_WORDS):
                phrase = stems[i : i + size]
                own = [s for s, w in zip(phrase, typed[i : i + size], strict=True) if w not in STOP_WORDS and len(w) > 1]
                out.extend(own)
                out.extend(sorted(self.group_marks.get(tuple(phrase), ())))
                for broader in sorted(self.implied.get(tuple(phrase), ())):
                    out.extend(s for s in broader if s not in own)
                i += size
                continue
            if typed[i] not in STOP_WORDS and (len(typed[i]) > 1 or typed[i].isdigit()):
                out.append(stems[i])
            i += 1
        return out


def fingerprint_parts() -> tuple:
    return (GROUPS, ONE_WAY)
