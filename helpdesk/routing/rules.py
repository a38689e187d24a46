"""How French free text is normalised for the keyword suggester.

Pure module: standard library only (and the code tables), shared by the catalog index, the suggester and the tests.
"""

import re
import unicodedata
from functools import lru_cache

from helpdesk.routing.codes import Service

GENERIC_SERVICE = Service.AUTRE  # requests about no service in particular (e.g. a general evolution request)
TRAINING_SERVICE = Service.FORMATION  # training requests, whatever the service the training is about


# ---------------------------------------------------------------------------
# French text normalisation
# ---------------------------------------------------------------------------

MAX_QUERY_CHARS = 500

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)'", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z0-9@]+")

STOP_WORDS = frozenset(
    """a ai aie ait as au aux avec avoir avons avez ont c ca ce ceci cela celle celui ces cet cette ceux chez comme comment
    dans de des du donc dont elle elles en est et etre ete eu fait faire fais faut il ils je la le les leur leurs lui
    ma mais me meme mes moi mon ne ni nos notre nous on ont ou par pas peu peut peuvent peux pour pourquoi qu quand que quel
    quelle quelles quels qui quoi sa sans se ses si son sont sur ta te tes toi ton tu un une vos votre vous y deja
    bonjour merci svp stp cordialement madame monsieur aussi alors encore tres trop bien ici la-bas voila etc
    ceci quelqu quelque est-ce cest sest jai jarrive narrive aujourd hui depuis
    """.split()
)

# Abbreviations and shorthand as staff type them, expanded to the words the catalog uses.
ABBREVIATIONS: dict[str, str] = {
    "mdp": "mot de passe",
    "pwd": "mot de passe",
    "password": "mot de passe",
    "cdt": "cahier de textes",
    "cdtxt": "cahier de textes",
    "edt": "emploi du temps edt",
    "emploie": "emploi",
    "pb": "probleme",
    "pbm": "probleme",
    "prb": "probleme",
    "pj": "piece jointe",
    "prof": "professeur enseignant",
    "profs": "professeur enseignant",
    "collegue": "collegue professeur",
    "collegues": "collegue professeur",
    "enseignant": "enseignant professeur",
    "enseignants": "enseignant professeur",
    "professeur": "professeur enseignant",
    "professeurs": "professeur enseignant",
    "gar": "gar mediacentre",
    "mediacentre": "mediacentre gar",
    "msg": "message",
    "message": "message messagerie",
    "messages": "message messagerie",
    "mail": "message messagerie",
    "mails": "message messagerie",
    "courriel": "message messagerie",
    "courriels": "message messagerie",
    "mel": "message messagerie",
    "messagerie": "messagerie message",
    "notif": "notification",
    "notifs": "notification",
    "pp": "professeur principal",
    "sts": "stsweb",
    "ecollege": "ecollege31",
    "co": "connexion",
    "connecter": "connexion",
    "connecte": "connexion",
    "identifiant": "identifiant compte",
    "identifiants": "identifiant compte",
    "login": "identifiant compte",
    "codes": "identifiant",
    "code": "identifiant",
    "bahut": "etablissement",
    "bahuts": "etablissement",
    "college": "college etablissement",
    "colleges": "college etablissement",
    "lycee": "lycee etablissement",
    "lycees": "lycee etablissement",
    "ecole": "ecole etablissement",
    "bug": "erreur",
    "bugue": "erreur",
    "plante": "erreur panne",
    "rame": "lent lenteur",
    "ramer": "lent lenteur",
    "lente": "lent lenteur",
    "lentes": "lent lenteur",
    "lenteurs": "lenteur lent",
    "actus": "actualite",
    "actu": "actualite",
    "exo": "exercice",
    "exos": "exercice",
    "convoc": "convocation",
    "doc": "documentaliste",
    "papa": "pere parent",
    "maman": "mere parent",
    "famille": "famille parent",
    "familles": "famille parent",
    "parents": "parent",
    "aed": "aed surveillant",
    "surveillant": "surveillant aed",
    "ipr": "ipr inspecteur",
    "ien": "ien inspecteur",
    "inspectrice": "inspecteur",
    "tzr": "tzr remplacement",
    # the substitute and the substitution are one concept ("-ant" is not stemmed: "important" is not "import")
    "remplacant": "remplacement",
    "remplacante": "remplacement",
    "remplacants": "remplacement",
    "remplacantes": "remplacement",
    # the head's visa: the verb is typed as often as the noun
    "vise": "visa",
    "viser": "visa",
    "vises": "visa",
    "visee": "visa",
    "visees": "visa",
    "principale": "principal chef",
    "proviseur": "proviseur chef",
    "cpe": "cpe vie scolaire",
    "smartphone": "telephone",
    "portable": "telephone",
    "tel": "telephone",
    "tablette": "tablette telephone",
    "chrome": "navigateur chrome",
    "firefox": "navigateur firefox",
    "safari": "navigateur safari",
    "edge": "navigateur edge",
    "cache": "cache navigateur",
    "h5p": "h5p exerciseur",
    "sondage": "sondage formulaire",
    "questionnaire": "questionnaire formulaire",
    "faq": "aide",
    # "deux comptes", "3 comptes", "plusieurs comptes" say the same thing (duplicates, several schools...)
    **{n: "plusieurs" for n in "deux trois quatre cinq six sept huit neuf dix 2 3 4 5 6 7 8 9".split()},
}

