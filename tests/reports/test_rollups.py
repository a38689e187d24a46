"""The rollups give the same figures as counting the tickets directly, and stay in step as tickets change."""

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func, select

from helpdesk.reports import rollups, services
from helpdesk.reports.models import CUBOIDS, DAY_ONLY, MEASURES, SOURCES, TicketRollup
from helpdesk.reports.periods import Step, bucket_start, make_period, paris_day
from helpdesk.tickets import lifecycle
from helpdesk.tickets.models import Ticket
from tests.reports.conftest import MONDAY
from tests.reports.direct import aggregate, read_facts

WEEK = make_period(date(2026, 1, 12), date(2026, 1, 18), "day", today=date(2026, 2, 1))


def _m(values, name):
    return values[MEASURES.index(name)]


def test_rollup_counts_match_a_direct_count_of_the_tickets(session, activity, academie):
    rollups.refresh(session, now=MONDAY + timedelta(days=3))
    figures = services.cube(session, Step.DAY, WEEK.first, WEEK.last, services.Filters(), ("bucket", "service"))
    direct = Counter(paris_day(created).isoformat() for created in session.scalars(select(Ticket.created_at)))
    per_day = {}
    for (bucket, _service), values in figures.items():
        per_day[bucket.isoformat()] = per_day.get(bucket.isoformat(), 0) + _m(values, "opened")
    assert per_day == dict(direct)
    assert per_day == {"2026-01-12": 3, "2026-01-13": 3, "2026-01-14": 2, "2026-01-15": 1}  # 23:30 UTC is Thursday in Paris
    by_service = services.cube(session, Step.DAY, WEEK.first, WEEK.last, services.Filters(), ("service",))
    direct_service = dict(session.execute(select(Ticket.service, func.count()).group_by(Ticket.service)).all())
    assert {s: _m(v, "opened") for (s,), v in by_service.items()} == direct_service
    still_open = sum(_m(v, "still_open") for v in by_service.values())
    assert still_open == session.scalar(select(func.count()).where(Ticket.is_open.is_(True)))


def test_rollups_equal_a_direct_count_of_every_measure_per_school(session, activity, academie):
    """The SQL that fills the rollups and a direct reading of each ticket in Python (tests/reports/direct.py) give
    the same nine counts, per school and every dimension, by day, week and month."""
    rollups.refresh(session, now=MONDAY + timedelta(days=3))
    group = ("bucket", "school_id", "service", "keyword_id", "opened_keyword_id", "entry_tier", "tier", "basin_id", "channel")
    facts = read_facts(session)
    assert len(facts) == 9
    for step in (Step.DAY, Step.WEEK, Step.MONTH):
        direct = aggregate(
            facts,
            lambda fact, step=step: tuple(
                bucket_start(fact.day, step) if name == "bucket" else getattr(fact, name) for name in group
            ),
        )
        first, last = date(2026, 1, 1), date(2026, 1, 31)
        for school in (academie["school"], academie["other_school"]):
            from_rollup = services.cube(session, step, first, last, services.Filters(school_id=school.id), group)
            assert from_rollup == {key: sums for key, sums in direct.items() if key[1] == school.id}, (step, school.name)


def test_one_school_reads_its_own_levels_and_counts_like_the_academie(session, activity, academie):
    """A head of school's figures come from the school levels; summed over schools they equal the académie's."""
    rollups.refresh(session, now=MONDAY + timedelta(days=3))
    group = ("bucket", "service", "keyword_id", "opened_keyword_id", "entry_tier", "tier", "basin_id", "channel")
    from_rollup = services.cube(session, Step.DAY, WEEK.first, WEEK.last, services.Filters(), group)
    live: dict = {}
    for school in (academie["school"], academie["other_school"]):
        for key, values in services.cube(
            session, Step.DAY, WEEK.first, WEEK.last, services.Filters(school_id=school.id), group
        ).items():
            live[key] = [a + b for a, b in zip(live.get(key, [0] * len(MEASURES)), values, strict=True)]
    assert from_rollup == live


def test_measures_follow_what_happened_to_each_ticket(session, activity, academie):
    rollups.refresh(session, now=MONDAY + timedelta(days=3))
    everything = services.cube(session, Step.WEEK, date(2026, 1, 12), date(2026, 1, 12), services.Filters(), ())[()]
    assert _m(everything, "opened") == 9
    assert _m(everything, "finished") == 3
    assert _m(everything, "res_measured") == 3
    assert _m(everything, "res_met") == 1  # one late, one on time but breached earlier
    assert _m(everything, "keyword_changed") == 1
    assert _m(everything, "tier_changed") == 1
    # Misrouting is counted against the keyword chosen at opening.
    by_opened = services.cube(
        session, Step.WEEK, date(2026, 1, 12), date(2026, 1, 12), services.Filters(), ("opened_keyword_id",)
    )
    assert _m(by_opened[(academie["password"].id,)], "keyword_changed") == 1
    assert _m(by_opened[(academie["agenda"].id,)], "keyword_changed") == 0


