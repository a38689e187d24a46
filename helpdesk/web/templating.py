"""Jinja globals and filters shared by every page: labels, dates in Paris time, permissions, menus."""

from flask import url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

from helpdesk import policy
from helpdesk.platform.markup import render_markdown
from helpdesk.platform.timeutil import as_utc, utcnow
from helpdesk.routing.codes import PRIORITY_LABELS, SERVICE_LABELS, TICKET_TYPE_LABELS, TIER_LABELS
from helpdesk.tickets.states import STATUS_LABELS, Status
from helpdesk.users.models import PROFILE_LABELS, ROLE_LABELS, Role


def link_if(endpoint: str, **values) -> str | None:
    """URL of an endpoint, or None when that area is not installed (keeps menus honest)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _label(mapping, value) -> str:
    """The label of a code in the reader's language (tables mark their French labels with N_)."""
    for key, label in mapping.items():
        if key == value:
            return _(label)
    return value or ""


def main_menu() -> list[tuple[str, str]]:
    """Header navigation for the current user, as (label, url) pairs."""
    items: list[tuple[str, str | None]] = []
    user = current_user
    items.append((_("FAQ"), link_if("kb.faq")))
    items.append((_("Erreurs fréquentes"), link_if("diagnostics.index")))
    if user.is_authenticated:
        if policy.can(user, policy.Action.CREATE_TICKET):
            items.append((_("Ouvrir un ticket"), link_if("tickets.new")))
        if user.has_role(Role.REQUESTER):
            items.append((_("Mes tickets"), link_if("tickets.mine")))
        if policy.is_head_of_school(user):
            items.append((_("Mon établissement"), link_if("tickets.school")))
        if policy.can(user, policy.Action.VIEW_QUEUE):
            items.append((_("File de tickets"), link_if("tickets.queue")))
        if policy.can(user, policy.Action.VIEW_EVOLUTIONS):
            items.append((_("Évolutions et bugs"), link_if("tickets.evolutions")))
        if user.has_role(Role.REQUESTER, Role.FORMATION, Role.DAFPEN, Role.PILOTE):
            items.append((_("Formations"), link_if("trainings.index")))
        if policy.can(user, policy.Action.VIEW_DASHBOARD):
            items.append((_("Chiffres"), link_if("reports.show")))
        if any(
            policy.can(user, a) for a in (policy.Action.MANAGE_USERS, policy.Action.EDIT_CATALOG, policy.Action.VIEW_OPERATIONS)
        ):
            items.append((_("Administration"), link_if("admin.index")))
        if policy.can(user, policy.Action.EDIT_CATALOG) and link_if("admin.index") is None:
            items.append((_("Mots-clés"), link_if("routing.catalog")))  # pilots reach the catalog until an admin index exists
    else:
        items.append((_("Formations"), link_if("trainings.index")))
    return [(label, url) for label, url in items if url]


def paris_datetime(value, fmt: str = "d MMM yyyy 'à' HH:mm") -> str:
    value = as_utc(value)
    return format_datetime(value, fmt) if value else ""


def status_label(value, ticket=None) -> str:
    """A ticket waiting for its requester reads « en attente de votre réponse » to that requester only."""
    if (
        ticket is not None
        and value == Status.WAITING_REQUESTER
        and current_user.is_authenticated
        and ticket.requester_id == current_user.id
    ):
        return _("En attente de votre réponse")
    return _label(STATUS_LABELS, value)


def due_date(value, is_open: bool = True, fmt: str = "dd/MM/yyyy HH:mm") -> Markup:
    """A deadline in Paris time, flagged when an open ticket has passed it (the sweep acts on it within a minute).

    The short default format keeps queue tables narrow; the ticket page passes the long one."""
    value = as_utc(value)
    if not value:
        return Markup("—")
    text = escape(paris_datetime(value, fmt))
    if is_open and value <= utcnow():
        badge = escape(_("Dépassée"))
        return Markup(f'{text} <span class="fr-badge fr-badge--sm fr-badge--error fr-badge--no-icon">{badge}</span>')
    return Markup(text)


def install_template_helpers(app) -> None:
    app.jinja_env.globals.update(
        link_if=link_if,
        get_locale=get_locale,
        main_menu=main_menu,
        can=lambda action, ticket=None: policy.can(current_user, action, ticket),
        is_head_of_school=lambda: policy.is_head_of_school(current_user),
        sees_academie_figures=lambda: policy.sees_academie_figures(current_user),
        Action=policy.Action,
        Role=Role,
    )
    app.jinja_env.filters.update(
        markdown=render_markdown,
        paris=paris_datetime,
        service_label=lambda v: _label(SERVICE_LABELS, v),
        tier_label=lambda v: _label(TIER_LABELS, v),
        status_label=status_label,
        due=due_date,
        priority_label=lambda v: _label(PRIORITY_LABELS, v),
        type_label=lambda v: _label(TICKET_TYPE_LABELS, v),
        profile_label=lambda v: _label(PROFILE_LABELS, v),
        role_label=lambda v: _label(ROLE_LABELS, v),
    )