# Multi-word shorthand, rewritten before tokenising (keys are already folded and lower-cased).
PHRASES: dict[str, str] = {
    "tout le monde": "tous",
    "plus personne": "personne tous",
    "pour personne": "personne tous",
    "chez personne": "personne tous",
    "emploi du temps": "emploi temps edt",
    "mot de passe": "mot passe",
    "page d accueil": "page accueil",
    "vie scolaire": "vie scolaire",
    "a cote": "voisin",
}


def fold(text: str) -> str:
    """Lower case without accents, typographic apostrophes made straight, ligatures opened."""
    text = (text or "").translate(_APOSTROPHES).lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_SUFFIXES = tuple(
    """issements issement ements ement ations ation atrices atrice ateurs ateur ances ance ences ence ables able iques ique ismes isme istes iste euses euse
    eurs eur ives ive ions ion aient ait ees ee ies ie er ez ent es e is it ir""".split()
)  # tried in this order: a longer ending before the endings it contains


@lru_cache(maxsize=16384)
def stem(token: str) -> str:
    """A light French stemmer: plural, feminine and common derivational endings, keeping at least four letters."""
    if len(token) <= 3 or token.isdigit():
        return token
    if token.endswith("aux") and len(token) > 5:
        token = token[:-3] + "al"
    elif token[-1] in "sx" and not token.endswith("ss"):
        token = token[:-1]
    if token.endswith("exion"):
        return token[:-5] + "ect"
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            token = token[: -len(suffix)]
            break
    if len(token) > 4 and token[-1] == token[-2]:
        token = token[:-1]  # "appell" / "appel", "connect" stays
    return token


def words(text: str) -> list[str]:
    """Folded words of `text` with elisions removed and multi-word shorthand rewritten (no stop words removed)."""
    folded = fold(text)
    folded = _ELISION.sub(" ", folded)
    folded = re.sub(r"[^a-z0-9@]+", " ", folded)
    folded = f" {folded} "
    for phrase, replacement in PHRASES.items():
        folded = folded.replace(f" {phrase} ", f" {replacement} ")
    return _TOKEN.findall(folded)


def expand(word: str) -> list[str]:
    """The word itself or its expansion (abbreviations, synonyms the catalog uses)."""
    return ABBREVIATIONS.get(word, word).split()


def normalise(text: str, *, limit: int | None = MAX_QUERY_CHARS) -> list[str]:
    """Stemmed, expanded tokens of `text` without stop words, in order (word order is kept for bigrams)."""
    if limit is not None:
        text = (text or "")[:limit]
    tokens: list[str] = []
    for word in words(text):
        for part in expand(word):
            if part in STOP_WORDS or (len(part) < 2 and not part.isdigit()):
                continue
            tokens.append(stem(part))
    return tokens


# ---------------------------------------------------------------------------
# Signals of a request's nature in free text
# ---------------------------------------------------------------------------

_MASS_STEMS = frozenset(
    stem(w) for w in """tous personne voisin general generale generalise ensemble departement secteur partout""".split()
)
_MASS_QUALIFIERS = frozenset(stem(w) for w in ("tout", "autres", "plusieurs", "aucun"))  # count only before a school word
_SEVERAL_QUALIFIERS = frozenset(stem(w) for w in ("autres", "plusieurs", "aucun", "differents"))  # "several schools"
_SCHOOL_WORDS = frozenset(stem(w) for w in "etablissement college lycee ecole bahut academie bassin departement region".split())
_MASS_CONTEXT = frozenset(
    stem(w) for w in """etablissement college lycee ecole collegue bahut academie utilisateur parent eleve professeur""".split()
)
# Who or where is hit ("tous les élèves et les profs", "les collèges voisins"): in a mass incident these words say how
# wide the failure is, not which service fails, so they are left out when looking for the failing service.
SCOPE_STEMS = (
    _MASS_STEMS
    | _MASS_CONTEXT
    | _SCHOOL_WORDS
    | _MASS_QUALIFIERS
    | frozenset(stem(w) for w in "famille pere mere personnel equipe enseignant utilisateur monde".split())
)
# Words between a qualifier and the school word it qualifies ("d'autres établissements", "tous les collèges").
_ARTICLES = frozenset("le la les l de des d du un une nos vos leurs".split())
# "à tous les parents", "aux autres collèges": the people a message is sent to, not the people hit by a failure.
_AUDIENCE_MARKERS = frozenset({"a", "aux"})

