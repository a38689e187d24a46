"""No French reaches a reader unmarked: messages in Python code go through the catalogue (N_, _, lazy_gettext).

The scan reads the sources with `ast` and looks at the literals handed to the places a reader sees: exceptions
raised or built (domain errors, refusals), `flash`, `abort`, `jsonify` error bodies, WTForms fields (label,
description, choices) and validators' messages, `append` on a list of errors or problems. A literal there that looks
French (accented letters or common French words) must be wrapped in a translation marker. Seed and demo data,
migrations and domain content (keywords, FAQ, glossary, French vocabulary for search) are left out: they are French
by design.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("helpdesk", "kb", "escalation")

# Domain content and data: French by design, never shown as interface text.
SKIPPED_PARTS = {"translations", "templates", "data", "migrations"}
SKIPPED_NAMES = {"seed.py", "demo.py", "cli.py"}  # cli.py: commands for the operators, who read French
SKIPPED_FILES = {
    "helpdesk/platform/french/vocabulary.py",  # French words the search engine folds and expands
    "helpdesk/platform/french/analysis.py",  # French stemming and stop words
    # Messages for the operators (French team) at start-up or in the logs, never shown to a reader:
    "helpdesk/platform/backup.py",  # the backup command
    "helpdesk/platform/redis_embedded.py",  # the embedded Redis that would not start
    "helpdesk/platform/queue.py",  # the Redis circuit breaker, logged by the job queue
    "helpdesk/users/sso_config.py",  # single sign-on settings refused at start-up
}
# The few calls whose French is deliberate, each with its reason.
ALLOWED = {
    # Written into the ticket's thread with the mail it came with: stored content, not interface text.
    ("helpdesk/mailchannel/services.py", "Pièces jointes non retenues :\n"),
}

MARKERS = {"N_", "_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "pgettext"}
VALIDATORS = {
    "DataRequired", "InputRequired", "Length", "Email", "EqualTo", "NumberRange", "Optional", "Regexp", "AnyOf",
    "NoneOf", "URL", "UUID", "MacAddress", "IPAddress",
}  # fmt: skip
FIELD_SUFFIX = "Field"
ERRORS_LISTS = re.compile(r"(error|problem|warning|refus|issue|message)s?$", re.I)
REASON_FUNCTIONS = re.compile(r"(problem|error|refusal|reason)s?$", re.I)
SHOWN_CALLS = {"flash", "abort", "jsonify", "json_error"}

FRENCH_LETTERS = re.compile(r"[àâäçéèêëîïôöùûüÿœæ«»]", re.I)
FRENCH_WORDS = re.compile(
    r"\b(le|la|les|de|des|du|un|une|est|sont|pas|vous|votre|vos|pour|avec|dans|sur|cette|ces|aux|qui|que|se|ne|"
    r"il|elle|ou|et|mot|compte|aucun|aucune|introuvable|inconnu|inconnue|indiquez|choisissez|seuls?|seules?|"
    r"obligatoire|trop|long|longue|merci|raison|motif|terme|nom|adresse|courriel|fichier|jeton|niveau|public|"
    r"aucun|tous|toutes|autre|autres|oui|non)\b"
    r"|\b(l|d|n|qu|s|j)'[a-zàâéèêîôûh]",
    re.I,
)


def looks_french(text: str) -> bool:
    return bool(FRENCH_LETTERS.search(text) or FRENCH_WORDS.search(text))


def _name(func) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literals(node):
    """String literals of an argument that reach the reader as they are (not inside a translation marker)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):  # an f-string cannot be translated: its literal parts count
        for part in node.values:
            yield from _literals(part)
    elif isinstance(node, ast.Call) and _name(node.func) in MARKERS:
        return
    elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        for element in node.elts:
            yield from _literals(element)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _literals(value)
    elif isinstance(node, ast.BinOp):
        yield from _literals(node.left)
        yield from _literals(node.right)
    elif isinstance(node, ast.Subscript):  # flash({"a": "…", "b": "…"}[state])
        yield from _literals(node.value)
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _literals(value)


