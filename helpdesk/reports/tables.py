"""How each figure is laid out: a table (shown beside its chart, and exported as CSV or ODS) and a chart spec.

A chart is never the only carrier of a figure (RGAA): every value drawn is in the table next to it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from helpdesk.platform.i18n import N_
from helpdesk.reports.periods import Step
from helpdesk.routing.codes import SERVICE_LABELS, TIER_LABELS, TIER_ORDER
from helpdesk.tickets.channels import CHANNEL_LABELS

BREAKDOWN_LABELS = {
    "service": N_("Service"),
    "keyword_id": N_("Mot-clé"),
    "entry_tier": N_("Niveau d'entrée"),
    "basin_id": N_("Bassin"),
    "school_id": N_("Établissement"),
    "channel": N_("Canal"),
}
STEP_LABELS = {Step.DAY: N_("Jour"), Step.WEEK: N_("Semaine"), Step.MONTH: N_("Mois")}
# Rows of a table shown on a page at a time (the 500 schools of a per-school breakdown are not laid out at once);
# its CSV and ODS exports always hold every row.
PAGE_ROWS = 50


@dataclass
class Table:
    """One figure: `key` names it in export URLs; rows hold plain values (int, float, str, date or None)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list]
    chart: dict | None = None
    note: str = ""
    row_headers: bool = True  # the first column names the row
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Pager:
    """Which rows of a long table a page shows: `number` (1-based) of `pages`, rows `first`..`last` of `total`."""

    number: int
    pages: int
    first: int
    last: int
    total: int


