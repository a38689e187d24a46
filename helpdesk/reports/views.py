"""Dashboard pages (volumes, SLA, routing, deflection, satisfaction) with a period picker and the queue's filters
kept in the URL, and the CSV/ODS export of every table and of the tickets behind the figures."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk import policy
from helpdesk.platform import exports
from helpdesk.platform.errors import ValidationFailed
from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_
from helpdesk.platform.input import INT32_MAX
from helpdesk.platform.timeutil import utcnow
from helpdesk.reports import rollups, services, tables
from helpdesk.reports.periods import Period, Step, make_period
from helpdesk.routing.codes import SERVICE_LABELS, TIER_LABELS, TIER_ORDER
from helpdesk.satisfaction import services as satisfaction

bp = Blueprint("reports", __name__, url_prefix="/pilotage/chiffres", template_folder="templates")

PAGES = {
    "volumes": N_("Volumes"),
    "delais": N_("Délais"),
    "orientation": N_("Orientation"),
    "autonomie": N_("Autonomie"),
    "satisfaction": N_("Satisfaction"),
}
STEPS = {"jour": Step.DAY, "semaine": Step.WEEK, "mois": Step.MONTH}
BREAKDOWNS = {
    "service": "service",
    "mot_cle": "keyword_id",
    "niveau": "entry_tier",
    "bassin": "basin_id",
    "etablissement": "school_id",
    "canal": "channel",
}
ADJUSTMENTS = {
    "unknown_step": N_("Pas inconnu : les chiffres sont présentés par semaine."),
    "swapped": N_("Les dates étaient inversées : elles ont été remises dans l'ordre."),
    "coarser": N_("Période trop longue pour ce pas : un pas plus large est utilisé."),
    "trimmed": N_("Période limitée aux 60 derniers mois."),
}


def _date(name: str, label: str, errors: list[str]) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(
            _("%(label)s : « %(value)s » n'est pas une date (format attendu : aaaa-mm-jj).", label=label, value=raw[:20])
        )
        return None


def _int(name: str, label: str, errors: list[str]) -> int | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > INT32_MAX:
        errors.append(_("%(label)s : valeur inconnue.", label=label))
        return None
    return int(raw)


def _read_request():
    """Period, filters and breakdown from the query string, and the French problems found in it."""
    services.prepare_reading(db.session)
    args, errors = request.args, []
    first = _date("du", _("Date de début"), errors)
    last = _date("au", _("Date de fin"), errors)
    step = args.get("pas") or "semaine"
    period = make_period(first, last, STEPS.get(step, step), today=services.default_today(utcnow()))
    keyword = school = None
    if args.get("mot_cle"):
        keyword = services.keyword_by_slug(db.session, args["mot_cle"])
        if keyword is None:
            errors.append(_("Mot-clé inconnu : « %(value)s ».", value=args["mot_cle"][:60]))
    if args.get("uai"):
        school = services.school_by_uai(db.session, args["uai"])
        if school is None:
            errors.append(_("Aucun établissement ne porte le code UAI « %(value)s ».", value=args["uai"][:20]))
    filters = services.Filters(
        service=args.get("service") or None,
        keyword_id=keyword.id if keyword else None,
        entry_tier=args.get("niveau") or None,
        basin_id=_int("bassin", _("Bassin"), errors),
        school_id=school.id if school else None,
        channel=args.get("canal") or None,
    )
    try:
        services.check_filters(db.session, filters)
    except ValidationFailed as error:
        errors.extend(error.texts())
    breakdown = BREAKDOWNS.get(args.get("ventilation") or "service")
    if breakdown is None:
        errors.append(_("Ventilation inconnue."))
        breakdown = "service"
    return period, services.scoped(current_user, filters), breakdown, errors


def _names(session, tables_data: list) -> dict:
    keyword_ids, basin_ids, school_ids = set(), set(), set()
    for value_set, dimension in tables_data:
        {"keyword_id": keyword_ids, "basin_id": basin_ids, "school_id": school_ids}.get(dimension, set()).update(
            v for v in value_set if v is not None
        )
    return services.labels(session, keyword_ids=keyword_ids, basin_ids=basin_ids, school_ids=school_ids)


def _tables(page: str, period: Period, filters, breakdown: str) -> list[tables.Table]:
    session = db.session
    if page == "volumes":
        data = services.volumes(session, period, filters, breakdown)
        names = _names(session, [([s["value"] for s in data["series"]] + [v for v, _n in data["ranking"]], breakdown)])
        today = services.default_today(utcnow())
        return [
            *tables.volume_tables(data, period.step, breakdown, names),
            tables.backlog_table(services.backlog(session, filters, today=today)),
        ]
    if page == "delais":
        data = services.sla(session, period, filters)
        return tables.sla_tables(
            data, period.step, _names(session, [([r["keyword_id"] for r in data["by_keyword"]], "keyword_id")])
        )
    if page == "orientation":
        data = services.routing(session, period, filters)
        return tables.routing_tables(data, _names(session, [([r["keyword_id"] for r in data["by_keyword"]], "keyword_id")]))
    if page == "autonomie":
        return [tables.deflection_table(services.deflection(session, period, filters), period.step)]
    if page == "satisfaction":
        data = satisfaction.results(session, period.first, period.last, filters)
        return tables.satisfaction_tables(data, _names(session, [([r["value"] for r in data["by"]["basin_id"]], "basin_id")]))
    abort(404)


def _paged(table: tables.Table) -> tables.Table:
    """A long table's page, chosen by `lignes_<key>` in the URL (a bad number shows the nearest page)."""
    raw = (request.args.get(f"lignes_{table.key}") or "").strip()
    return tables.page_of(table, int(raw) if raw.isdigit() and len(raw) < 7 else None)


