"""FAQ queries as concepts, and the extracts shown under results (pure).

Folding, stop words, stemming and the vocabulary are the shared French analysis (helpdesk.platform.french); this
module adds what only search needs: a query split into concepts, each with every way of saying it, and snippets."""

import html
import re
from typing import NamedTuple

from helpdesk.platform import french
from helpdesk.platform.french import GROUPS, STOP_WORDS, Vocabulary, fold, phrase_stems, stem, without_cannot, word_stem, words

MAX_QUERY_CHARS = 400  # whatever is pasted, only the start is searched: staff questions are short
MAX_CONCEPTS = 12  # a query never expands into more than this many concepts

__all__ = ["STOP_WORDS", "fold", "stem", "words", "markdown_to_text", "snippet", "Thesaurus", "Concept"]

# Words that say little about the topic in most questions ("tous les parents", "toute l'équipe") but name
# something in a few articles (the "Tous" list): they count at a reduced weight (kb.search.WEAK_WEIGHT).
WEAK_WORDS = frozenset({"tout", "tous", "toute", "toutes", "rien", "normal", "possible", "impossible"})

# What the index stores changes with the analysis: a node whose index was built with another one rebuilds it
# (kb.search.SearchIndex.applied_seq), so an upgrade never mixes old and new stems.
ANALYZER_FINGERPRINT = french.ANALYZER_FINGERPRINT


class Concept(NamedTuple):
    """One idea of the query: the words as typed, every way of saying it (stem tuples), and the typed one."""

    typed: str
    alternatives: set[tuple[str, ...]]
    own: tuple[str, ...]


class Thesaurus:
    """The shared vocabulary (helpdesk.platform.french) plus the glossary's terms, expansions and aliases."""

    def __init__(self, extra_groups=()):
        self.vocabulary = Vocabulary(groups=[*GROUPS, *extra_groups])
        self.groups = self.vocabulary.alternatives
        self.phrase_words = self.vocabulary.phrase_stems

    def concepts(self, text: str, known=None, corrections=None, fixes=None) -> list[Concept]:
        """Split a query into concepts, longest known phrase first.

        `known(stem)` tells whether the index knows a stem; with it, an elision typed without its apostrophe
        ("lent", "jarrive", "napparait") is split when only the word after the elision is known, and an unknown
        word is replaced by one of its `corrections(word)` when that completes a known phrase ("mot de pase"
        → "mot de passe"); such replacements are recorded in `fixes`."""
        typed = without_cannot([_unelide(w, known) for w in words(text[:MAX_QUERY_CHARS])])
        if known is not None and corrections is not None:
            self._complete_phrases(typed, known, corrections, {} if fixes is None else fixes)
        tokens = [stem(w) for w in typed]
        found: list[Concept] = []
        i = 0
        while i < len(tokens) and len(found) < MAX_CONCEPTS:
            size = self.vocabulary.match(tokens, i)
            if size and not (size == 1 and typed[i] in STOP_WORDS):
                key = tuple(tokens[i : i + size])
                alternatives = set(self.groups[key])
                own = phrase_stems(" ".join(typed[i : i + size]))
                if own:
                    alternatives.add(own)
                found.append(Concept(" ".join(typed[i : i + size]), alternatives, own))
                i += size
                continue
            token = typed[i]
            i += 1
            if token not in STOP_WORDS and (len(token) > 1 or token.isdigit()) and all(token != c.typed for c in found):
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
        for size in range(2, min(self.vocabulary.longest, len(tokens)) + 1):
            for start in range(max(0, j - size + 1), min(j, len(tokens) - size) + 1):
                if tuple(tokens[start : start + size]) in self.groups:
                    return True
        return False


_ELISIONS = ("qu", "l", "d", "j", "n", "m", "s", "t", "c")
_CLASS_NAME = re.compile(r"([3-6])e(?:me)?[a-z]?\d?")


def _unelide(word: str, known) -> str:
    """'lent' → 'ent', 'jarrive' → 'arrive' when the index knows the second word and not the whole."""
    if known is None or len(word) < 4 or word.isdigit() or known(stem(word)):
        return word
    for prefix in _ELISIONS:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 3 and (rest in STOP_WORDS or known(stem(rest))):
            return rest
    return word


def markdown_to_text(markdown: str) -> str:
    """Plain text of an article body for indexing and snippets (links keep their label). Headings, list items and
    table rows end as sentences, so a snippet never runs a heading into the step below it."""
    text = re.sub(r"```.*?```", " ", markdown or "", flags=re.S)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-+*]|\d+\.)\s+", " ", line)
        line = re.sub(r"[`*]+", "", line)
        line = re.sub(r"[>#|]+|(?<!\w)_+|_+(?!\w)", " ", line).strip()
        if line:
            lines.append(line if line[-1] in ".!?:;…" else line + ".")
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"(\w])")
# What makes a sentence a fact worth showing: a delay, a number, a quoted menu or export name, where to click.
_FACT_CUE = re.compile(r"\d|«|\bmenu\b|\bonglet\b|\bdélai\b|\bheures?\b|\bjours?\b|>", re.IGNORECASE)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a plain text."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def answering_sentence(text: str, stems: set[str]) -> tuple[int, int] | None:
    """The sentence that says most of what was asked: the most distinct query stems, then a fact (a delay, a
    number, a menu), then the earliest. None when no sentence holds a query word."""
    best, best_key = None, None
    for position, (start, end) in enumerate(sentences(text)):
        found = {word_stem(m.group()) for m in re.finditer(r"\w+", text[start:end])} & stems
        if not found:
            continue
        sort_key = (len(found), bool(_FACT_CUE.search(text[start:end])), -position)
        if best_key is None or sort_key > best_key:
            best, best_key = (start, end), sort_key
    return best


def snippet(text: str, stems: set[str], width: int = 240) -> str:
    """An escaped extract showing the sentence that answers (kb.text.answering_sentence), matched words wrapped in
    <mark>: safe HTML. A long sentence is cut around its matches; without any match, the opening sentence."""
    text = text[:4000]
    chosen = answering_sentence(text, stems)
    if chosen is None:
        first = sentences(text)[:1]
        end = min(first[0][1] if first else len(text), width)
        return html.escape(text[:end]) + ("…" if end < len(text) else "")
    begin, end = chosen
    following = [span for span in sentences(text) if span[0] >= end][:1]
    if following and following[0][1] - begin <= width:  # room for the next sentence: the cause and its fix
        end = following[0][1]
    spans = [(begin + m.start(), begin + m.end()) for m in re.finditer(r"\w+", text[begin:end]) if word_stem(m.group()) in stems]
    if end - begin > width:  # keep the part of the sentence where the matches are
        first_match = spans[0][0]
        begin = max(begin, text.rfind(" ", begin, max(begin, first_match - 40)) + 1 if first_match - begin > 40 else begin)
        end = min(end, begin + width)
        cut = text.rfind(" ", begin, end)
        end = cut if cut > begin and end < chosen[1] else end
    out, cursor = [], begin
    for s, e in spans:
        if s >= begin and e <= end:
            out.append(html.escape(text[cursor:s]))
            out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
            cursor = e
    out.append(html.escape(text[cursor:end]))
    return ("…" if begin else "") + "".join(out) + ("…" if end < len(text) else "")
