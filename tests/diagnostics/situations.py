"""A simulated person walks the real diagnostic trees: the held-out situations of eval_situations.yaml reach their
key facts (a fix citing them) or their ticket (keyword and tier), through the services the pages use.

At each question the person picks the answer option sharing the most words with one of the phrases they would say
(accents, case and plurals folded; each phrase answers one question). A question none of their phrases answers,
or two options matching equally well, ends the walk as a miss: the tree asked something this person could not
answer. Shared by tests/diagnostics/test_eval_situations.py and `python -m bench.diag_eval`."""

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from helpdesk.platform.errors import NotFound
from kb.diagnostics import services

SITUATIONS = Path(__file__).resolve().parent / "eval_situations.yaml"
MAX_REDIRECTS = 3
_STOP = frozenset(
    """a au aux avec c ce ces d dans de des du elle en est et il ils j je l la le les leur leurs m ma me mes mon
    n ne nos notre on ou par pour qu que qui s sa se ses son sur un une vos votre y ont ai as""".split()
)


def load_situations(path: Path = SITUATIONS) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def stems(text: str) -> set[str]:
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    out = set()
    for word in re.findall(r"[a-z0-9]+", folded):
        if word in _STOP:
            continue
        if len(word) > 3 and word[-1] in "sx":
            word = word[:-1]
        out.add(word[:6])
    return out


@dataclass
class Pick:
    answer_id: str
    phrase: int


def choose(node, phrases: list[str], used: set[int]) -> Pick | None:
    """The answer this person gives to `node`, or None when no phrase answers it (or two options tie)."""
    scored = []
    for index, phrase in enumerate(phrases):
        if index in used:
            continue
        said = stems(phrase)
        for answer in node.answers:
            label = stems(answer.label)
            shared = len(said & label)
            if shared and said and label:
                scored.append((shared / len(said) + shared / len(label), answer.id, index))
    if not scored:
        return None
    scored.sort(key=lambda item: -item[0])
    best = scored[0]
    if any(score == best[0] and answer_id != best[1] for score, answer_id, _ in scored[1:]):
        return None
    return Pick(best[1], best[2])


@dataclass
class Verdict:
    case: dict
    reached: bool
    reason: str = ""
    path: list[str] = field(default_factory=list)  # "tree:answer" steps, then the outcome node


def _judge(node, expect: dict) -> tuple[bool, str]:
    if "facts" in expect:
        wanted = set(expect["facts"])
        if node.kind == "fix" and wanted <= set(node.faq_facts):
            return True, ""
        return False, f"ended on {node.kind} « {node.title} » citing {sorted(node.faq_facts)}, expected {sorted(wanted)}"
    if node.kind == "escalation" and node.keyword == expect["keyword"] and node.tier == expect["tier"]:
        return True, ""
    got = f"{node.keyword}/{node.tier}" if node.kind == "escalation" else f"{node.kind} « {node.title} »"
    return False, f"ended on {got}, expected ticket {expect['keyword']}/{expect['tier']}"


def walk_situation(session, case: dict) -> Verdict:
    """Follow the case's tree (and the redirects it meets) the way the walk pages do; judge the outcome."""
    slug, phrases, used, path = case["tree"], list(case["answers"]), set(), []
    for _ in range(MAX_REDIRECTS + 1):
        try:
            version = services.current_version(session, services.get_tree_or_404(session, slug))
        except NotFound:
            return Verdict(case, False, f"no tree « {slug} »", path)
        answers: list[str] = []
        while True:
            node = services.walk_tree(version, answers).node
            if node.is_outcome:
                break
            pick = choose(node, phrases, used)
            if pick is None:
                return Verdict(case, False, f"could not answer {slug}:{node.id} « {node.text} »", path)
            answers.append(pick.answer_id)
            used.add(pick.phrase)
            path.append(f"{slug}:{node.id}={pick.answer_id}")
        path.append(f"{slug}:{node.id}")
        if node.kind != "redirect":
            reached, reason = _judge(node, case["expect"])
            return Verdict(case, reached, reason, path)
        slug = node.tree
    return Verdict(case, False, "too many redirects", path)


def evaluate(session, cases: list[dict] | None = None) -> list[Verdict]:
    return [walk_situation(session, case) for case in (cases if cases is not None else load_situations())]
