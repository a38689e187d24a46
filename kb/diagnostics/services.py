"""Use cases of guided diagnostics: save a validated tree version, follow a walk as a run, record whether
the fix worked, build the ticket pre-fill and the per-tree statistics. Callers commit."""

from dataclasses import dataclass

import yaml
from sqlalchemy import select

from helpdesk import policy
from helpdesk.platform.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.routing.models import Keyword
from helpdesk.routing.suggest import suggest_keywords
from kb.diagnostics import handoff
from kb.diagnostics.models import DiagnosticRun, DiagnosticTree, DiagnosticTreeVersion
from kb.diagnostics.tree import Tree, TreeInvalid, WalkError, WalkResult, load_tree, parse_tree, walk


def list_trees(session) -> list[DiagnosticTree]:
    return list(session.scalars(select(DiagnosticTree).where(DiagnosticTree.current_version > 0).order_by(DiagnosticTree.title)))


def get_tree_or_404(session, slug: str) -> DiagnosticTree:
    tree = session.scalar(select(DiagnosticTree).where(DiagnosticTree.slug == slug))
    if tree is None or tree.current_version == 0:
        raise NotFound(N_("Le diagnostic « %(slug)s » n'existe pas."), params={"slug": slug})
    return tree


def current_version(session, tree: DiagnosticTree) -> DiagnosticTreeVersion:
    return session.scalar(
        select(DiagnosticTreeVersion).where(
            DiagnosticTreeVersion.tree_id == tree.id, DiagnosticTreeVersion.version == tree.current_version
        )
    )


def version_or_404(session, tree: DiagnosticTree, number: int) -> DiagnosticTreeVersion:
    version = session.scalar(
        select(DiagnosticTreeVersion).where(DiagnosticTreeVersion.tree_id == tree.id, DiagnosticTreeVersion.version == number)
    )
    if version is None:
        raise NotFound(N_("Le diagnostic « %(slug)s » n'a pas de version %(n)s."), params={"slug": tree.slug, "n": number})
    return version


def parsed(version: DiagnosticTreeVersion) -> Tree:
    """A stored version was validated when saved; parse it again without re-checking the catalog."""
    return parse_tree(version.data)


def walk_tree(version: DiagnosticTreeVersion, answers: list[str]) -> WalkResult:
    """Raises ValidationFailed (400) with the reason when the answers do not follow the tree."""
    try:
        return walk(parsed(version), answers)
    except WalkError as error:
        raise ValidationFailed(error.args[0]) from error  # the marked message, translated where shown


def known_keywords(session) -> set[str]:
    return set(session.scalars(select(Keyword.label).where(Keyword.is_active.is_(True))))


def known_slugs(session) -> set[str]:
    return set(session.scalars(select(DiagnosticTree.slug).where(DiagnosticTree.current_version > 0)))


def check_tree(session, data, *, extra_keywords=(), extra_slugs=()) -> Tree:
    """Validate against the keyword catalog and the other trees; raises ValidationFailed listing every error.

    extra_keywords / extra_slugs: labels and slugs about to be loaded in the same batch (the seed)."""
    slugs = known_slugs(session) | set(extra_slugs)
    if isinstance(data, dict) and data.get("slug"):
        slugs.add(str(data["slug"]).strip())  # a tree may be saved before the trees it redirects to exist
    try:
        return load_tree(data, known_keywords=known_keywords(session) | set(extra_keywords), known_trees=slugs)
    except TreeInvalid as error:
        raise ValidationFailed(error.errors, errors=error.errors) from error


def ensure_can_edit(actor) -> None:
    if not policy.can(actor, policy.Action.EDIT_DIAGNOSTICS):
        raise NotAllowed(N_("Seule l'équipe pilote peut créer ou modifier les diagnostics."))


def ensure_can_view_statistics(actor) -> None:
    if not policy.sees_academie_figures(actor):
        raise NotAllowed(N_("Les statistiques des diagnostics sont réservées à l'équipe pilote."))