_EVOLUTION_STEMS = frozenset(
    stem(w)
    for w in """evolution amelioration fonctionnalite suggestion idee serait faudrait pourrait aimerais
    prevu""".split()
)

_EVOLUTION_NOUNS = frozenset(stem(w) for w in "evolution amelioration fonctionnalite suggestion idee".split())


# Words that say something is broken: "for everyone" only means a mass incident when something fails.
FAILURE_WORDS = frozenset(
    """pas plus aucun aucune rien jamais personne impossible panne erreur bug bugue plante rame lent lente lenteur
    lenteurs inaccessible bloque bloques bloquee marche fonctionne hs down souci soucis probleme problemes pb""".split()
)


_FAILURE_STEMS = frozenset(stem(w) for w in FAILURE_WORDS if len(w) > 4)  # "inaccessibles", "bloquées"...


def _next_meaningful(raw_words: list[str], i: int) -> str:
    """The first word after position i that is not an article ("les", "d'", "du"...), or ""."""
    for word in raw_words[i + 1 : i + 4]:
        if word not in _ARTICLES:
            return word
    return ""


def _mass_words(raw_words: list[str]) -> tuple[int, bool]:
    """Signs of a mass incident in the text's own words: (number of signs, whether several schools are named).

    A sign right after "à"/"aux" names an audience ("écrire à tous les parents"), not victims, and does not count.
    "Plusieurs / d'autres / aucun + établissement" and "les collèges voisins" say by themselves that several schools
    are hit; "tous" and "tout le collège" still need a word of failure (see mass_signal)."""
    signs: set[str] = set()
    pairs = 0
    several = False
    for i, word in enumerate(raw_words):
        if i and raw_words[i - 1] in _AUDIENCE_MARKERS:
            continue
        stemmed = stem(word)
        if stemmed in _MASS_STEMS:
            signs.add(stemmed)
            if stemmed == stem("voisin") and i and stem(raw_words[i - 1]) in _SCHOOL_WORDS:
                several = True  # "les collèges voisins"
        if stemmed in _MASS_QUALIFIERS or stemmed in _SEVERAL_QUALIFIERS:
            following = _next_meaningful(raw_words, i)
            if following and stem(following) in _SCHOOL_WORDS:
                pairs += 1
                several = several or stemmed in _SEVERAL_QUALIFIERS
    return len(signs) + pairs, several


def mass_signal(tokens: list[str], raw_words: list[str] | None = None) -> float:
    """0 to 1: how strongly the text says that many users or several schools are hit at once. With `raw_words`
    (the text's words before stop words are dropped), a text without any sign of failure ("send a notice to
    all parents") is not a mass incident, unless it names several schools ("plusieurs collèges", "d'autres
    établissements"), and words after "à" / "aux" are an audience, not victims."""
    present = set(tokens)
    if raw_words is None:
        hits = len(present & _MASS_STEMS)
        hits += sum(1 for a, b in zip(tokens, tokens[1:], strict=False) if a in _MASS_QUALIFIERS and b in _SCHOOL_WORDS)
        several = False
    else:
        hits, several = _mass_words(raw_words)
    if not hits:
        return 0.0
    if raw_words is not None and not several and not (FAILURE_WORDS & set(raw_words) or _FAILURE_STEMS & present):
        return 0.0
    return 1.0 if present & _MASS_CONTEXT or hits > 1 or several else 0.5


