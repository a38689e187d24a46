"""How French text becomes comparable words: Unicode NFC, folding, elisions, typed spellings, stop words, stemming.

Pure: the standard library plus Whoosh's bundled Snowball stemmer (a pure-Python algorithm module, no index)."""

import hashlib
import re
import unicodedata
from functools import lru_cache

from whoosh.lang.snowball.french import FrenchStemmer

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
# "l'", "d'", "qu'" ... before a word; typed without the apostrophe ("d etablissement") the letter stands alone.
ELISIONS = ("l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu")
_ELISION = re.compile(r"\b(?:" + "|".join(ELISIONS) + r")'")
_LONE_ELISIONS = frozenset(ELISIONS)
_TOKEN = re.compile(r"[a-z0-9@]+")
MAX_WORD_CHARS = 40  # longer "words" are pasted junk (hashes, URLs): never indexed nor searched

STOP_WORDS = frozenset(
    """a ai aie ait as au aux avec avoir avons avez ont c ca ce ceci cela celle celui ces cet cette ceux chez comme comment
    d dans de des doit dois donc dont du elle elles en es est estce et etre ete eu fait faire fais faut il ils j je l la le
    les leur leurs lui m ma mais me meme mes moi mon n ne ni nos notre nous on ou par pas peu peut peuvent peux pour
    pourquoi puis puisje qu quand que quel quelle quelles quels quest questce qui quoi s sa sans se ses si son sont suis sur
    t ta te tes toi ton tu un une vos votre vous y ya deja k
    ete etait etaient etais sera seront serait avait avais avaient aura ayant etant sommes etes
    va vais vont veut voulons savoir sais alors aussi encore tres trop bien ici voila etc
    bonjour bonsoir merci svp stp bjr slt cc coucou hello salut cordialement madame monsieur hier
    ceci quelqu quelque cest sest jai quil sil aujourd hui depuis correctement
    """.split()
)

# Spellings typed for a common word (text-message style, frequent slips), read as the word itself.
TYPED_SPELLINGS = {
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
    "emploie": "emploi",
}


def nfc(text: str | None) -> str:
    """Unicode NFC: "e" followed by a combining accent becomes the one precomposed "é" that keyboards type."""
    return unicodedata.normalize("NFC", text or "")


def fold(text: str | None) -> str:
    """Lower case without accents, typographic apostrophes made straight, ligatures opened: 'Œuvre' → 'oeuvre'."""
    text = (text or "").translate(_APOSTROPHES).lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str | None) -> list[str]:
    """Folded words with elisions removed ("l'ENT", "l ENT" → "ent") and typed spellings read; stop words kept."""
    folded = _ELISION.sub(" ", fold(text))
    found = []
    for word in _TOKEN.findall(folded):
        if word in _LONE_ELISIONS or len(word) > MAX_WORD_CHARS:
            continue
        found.append(TYPED_SPELLINGS.get(word, word))
    return found


_snowball = FrenchStemmer()
# Word families the stemmer keeps apart but staff use as one ("tous les", "toute l'équipe"; "3e", "3ème").
_IRREGULAR = {"tous": "tout", "toute": "tout", "toutes": "tout"}
_ORDINAL = re.compile(r"(\d{1,2})(?:e|eme|em|ieme|iem)")
STEMMER_NAME = "snowball-fr+folded-1"
_BEFORE_SNOWBALL = ((("ications", "ication"), "ier"), (("ieres", "iere"), "ier"), (("exions", "exion"), "ect"))


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The stem of one folded word: Snowball French, plus "tous/tout/toute(s)" as one and "3e/3eme" as one level."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    ordinal = _ORDINAL.fullmatch(word)
    if ordinal:
        return ordinal.group(1) + "e"
    if len(word) <= 3 or word.isdigit() or "@" in word:
        return word
    # Snowball expects accents; folded words lose them ("modifié" is typed "modifie"). Nouns in -ication and
    # feminines in -ière are read as their -ier verb or masculine, and the final "i" Snowball leaves on -ier verbs
    # goes: modification, modifier, modifié → modif; première, premier → prem; connexion, connecter → connect.
    for endings, replacement in _BEFORE_SNOWBALL:
        if word.endswith(endings) and len(word) > 6:
            word = word[: -len(next(e for e in endings if word.endswith(e)))] + replacement
            break
    stemmed = _snowball.stem(word)
    return stemmed[:-1] if len(stemmed) > 4 and stemmed.endswith("i") else stemmed


# Phrasings that only say "I cannot": "je n'arrive pas à", "je ne parviens pas à" ("arrivé" alone is a newcomer).
CANNOT_PHRASES = frozenset(
    tuple(p.split())
    for p in """arrive pas|arrive plus|arrivons pas|arrivez pas|arrivent pas|arrive toujours pas|arrive jamais
    |parviens pas|parvient pas|parvenons pas|reussis pas|reussit pas|reussi pas""".replace("\n", "").split("|")
)
_CANNOT_LENGTHS = sorted({len(p) for p in CANNOT_PHRASES}, reverse=True)


def without_cannot(typed: list[str]) -> list[str]:
    """The words without the phrasings that only say "I cannot" (they name no topic)."""
    out, i = [], 0
    while i < len(typed):
        for size in _CANNOT_LENGTHS:
            if tuple(typed[i : i + size]) in CANNOT_PHRASES:
                i += size
                break
        else:
            out.append(typed[i])
            i += 1
    return out


def content_words(text: str | None) -> list[str]:
    """Folded words of `text` that are not stop words (nor one letter), in order."""
    return [w for w in words(text) if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]


def analyse(text: str | None) -> list[str]:
    """Stems of the content words, in order: what an index stores and a query looks for."""
    return [stem(w) for w in content_words(text)]


def word_stem(word: str) -> str:
    """stem(fold(word)) for one word as written (snippets match the article's own words against query stems)."""
    return stem(fold(word))


def fingerprint(*parts) -> str:
    """Changes whenever the analysis changes: an index built with another analysis must be rebuilt."""
    seed = (
        STEMMER_NAME,
        _BEFORE_SNOWBALL,
        sorted(STOP_WORDS),
        sorted(CANNOT_PHRASES),
        sorted(TYPED_SPELLINGS.items()),
        ELISIONS,
        _ORDINAL.pattern,
        *parts,
    )
    return hashlib.sha256(repr(seed).encode()).hexdigest()[:16]