def page_of(table: Table, number: int | None) -> Table:
    """The table as a page shows it: at most PAGE_ROWS rows, page `number` (out of range: the nearest page)."""
    total = len(table.rows)
    if total <= PAGE_ROWS:
        return table
    pages = -(-total // PAGE_ROWS)
    number = min(max(number or 1, 1), pages)
    start = (number - 1) * PAGE_ROWS
    shown = table.rows[start : start + PAGE_ROWS]
    pager = Pager(number=number, pages=pages, first=start + 1, last=start + len(shown), total=total)
    return replace(table, rows=shown, extra={**table.extra, "pager": pager})


def code_label(dimension: str, value, names: dict) -> str:
    """The reader's label of a dimension value (names: ids → names of keywords, basins, schools)."""
    if value is None:
        return _("Autres")
    if dimension == "service":
        return _(SERVICE_LABELS.get(value, value))
    if dimension in ("entry_tier", "tier"):
        return _(TIER_LABELS.get(value, value))
    if dimension == "channel":
        return _(CHANNEL_LABELS.get(value, value))
    return names.get(dimension, {}).get(value) or _("n° %(id)s", id=value)


def bucket_label(start: date, step: Step) -> str:
    if step == Step.MONTH:
        return format_date(start, "MMMM yyyy")
    if step == Step.WEEK:
        return _("semaine du %(day)s", day=format_date(start, "d MMM yyyy"))
    return format_date(start, "EEE d MMM yyyy")


def _chart(kind: str, labels, datasets, **options) -> dict:
    return {"type": kind, "labels": labels, "datasets": datasets, **options}


def volume_tables(data: dict, step: Step, breakdown: str, names: dict) -> list[Table]:
    labels = [bucket_label(b, step) for b in data["buckets"]]
    series_names = [code_label(breakdown, s["value"], names) for s in data["series"]]
    over_time = Table(
        key="volumes",
        title=_(
            "Tickets ouverts par %(step)s et par %(what)s",
            step=_(STEP_LABELS[step]).lower(),
            what=_(BREAKDOWN_LABELS[breakdown]).lower(),
        ),
        columns=[_(STEP_LABELS[step]), *series_names, _("Total")],
        rows=[[label, *[s["counts"][i] for s in data["series"]], data["totals"][i]] for i, label in enumerate(labels)],
        chart=_chart(
            "bar",
            labels,
            [{"label": name, "data": s["counts"]} for name, s in zip(series_names, data["series"], strict=True)],
            stacked=True,
        ),
    )
    total = data["total"]
    ranking = Table(
        key="repartition",
        title=_("Répartition par %(what)s sur la période", what=_(BREAKDOWN_LABELS[breakdown]).lower()),
        columns=[_(BREAKDOWN_LABELS[breakdown]), _("Tickets"), _("Part (%)")],
        rows=[
            [code_label(breakdown, value, names), count, round(100 * count / total, 1) if total else None]
            for value, count in data["ranking"]
        ],
    )
    return [over_time, ranking]


def backlog_table(bands: list[dict]) -> Table:
    band_labels = []
    for band in bands:
        if band["high"] is None:
            band_labels.append(_("%(n)s semaines et plus", n=band["low"]))
        elif band["low"] == band["high"] == 0:
            band_labels.append(_("Cette semaine"))
        elif band["low"] == band["high"] == 1:
            band_labels.append(_("La semaine dernière"))
        else:
            band_labels.append(_("%(low)s à %(high)s semaines", low=band["low"], high=band["high"]))
    tiers = [str(t) for t in TIER_ORDER]
    return Table(
        key="stock",
        title=_("Tickets ouverts aujourd'hui selon leur ancienneté"),
        columns=[_("Ouverts depuis"), *[_(TIER_LABELS[t]) for t in TIER_ORDER], _("Total")],
        rows=[
            [label, *[band["by_tier"].get(t, 0) for t in tiers], band["total"]]
            for label, band in zip(band_labels, bands, strict=True)
        ],
        chart=_chart(
            "bar",
            band_labels,
            [{"label": _(TIER_LABELS[t]), "data": [band["by_tier"].get(str(t), 0) for band in bands]} for t in TIER_ORDER],
            stacked=True,
        ),
        note=_("Ancienneté comptée en semaines depuis la semaine d'ouverture ; niveau qui détient le ticket aujourd'hui."),
    )


def sla_tables(data: dict, step: Step, names: dict) -> list[Table]:
    labels = [bucket_label(row["bucket"], step) for row in data["trend"]]
    headers = [
        _("Premières réponses mesurées"),
        _("Dans le délai"),
        _("Taux (%)"),
        _("Résolutions mesurées"),
        _("Dans le délai"),
        _("Taux (%)"),
    ]

    def values(row):
        return [row["fr_measured"], row["fr_met"], row["fr_rate"], row["res_measured"], row["res_met"], row["res_rate"]]

    trend = Table(
        key="tendance",
        title=_("Respect des délais par %(step)s d'ouverture", step=_(STEP_LABELS[step]).lower()),
        columns=[_(STEP_LABELS[step]), *headers],
        rows=[[label, *values(row)] for label, row in zip(labels, data["trend"], strict=True)],
        chart=_chart(
            "line",
            labels,
            [
                {"label": _("Première réponse dans le délai (%)"), "data": [r["fr_rate"] for r in data["trend"]]},
                {"label": _("Résolution dans le délai (%)"), "data": [r["res_rate"] for r in data["trend"]]},
            ],
            percent=True,
        ),
    )
    by_tier = Table(
        key="par-niveau",
        title=_("Respect des délais par niveau ayant traité le ticket"),
        columns=[_("Niveau"), *headers],
        rows=[[code_label("tier", row["tier"], names), *values(row)] for row in data["by_tier"]],
        chart=_chart(
            "bar",
            [code_label("tier", row["tier"], names) for row in data["by_tier"]],
            [
                {"label": _("Première réponse dans le délai (%)"), "data": [r["fr_rate"] for r in data["by_tier"]]},
                {"label": _("Résolution dans le délai (%)"), "data": [r["res_rate"] for r in data["by_tier"]]},
            ],
            percent=True,
        ),
    )
    by_keyword = Table(
        key="par-mot-cle",
        title=_("Respect des délais par mot-clé"),
        columns=[_("Mot-clé"), *headers],
        rows=[[code_label("keyword_id", row["keyword_id"], names), *values(row)] for row in data["by_keyword"]],
    )
    return [trend, by_tier, by_keyword]


def routing_tables(data: dict, names: dict) -> list[Table]:
    rows = data["by_keyword"]
    top = [r for r in rows if r["opened"]][:15]
    misrouting = Table(
        key="orientation",
        title=_("Erreurs d'orientation par mot-clé choisi à l'ouverture"),
        columns=[_("Mot-clé choisi"), _("Tickets"), _("Mot-clé corrigé"), _("Taux (%)"), _("Changés de groupe"), _("Taux (%)")],
        rows=[
            [
                code_label("opened_keyword_id", r["keyword_id"], names),
                r["opened"],
                r["keyword_changed"],
                r["keyword_rate"],
                r["tier_changed"],
                r["tier_rate"],
            ]
            for r in rows
        ],
        chart=_chart(
            "bar",
            [code_label("opened_keyword_id", r["keyword_id"], names) for r in top],
            [
                {"label": _("Mot-clé corrigé (%)"), "data": [r["keyword_rate"] for r in top]},
                {"label": _("Changés de groupe : escalade ou renvoi (%)"), "data": [r["tier_rate"] for r in top]},
            ],
            percent=True,
            horizontal=True,
        ),
        note=_("Le graphique montre les 15 mots-clés les plus souvent corrigés ; le tableau les donne tous."),
    )
    tiers = [str(t) for t in TIER_ORDER]
    matrix = data["final_tiers"]
    entries = [t for t in tiers if t in matrix]
    final = Table(
        key="niveaux",
        title=_("Niveau d'entrée et niveau de résolution des tickets terminés"),
        columns=[_("Niveau d'entrée"), *[_("Résolus par : %(tier)s", tier=_(TIER_LABELS[t])) for t in TIER_ORDER], _("Total")],
        rows=[[_(TIER_LABELS[e]), *[matrix[e].get(t, 0) for t in tiers], sum(matrix[e].values())] for e in entries],
        chart=_chart(
            "bar",
            [_(TIER_LABELS[e]) for e in entries],
            [{"label": _(TIER_LABELS[t]), "data": [matrix[e].get(t, 0) for e in entries]} for t in TIER_ORDER],
            stacked=True,
            horizontal=True,
        ),
    )
    return [misrouting, final]


DEFLECTION_LABELS = {
    "diagnostics": N_("Diagnostics terminés par « c'est résolu »"),
    "faq_votes": N_("Réponses de la FAQ jugées utiles"),
    "abandoned": N_("Tickets abandonnés après un article suggéré"),
}


def deflection_table(data: dict, step: Step) -> Table:
    labels = [bucket_label(b, step) for b in data["buckets"]]
    names = list(DEFLECTION_LABELS)
    return Table(
        key="autonomie",
        title=_("Demandes résolues sans ticket, par %(step)s", step=_(STEP_LABELS[step]).lower()),
        columns=[_(STEP_LABELS[step]), *[_(DEFLECTION_LABELS[n]) for n in names], _("Total")],
        rows=[
            [label, *[data["series"][n][i] for n in names], sum(data["series"][n][i] for n in names)]
            for i, label in enumerate(labels)
        ],
        chart=_chart("bar", labels, [{"label": _(DEFLECTION_LABELS[n]), "data": data["series"][n]} for n in names], stacked=True),
    )


def satisfaction_tables(data: dict, names: dict) -> list[Table]:
    summary = data["summary"]
    distribution = Table(
        key="notes",
        title=_("Notes données par les demandeurs (1 : très insatisfait, 5 : très satisfait)"),
        columns=[_("Note"), _("Réponses")],
        rows=[[str(note), count] for note, count in data["ratings"]],
        chart=_chart(
            "bar",
            [str(note) for note, _count in data["ratings"]],
            [{"label": _("Réponses"), "data": [c for _n, c in data["ratings"]]}],
        ),
    )
    headers = [_("Questionnaires envoyés"), _("Réponses"), _("Taux de réponse (%)"), _("Problème résolu (%)"), _("Note moyenne")]

    def values(row):
        return [row["invited"], row["answered"], row["answer_rate"], row["resolved_rate"], row["average"]]

    tables = [
        Table(
            key="synthese",
            title=_("Synthèse de la satisfaction"),
            columns=[_("Périmètre"), *headers],
            rows=[[_("Tous"), *values(summary)]],
        ),
        distribution,
    ]
    for key, dimension, title in (
        ("par-niveau", "tier", _("Satisfaction par niveau ayant résolu le ticket")),
        ("par-service", "service", _("Satisfaction par service")),
        ("par-bassin", "basin_id", _("Satisfaction par bassin")),
    ):
        rows = data["by"][dimension]
        tables.append(
            Table(
                key=key,
                title=title,
                columns=[_("Niveau") if dimension == "tier" else _(BREAKDOWN_LABELS[dimension]), *headers],
                rows=[[code_label(dimension, row["value"], names), *values(row)] for row in rows],
                chart=_chart(
                    "bar",
                    [code_label(dimension, row["value"], names) for row in rows],
                    [{"label": _("Problème résolu (%)"), "data": [row["resolved_rate"] for row in rows]}],
                    percent=True,
                ),
            )
        )
    comments = Table(
        key="commentaires",
        title=_("Derniers commentaires"),
        columns=[_("Date"), _("Ticket"), _("Résolu"), _("Note"), _("Commentaire")],
        rows=[
            [row["answered_at"], row["reference"], _("oui") if row["resolved"] else _("non"), row["rating"], row["comment"]]
            for row in data["comments"]
        ],
        row_headers=False,
    )
    tables.append(comments)
    return tables