# Evolution wording as staff write it (matched on folded words, elisions removed: "serait-il possible d'avoir" is
# "serait il possible avoir"). Strong phrases ask for something the ENT does not do; "serait-il possible de …" with
# any other verb ("… de regarder mon import") is also how staff politely ask for a fix, so it only counts half.
_FEATURE = r"(?:nouvelle |nouveau |petite |petit )?(?:fonction|fonctionnalite|option|possibilite|bouton|onglet|moyen)"
_STRONG_EVOLUTION = re.compile(
    "|".join(
        (
            r"\b(?:ce|ca|cela) serait (?:vraiment |tellement |quand meme |plus )?"
            r"(?:bien|top|super|pratique|utile|genial|interessant|chouette|ideal|mieux|simple|appreciable)\b",
            r"\bserai(?:t|ent) (?:t )?(?:il|elle) possible (?:de |d )?"
            r"(?:pouvoir|avoir|disposer|integrer|prevoir|ajouter|rajouter|proposer|que)\b",
            r"\bpourr(?:ait|ions|iez)(?: t)?(?: on| nous| vous)? (?:avoir|pouvoir|disposer|integrer|prevoir)\b",
            r"\b(?:on|nous|je) (?:pourrait|pourrions|aimerait|aimerions|aimerais|voudrait|voudrions|voudrais|"
            r"souhaiterait|souhaiterions|souhaiterais) (?:bien |beaucoup )?(?:pouvoir|avoir|disposer)\b",
            r"\baimerai(?:s|t|ons) (?:bien |beaucoup )?(?:pouvoir|avoir|disposer|que)\b",
            r"\bil faudrait (?:pouvoir|ajouter|avoir|prevoir)\b",
            r"\b(?:ajouter|rajouter|ajout|creer|prevoir) (?:une |un |la |le |des |de |d )?" + _FEATURE,
            r"\bil manque (?:une |un |la |le |des |de |d )?" + _FEATURE,
            r"\b(?:est|serait) (?:t )?(?:il|ce) prevu\b",
            r"\bdemande (?:d )?evolution\b",
            r"\bnouvelles? fonctionnalites?\b",
        )
    )
)
_HALF_EVOLUTION = re.compile(r"\bserai(?:t|ent) (?:t )?(?:il|elle) possible\b|\bil faudrait\b")


# "ce n'est pas une demande d'évolution", "pas une suggestion": the evolution word is denied.
_DENIED_EVOLUTION = re.compile(
    r"\b(?:pas|non|ni|aucune?) (?:une |un |de |d |la |le )?(?:simple |vraie |vraiment )?"
    r"(?:demande (?:d )?)?(evolution|amelioration|suggestion|idee|fonctionnalite)s?\b"
)


def evolution_signal(tokens: list[str], raw_words: list[str] | None = None) -> float:
    """0 to 1: how strongly the text asks for a new feature rather than reporting a fault. With `raw_words`, the
    usual evolution phrasings ("ce serait bien de", "pourrait-on avoir", "il manque une option", "ajouter une
    fonctionnalité", "serait-il possible d'avoir") are recognised too, and a denied evolution word ("ce n'est pas
    une demande d'évolution : …") does not count."""
    from_words = 0.0
    if raw_words:
        text = " ".join(raw_words[:200])
        denied = {stem(m.group(1)) for m in _DENIED_EVOLUTION.finditer(text)}
        if denied:
            text = _DENIED_EVOLUTION.sub(" ", text)
            tokens = [t for t in tokens if t not in denied]
        if _STRONG_EVOLUTION.search(text):
            from_words = 1.0
        elif _HALF_EVOLUTION.search(text):
            from_words = 0.5
    return max(from_words, _evolution_from_stems(tokens))


# A training request is a "formation" ticket whatever the service it is about ("une formation sur le classeur").
_TRAINING_WORDS = frozenset("formation formations former formateur fil praf magistere m@gistere autoformation".split())


def training_signal(raw_words: list[str]) -> float:
    """1 when the text asks for a training (a training word and no sign that something is broken: "depuis la
    formation, l'import ne passe pas" is about the import), else 0."""
    present = set(raw_words)
    if not present & _TRAINING_WORDS:
        return 0.0
    return 0.0 if present & FAILURE_WORDS else 1.0


def _evolution_from_stems(tokens: list[str]) -> float:
    present = set(tokens)
    hits = len(present & _EVOLUTION_STEMS)
    if not hits:
        return 1.0 if _asks_for_capability(tokens) else 0.0
    pouvoir = stem("pouvoir") in present or stem("puisse") in present
    headed = bool(set(tokens[:2]) & _EVOLUTION_NOUNS)  # "idée : …", "suggestion : …", "évolution : …"
    return 1.0 if hits > 1 or pouvoir or headed or stem("evolution") in present or stem("amelioration") in present else 0.5


def _asks_for_capability(tokens: list[str]) -> bool:
    """ "demande : pouvoir recopier…", "pouvoir ajouter une question…": a wish phrased as a capability."""
    if not tokens:
        return False
    return tokens[0] == stem("pouvoir") or (stem("demande") in tokens[:2] and stem("pouvoir") in tokens)