def _arguments(call: ast.Call):
    yield from call.args
    for keyword in call.keywords:
        yield keyword.value


def _exception_names(trees) -> set[str]:
    """Classes of the three packages that are exceptions (their constructors carry messages)."""
    names = {"Exception", "ValueError", "RuntimeError", "DomainError", "ClickException", "UsageError", "BadParameter"}
    changed = True
    while changed:
        changed = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    if any(_name(base) in names or _name(base).endswith(("Error", "Exception")) for base in node.bases):
                        names.add(node.name)
                        changed = True
    return names


def _shown_literals(tree, exceptions):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        args = []
        if name in exceptions or name.endswith(("Error", "Exception", "Refused")) or name in SHOWN_CALLS:
            args = list(_arguments(node))
        elif name in VALIDATORS:
            args = list(_arguments(node))
        elif name.endswith(FIELD_SUFFIX) and name[0].isupper() and name != "Field":  # pydantic's Field: API schema
            labels = node.args[:1] + [k.value for k in node.keywords if k.arg in ("label", "description")]
            for argument in labels:  # a field's label is interface text, even one French-looking word (« Terme »)
                for text in _literals(argument):
                    if any(character.isalpha() for character in text):
                        yield node.lineno, text
            args = [k.value for k in node.keywords if k.arg == "choices"]
        elif name in ("append", "extend", "insert") and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if ERRORS_LISTS.search(_name(target) if not isinstance(target, ast.Subscript) else _name(target.value)):
                args = node.args
        for argument in args:
            for text in _literals(argument):
                if looks_french(text):
                    yield node.lineno, text
    for node in ast.walk(tree):
        # def password_problem(...): return "…" — a function that answers with the reason for a refusal
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and REASON_FUNCTIONS.search(node.name):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and inner.value is not None:
                    for text in _literals(inner.value):
                        if looks_french(text):
                            yield inner.lineno, text
        # errors["field"] = "…"
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
            if ERRORS_LISTS.search(_name(node.targets[0].value)):
                for text in _literals(node.value):
                    if looks_french(text):
                        yield node.lineno, text


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if SKIPPED_PARTS & set(path.relative_to(ROOT).parts) or path.name in SKIPPED_NAMES:
                continue
            if relative in SKIPPED_FILES:
                continue
            yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=relative)


def unmarked_french() -> list[str]:
    sources = list(_sources())
    exceptions = _exception_names([tree for _path, tree in sources])
    found = []
    for relative, tree in sources:
        for lineno, text in _shown_literals(tree, exceptions):
            if (relative, text) not in ALLOWED:
                found.append(f"{relative}:{lineno}: {text!r}")
    return sorted(set(found))


def test_french_words_are_recognised():
    assert looks_french("Mot-clé introuvable.")
    assert looks_french("Choisissez un mot-clé")
    assert not looks_french("cursor out of range")
    assert looks_french("Service de l'ENT")
    assert not looks_french("CAS: no service ticket in the callback")
    assert not looks_french("the user's ticket isn't open")


def test_the_scan_sees_an_unmarked_refusal(tmp_path):
    tree = ast.parse(
        'raise NotAllowed("Seuls les pilotes publient.")\n'
        'raise NotAllowed(N_("Seuls les pilotes publient."))\n'
        'flash(f"Ticket {ref} créé", "success")\n'
        'problems.append("Indiquez un titre.")\n'
        'name = StringField("Intitulé", validators=[DataRequired("Indiquez un titre.")])\n'
    )
    lines = sorted(lineno for lineno, _text in _shown_literals(tree, {"NotAllowed"}))
    assert lines == [1, 3, 4, 5, 5]


def test_no_unmarked_french_in_messages_shown_to_readers():
    found = unmarked_french()
    assert not found, "wrap these in N_()/_()/_l() and translate them:\n" + "\n".join(found)
