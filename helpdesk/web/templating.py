"""Jinja globals and filters shared by every page: labels, dates in Paris time, figures, permissions, menus."""

from datetime import datetime

from flask import url_for
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

from helpdesk import policy
from helpdesk.platform import errors, formatting
from helpdesk.platform.i18n import N_
from helpdesk.platform.markup import render_markdown
from helpdesk.platform.timeutil import as_utc, to_paris, utcnow
from helpdesk.routing.codes import PRIORITY_LABELS, SERVICE_LABELS, TICKET_TYPE_LABELS, TIER_LABELS
from helpdesk.tickets.deadlines import DeadlineState, deadline_state, duration_parts
from helpdesk.tickets.states import CLOCK_PAUSED, STATUS_LABELS
from helpdesk.tickets.timeline import status_label_for
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


def translated(mapping) -> dict:
    """A code table with its labels in the reader's language, for a page that shows them row after row (translated
    once, then read per row; _label's fallback — the code itself — is the row's `.get(code, code)`)."""
    return {key: _(label) for key, label in mapping.items()}


MENU_LABELS = {
    "kb.faq": N_("FAQ"),
    "diagnostics.index": N_("Erreurs fréquentes"),
    "tickets.new": N_("Ouvrir un ticket"),
    "tickets.mine": N_("Mes tickets"),
    "tickets.school": N_("Mon établissement"),
    "tickets.queue": N_("File de tickets"),
    "incidents.index": N_("Incidents de masse"),
    "mailchannel.triage": N_("Courriels reçus"),
    "tickets.evolutions": N_("Évolutions et bugs"),
    "trainings.index": N_("Formations"),
    "reports.show": N_("Chiffres"),
    "admin.index": N_("Administration"),
}


def main_menu() -> list[tuple[str, str]]:
    """Header navigation for the current user, as (label, url) pairs; policy.menu_entries decides what is in it."""
    items = [(_(MENU_LABELS[endpoint]), link_if(endpoint)) for endpoint in policy.menu_entries(current_user)]
    return [(label, url) for label, url in items if url]


def _locale():
    """The reader's locale (force_locale included, for a mail rendered in its recipient's language); French outside."""
    return get_locale() or "fr"


def paris_datetime(value, style: str = "long") -> str:
    """A moment (or a date) in Paris time in one of formatting.STYLES, in the reader's language (pages and mails
    alike name a style, which test_formatting holds them to)."""
    return formatting.format_moment(value, style, _locale())


def month_code(value) -> str:
    """The « mois » parameter of the training calendar (2026-12) for a moment, read in Paris time."""
    return to_paris(value).strftime("%Y-%m") if value else ""


def domain_text(value) -> Markup:
    """Domain content or a typed text (a keyword, a title, a name) inside a translated sentence, marked as such.

    English readers meet French keyword and article names inside English sentences; the mark lets the English
    walk-through (tests/web/test_english_walkthrough.py) tell them from untranslated interface text."""
    return Markup("<span data-domain-content>%s</span>") % ("" if value is None else value)


def status_label(value, ticket=None) -> str:
    """A ticket's status as the current reader reads it (the requester's side in its own words)."""
    if ticket is not None:
        return _(status_label_for(ticket, current_user))
    return _label(STATUS_LABELS, value)


def isodate(value):
    """A datetime kept as ISO text in an event's data (None when it is not one)."""
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def excerpt(text: str, limit: int = 1500) -> str:
    """A message quoted in a notification: whole up to `limit` characters, else cut at a word, with « … »."""
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def due_date(value, is_open: bool = True, style: str = "short") -> Markup:
    """A deadline in Paris time, flagged when an open ticket has passed it (the sweep acts on it within a minute).

    The short default style keeps queue tables narrow; the ticket page passes the long one."""
    value = as_utc(value)
    if not value:
        return Markup("—")
    text = escape(paris_datetime(value, style))
    if is_open and value <= utcnow():
        badge = escape(_("Dépassée"))
        return Markup(f'{text} <span class="fr-badge fr-badge--sm fr-badge--error fr-badge--no-icon">{badge}</span>')
    return Markup(text)


def minutes_label(value) -> str:
    """A duration in minutes as people say it: « 45 min », « 1 h 30 »."""
    minutes = int(value or 0)
    if minutes < 60:
        return _("%(n)s min", n=minutes)
    hours, rest = divmod(minutes, 60)
    return _("%(h)s h %(m)02d", h=hours, m=rest) if rest else _("%(h)s h", h=hours)


