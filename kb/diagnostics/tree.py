"""A diagnostic tree is valid when every node is reachable, no path dead-ends or loops, no path asks more
than five questions and every outcome routes somewhere real; walking it maps answer ids to the next node.

Pure module: standard library and the routing code tables only, so validation runs the same in the editor, the CLI, the seed and tests."""

import re
from dataclasses import dataclass, field

from helpdesk.platform.i18n import N_
from helpdesk.routing.codes import ENTRY_TIERS  # the vendor is never an entry point of the chain

MAX_QUESTIONS = 5
KINDS = ("question", "fix", "escalation", "redirect")
# Answer ids travel in the URL as "?a=eleve,oui_48h": no commas, spaces or accents.
IDENTIFIER = re.compile(r"^[A-Za-z0-9_-]{1,60}$")


class TreeInvalid(ValueError):
    """The tree cannot be saved; `errors` lists every problem, each naming the faulty node."""

    def __init__(self, errors: list[str]):
        super().__init__(" ".join(errors))
        self.errors = errors


ANSWER_ID_MAX_CHARS = 64
MAX_ANSWERS = 200


class WalkError(ValueError):
    """The answers given do not follow the tree (unknown answer id, answers past an outcome)."""


@dataclass(frozen=True)
class Answer:
    id: str
    label: str
    next: str
    # Values this answer gives to the ticket form's extra fields (name of the keyword's field, value), e.g.
    # « Autre personnel » → (("profil_concerne", "Autre"),): the pre-filled ticket does not ask it again.
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    title: str = ""
    text: str = ""
    help: str = ""
    answers: tuple[Answer, ...] = ()
    admin_path: str = ""
    delay: str = ""
    faq_facts: tuple[str, ...] = ()
    keyword: str = ""  # escalation: the keyword of the ticket; fix: the fallback keyword
    tier: str = ""
    carry: tuple[str, ...] = ()
    attach: tuple[str, ...] = ()
    tree: str = ""  # redirect: slug of the other tree
    subject: str = ""  # fix or escalation: the ticket's subject when the tree's title does not say the situation

    @property
    def is_outcome(self) -> bool:
        return self.kind != "question"

    def answer(self, answer_id: str) -> Answer | None:
        return next((a for a in self.answers if a.id == answer_id), None)


@dataclass(frozen=True)
class Tree:
    slug: str
    title: str
    summary: str
    service: str
    keywords: tuple[str, ...]
    faq_facts: tuple[str, ...]
    start: str
    nodes: dict[str, Node]


@dataclass(frozen=True)
class Step:
    question: Node
    answer: Answer


@dataclass(frozen=True)
class WalkResult:
    """Where a walk stands: the current node (a question still to answer, or an outcome) and the path to it."""

    node: Node
    path: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def step_number(self) -> int:
        return len(self.path) + 1

    def carried(self) -> list[tuple[str, str]]:
        """(question text, answer label) pairs for the ticket; an escalation may keep only some questions."""
        keep = set(self.node.carry) if self.node.kind == "escalation" and self.node.carry else None
        return [(s.question.text, s.answer.label) for s in self.path if keep is None or s.question.id in keep]


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def _strings(value) -> tuple[str, ...]:
    return tuple(_text(v) for v in value) if isinstance(value, list) else ()