def save_tree(
    session,
    data,
    *,
    actor,
    now,
    comment: str = "",
    editing: str | None = None,
    creating: bool = False,
    extra_keywords=(),
    extra_slugs=(),
) -> DiagnosticTreeVersion:
    """Store `data` as the next version of its tree (creating the tree on first save).

    actor None means an operator on the server (seed, CLI); a person must hold EDIT_DIAGNOSTICS.
    editing: the slug of the tree being edited (its slug may not change); creating: refuse an existing slug.
    Raises NotAllowed, ValidationFailed, Conflict."""
    if actor is not None:
        ensure_can_edit(actor)
    checked = check_tree(session, data, extra_keywords=extra_keywords, extra_slugs=extra_slugs)
    if editing is not None and checked.slug != editing:
        raise ValidationFailed(
            N_("Le slug ne peut pas changer : cet arbre s'appelle « %(slug)s », pas « %(other)s »."),
            params={"slug": editing, "other": checked.slug},
        )
    tree = session.scalar(select(DiagnosticTree).where(DiagnosticTree.slug == checked.slug))
    if creating and tree is not None:
        raise Conflict(
            N_("Un diagnostic « %(slug)s » existe déjà : modifiez-le depuis sa page ou changez de slug."),
            params={"slug": checked.slug},
        )
    if tree is None:
        tree = DiagnosticTree(slug=checked.slug, title=checked.title, current_version=0, created_at=now)
        session.add(tree)
        session.flush()
    version = DiagnosticTreeVersion(
        tree_id=tree.id,
        version=tree.current_version + 1,
        data=data,
        author_id=getattr(actor, "id", None),
        comment=comment.strip()[:300],
        created_at=now,
    )
    session.add(version)
    tree.current_version = version.version
    tree.title, tree.summary, tree.service, tree.updated_at = checked.title, checked.summary, checked.service, now
    session.flush()
    return version


def load_yaml(text: str):
    """Parse YAML text; raises ValidationFailed with the line of a syntax error."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = str(getattr(error, "problem", None) or error)  # PyYAML's own words, in English
        if mark:
            raise ValidationFailed(
                N_("Le YAML est illisible (ligne %(line)s, colonne %(column)s) : %(problem)s."),
                params={"line": mark.line + 1, "column": mark.column + 1, "problem": problem},
            ) from error
        raise ValidationFailed(N_("Le YAML est illisible : %(problem)s."), params={"problem": problem}) from error


class _ReadableDumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks, so an exported tree reads and diffs like the hand-written files."""


def _represent_str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ReadableDumper.add_representer(str, _represent_str)


def dump_yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_ReadableDumper, allow_unicode=True, sort_keys=False, width=100_000)  # no re-wrapping of texts


def track_run(
    session, tree: DiagnosticTree, version: DiagnosticTreeVersion, result: WalkResult, *, run_id, now
) -> DiagnosticRun | None:
    """Record where this person's walk stands; returns the run to remember, or None.

    A run starts with the first answer, not with the first page view, so crawlers following links do not
    inflate "started". The same run follows the person back and forth; starting over after an outcome,
    or a new version of the tree, starts a new run."""
    run = session.get(DiagnosticRun, run_id) if run_id else None
    if run is not None and (run.tree_id != tree.id or run.version_id != version.id):
        run = None
    if not result.path:
        if run is None or run.finished_at is not None:
            return None
    elif run is None:
        run = DiagnosticRun(tree_id=tree.id, version_id=version.id, started_at=now, answers=[])
        session.add(run)
    run.answers = [step.answer.id for step in result.path]
    if result.node.is_outcome:
        if run.outcome_node_id != result.node.id:
            run.finished_at, run.resolved = now, None
        run.outcome_node_id, run.outcome_kind = result.node.id, result.node.kind
    else:
        run.finished_at = run.outcome_node_id = run.outcome_kind = run.resolved = None
    session.flush()
    return run


def tree_for_keyword(session, label: str) -> DiagnosticTree | None:
    """The diagnostic to offer before the ticket form for this keyword: the catalog's link first, then any
    tree that lists the keyword among those it serves."""
    keyword = session.scalar(select(Keyword).where(Keyword.label == label))
    if keyword is not None and keyword.diagnostic_slug:
        tree = session.scalar(select(DiagnosticTree).where(DiagnosticTree.slug == keyword.diagnostic_slug))
        if tree is not None and tree.current_version > 0:
            return tree
    # Several trees may serve a keyword: prefer the one that lists it first (its main keyword).
    ranked = []
    for tree, data in _current_trees(session):
        keywords = data.get("keywords") or []
        if label in keywords:
            ranked.append((keywords.index(label), tree.slug, tree))
    return min(ranked, key=lambda item: item[:2])[2] if ranked else None


# How many of the suggester's keywords, best first, may lead a free text to a diagnostic: the first one alone
# misses a problem whose best keyword has no tree (measured in docs/diagnostics.md, « Départ en texte libre »).
FREE_TEXT_KEYWORDS = 3


