"""Editing the glossary in the interface: every creation, change or deletion keeps who, when, the entry before and
after and why; anchors never change, so links to a term survive a rename. kb/data/glossary.yaml seeds the
glossary and keeps updating only the entries nobody has edited here. Callers commit."""

import re

from sqlalchemy import func, select

from helpdesk import policy
from helpdesk.platform.errors import NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.routing.codes import Service
from kb import services
from kb.models import GlossaryRevision, GlossaryTerm

FIELDS = ("term", "expansion", "aliases", "definition", "service", "see_also")
LABELS = {
    "term": N_("Terme"),
    "expansion": N_("Développé"),
    "aliases": N_("Autres noms"),
    "definition": N_("Définition"),
    "service": N_("Service"),
    "see_also": N_("Voir aussi"),
}


def snapshot(term: GlossaryTerm) -> dict:
    return {
        "term": term.term,
        "expansion": term.expansion or "",
        "aliases": list(term.aliases or []),
        "definition": term.definition or "",
        "service": term.service or None,
        "see_also": list(term.see_also or []),
    }


def split_list(text: str) -> list[str]:
    """« ENT, Espace numérique ; eCollège31 » → a list, for aliases and see-also fields typed in one box."""
    return [part.strip() for part in re.split(r"[,;\n]", text or "") if part.strip()]


def _ensure_editor(actor) -> None:
    if not policy.can(actor, policy.Action.EDIT_GLOSSARY):
        raise NotAllowed(N_("Seuls les pilotes et les référents EduLAB peuvent modifier le glossaire."))


def _clean(session, term: GlossaryTerm | None, values: dict) -> dict:
    cleaned = {
        "term": (values.get("term") or "").strip(),
        "expansion": (values.get("expansion") or "").strip(),
        "aliases": [a for a in values.get("aliases") or [] if a],
        "definition": (values.get("definition") or "").strip(),
        "service": (values.get("service") or "").strip() or None,
        "see_also": [a for a in values.get("see_also") or [] if a],
    }
    errors = {}
    if not cleaned["term"]:
        errors["term"] = N_("Indiquez le terme.")
    elif len(cleaned["term"]) > 120:
        errors["term"] = N_("Le terme ne doit pas dépasser 120 caractères.")
    else:
        clash = session.scalar(select(GlossaryTerm).where(func.lower(GlossaryTerm.term) == cleaned["term"].lower()))
        if clash is not None and clash is not term:
            errors["term"] = N_("Le terme « %(term)s » existe déjà : modifiez-le plutôt.", term=clash.term)
    if len(cleaned["expansion"]) > 300:
        errors["expansion"] = N_("Le développé ne doit pas dépasser 300 caractères.")
    if not cleaned["definition"]:
        errors["definition"] = N_("Rédigez la définition.")
    if cleaned["service"] is not None and cleaned["service"] not in {s.value for s in Service}:
        errors["service"] = N_("Choisissez un service de l'ENT, ou aucun.")
    if errors:
        raise ValidationFailed(N_("Le terme n'a pas été enregistré : corrigez les champs signalés."), fields=errors)
    return cleaned


def save_term(session, term: GlossaryTerm | None, values: dict, *, comment: str = "", actor, now) -> GlossaryTerm:
    """Create (term None) or change an entry; a revision records before → after. Raises NotAllowed, ValidationFailed."""
    _ensure_editor(actor)
    cleaned = _clean(session, term, values)
    before = snapshot(term) if term is not None else None
    if before == cleaned:
        return term
    if term is None:
        anchors = set(session.scalars(select(GlossaryTerm.anchor)))
        anchor = base = services.slugify(cleaned["term"])
        counter = 2
        while anchor in anchors:
            anchor, counter = f"{base}-{counter}", counter + 1
        term = GlossaryTerm(anchor=anchor)
        session.add(term)
    for name, value in cleaned.items():
        setattr(term, name, value)
    term.updated_at = now
    session.flush()
    session.add(
        GlossaryRevision(
            term_id=term.id,
            term=term.term,
            author_id=actor.id,
            created_at=now,
            before=before,
            after=cleaned,
            comment=comment.strip()[:300],
        )
    )
    _reindex(session, term.id)
    return term


def delete_term(session, term: GlossaryTerm, *, comment: str = "", actor, now) -> None:
    _ensure_editor(actor)
    session.add(
        GlossaryRevision(
            term_id=None,
            term=term.term,
            author_id=actor.id,
            created_at=now,
            before=snapshot(term),
            after=None,
            comment=comment.strip()[:300],
        )
    )
    term_id = term.id
    session.execute(GlossaryRevision.__table__.update().where(GlossaryRevision.term_id == term_id).values(term_id=None))
    session.delete(term)
    session.flush()
    _reindex(session, term_id)


def _reindex(session, term_id: int) -> None:
    from helpdesk.platform.queue import enqueue_after_commit
    from kb import indexing

    indexing.record_change(session, "glossary", term_id)
    enqueue_after_commit(session, "kb.jobs.refresh_index", queue="kb", job_id="kb-refresh-index")
    indexing.sync_after_commit(session)


def get_term_or_404(session, term_id: int) -> GlossaryTerm:
    term = session.get(GlossaryTerm, term_id)
    if term is None:
        raise NotFound(N_("Terme introuvable."))
    return term


def history(session, *, actor, term: GlossaryTerm | None = None, limit: int = 200) -> list[GlossaryRevision]:
    """Changes made in the editor, newest first (one term's, or every term's)."""
    _ensure_editor(actor)
    query = select(GlossaryRevision)
    if term is not None:
        query = query.where(GlossaryRevision.term_id == term.id)
    return list(session.scalars(query.order_by(GlossaryRevision.created_at.desc(), GlossaryRevision.id.desc()).limit(limit)))


def changed_fields(revision: GlossaryRevision) -> list[tuple[str, str, str]]:
    """(field label, before, after) for what this revision changed; lists shown comma-separated."""
    before, after = revision.before or {}, revision.after or {}

    def shown(value):
        return ", ".join(value) if isinstance(value, list) else (value or "")

    return [
        (LABELS[name], shown(before.get(name)), shown(after.get(name)))
        for name in FIELDS
        if shown(before.get(name)) != shown(after.get(name))
    ]


def edited_in_ui(session) -> set[str]:
    """Names, old and new, of the terms a person has created, changed, renamed or deleted here: the seed leaves
    them as edited (a renamed or deleted entry does not come back from the file)."""
    names = set()
    for revision in session.scalars(select(GlossaryRevision).where(GlossaryRevision.author_id.is_not(None))):
        names.add(revision.term)
        names.update(str(side["term"]) for side in (revision.before, revision.after) if side and side.get("term"))
    return names


def matches(term: GlossaryTerm, query: str) -> bool:
    """The glossary page's filter: every word of the query in the term, its expansion, aliases or definition."""
    haystack = services.sort_key(" ".join([term.term, term.expansion or "", " ".join(term.aliases or []), term.definition or ""]))
    return all(word in haystack for word in services.sort_key(query).split())
