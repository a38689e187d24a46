"""Every wait ends by itself: for each kind of wait, the real sweep (and worker) run past its date give the ticket
back to its tier with its deadlines set, and tell whoever must act; a send-down during a wait ends it at once."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from escalation import seed
from escalation.models import SlaClock, SlaPause
from helpdesk.notifications.models import Notification
from helpdesk.tickets import lifecycle
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.states import Move
from helpdesk.users.models import Role
from tests.escalation.workers import sweep_and_work
from tests.factories import BasinFactory, KeywordFactory, SchoolFactory, UserFactory
from tests.tickets.invariants import assert_clock_follows_status

MONDAY = datetime(2026, 11, 16, 8, tzinfo=UTC)  # 09:00 Paris


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def people(session):
    seed.seed_reference(session)
    basin = BasinFactory()
    return {
        "teacher": UserFactory(school=SchoolFactory(basin=basin)),
        "edulab": UserFactory(school=None, roles=[Role.EDULAB], basins=[basin]),
        "pilote": UserFactory(school=None, roles=[Role.PILOTE]),
        "editeur": UserFactory(school=None, roles=[Role.EDITEUR]),
    }


def _open(session, people, tier="edulab", ticket_type="incident"):
    keyword = KeywordFactory(tier=tier, priority="normal", ticket_type=ticket_type)
    ticket = tickets.open_ticket(session, actor=people["teacher"], keyword=keyword, subject="Agenda vide", description="x",
                                 now=MONDAY)  # fmt: skip
    session.commit()
    return ticket


def _after_the_sweep(app, session, ticket_id, when):
    sweep_and_work(app, when.isoformat())
    session.expire_all()
    ticket = session.get(Ticket, ticket_id)
    assert_clock_follows_status(session, ticket)
    return ticket


@pytest.mark.parametrize(
    ("move", "until", "reason", "told"),
    [
        (Move.WAIT_REQUESTER, None, "Sans réponse du demandeur à la date prévue", ["wait_ended"]),
        (Move.WAIT_PROPAGATION, utc(2026, 11, 18, 8), "Fin du délai de propagation des données annoncé",
         ["propagation_done", "wait_ended"]),
        (Move.WAIT_VENDOR, utc(2026, 11, 20, 8), "Fin de l'attente de l'éditeur prévue", ["wait_ended"]),
    ],
)  # fmt: skip
def test_each_wait_resumes_by_itself_past_its_date(app, session, people, move, until, reason, told):
    ticket = _open(session, people)
    lifecycle.take(session, ticket, actor=people["edulab"], now=MONDAY)
    lifecycle.wait(session, ticket, move, actor=people["edulab"], now=utc(2026, 11, 16, 9), until=until,
                   message="Une capture de l'écran, s'il vous plaît ?" if move == Move.WAIT_REQUESTER else "")  # fmt: skip
    session.commit()
    assert_clock_follows_status(session, ticket)
    end = ticket.waiting_until
    before = _after_the_sweep(app, session, ticket.id, end - timedelta(hours=1))
    assert before.status == str(move.value).replace("wait_", "waiting_")
    after = _after_the_sweep(app, session, ticket.id, end + timedelta(minutes=1))
    assert (after.status, after.assignee_id, after.waiting_until) == ("taken", people["edulab"].id, None)
    assert session.get(SlaClock, after.id).next_check_at is not None  # its clock runs again: it can warn and breach
    pause = session.scalars(select(SlaPause).where(SlaPause.ticket_id == after.id)).one()
    assert pause.ended_at is not None
    assert [e.reason for e in after.events if e.kind == "wait_ended"] == [reason]
    kinds = [n.kind for n in session.scalars(select(Notification).where(Notification.kind.in_(told)).order_by(Notification.id))]
    assert kinds == told


def test_an_unheld_wait_goes_back_to_the_tier_as_a_new_arrival(app, session, people):
    ticket = _open(session, people)
    lifecycle.wait(session, ticket, Move.WAIT_PROPAGATION, actor=people["edulab"], now=utc(2026, 11, 16, 9),
                   until=utc(2026, 11, 17, 8))  # fmt: skip
    lifecycle.take(session, ticket, actor=people["edulab"], now=utc(2026, 11, 16, 9, 30))  # taking ends the wait
    assert_clock_follows_status(session, ticket)
    tickets.assign(session, ticket, None, actor=people["edulab"], now=utc(2026, 11, 16, 9, 31))
    lifecycle.wait(session, ticket, Move.WAIT_VENDOR, actor=people["edulab"], now=utc(2026, 11, 16, 10),
                   until=utc(2026, 11, 17, 8))  # fmt: skip
    tickets.assign(session, ticket, None, actor=people["edulab"], now=utc(2026, 11, 16, 10, 1))
    session.commit()
    after = _after_the_sweep(app, session, ticket.id, utc(2026, 11, 17, 8, 5))
    assert (after.status, after.assignee_id) == ("new", None)  # nobody holds it: « à prendre en charge » again
    told = session.scalars(select(Notification).where(Notification.kind == "wait_ended")).all()
    assert [n.user_id for n in told] == [people["edulab"].id]  # the basin's referents


def test_a_send_down_during_a_wait_ends_the_wait_and_the_pause(app, session, people):
    ticket = _open(session, people, tier="pilote", ticket_type="bug")
    lifecycle.take(session, ticket, actor=people["pilote"], now=MONDAY)
    lifecycle.escalate(session, ticket, actor=people["pilote"], reason="Bug reproduit", now=utc(2026, 11, 16, 9))
    lifecycle.take(session, ticket, actor=people["editeur"], now=utc(2026, 11, 16, 10))
    lifecycle.send_down(session, ticket, actor=people["editeur"], reason="Corrigé en 4.12", now=utc(2026, 11, 16, 11))
    lifecycle.take(session, ticket, actor=people["pilote"], now=utc(2026, 11, 16, 12))
    lifecycle.wait(session, ticket, Move.WAIT_VENDOR, actor=people["pilote"], now=utc(2026, 11, 16, 13))
    lifecycle.send_down(session, ticket, actor=people["pilote"], reason="À l'EduLAB de vérifier sur place",
                        now=utc(2026, 11, 16, 14))  # fmt: skip
    session.commit()
    assert (ticket.tier, ticket.status, ticket.assignee_id, ticket.waiting_until) == ("edulab", "new", None, None)
    assert_clock_follows_status(session, ticket)
    assert not session.scalars(select(SlaPause).where(SlaPause.ticket_id == ticket.id, SlaPause.ended_at.is_(None))).all()
    # Its EduLAB deadline runs and, unanswered, it breaches and climbs again like any other ticket.
    late = ticket.resolution_due_at + timedelta(minutes=5)
    after = _after_the_sweep(app, session, ticket.id, late)
    assert after.tier == "pilote"
