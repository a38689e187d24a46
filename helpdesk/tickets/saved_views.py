"""Saved queue views: an agent names the query string of a queue page (filters and sort) to find it again.

Only the queue's own parameters are kept (never a page cursor), in a stable order, so the same view is the same
text; a name saved twice replaces its query."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select

from helpdesk import policy
from helpdesk.platform.errors import NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.policy import Action
from helpdesk.tickets.models import SavedQueueView

NAME_MAX, QUERY_MAX, VIEWS_MAX = 80, 2000, 30
# The queue page's parameters, in the order a saved query keeps them.
QUEUE_PARAMS = (
    "niveau",
    "statut",
    "porteur",
    "retard",
    "service",
    "mot_cle",
    "canal",
    "uai",
    "bassin",
    "age",
    "q",
    "tri",
    "ordre",
)


def clean_query(raw: str) -> str:
    """The queue parameters of a query string, without empty values or cursors."""
    pairs = [(k, v) for k, v in parse_qsl(raw or "", keep_blank_values=False) if k in QUEUE_PARAMS and v.strip()]
    pairs.sort(key=lambda pair: QUEUE_PARAMS.index(pair[0]))
    return urlencode(pairs)


def list_views(session, *, actor) -> list[SavedQueueView]:
    if not policy.can(actor, Action.VIEW_QUEUE):
        return []
    return list(session.scalars(select(SavedQueueView).where(SavedQueueView.user_id == actor.id).order_by(SavedQueueView.name)))


def save_view(session, *, actor, name: str, query: str, now: datetime) -> SavedQueueView:
    if not policy.can(actor, Action.VIEW_QUEUE):
        raise NotAllowed(N_("Les files de tickets sont réservées aux agents."))
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(N_("Donnez un nom à la vue."), field="name")
    if len(name) > NAME_MAX:
        raise ValidationFailed(N_("%(max)s caractères au plus."), params={"max": NAME_MAX}, field="name")
    query = clean_query(query)
    if len(query) > QUERY_MAX:
        raise ValidationFailed(N_("Ces filtres sont trop longs pour être enregistrés."), field="query")
    existing = session.scalar(select(SavedQueueView).where(SavedQueueView.user_id == actor.id, SavedQueueView.name == name))
    if existing is not None:
        existing.query = query
        session.flush()
        return existing
    if len(list_views(session, actor=actor)) >= VIEWS_MAX:
        raise ValidationFailed(N_("%(max)s vues au plus : supprimez-en une d'abord."), params={"max": VIEWS_MAX}, field="name")
    view = SavedQueueView(user_id=actor.id, name=name, query=query, created_at=now)
    session.add(view)
    session.flush()
    return view


def delete_view(session, view_id: int, *, actor) -> str:
    """Delete one of the actor's views; returns its name. Someone else's view is « not found », like a missing one."""
    view = session.get(SavedQueueView, view_id)
    if view is None or not policy.can_manage_saved_view(actor, view):
        raise NotFound(N_("Cette vue n'existe pas."))
    name = view.name
    session.delete(view)
    session.flush()
    return name
