"""What a finished walk tells the ticket form: a subject naming the situation, a description that states every
answer as a sentence, and the keyword's extra fields the answers already settle.

Pure module (standard library only): the same text in the pre-filled form, the API and the tests."""

import re
import unicodedata

from kb.diagnostics.tree import Tree, WalkResult

SUBJECT_MAX = 200
# Choices that never follow from an answer's wording alone: they only come from an answer's explicit `fields`.
_VAGUE_CHOICES = frozenset({"oui", "non", "autre", "ne sait pas"})
_ARTICLES = frozenset({"un", "une", "des", "le", "la", "les", "l"})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return " ".join(re.findall(r"[a-z0-9]+", "".join(c for c in decomposed if not unicodedata.combining(c))))


def _core(label: str) -> str:
    """« Enseignant (y compris ULIS…) » → « enseignant », « Une AESH » → « aesh »: the words that name the choice."""
    words = _fold(re.sub(r"\([^)]*\)", " ", label)).split()
    return " ".join(w for w in words if w not in _ARTICLES)


def subject(tree: Tree, result: WalkResult) -> str:
    """The situation, not a button label: the outcome's own `subject` when the tree gives one, else the tree's title,
    sharpened by the first answer when the first question sorts situations or profiles (three choices or more)."""
    if result.node.subject:
        return result.node.subject[:SUBJECT_MAX]
    text = tree.title
    if result.path and len(result.path[0].question.answers) >= 3:
        text = f"{tree.title} — {result.path[0].answer.label}"
    return text[:SUBJECT_MAX]


def _sentence(question: str, answer: str) -> str:
    return f"- {question.strip()} Réponse : {answer.strip().rstrip('.')}."


def description(tree: Tree, result: WalkResult, answers: list[tuple[str, str]], *, typed: str = "") -> str:
    """Plain text for the ticket's description (the requester may edit it before sending); `typed` is the problem
    as the person first typed it (home page, FAQ search, step 1 of the ticket form), repeated first."""
    node = result.node
    lines = [typed.strip(), ""] if typed.strip() else []
    lines.append(f"J'ai suivi le diagnostic « {tree.title} » sur le site de l'assistance.")
    if answers:
        lines += ["", "Mes réponses :"] + [_sentence(q, a) for q, a in answers]
    lines.append("")
    if node.kind == "fix":
        lines.append(f"La solution proposée, « {node.title} », n'a pas résolu le problème.")
    else:
        lines.append(f"Le diagnostic conclut : « {node.title} ».")
    if node.attach:
        lines += ["", "Informations à compléter :"] + [f"- {item} : " for item in node.attach]
    return "\n".join(lines)


def fields(result: WalkResult, specs: list[dict]) -> dict[str, str]:
    """Extra-field values the answers give: an answer's explicit `fields` first (later answers win), then a choice
    field whose choice is exactly what an answer says (« Élève », « AED (assistant d'éducation) » → « AED »)."""
    known = {spec["name"]: spec for spec in specs or [] if spec.get("name")}
    values: dict[str, str] = {}
    for step in result.path:
        for name, value in step.answer.fields:
            if name in known and _valid(known[name], value):
                values[name] = value
    for name, spec in known.items():
        if name in values or spec.get("type") != "choice":
            continue
        matches = {
            str(choice)
            for step in result.path
            for choice in spec.get("choices") or []
            if _fold(str(choice)) not in _VAGUE_CHOICES and _core(str(choice)) == _core(step.answer.label)
        }
        if len(matches) == 1:
            values[name] = matches.pop()
    return values


def _valid(spec: dict, value: str) -> bool:
    if spec.get("type") == "choice":
        return value in [str(c) for c in spec.get("choices") or []]
    return spec.get("type", "text") == "text"