def test_week_and_month_rows_are_the_sums_of_their_days(session, activity):
    rollups.refresh(session, now=MONDAY + timedelta(days=3))
    kept = TicketRollup.cuboid.not_in(DAY_ONLY)
    for grain in ("week", "month"):
        total = session.execute(
            select(*[func.sum(getattr(TicketRollup, m)) for m in MEASURES]).where(TicketRollup.grain == grain, kept)
        ).one()
        days = session.execute(
            select(*[func.sum(getattr(TicketRollup, m)) for m in MEASURES]).where(TicketRollup.grain == "day", kept)
        ).one()
        assert tuple(total) == tuple(days)
    for name in ("school", "school_service"):
        opened = session.scalar(
            select(func.sum(TicketRollup.opened)).where(TicketRollup.grain == "month", TicketRollup.cuboid == name)
        )
        assert opened == 9, name
    # The per-ticket level is kept by day only: weeks and months of it are summed from its days when read.
    assert not session.scalar(
        select(func.count()).select_from(TicketRollup).where(TicketRollup.cuboid == "school_full", TicketRollup.grain != "day")
    )


def test_refresh_recomputes_only_the_days_that_changed_and_is_idempotent(session, activity, academie):
    now = MONDAY + timedelta(days=3)
    assert rollups.refresh(session, now=now) == 4  # first run: every day from the first ticket to the last
    before = session.execute(select(TicketRollup.grain, TicketRollup.bucket, TicketRollup.opened).order_by(TicketRollup.id)).all()
    later = now + timedelta(hours=1)
    assert rollups.refresh(session, now=later) == 0  # nothing changed since (beyond the overlap)
    lifecycle.resolve(
        session, activity["plain"], actor=academie["edulab"], solution="Agenda recréé", now=later + timedelta(minutes=10)
    )
    assert rollups.refresh(session, now=later + timedelta(minutes=11)) == 1  # only Monday, the day it was opened
    monday = services.cube(session, Step.DAY, date(2026, 1, 12), date(2026, 1, 12), services.Filters(), ())[()]
    assert _m(monday, "finished") == 1
    rollups.rebuild(session, now=later + timedelta(minutes=12))
    again = services.cube(session, Step.DAY, date(2026, 1, 12), date(2026, 1, 12), services.Filters(), ())[()]
    assert again == monday
    assert len(before) > 0


def test_filters_narrow_the_rollup_like_the_tickets(session, activity, academie):
    rollups.refresh(session, now=MONDAY + timedelta(days=3))
    north = services.cube(
        session, Step.MONTH, date(2026, 1, 1), date(2026, 1, 1), services.Filters(basin_id=academie["north"].id), ()
    )
    assert _m(north[()], "opened") == session.scalar(select(func.count()).where(Ticket.basin_id == academie["north"].id))
    phone = services.cube(session, Step.MONTH, date(2026, 1, 1), date(2026, 1, 1), services.Filters(channel="phone"), ())
    assert _m(phone[()], "opened") == 1
    by_channel = services.cube(  # one basin by channel: read from the basin × channel level
        session, Step.WEEK, date(2026, 1, 12), date(2026, 1, 12), services.Filters(basin_id=academie["north"].id), ("channel",)
    )
    direct = session.execute(
        select(Ticket.channel, func.count()).where(Ticket.basin_id == academie["north"].id).group_by(Ticket.channel)
    )
    assert {channel: _m(values, "opened") for (channel,), values in by_channel.items()} == dict(direct.all())


def test_every_rollup_level_gives_the_same_figures_as_the_per_ticket_one(session, activity, academie):
    """Each cuboid sums the "school_full" day rows (counted from the tickets) over the dimensions it leaves out:
    grouped on its own dimensions, it matches, by day and by week."""
    rollups.refresh(session, now=MONDAY + timedelta(days=3))

    def grouped(cuboid, kept, grain, first, last):
        columns = [getattr(TicketRollup, d) for d in kept]
        return sorted(
            tuple(row)
            for row in session.execute(
                select(*columns, *[func.sum(getattr(TicketRollup, m)) for m in MEASURES])
                .where(TicketRollup.cuboid == cuboid, TicketRollup.grain == grain)
                .where(TicketRollup.bucket >= first, TicketRollup.bucket <= last)
                .group_by(*columns)
            )
        )

    for grain, first, last in (("day", WEEK.first, WEEK.last), ("week", date(2026, 1, 12), date(2026, 1, 12))):
        for name, kept in CUBOIDS.items():
            if name in DAY_ONLY:
                continue
            # A week of the per-ticket level is its seven days.
            days_last = last + timedelta(days=6) if grain == "week" else last
            source = grouped("school_full", kept, "day", first, days_last)
            assert grouped(name, kept, grain, first, last) == source, (name, grain)
    assert set(SOURCES) | DAY_ONLY == set(CUBOIDS)