def duration(minutes: int) -> str:
    """« 2 j 3 h », « 5 h », « 45 min »: short enough for a queue cell (minutes count only in the last hour)."""
    days, hours, mins = duration_parts(minutes)
    if days:
        return _("%(days)s j %(hours)s h", days=days, hours=hours) if hours else _("%(days)s j", days=days)
    if hours:
        return _("%(hours)s h", hours=hours)
    return _("%(minutes)s min", minutes=mins)


SLA_BADGES = {
    DeadlineState.OVERDUE: ("error", N_("Dépassée de %(duration)s")),
    DeadlineState.SOON: ("warning", N_("Reste %(duration)s")),
    DeadlineState.ON_TIME: ("success", N_("Reste %(duration)s")),
    DeadlineState.PAUSED: ("info", N_("En pause")),
}


def sla_badge(ticket) -> Markup:
    """The ticket's SLA state in words and colour (the colour never carries it alone), its deadline in a title."""
    state = deadline_state(as_utc(ticket.resolution_due_at), utcnow(), is_open=ticket.is_open,
                           is_paused=ticket.status in CLOCK_PAUSED)  # fmt: skip
    if state.state == DeadlineState.NONE:
        return Markup("—")
    tone, text = SLA_BADGES[state.state]
    label = escape(_(text, duration=duration(state.minutes)))
    title = escape(_("Échéance : %(date)s", date=paris_datetime(ticket.resolution_due_at, "short")))
    return Markup(f'<span class="fr-badge fr-badge--sm fr-badge--{tone}" title="{title}">{label}</span>')


def age(value) -> str:
    """How long ago, in the queue's short form (« 3 j », « 5 h », « 12 min »)."""
    value = as_utc(value)
    return duration(int((utcnow() - value).total_seconds() // 60)) if value else ""


def catalog_of_this_render() -> dict:
    """The templates' gettext and ngettext bound to the reader's catalog, found once per rendered page.

    Flask-Babel's callables look the catalog up again at each call (request globals, locale, cache key): a queue
    page translates some 500 texts, and those look-ups were a sixth of its CPU. Behaves as Jinja's « newstyle »
    gettext that Flask-Babel installs (still the fallback where a macro is imported without context): Markup under
    autoescape, always formatted with its variables. Found at render time, so a mail rendered inside
    force_locale reads its recipient's catalog."""
    translations = get_translations()

    @pass_context
    def gettext(context, string, **variables):
        text = translations.ugettext(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return {"gettext": gettext, "ngettext": ngettext}


def install_template_helpers(app) -> None:
    app.context_processor(catalog_of_this_render)
    app.jinja_env.globals.update(
        link_if=link_if,
        domain_text=domain_text,
        translated=translated,
        get_locale=get_locale,
        main_menu=main_menu,
        can=lambda action, ticket=None: policy.can(current_user, action, ticket),
        is_head_of_school=lambda: policy.is_head_of_school(current_user),
        sees_academie_figures=lambda: policy.sees_academie_figures(current_user),
        Action=policy.Action,
        Role=Role,
        format_size=lambda size: formatting.format_bytes(size, _locale()),
    )
    app.jinja_env.filters.update(
        markdown=render_markdown,
        paris=paris_datetime,
        month_code=month_code,
        number=lambda value, digits=None: formatting.format_number(value, _locale(), digits),
        share=lambda value, digits=0: formatting.format_share(value, _locale(), digits),
        service_label=lambda v: _label(SERVICE_LABELS, v),
        tier_label=lambda v: _label(TIER_LABELS, v),
        status_label=status_label,
        due=due_date,
        sla_badge=sla_badge,
        age=age,
        excerpt=excerpt,
        isodate=isodate,
        priority_label=lambda v: _label(PRIORITY_LABELS, v),
        type_label=lambda v: _label(TICKET_TYPE_LABELS, v),
        profile_label=lambda v: _label(PROFILE_LABELS, v),
        role_label=lambda v: _label(ROLE_LABELS, v),
        minutes_label=minutes_label,
        # A text the app wrote and stored marked (`N_`, with its parameters), in the reader's language.
        in_reader_language=errors.translate,
    )