@dataclass(frozen=True)
class Proposal:
    """A diagnostic proposed for a problem typed in free text, and the keyword that led to it."""

    tree: DiagnosticTree
    keyword: str


def diagnostic_for_text(session, text: str | None) -> Proposal | None:
    """The diagnostic to propose first for a problem typed in free text (home page, FAQ search, step 1 of the
    ticket form): the keyword suggester reads the text, and the first of its best keywords that has a diagnostic
    (tree_for_keyword: the catalog's link, then the trees' keyword lists) gives it. None when no keyword fits, or
    when the best keyword is a mass incident: a platform down for many people is level 1's, not a diagnostic's."""
    suggestions = suggest_keywords(session, text, limit=FREE_TEXT_KEYWORDS)
    if not suggestions or suggestions[0].doc.is_mass_incident:
        return None
    for suggestion in suggestions:
        tree = tree_for_keyword(session, suggestion.doc.label)
        if tree is not None:
            return Proposal(tree=tree, keyword=suggestion.doc.label)
    return None


def _current_trees(session) -> list[tuple[DiagnosticTree, dict]]:
    """Every published tree with the data of its current version, in one query."""
    return session.execute(
        select(DiagnosticTree, DiagnosticTreeVersion.data)
        .join(
            DiagnosticTreeVersion,
            (DiagnosticTreeVersion.tree_id == DiagnosticTree.id)
            & (DiagnosticTreeVersion.version == DiagnosticTree.current_version),
        )
        .where(DiagnosticTree.current_version > 0)
    ).all()


def attach_ticket(session, run_id: int | None, ticket_id: int) -> DiagnosticRun | None:
    """Link a run to the ticket it led to (analytics: which outcomes still end in tickets). Idempotent."""
    run = session.get(DiagnosticRun, run_id) if run_id else None
    if run is None or run.ticket_id not in (None, ticket_id):
        return None
    run.ticket_id = ticket_id
    run.resolved = False if run.outcome_kind == "fix" else run.resolved
    session.flush()
    return run


def record_resolution(session, run: DiagnosticRun | None, *, resolved: bool, now) -> None:
    """ "Est-ce résolu ?" — yes is a deflection (no ticket needed), no leads to the pre-filled ticket form."""
    if run is None or run.outcome_kind != "fix":
        raise ValidationFailed(N_("Ce diagnostic n'est pas arrivé à une solution : recommencez-le depuis le début."))
    run.resolved = resolved
    run.finished_at = run.finished_at or now
    session.flush()


def keyword_slug(session, label: str) -> str | None:
    return session.scalar(select(Keyword.slug).where(Keyword.label == label))


def prefill_data(tree: Tree, result: WalkResult, run: DiagnosticRun | None, keyword_fields=None, *, typed: str = "") -> dict:
    """What the ticket form receives: keyword, a subject naming the situation, a description stating the problem
    as typed (`typed`, when the walk started from free text) and the answers, the extra-field values the answers
    settle (`keyword_fields`: the keyword's field specs), the outcome reached."""
    node = result.node
    answers = result.carried()
    return {
        "source": "diagnostic",
        "tree": tree.slug,
        "run_id": run.id if run else None,
        "keyword": node.keyword,
        "tier": node.tier,
        "subject": handoff.subject(tree, result),
        "description": handoff.description(tree, result, answers, typed=typed),
        "fields": handoff.fields(result, keyword_fields or []),
        "answers": [list(pair) for pair in answers],
        "outcome": node.title,
    }


def keyword_fields(session, label: str) -> list[dict]:
    return session.scalar(select(Keyword.fields).where(Keyword.label == label)) or []


def tree_facts(data: dict) -> set[str]:
    """Every FAQ fact a tree version cites: its own and its outcomes'."""
    facts = {str(f) for f in data.get("faq_facts") or []}
    for node in (data.get("nodes") or {}).values():
        if isinstance(node, dict):
            facts.update(str(f) for f in node.get("faq_facts") or [])
    return facts


def trees_for_facts(session, facts, *, limit: int = 3) -> list[DiagnosticTree]:
    """The diagnostics whose current version covers these facts (the FAQ article's side of the link), those
    sharing most facts first."""
    wanted = {str(f) for f in facts or ()}
    if not wanted:
        return []
    rows = _current_trees(session)
    ranked = sorted(
        ((len(wanted & tree_facts(data)), tree.title, tree) for tree, data in rows if wanted & tree_facts(data)),
        key=lambda item: (-item[0], item[1]),
    )
    return [tree for _, _, tree in ranked[:limit]]