def test_the_smallest_level_that_has_the_dimensions_is_read():
    from helpdesk.reports.services import Filters, cuboid_for

    assert cuboid_for(Filters(), ("bucket",)) == "all"
    assert cuboid_for(Filters(), ("bucket", "service")) == "service"
    assert cuboid_for(Filters(), ("bucket", "basin_id")) == "basin"
    assert cuboid_for(Filters(), ("opened_keyword_id",)) == "opened_keyword"
    assert cuboid_for(Filters(service="pix"), ("bucket", "channel")) == "service_channel"
    assert cuboid_for(Filters(basin_id=3), ("bucket", "tier")) == "tier_basin"
    assert cuboid_for(Filters(channel="phone"), ("bucket", "tier")) == "tier_channel"
    assert cuboid_for(Filters(basin_id=3, service="pix"), ("bucket", "tier")) == "service_basin"
    assert cuboid_for(Filters(channel="web"), ("basin_id",)) == "channel_basin"
    assert cuboid_for(Filters(basin_id=3), ("bucket", "channel")) == "channel_basin"
    assert cuboid_for(Filters(basin_id=3, service="pix"), ("bucket", "channel")) == "basin_channel"
    assert cuboid_for(Filters(keyword_id=4), ("basin_id",)) == "full"
    assert cuboid_for(Filters(), ("bucket", "school_id")) == "school"
    assert cuboid_for(Filters(service="pix"), ("bucket", "school_id")) == "school_service"
    assert cuboid_for(Filters(channel="web"), ("bucket", "school_id")) == "school_channel"
    assert cuboid_for(Filters(channel="web", service="pix"), ("bucket", "school_id")) == "school_full"
    assert cuboid_for(Filters(school_id=7), ("bucket", "tier")) == "school_full"


def test_volumes_per_school_for_one_service_match_a_direct_count(session, activity, academie):
    rollups.refresh(session, now=MONDAY + timedelta(days=3))
    for filters, where in (
        (services.Filters(service="rubriques"), [Ticket.service == "rubriques"]),
        (services.Filters(), []),
        (services.Filters(channel="phone"), [Ticket.channel == "phone"]),  # read from the school × channel level
        (services.Filters(channel="phone", service="rubriques"), [Ticket.channel == "phone", Ticket.service == "rubriques"]),
    ):
        figures = services.cube(session, Step.MONTH, date(2026, 1, 1), date(2026, 1, 1), filters, ("school_id",))
        direct = dict(session.execute(select(Ticket.school_id, func.count()).where(*where).group_by(Ticket.school_id)).all())
        assert {school: _m(values, "opened") for (school,), values in figures.items()} == direct, filters


def test_a_day_without_tickets_has_no_rows_at_any_level(session, activity):
    rollups.refresh_days(session, [date(2026, 1, 20)])
    assert session.scalar(select(func.count()).select_from(TicketRollup).where(TicketRollup.bucket == date(2026, 1, 20))) == 0


def test_a_period_never_reaches_the_ends_of_the_calendar():
    today = date(2026, 12, 2)
    far_future = make_period(date(9999, 12, 31), date(9999, 12, 31), "day", today=today)
    assert far_future.last == today or far_future.last >= today  # whole bucket containing today
    assert far_future.first <= today
    far_past = make_period(date(1, 1, 1), date(1, 1, 2), "week", today=today)
    assert far_past.first >= date(2016, 1, 1) and "trimmed" in far_past.adjustments


def test_volumes_draw_the_first_values_and_sum_the_others_per_bucket(session, activity, academie, monkeypatch):
    monkeypatch.setattr(services, "TOP", 1)  # two schools: the first drawn, the other in « Autres »
    rollups.refresh(session, now=MONDAY + timedelta(days=3))
    data = services.volumes(session, WEEK, services.Filters(), "school_id")
    direct = Counter((paris_day(t.created_at), t.school_id) for t in session.scalars(select(Ticket)))
    first, other = academie["school"].id, academie["other_school"].id
    assert data["ranking"] == [(first, 6), (other, 3)] and data["total"] == 9
    drawn, rest = data["series"]
    assert drawn["value"] == first and rest["value"] is None
    assert drawn["counts"] == [direct.get((day, first), 0) for day in WEEK.buckets]
    assert rest["counts"] == [direct.get((day, other), 0) for day in WEEK.buckets]
    assert data["totals"] == [a + b for a, b in zip(drawn["counts"], rest["counts"], strict=True)]