def _parse_node(node_id: str, raw, errors: list[str]) -> Node | None:
    if not isinstance(raw, dict):
        errors.append(N_("Le nœud « %(node)s » doit être une table de champs (kind, text…).", node=node_id))
        return None
    kind = _text(raw.get("kind"))
    if kind not in KINDS:
        errors.append(
            N_(
                "Le nœud « %(node)s » a un type « %(kind)s » inconnu : attendu question, fix, escalation ou redirect.",
                node=node_id,
                kind=kind,
            )
        )
        return None
    answers = []
    for position, item in enumerate(raw.get("answers") or [], start=1):
        if not isinstance(item, dict) or not _text(item.get("id")) or not _text(item.get("label")):
            errors.append(
                N_("Le nœud « %(node)s » : la réponse n° %(n)s doit avoir un id et un libellé.", node=node_id, n=position)
            )
            continue
        fields = item.get("fields")
        if fields is not None and not (isinstance(fields, dict) and all(isinstance(v, (str, int)) for v in fields.values())):
            errors.append(
                N_(
                    "Le nœud « %(node)s » : la réponse « %(answer)s » a des champs (fields) qui ne sont pas une table nom: valeur.",
                    node=node_id,
                    answer=_text(item["id"]),
                )
            )
            fields = None
        pairs = tuple((_text(k), _text(v)) for k, v in (fields or {}).items())
        answers.append(Answer(_text(item["id"]), _text(item["label"]), _text(item.get("next")), pairs))
    fallback = raw.get("fallback") if isinstance(raw.get("fallback"), dict) else {}
    return Node(
        id=node_id,
        kind=kind,
        title=_text(raw.get("title")),
        text=_text(raw.get("text")),
        help=_text(raw.get("help")),
        answers=tuple(answers),
        admin_path=_text(raw.get("admin_path")),
        delay=_text(raw.get("delay")),
        faq_facts=_strings(raw.get("faq_facts")),
        keyword=_text(raw.get("keyword") if kind == "escalation" else fallback.get("keyword")),
        tier=_text(raw.get("tier") if kind == "escalation" else fallback.get("tier")),
        carry=_strings(raw.get("carry")),
        attach=_strings(raw.get("attach")),
        tree=_text(raw.get("tree")),
        subject=_text(raw.get("subject"))[:200],
    )


