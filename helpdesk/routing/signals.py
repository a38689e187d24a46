"""Signs of a request's nature in free text: a mass incident, an evolution request, a training request.

Pure (standard library and helpdesk.platform.french). `normalise` gives the stems the suggester compares (the
shared French analysis and vocabulary); `signal_words` the text's own words, read by the signs below.
"""

import re

from helpdesk.platform.french import Vocabulary, stem, words

MAX_QUERY_CHARS = 500

VOCABULARY = Vocabulary()

# Phrasings that say who is hit, rewritten before the signs are read ("plus personne" = nobody at all).
SIGNAL_PHRASES: dict[str, str] = {
    "tout le monde": "tous",
    "plus personne": "personne tous",
    "pour personne": "personne tous",
    "chez personne": "personne tous",
    "a cote": "voisin",
}


def signal_words(text: str) -> list[str]:
    """The folded words of the start of `text` (stop words kept), with the phrasings above rewritten."""
    joined = f" {' '.join(words((text or '')[:MAX_QUERY_CHARS]))} "
    for phrase, replacement in SIGNAL_PHRASES.items():
        joined = joined.replace(f" {phrase} ", f" {replacement} ")
    return joined.split()


def normalise(text: str, *, limit: int | None = MAX_QUERY_CHARS) -> list[str]:
    """Stems of `text` without stop words, in order, each known phrase followed by its usual wording
    (helpdesk.platform.french.Vocabulary.expand): word order is kept for the suggester's pairs."""
    if limit is not None:
        text = (text or "")[:limit]
    return VOCABULARY.expand(text)


_MASS_STEMS = frozenset(
    stem(w) for w in """personne voisin general generale generalise ensemble departement secteur partout""".split()
)
# "tous" (everyone) is a sign by itself, "tout" (everything, "tout le collège") only before a school word: the shared
# stemmer makes them one stem, so these two are told apart on the words as typed.
_EVERYONE = frozenset({"tous"})
_WHOLE = frozenset({"tout", "toute"})
_MASS_QUALIFIERS = frozenset(stem(w) for w in ("autres", "plusieurs", "aucun"))  # count only before a school word
_SEVERAL_QUALIFIERS = frozenset(stem(w) for w in ("autres", "plusieurs", "aucun", "differents"))  # "several schools"
_SCHOOL_WORDS = frozenset(stem(w) for w in "etablissement college lycee ecole bahut academie bassin departement region".split())
_MASS_CONTEXT = frozenset(
    stem(w) for w in """etablissement college lycee ecole collegue bahut academie utilisateur parent eleve professeur""".split()
)
# Who or where is hit ("tous les élèves et les profs", "les collèges voisins"): in a mass incident these words say how
# wide the failure is, not which service fails, so they are left out when looking for the failing service.
SCOPE_STEMS = (
    _MASS_STEMS
    | {stem("tous")}
    | _MASS_CONTEXT
    | _SCHOOL_WORDS
    | _MASS_QUALIFIERS
    | frozenset(stem(w) for w in "famille pere mere personnel equipe enseignant utilisateur monde".split())
)
# Words between a qualifier and the school word it qualifies ("d'autres établissements", "tous les collèges").
_ARTICLES = frozenset("le la les l de des d du un une nos vos leurs".split())
# "à tous les parents", "aux autres collèges": the people a message is sent to, not the people hit by a failure.
_AUDIENCE_MARKERS = frozenset({"a", "aux"})

_EVOLUTION_STEMS = frozenset(stem(w) for w in "evolution amelioration fonctionnalite suggestion idee prevu".split())
# Conditionals that wish for something, as typed: their stems are those of polite requests ("pourriez-vous").
_EVOLUTION_VERBS = frozenset("serait faudrait pourrait aimerais".split())

_EVOLUTION_NOUNS = frozenset(stem(w) for w in "evolution amelioration fonctionnalite suggestion idee".split())


# Words that say something is broken: "for everyone" only means a mass incident when something fails.
FAILURE_WORDS = frozenset(
    """pas plus aucun aucune rien jamais personne impossible panne erreur bug bugue plante rame lent lente lenteur
    lenteurs inaccessible injoignable indisponible inutilisable blanche bloque bloques bloquee marche fonctionne hs down
    ko souci soucis probleme problemes pb""".split()
)


_FAILURE_STEMS = frozenset(stem(w) for w in FAILURE_WORDS if len(w) > 4)  # "inaccessibles", "bloquées"...


def _next_meaningful(raw_words: list[str], i: int) -> str:
    """The first word after position i that is not an article ("les", "d'", "du"...), or ""."""
    for word in raw_words[i + 1 : i + 4]:
        if word not in _ARTICLES:
            return word
    return ""


