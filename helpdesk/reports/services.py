"""The figures of the dashboards: volumes, backlog, SLA compliance, misrouting, final tiers and deflection.

Every figure is summed from the rollups, one school's too (a head of school, or a school filter): the school levels
of the rollups carry it. Returned values are codes and ids; pages put the labels on them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import func, select, text

from helpdesk import policy
from helpdesk.organisation.models import Basin, School
from helpdesk.platform.errors import NotAllowed, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.reports.models import CUBOIDS, DAY_ONLY, MEASURES, TicketRollup
from helpdesk.reports.periods import Period, Step, bucket_start, day_bounds_utc, next_bucket, paris_day
from helpdesk.routing.codes import SERVICE_LABELS, TIER_LABELS
from helpdesk.routing.models import Keyword
from helpdesk.tickets.channels import CHANNELS
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.states import STATUS_LABELS
from helpdesk.users.models import User
from kb.diagnostics.models import DiagnosticRun, DiagnosticTree
from kb.models import Article, ArticleVote, Deflection

# What a volume chart may be broken down by: a dimension of the rollups, or the school.
BREAKDOWNS = ("service", "keyword_id", "entry_tier", "basin_id", "school_id", "channel")
TOP = 8  # series drawn in a breakdown chart; the rest are summed as « autres »
# Age bands of the backlog, in whole weeks since the week of opening: (first week, last week or None).
BACKLOG_BANDS = ((0, 0), (1, 1), (2, 3), (4, 12), (13, None))


@dataclass(frozen=True)
class Filters:
    """What the figures are narrowed to (None: everything the reader may see)."""

    service: str | None = None
    keyword_id: int | None = None
    entry_tier: str | None = None
    basin_id: int | None = None
    school_id: int | None = None
    channel: str | None = None

    @property
    def is_empty(self) -> bool:
        return self == Filters()


def check_filters(session, filters: Filters) -> Filters:
    """Raises ValidationFailed (French message) for an unknown service, tier, channel, keyword, basin or school."""
    problems = []
    if filters.service and filters.service not in SERVICE_LABELS:
        problems.append(N_("Service inconnu."))
    if filters.entry_tier and filters.entry_tier not in TIER_LABELS:
        problems.append(N_("Niveau inconnu."))
    if filters.channel and filters.channel not in CHANNELS:
        problems.append(N_("Canal inconnu."))
    if filters.keyword_id and session.get(Keyword, filters.keyword_id) is None:
        problems.append(N_("Mot-clé inconnu."))
    if filters.basin_id and session.get(Basin, filters.basin_id) is None:
        problems.append(N_("Bassin inconnu."))
    if filters.school_id and session.get(School, filters.school_id) is None:
        problems.append(N_("Établissement inconnu."))
    if problems:
        raise ValidationFailed(problems, errors=problems)
    return filters


def prepare_reading(session) -> None:
    """On PostgreSQL, no JIT compilation for this transaction: the figures' aggregates are cheap, but big enough
    for the planner to spend a few hundred milliseconds compiling them."""
    if session.get_bind(mapper=TicketRollup.__mapper__).dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def scoped(actor, filters: Filters) -> Filters:
    """The filters the actor may use: a head of school is held to their school. Raises NotAllowed."""
    if not policy.can(actor, policy.Action.VIEW_DASHBOARD):
        raise NotAllowed(N_("Les chiffres sont réservés à l'équipe pilote, à la DAFPEN et aux chefs d'établissement."))
    school_id = policy.report_school(actor)
    if school_id is not None:
        return replace(filters, school_id=school_id, basin_id=None)
    return filters


# -- the two readings -----------------------------------------------------------------------------------------


FILTERED = ("service", "keyword_id", "entry_tier", "basin_id", "school_id", "channel")


def cuboid_for(filters: Filters, group) -> str:
    """The smallest rollup level that carries every dimension the figure filters or groups on."""
    needed = {name for name in FILTERED if getattr(filters, name) is not None} | {name for name in group if name != "bucket"}
    return next(name for name, kept in CUBOIDS.items() if needed <= set(kept))


def cube(
    session,
    grain: Step,
    first: date,
    last: date,
    filters: Filters,
    group: tuple[str, ...],
    *,
    open_only: bool = False,
    measures: tuple[str, ...] = MEASURES,
    values: dict | None = None,
) -> dict[tuple, list[int]]:
    """`measures` (MEASURES by default, in that order) per value of `group` (names of dimensions, "bucket" for the
    start of each `grain` bucket) for tickets opened in the buckets first..last that match the filters
    (`open_only`: rows of tickets still open, for the backlog; `values`: dimension → the values kept)."""
    cuboid = cuboid_for(filters, group)
    by_days = cuboid in DAY_ONLY and grain != Step.DAY and "bucket" in group
    stored = Step.DAY if cuboid in DAY_ONLY else grain
    if cuboid in DAY_ONLY:  # its day rows from the first day of `first` to the last day of `last`'s bucket
        last = next_bucket(last, grain) - timedelta(days=1)
    columns = [getattr(TicketRollup, name) for name in group]
    stmt = select(*columns, *[func.sum(getattr(TicketRollup, name)) for name in measures]).where(
        TicketRollup.cuboid == cuboid,
        TicketRollup.grain == stored.value,
        TicketRollup.bucket >= first,
        TicketRollup.bucket <= last,
    )
    if open_only:
        stmt = stmt.where(TicketRollup.still_open > 0)
    for name, kept in (values or {}).items():
        stmt = stmt.where(getattr(TicketRollup, name).in_(list(kept)))
    for name in FILTERED:
        value = getattr(filters, name)
        if value is not None:
            stmt = stmt.where(getattr(TicketRollup, name) == value)
    if columns:
        stmt = stmt.group_by(*columns)
    rows = session.execute(stmt)
    if not by_days:
        return {tuple(row[: len(group)]): [int(v or 0) for v in row[len(group) :]] for row in rows}
    at = group.index("bucket")
    sums: dict[tuple, list[int]] = {}
    for row in rows:  # days summed into their week or month
        key = tuple(bucket_start(value, grain) if index == at else value for index, value in enumerate(row[: len(group)]))
        total = sums.setdefault(key, [0] * len(measures))
        for index, value in enumerate(row[len(group) :]):
            total[index] += int(value or 0)
    return sums


def _m(values, name: str) -> int:
    return values[MEASURES.index(name)]


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# -- figures ------------------------------------------------------------------------------------------------


def volumes(session, period: Period, filters: Filters, breakdown: str) -> dict:
    """Tickets opened per bucket, in total and for the TOP values of `breakdown` (the others summed)."""
    if breakdown not in BREAKDOWNS:
        raise ValidationFailed(N_("Ventilation inconnue."))

    # Summed by the database three ways rather than bucket × value rows summed here: a per-school breakdown has
    # some 500 values a bucket (6,500 rows over 13 weeks, 60 % of the page's CPU when read into Python).
    def opened(group, **values):
        found = cube(session, period.step, period.first, period.last, filters, group, measures=("opened",), values=values)
        return {key: sums[0] for key, sums in found.items()}

    totals = {value: count for (value,), count in opened((breakdown,)).items()}
    per_bucket = {bucket: count for (bucket,), count in opened(("bucket",)).items()}
    ranked = sorted(totals, key=lambda v: (-totals[v], str(v)))
    shown = ranked[:TOP]
    top = opened(("bucket", breakdown), **{breakdown: shown}) if shown else {}
    buckets = period.buckets
    series = [{"value": value, "counts": [top.get((b, value), 0) for b in buckets]} for value in shown]
    if len(ranked) > TOP:
        drawn = {b: sum(top.get((b, value), 0) for value in shown) for b in buckets}
        series.append({"value": None, "counts": [per_bucket.get(b, 0) - drawn[b] for b in buckets]})
    return {
        "buckets": buckets,
        "totals": [per_bucket.get(b, 0) for b in buckets],
        "series": series,
        "ranking": [(value, totals[value]) for value in ranked],
        "total": sum(totals.values()),
    }


def backlog(session, filters: Filters, *, today: date) -> list[dict]:
    """Tickets open now, by age band (weeks since the week of opening) and current tier."""
    this_week = bucket_start(today, Step.WEEK)
    first = date(2000, 1, 3)
    rows = cube(session, Step.WEEK, first, this_week, filters, ("bucket", "tier"), open_only=True)
    bands = []
    for low, high in BACKLOG_BANDS:
        counts: dict[str, int] = {}
        for (bucket, tier), sums in rows.items():
            weeks = (this_week - bucket).days // 7
            if weeks >= low and (high is None or weeks <= high):
                counts[tier] = counts.get(tier, 0) + _m(sums, "still_open")
        bands.append({"low": low, "high": high, "by_tier": counts, "total": sum(counts.values())})
    return bands


def sla(session, period: Period, filters: Filters) -> dict:
    """First-response and resolution compliance: per bucket (trend), per tier holding the ticket, per keyword."""
    by_bucket = cube(session, period.step, period.first, period.last, filters, ("bucket",))
    by_tier = cube(session, period.step, period.first, period.last, filters, ("tier",))
    by_keyword = cube(session, period.step, period.first, period.last, filters, ("keyword_id",))

    def line(values):
        return {
            "fr_measured": _m(values, "fr_measured"),
            "fr_met": _m(values, "fr_met"),
            "fr_rate": _rate(_m(values, "fr_met"), _m(values, "fr_measured")),
            "res_measured": _m(values, "res_measured"),
            "res_met": _m(values, "res_met"),
            "res_rate": _rate(_m(values, "res_met"), _m(values, "res_measured")),
        }

    empty = [0] * len(MEASURES)
    keywords = sorted(by_keyword.items(), key=lambda item: (-_m(item[1], "res_measured"), item[0]))
    return {
        "trend": [{"bucket": b, **line(by_bucket.get((b,), empty))} for b in period.buckets],
        "by_tier": [{"tier": t, **line(v)} for (t,), v in sorted(by_tier.items(), key=lambda item: _tier_rank(item[0][0]))],
        "by_keyword": [{"keyword_id": k, **line(v)} for (k,), v in keywords],
    }


def _tier_rank(tier: str) -> int:
    order = list(TIER_LABELS)
    return order.index(tier) if tier in order else len(order)


def routing(session, period: Period, filters: Filters) -> dict:
    """Misrouting per keyword chosen at opening (keyword corrected, sent to another group), and where finished
    tickets were resolved compared with their entry tier."""
    by_keyword = cube(session, period.step, period.first, period.last, filters, ("opened_keyword_id",))
    rows = []
    for (keyword_id,), values in by_keyword.items():
        opened = _m(values, "opened")
        rows.append(
            {
                "keyword_id": keyword_id,
                "opened": opened,
                "keyword_changed": _m(values, "keyword_changed"),
                "keyword_rate": _rate(_m(values, "keyword_changed"), opened),
                "tier_changed": _m(values, "tier_changed"),
                "tier_rate": _rate(_m(values, "tier_changed"), opened),
            }
        )
    rows.sort(key=lambda r: (-(r["keyword_rate"] or 0), -r["opened"], r["keyword_id"]))
    tiers = cube(session, period.step, period.first, period.last, filters, ("entry_tier", "tier"))
    matrix = {}
    for (entry, final), values in tiers.items():
        if _m(values, "finished"):
            matrix.setdefault(entry, {})[final] = _m(values, "finished")
    return {"by_keyword": rows, "final_tiers": matrix}


def deflection(session, period: Period, filters: Filters) -> dict:
    """Help that made a ticket unnecessary, per bucket: diagnostics ended « résolu », FAQ answers voted useful,
    ticket forms left after a suggested article solved the problem."""
    start, end = day_bounds_utc(period.first, period.last)
    sources = {
        "diagnostics": (
            select(DiagnosticRun.finished_at)
            .join(DiagnosticTree, DiagnosticTree.id == DiagnosticRun.tree_id)
            .where(DiagnosticRun.resolved.is_(True), DiagnosticRun.finished_at >= start, DiagnosticRun.finished_at < end),
            DiagnosticTree.service,
            None,
        ),
        "faq_votes": (
            select(ArticleVote.created_at)
            .join(Article, Article.id == ArticleVote.article_id)
            .where(ArticleVote.helpful.is_(True), ArticleVote.created_at >= start, ArticleVote.created_at < end),
            Article.service,
            ArticleVote.user_id,
        ),
        "abandoned": (
            select(Deflection.created_at)
            .join(Article, Article.id == Deflection.article_id)
            .where(Deflection.created_at >= start, Deflection.created_at < end),
            Article.service,
            Deflection.user_id,
        ),
    }
    result = {"buckets": period.buckets, "series": {}, "totals": {}}
    for name, (stmt, service_column, user_column) in sources.items():
        if filters.service:
            stmt = stmt.where(service_column == filters.service)
        if filters.school_id is not None or filters.basin_id is not None:
            if user_column is None:  # a diagnostic walk is anonymous: it has no school
                stmt = stmt.where(False)
            else:
                people = select(User.id).join(School, School.id == User.school_id)
                people = people.where(
                    User.school_id == filters.school_id if filters.school_id is not None else School.basin_id == filters.basin_id
                )
                stmt = stmt.where(user_column.in_(people))
        counts: dict[date, int] = {}
        for (moment,) in session.execute(stmt):
            bucket = bucket_start(paris_day(moment), period.step)
            counts[bucket] = counts.get(bucket, 0) + 1
        result["series"][name] = [counts.get(b, 0) for b in period.buckets]
        result["totals"][name] = sum(counts.values())
    return result


def labels(session, *, keyword_ids=(), basin_ids=(), school_ids=()) -> dict:
    """Names of the keywords, basins and schools behind ids (for tables and charts)."""
    out = {"keyword_id": {}, "opened_keyword_id": {}, "basin_id": {}, "school_id": {}}
    if keyword_ids:
        names = dict(session.execute(select(Keyword.id, Keyword.label).where(Keyword.id.in_(sorted(set(keyword_ids))))).all())
        out["keyword_id"] = out["opened_keyword_id"] = names
    if basin_ids:
        out["basin_id"] = dict(session.execute(select(Basin.id, Basin.name).where(Basin.id.in_(sorted(set(basin_ids))))).all())
    if school_ids:
        out["school_id"] = {
            school_id: f"{name} ({town})"
            for school_id, name, town in session.execute(
                select(School.id, School.name, School.town).where(School.id.in_(sorted(set(school_ids))))
            )
        }
    return out


def filter_choices(session) -> dict:
    """Keywords and basins offered by the filter form."""
    keywords = list(session.execute(select(Keyword.id, Keyword.label, Keyword.slug).order_by(Keyword.label)))
    basins = list(session.execute(select(Basin.id, Basin.name).order_by(Basin.name)))
    return {"keywords": keywords, "basins": basins}


def school_by_uai(session, uai: str) -> School | None:
    return session.scalar(select(School).where(School.uai == (uai or "").strip().upper()))


def keyword_by_slug(session, slug: str) -> Keyword | None:
    return session.scalar(select(Keyword).where(Keyword.slug == (slug or "").strip()))


def default_today(now) -> date:
    return paris_day(now)


# -- the tickets behind the figures ------------------------------------------------------------------------

TICKET_COLUMNS = (
    N_("Référence"),
    N_("Ouvert le"),
    N_("Statut"),
    N_("Service"),
    N_("Mot-clé"),
    N_("Niveau d'entrée"),
    N_("Niveau actuel"),
    N_("Canal"),
    N_("UAI"),
    N_("Établissement"),
    N_("Bassin"),
    N_("Première réponse le"),
    N_("Résolu le"),
    N_("Clos le"),
    N_("Échéance de résolution"),
)
TICKET_CODE_LABELS = {2: STATUS_LABELS, 3: SERVICE_LABELS, 5: TIER_LABELS, 6: TIER_LABELS}


def ticket_rows(session, period: Period, filters: Filters, *, batch: int = 1000):
    """The tickets opened in the period that match the filters, oldest first, as an iterator of tuples read
    `batch` rows at a time (a server-side cursor on PostgreSQL): an export of a million rows streams."""
    start, end = day_bounds_utc(period.first, period.last)
    stmt = (
        select(
            Ticket.reference,
            Ticket.created_at,
            Ticket.status,
            Ticket.service,
            Keyword.label,
            Ticket.entry_tier,
            Ticket.tier,
            Ticket.channel,
            School.uai,
            School.name,
            Basin.name,
            Ticket.first_response_at,
            Ticket.resolved_at,
            Ticket.closed_at,
            Ticket.resolution_due_at,
        )
        .join(Keyword, Keyword.id == Ticket.keyword_id)
        .join(School, School.id == Ticket.school_id)
        .join(Basin, Basin.id == Ticket.basin_id)
        .where(Ticket.created_at >= start, Ticket.created_at < end)
        .order_by(Ticket.created_at, Ticket.id)
    )
    for name in ("service", "keyword_id", "entry_tier", "basin_id", "school_id", "channel"):
        value = getattr(filters, name)
        if value is not None:
            stmt = stmt.where(getattr(Ticket, name) == value)
    for row in session.execute(stmt.execution_options(yield_per=batch)):
        yield tuple(row)