def _query(**changes) -> dict:
    values = {k: v for k, v in request.args.items() if v}
    values.update(changes)
    return {k: v for k, v in values.items() if v}


@bp.get("/")
@bp.get("/<page>")
@login_required
def show(page: str = "volumes"):
    if page not in PAGES:
        abort(404)
    period, filters, breakdown, errors = _read_request()
    figures = [] if errors else [_paged(table) for table in _tables(page, period, filters, breakdown)]
    choices = services.filter_choices(db.session)
    return render_template(
        "reports/page.html",
        page=page,
        pages=PAGES,
        period=period,
        period_first=format_date(period.first, "d MMMM yyyy"),
        period_last=format_date(period.last, "d MMMM yyyy"),
        filters=filters,
        breakdown=breakdown,
        errors=errors,
        figures=figures,
        adjustments=[_(ADJUSTMENTS[code]) for code in period.adjustments],
        args=request.args,
        query=_query,
        steps=STEPS,
        breakdowns=BREAKDOWNS,
        breakdown_labels=tables.BREAKDOWN_LABELS,
        services_labels=SERVICE_LABELS,
        tiers=[(str(t), TIER_LABELS[t]) for t in TIER_ORDER],
        channels=tables.CHANNEL_LABELS,
        choices=choices,
        own_school=filters.school_id if policy.report_school(current_user) is not None else None,
        refreshed_at=rollups.refreshed_at(db.session),
    ), (400 if errors else 200)


@bp.get("/<page>/<key>.<fmt>")
@login_required
def export(page: str, key: str, fmt: str):
    if page not in PAGES or fmt not in exports.FORMATS:
        abort(404)
    period, filters, breakdown, errors = _read_request()
    if errors:
        raise ValidationFailed(errors)
    table = next((t for t in _tables(page, period, filters, breakdown) if t.key == key), None)
    if table is None:
        abort(404)
    filename = f"{page}-{key}-{period.first.isoformat()}-{period.last.isoformat()}"
    return exports.response(fmt, filename, table.title, table.columns, table.rows)


@bp.get("/tickets.<fmt>")
@login_required
def export_tickets(fmt: str):
    """Every ticket opened in the period that matches the filters, streamed row by row."""
    if fmt not in exports.FORMATS:
        abort(404)
    period, filters, _breakdown, errors = _read_request()
    if errors:
        raise ValidationFailed(errors)
    rows = services.ticket_rows(db.session, period, filters)
    headers = [_(label) for label in services.TICKET_COLUMNS]
    labelled = (_labelled(row) for row in rows)
    return exports.response(fmt, f"tickets-{period.first.isoformat()}-{period.last.isoformat()}", _("Tickets"), headers, labelled)


def _labelled(row) -> list:
    """Codes of a ticket row in the reader's words (the rest as stored)."""
    out = list(row)
    for index, mapping in services.TICKET_CODE_LABELS.items():
        out[index] = _(mapping[out[index]]) if out[index] in mapping else out[index]
    return out