# The people a school is made of, as typed in the plural: two groups hit ("nos élèves comme nos enseignants") say
# many users; "aucun" before one of them followed by a way in ("aucun parent ne peut se connecter") says nobody
# among them gets through.
def _by_stem(names: dict[str, str]) -> dict[str, str]:
    """{code: "word word…"} → {stem: code}: the words a person may type for each code."""
    return {stem(w): code for code, words in names.items() for w in words.split()}


_PEOPLE_GROUPS = _by_stem(
    {
        "eleve": "eleve eleves",
        "enseignant": "prof profs professeur professeurs enseignant enseignants",
        "parent": "parent parents famille familles",
        "collegue": "collegue collegues",
        "personnel": "personnel personnels agent agents",
        "utilisateur": "utilisateur utilisateurs",
    }
)
_NOBODY = frozenset({"aucun", "aucune"})
_ACCESS_VERBS = frozenset("connecter connecte connectent ouvrir acceder entrer loguer logguer authentifier".split())
# "tout l'ENT rame", "panne totale": the whole platform fails, which is a failure for everyone unless the person
# says it is only them ("chez moi", "sur mon poste", "uniquement").
_ONLY_ME = re.compile(
    r"\b(?:chez moi|pour moi|que moi|sur mon (?:poste|ordinateur|ordi|pc|telephone|portable|tablette)|uniquement|seulement"
    r"|seul|seule|mes collegues (?:y arrivent|si|se connectent|n ont pas))\b"
)


def _mass_words(raw_words: list[str]) -> tuple[int, bool]:
    """Signs of a mass incident in the text's own words: (number of signs, whether several schools are named).

    A sign right after "à"/"aux" names an audience ("écrire à tous les parents"), not victims, and does not count.
    "Plusieurs / d'autres / aucun + établissement" and "les collèges voisins" say by themselves that several schools
    are hit; "tous" and "tout le collège" still need a word of failure (see mass_signal)."""
    signs: set[str] = set()
    groups: set[str] = set()
    pairs = 0
    several = False
    for i, word in enumerate(raw_words):
        if i and raw_words[i - 1] in _AUDIENCE_MARKERS:
            continue
        stemmed = stem(word)
        if word in _EVERYONE:
            signs.add(word)
        elif stemmed in _MASS_STEMS and word not in _WHOLE:
            signs.add(stemmed)
            if stemmed == stem("voisin") and i and stem(raw_words[i - 1]) in _SCHOOL_WORDS:
                several = True  # "les collèges voisins"
        if word in _WHOLE or stemmed in _MASS_QUALIFIERS or stemmed in _SEVERAL_QUALIFIERS:
            following = _next_meaningful(raw_words, i)
            if following and stem(following) in _SCHOOL_WORDS:
                pairs += 1
                several = several or stemmed in _SEVERAL_QUALIFIERS
            elif (
                word in _NOBODY
                and following
                and stem(following) in _PEOPLE_GROUPS
                and _ACCESS_VERBS & set(raw_words[i + 2 : i + 9])
            ):
                signs.add("aucun")  # nobody gets in; "aucun élève ne voit le devoir" is about content, not an outage
        if word.endswith("s") and stemmed in _PEOPLE_GROUPS:
            groups.add(_PEOPLE_GROUPS[stemmed])
    if len(groups) >= 2:
        signs.add("groups")
    text = " ".join(raw_words[:200])
    if _WHOLE_PLATFORM.search(_DENIED_OUTAGE.sub(" ", text)) and not _ONLY_ME.search(text):
        signs.add("whole")
    return len(signs) + pairs, several


def mass_signal(tokens: list[str], raw_words: list[str] | None = None) -> float:
    """0 to 1: how strongly the text says that many users or several schools are hit at once. With `raw_words`
    (the text's words before stop words are dropped), a text without any sign of failure ("send a notice to
    all parents") is not a mass incident, unless it names several schools ("plusieurs collèges", "d'autres
    établissements"), and words after "à" / "aux" are an audience, not victims."""
    present = set(tokens)
    if raw_words is None:
        hits = len(present & (_MASS_STEMS | {stem("tous")}))
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
    return max(from_words, _evolution_from_stems(tokens, set(raw_words or ())))


# A training request is a "formation" ticket whatever the service it is about ("une formation sur le classeur").
_TRAINING_WORDS = frozenset("formation formations former formateur fil praf magistere m@gistere autoformation".split())


