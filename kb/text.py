"""French text normalisation for search: folding, stop words, a light stemmer, synonyms and snippets (pure)."""

import html
import re
import unicodedata
from functools import lru_cache

MAX_QUERY_CHARS = 400  # whatever is pasted, only the start is searched: staff questions are short
MAX_CONCEPTS = 12  # a query never expands into more than this many concepts

_WORD = re.compile(r"[a-z0-9]+")

STOP_WORDS = frozenset(
    """a ai as au aux avec avoir c ca ce ceci cela celle celui ces cet cette comment d dans de des doit dois
    donc du elle elles en es est estce et etre eu fait faire faut il ils j je l la le les leur leurs lui m ma
    me mes moi mon n ne nos notre nous on ont ou par pas peut peux plus pour pourquoi puis puisje qu quand que
    quel quelle quelles quels quest questce qui quoi s sa se ses si son sont suis sur t ta te tes toi ton tu un
    une vos votre vous y svp merci bonjour marche fonctionne veux voudrais aimerais besoin ya""".split()
)

# Groups of equivalent phrases, expanded both ways at query time (folded spelling, stop words allowed).
SYNONYM_GROUPS: list[tuple[str, ...]] = [
    ("mdp", "mot de passe", "password"),
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
    ("modif", "modification"),
    ("dispo", "disponible"),
    ("info", "information"),
    ("param", "parametre", "parametrage", "reglage"),
    ("appli", "application"),
    ("aed", "assistant d education", "surveillant", "assed"),
    ("aesh", "accompagnant"),
    ("notif", "notification"),
    ("perso", "personnelle"),
    ("admin", "administrateur"),
    ("bloc", "tuile", "widget", "encart"),
    ("mail", "courriel", "email", "messagerie"),
    ("visa", "viser"),
    ("exporter", "export", "extraire", "recuperer"),
    ("resultat", "reponse"),
    ("chef d etablissement", "principal", "proviseur", "direction", "chef", "directeur"),
    ("identifiant", "login", "code"),
    ("connexion", "connecter", "se connecter"),
    ("doublon", "en double"),
    ("supprimer", "effacer", "enlever"),
    ("formulaire", "sondage", "questionnaire"),
    ("acces refuse", "403", "interdit"),
    ("inspecteur", "inspection", "ipr", "ien"),
    ("remplacant", "suppleant", "contractuel"),
    ("cpe", "conseiller principal d education"),
    ("dsden", "direction des services departementaux"),
    ("fil", "formation d initiative locale"),
    ("accueil", "page d accueil"),
    ("devoir", "travail a faire"),
    ("parent", "responsable legal"),
    ("eleve", "enfant"),
    ("absent", "manquant", "introuvable", "disparu"),
    ("bloque", "verrouille", "fige"),
    ("image", "photo", "illustration"),
    ("erreur", "bug", "plantage"),
    ("telephone", "mobile", "smartphone"),
]


def fold(text: str) -> str:
    """Lower case without accents or ligatures: 'Élève' → 'eleve', 'Œuvre' → 'oeuvre'."""
    text = (text or "").lower().replace("œ", "oe").replace("æ", "ae").replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Folded words, stop words included (phrases such as 'mot de passe' need them)."""
    return _WORD.findall(fold(text))


_SUFFIXES = ("ements", "ement", "ations", "ation", "ees", "ee", "er", "ez", "e")


def stem(word: str) -> str:
    """Light French stemming on a folded word: plurals, feminine and the common verb endings."""
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
            return word[: -len(suffix)]
    return word


def analyse(text: str) -> list[str]:
    """What the index stores: stems of the folded words that are not stop words."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS]


def phrase_stems(phrase: str) -> tuple[str, ...]:
    return tuple(analyse(phrase))


class Thesaurus:
    """Phrase → equivalent phrases, from the built-in groups plus the glossary (term, expansion, aliases)."""

    def __init__(self, groups):
        self.groups: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        self.longest = 1
        for group in groups:
            keys = {tuple(stem(w) for w in words(p)) for p in group if words(p)}
            alternatives = {phrase_stems(p) for p in group} - {()}
            for key in keys:
                self.groups.setdefault(key, set()).update(alternatives)
                self.longest = max(self.longest, len(key))

    def concepts(self, text: str) -> list[tuple[str, set[tuple[str, ...]]]]:
        """Split a query into concepts: (the words as typed, alternative stem tuples), longest phrase first."""
        tokens = [stem(w) for w in words(text[:MAX_QUERY_CHARS])]
        typed = words(text[:MAX_QUERY_CHARS])
        found: list[tuple[str, set[tuple[str, ...]]]] = []
        i = 0
        while i < len(tokens) and len(found) < MAX_CONCEPTS:
            for size in range(min(self.longest, len(tokens) - i), 0, -1):
                key = tuple(tokens[i : i + size])
                if key in self.groups and not (size == 1 and key[0] in STOP_WORDS):
                    alternatives = set(self.groups[key])
                    own = phrase_stems(" ".join(key))
                    if own:
                        alternatives.add(own)
                    found.append((" ".join(typed[i : i + size]), alternatives))
                    i += size
                    break
            else:
                token = typed[i]
                i += 1
                if token not in STOP_WORDS and len(token) <= 40 and all(token != c[0] for c in found):
                    found.append((token, {(stem(token),)}))
        return found


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