def parse_tree(data) -> Tree:
    """Build a Tree from its dict form (YAML or JSON); raises TreeInvalid on a malformed structure."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise TreeInvalid([N_("L'arbre doit être une table YAML (slug, title, start, nodes…).")])
    for key in ("slug", "title", "start"):
        if not _text(data.get(key)):
            errors.append(N_("L'arbre n'a pas de champ « %(key)s ».", key=key))
    raw_nodes = data.get("nodes")
    if not isinstance(raw_nodes, dict) or not raw_nodes:
        errors.append(N_("L'arbre n'a aucun nœud (champ « nodes »)."))
        raw_nodes = {}
    nodes = {}
    for node_id, raw in raw_nodes.items():
        node = _parse_node(str(node_id), raw, errors)
        if node is not None:
            nodes[node.id] = node
    if errors:
        raise TreeInvalid(errors)
    return Tree(
        slug=_text(data["slug"]),
        title=_text(data["title"]),
        summary=_text(data.get("summary")),
        service=_text(data.get("service")),
        keywords=_strings(data.get("keywords")),
        faq_facts=_strings(data.get("faq_facts")),
        start=_text(data["start"]),
        nodes=nodes,
    )


def _node_errors(tree: Tree, node: Node, known_keywords, known_trees) -> list[str]:
    errors = []
    node_id = node.id
    if node.kind == "question":
        if not node.text:
            errors.append(N_("Le nœud « %(node)s » est une question sans texte.", node=node_id))
        if len(node.answers) < 2:
            errors.append(
                N_("Le nœud « %(node)s » est une impasse : une question doit proposer au moins deux réponses.", node=node_id)
            )
        seen = set()
        for answer in node.answers:
            if not IDENTIFIER.match(answer.id):
                errors.append(
                    N_(
                        "Le nœud « %(node)s » : l'identifiant de réponse « %(answer)s » ne doit contenir que des lettres "
                        "sans accent, des chiffres, - ou _.",
                        node=node_id,
                        answer=answer.id,
                    )
                )
            if answer.id in seen:
                errors.append(
                    N_("Le nœud « %(node)s » propose deux fois la réponse « %(answer)s ».", node=node_id, answer=answer.id)
                )
            seen.add(answer.id)
            if answer.next not in tree.nodes:
                errors.append(
                    N_(
                        "Le nœud « %(node)s » : la réponse « %(answer)s » mène à « %(next)s », qui n'existe pas.",
                        node=node_id,
                        answer=answer.id,
                        next=answer.next,
                    )
                )
        return errors
    if not node.title:
        errors.append(N_("Le nœud « %(node)s » n'a pas de titre.", node=node_id))
    if node.kind in ("fix", "escalation"):
        what = N_("sa solution de repli (fallback)") if node.kind == "fix" else N_("l'escalade")
        if not node.keyword:
            errors.append(N_("Le nœud « %(node)s » : %(what)s doit nommer un mot-clé.", node=node_id, what=what))
        elif known_keywords is not None and node.keyword not in known_keywords:
            errors.append(
                N_(
                    "Le nœud « %(node)s » : le mot-clé « %(keyword)s » de %(what)s n'existe pas.",
                    node=node_id,
                    keyword=node.keyword,
                    what=what,
                )
            )
        if node.tier not in ENTRY_TIERS:
            errors.append(
                N_(
                    "Le nœud « %(node)s » : le niveau « %(tier)s » de %(what)s doit être n1, edulab ou pilote.",
                    node=node_id,
                    tier=node.tier,
                    what=what,
                )
            )
    if node.kind == "escalation":
        for question_id in node.carry:
            if tree.nodes.get(question_id) is None or tree.nodes[question_id].kind != "question":
                errors.append(
                    N_(
                        "Le nœud « %(node)s » reprend la question « %(question)s », qui n'existe pas.",
                        node=node_id,
                        question=question_id,
                    )
                )
    if node.kind == "redirect":
        if not node.tree:
            errors.append(N_("Le nœud « %(node)s » doit nommer l'arbre vers lequel il renvoie.", node=node_id))
        elif node.tree == tree.slug or (known_trees is not None and node.tree not in known_trees):
            errors.append(
                N_("Le nœud « %(node)s » renvoie vers l'arbre « %(tree)s », qui n'existe pas.", node=node_id, tree=node.tree)
            )
    return errors


def _shape_errors(tree: Tree) -> list[str]:
    """Cycles and over-long paths, found by one depth-first search from the start."""
    errors: list[str] = []
    depth: dict[str, int] = {}  # most questions asked from this node to any outcome
    on_stack: set[str] = set()

    def visit(node_id: str) -> int:
        if node_id in depth:
            return depth[node_id]
        node = tree.nodes.get(node_id)
        if node is None or not node.answers:
            depth[node_id] = 1 if node is not None and node.kind == "question" else 0
            return depth[node_id]
        on_stack.add(node_id)
        longest = 0
        for answer in node.answers:
            if answer.next in on_stack:
                errors.append(
                    N_(
                        "Le nœud « %(node)s » forme une boucle : sa réponse « %(answer)s » ramène à « %(next)s ».",
                        node=node_id,
                        answer=answer.id,
                        next=answer.next,
                    )
                )
                continue
            longest = max(longest, visit(answer.next))
        on_stack.discard(node_id)
        depth[node_id] = longest + (1 if node.kind == "question" else 0)
        return depth[node_id]

    visit(tree.start)
    if not errors and depth[tree.start] > MAX_QUESTIONS:
        culprit = _question_beyond_limit(tree, depth)
        errors.append(
            N_(
                "Le nœud « %(node)s » est la %(rank)se question d'un même parcours : %(max)s questions au plus sont permises.",
                node=culprit,
                rank=MAX_QUESTIONS + 1,
                max=MAX_QUESTIONS,
            )
        )
    return errors


def _question_beyond_limit(tree: Tree, depth: dict[str, int]) -> str:
    """Follow the longest path from the start and return its first question past the limit."""
    node_id, asked = tree.start, 0
    while True:
        node = tree.nodes[node_id]
        asked += 1
        if asked > MAX_QUESTIONS:
            return node_id
        node_id = max((a.next for a in node.answers), key=lambda n: depth.get(n, 0))


def _reachable(tree: Tree) -> set[str]:
    seen, todo = set(), [tree.start]
    while todo:
        node_id = todo.pop()
        if node_id in seen or node_id not in tree.nodes:
            continue
        seen.add(node_id)
        todo.extend(a.next for a in tree.nodes[node_id].answers)
    return seen


def validate_tree(tree: Tree, *, known_keywords=None, known_trees=None) -> list[str]:
    """Every problem of the tree, in French, each naming its node; [] when valid.

    known_keywords / known_trees: sets of keyword labels and tree slugs; None skips that check."""
    if tree.start not in tree.nodes:
        return [N_("Le nœud de départ « %(node)s » n'existe pas.", node=tree.start)]
    errors = []
    for node in tree.nodes.values():
        errors += _node_errors(tree, node, known_keywords, known_trees)
    reachable = _reachable(tree)
    errors += [
        N_("Le nœud « %(node)s » n'est atteint par aucun parcours depuis « %(start)s ».", node=n, start=tree.start)
        for n in tree.nodes
        if n not in reachable
    ]
    if known_keywords is not None:
        errors += [
            N_("L'arbre cite le mot-clé « %(keyword)s », qui n'existe pas.", keyword=k)
            for k in tree.keywords
            if k not in known_keywords
        ]
    if not any("n'existe pas" in e and "mène à" in e for e in errors):
        errors += _shape_errors(tree)
    return errors


def load_tree(data, *, known_keywords=None, known_trees=None) -> Tree:
    """Parse and validate; raises TreeInvalid listing every problem."""
    tree = parse_tree(data)
    errors = validate_tree(tree, known_keywords=known_keywords, known_trees=known_trees)
    if errors:
        raise TreeInvalid(errors)
    return tree


def walk(tree: Tree, answers: list[str]) -> WalkResult:
    """Follow the answer ids from the start; returns the node reached and the path. Raises WalkError."""
    if len(answers) > MAX_ANSWERS:
        raise WalkError(N_("Un parcours compte %(max)s réponses au plus (%(n)s reçues).", max=MAX_ANSWERS, n=len(answers)))
    node = tree.nodes[tree.start]
    path: list[Step] = []
    for position, answer_id in enumerate(answers, start=1):
        if len(str(answer_id)) > ANSWER_ID_MAX_CHARS:  # refused by its length, never echoed back whole
            raise WalkError(
                N_(
                    "La réponse n° %(n)s fait %(length)s caractères : un identifiant de réponse en compte %(max)s au plus.",
                    n=position,
                    length=len(str(answer_id)),
                    max=ANSWER_ID_MAX_CHARS,
                )
            )
        if node.is_outcome:
            raise WalkError(
                N_(
                    "Le parcours est déjà terminé au nœud « %(node)s » : la réponse n° %(n)s est de trop.",
                    node=node.id,
                    n=position,
                )
            )
        answer = node.answer(str(answer_id))
        if answer is None:
            expected = ", ".join(a.id for a in node.answers)
            raise WalkError(
                N_(
                    "La réponse « %(answer)s » n'existe pas pour la question « %(node)s » (réponses possibles : %(expected)s).",
                    answer=answer_id,
                    node=node.id,
                    expected=expected,
                )
            )
        path.append(Step(node, answer))
        node = tree.nodes[answer.next]
    return WalkResult(node, tuple(path))


def remaining_questions(tree: Tree, node_id: str) -> int:
    """Most questions still to answer from this node (itself included), for "Étape 3 sur au plus 5"."""
    node = tree.nodes[node_id]
    if node.is_outcome:
        return 0
    return 1 + max(remaining_questions(tree, answer.next) for answer in node.answers)