def training_signal(raw_words: list[str]) -> float:
    """1 when the text asks for a training (a training word and no sign that something is broken: "depuis la
    formation, l'import ne passe pas" is about the import), else 0."""
    present = set(raw_words)
    if not present & _TRAINING_WORDS:
        return 0.0
    return 0.0 if present & FAILURE_WORDS else 1.0


def _evolution_from_stems(tokens: list[str], raw: set[str] = frozenset()) -> float:
    present = set(tokens)
    hits = len(present & _EVOLUTION_STEMS) + len(raw & _EVOLUTION_VERBS)
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


# -- the platform as a whole --------------------------------------------------------------------------------------
# The ENT itself (not one of its services), the way in (the login page), and the whole of it.
_LOGIN = re.compile(
    r"\b(?:page|ecran|fenetre) (?:de |d )?(?:connexion|login|identification|authentification)\b"
    r"|\bse (?:connecter|connecte|connectent) (?:a |sur )ent\b|\bse (?:loguer|logguer|logger)\b"
)
# The ENT as the subject of the failure ("l'ENT est tombé", "l'ENT rame") or as what cannot be reached.
_ENT_FAILS = re.compile(
    r"\b(?:ent|plateforme|occitanie)(?: est| reste)?(?: ne| n)?(?: \w+){0,2} (?:marche|fonctionne|repond|rame|lent|lente|"
    r"tombe|panne|inaccessible|injoignable|indisponible|hs|plante|bloque|down|charge)\b"
    r"|\b(?:accede|acceder|ouvrir|ouvrant|entrer) (?:a |dans |sur )?ent\b"
)
# Strong words of failure, for "two services named" (a plain "pas" is not enough: "pas de Pix dans le médiacentre").
_STRONG_FAILURE = frozenset(
    stem(w)
    for w in "panne inaccessible injoignable indisponible marche fonctionne lent lenteur rame bloque hs plante down tombe repond".split()
)
# A password or an identifier named: one person's sign-in problem, not the platform.
_PERSONAL = frozenset("mdp passe password identifiant identifiants code codes".split())
_DENIED_OUTAGE = re.compile(r"\b(?:pas|non) (?:une |de |d )?panne \w+")
_WHOLE_PLATFORM = re.compile(
    r"\btout (?:le |l )?(?:ent|site|plateforme)\b|\btoute la plateforme\b|\bpanne (?:totale|complete|generale)\b"
    r"|\bplus rien ne (?:marche|fonctionne)\b|\b(?:accede|acceder|acces) a rien\b|\btoutes les pages\b"
)
# "le reste de l'ENT va bien", "mais la messagerie marche", "on se connecte à l'ENT sans problème": the platform works.
_PLATFORM_FINE = re.compile(
    r"\ble reste (?:de |du )?(?:ent |site )?(?:va bien|fonctionne|marche)\b"
    r"|\bmais (?:la |le |les )?\w+ (?:marche|marchent|fonctionne|fonctionnent|va bien)\b"
    r"|\bconnect\w* (?:a |sur )?ent (?:sans (?:probleme|souci)|normalement|bien)\b"
)
# One word for each service a person may name; two or more named as failing is the platform failing.
_SERVICE_WORDS = _by_stem(
    {
        "messagerie": "messagerie mail mails courriel",
        "cahier_de_textes": "cahier cdt",
        "pronote": "pronote",
        "mediacentre_gar": "mediacentre gar manuels",
        "rubriques": "rubrique rubriques agenda blog forum",
        "educonnect": "educonnect",
        "classeur_pedagogique": "classeur",
        "pix": "pix",
        "communication_ciblee": "communication",
    }
)


def platform_signal(raw_words: list[str]) -> float:
    """1 when the text says the ENT itself fails (down, slow, nobody or someone stuck at the login page), -1 when it
    says the ENT works (only one of its services fails), 0 when it does not say. Two services or more named as
    failing is the platform failing; one service named is that service's problem unless the whole ENT is said to
    fail ("panne totale", "tout l'ENT")."""
    text = _DENIED_OUTAGE.sub(" ", " ".join(raw_words[:200]))
    if _PLATFORM_FINE.search(text):
        return -1.0
    present = set(raw_words)
    if not (present & FAILURE_WORDS or _FAILURE_STEMS & {stem(w) for w in present} or _WHOLE_PLATFORM.search(text)):
        return 0.0
    stems = {stem(w) for w in raw_words}
    named = {_SERVICE_WORDS[s] for s in stems if s in _SERVICE_WORDS}
    if (len(named) >= 2 and stems & _STRONG_FAILURE) or _WHOLE_PLATFORM.search(text):
        return 1.0
    if not named and not present & _PERSONAL and (_LOGIN.search(text) or _ENT_FAILS.search(text)):
        return 1.0
    return 0.0
