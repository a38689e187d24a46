"""Core ticket use cases: routing from the keyword, the life cycle per tier, the tiered chain and its history."""

import pytest

from escalation import seed as sla_seed
from helpdesk.platform.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import conversation, lifecycle, services
from helpdesk.tickets.audiences import MessageKind
from helpdesk.tickets.states import Move
from helpdesk.users.models import Role
from tests.factories import BasinFactory, KeywordFactory, SchoolFactory, UserFactory
from tests.tickets.invariants import assert_clock_follows_status


@pytest.fixture
def chain(session):
    sla_seed.seed_reference(session)
    basin = BasinFactory()
    school = SchoolFactory(basin=basin)
    return {
        "teacher": UserFactory(school=school),
        "edulab": UserFactory(school=None, roles=[Role.EDULAB], basins=[basin]),
        "other_edulab": UserFactory(school=None, roles=[Role.EDULAB], basins=[BasinFactory()]),
        "pilote": UserFactory(school=None, roles=[Role.PILOTE]),
        "editeur": UserFactory(school=None, roles=[Role.EDITEUR]),
        "n1": UserFactory(school=None, roles=[Role.AGENT_N1]),
    }


def _open(session, chain, tier="n1", **keyword):
    return services.open_ticket(
        session, actor=chain["teacher"], keyword=KeywordFactory(tier=tier, **keyword), subject="x", description="y", now=utcnow()
    )


def test_keyword_decides_service_tier_and_reference(session, chain):
    keyword = KeywordFactory(service="rubriques", tier="edulab", priority="high", ticket_type="demande")
    ticket = services.open_ticket(
        session, actor=chain["teacher"], keyword=keyword, subject="Agenda vide", description="Les dates ont disparu", now=utcnow()
    )
    assert (ticket.service, ticket.tier, ticket.priority, ticket.type, ticket.status) == (
        "rubriques",
        "edulab",
        "high",
        "demande",
        "new",
    )
    assert ticket.reference.startswith(f"ENT-{utcnow().year}-")
    assert ticket.basin_id == chain["teacher"].school.basin_id
    assert [e.kind for e in ticket.events] == ["created"]
    assert ticket.promised_at is not None and ticket.promised_at == ticket.resolution_due_at
    assert_clock_follows_status(session, ticket)


def test_vendor_is_never_an_entry_point(session, chain):
    assert _open(session, chain, tier="editeur").tier == "pilote"


def test_subject_over_the_limit_is_refused_not_cut(session, chain):
    with pytest.raises(ValidationFailed, match="200 caractères"):
        services.open_ticket(
            session, actor=chain["teacher"], keyword=KeywordFactory(), subject="x" * 201, description="y", now=utcnow()
        )


def test_each_arrival_is_new_at_its_tier_and_the_whole_chain_is_recorded(session, chain):
    now = utcnow()
    ticket = _open(session, chain, tier="edulab")
    with pytest.raises(NotAllowed):
        lifecycle.escalate(session, ticket, actor=chain["other_edulab"], reason="x", now=now)
    with pytest.raises(ValidationFailed):
        lifecycle.escalate(session, ticket, actor=chain["edulab"], reason=" ", now=now)
    lifecycle.take(session, ticket, actor=chain["edulab"], now=now)
    assert (ticket.status, ticket.assignee_id) == ("taken", chain["edulab"].id)
    lifecycle.escalate(session, ticket, actor=chain["edulab"], reason="Exports STSweb faits, toujours vide", now=now)
    # Arriving at the pilot team: nobody there holds it yet.
    assert (ticket.tier, ticket.status, ticket.assignee_id) == ("pilote", "new", None)
    assert_clock_follows_status(session, ticket)
    with pytest.raises(ValidationFailed):  # an incident is not transmitted as such to the vendor
        lifecycle.escalate(session, ticket, actor=chain["pilote"], reason="bug", now=now)
    lifecycle.escalate(
        session, ticket, actor=chain["pilote"], reason="Bug reproduit", now=now, as_bug=True, vendor_reference="KOS-42"
    )
    assert (ticket.tier, ticket.type, ticket.has_reached_vendor, ticket.vendor_reference, ticket.status) == (
        "editeur",
        "bug",
        True,
        "KOS-42",
        "new",
    )
    assert [m.kind for m in ticket.messages] == ["vendor"]  # the transmission note opens the exchange
    lifecycle.take(session, ticket, actor=chain["editeur"], now=now)
    conversation.post_message(session, ticket, MessageKind.VENDOR, actor=chain["editeur"], body="Analyse en cours", now=now)
    with pytest.raises(NotAllowed):  # the vendor never writes to the requester
        conversation.post_message(session, ticket, MessageKind.REPLY, actor=chain["editeur"], body="Bonjour", now=now)
    lifecycle.send_down(session, ticket, actor=chain["editeur"], reason="Corrigé dans la version 4.12", now=now)
    assert (ticket.tier, ticket.status, ticket.assignee_id) == ("pilote", "new", None)
    with pytest.raises(NotAllowed):  # after the send-down the vendor can post nothing
        conversation.post_message(session, ticket, MessageKind.VENDOR, actor=chain["editeur"], body="Encore", now=now)
    lifecycle.take(session, ticket, actor=chain["pilote"], now=now)
    lifecycle.resolve(session, ticket, actor=chain["pilote"], solution="Correctif éditeur installé", now=now)
    lifecycle.confirm(session, ticket, actor=chain["teacher"], now=now)
    kinds = [(e.kind, e.from_value, e.to_value) for e in ticket.events]
    assert ("escalated", "edulab", "pilote") in kinds and ("escalated", "pilote", "editeur") in kinds
    assert ("sent_down", "editeur", "pilote") in kinds and kinds[-1] == ("closed", "resolved", "closed")
    # Every hop has its reason: on the event, or, into and out of the vendor, as the exchange's message.
    hops = [e for e in ticket.events if e.kind in {"escalated", "sent_down"}]
    assert [bool(e.reason) for e in hops] == [True, False, False]
    assert [m.kind for m in ticket.messages] == ["vendor", "vendor", "vendor", "solution"]
    assert_clock_follows_status(session, ticket)


def test_refused_move_lists_the_allowed_ones(session, chain):
    ticket = _open(session, chain)
    lifecycle.resolve(session, ticket, actor=chain["n1"], solution="Cache vidé", now=utcnow())
    with pytest.raises(InvalidTransition, match="Actions possibles : rouvrir") as refused:
        lifecycle.wait(session, ticket, Move.WAIT_REQUESTER, actor=chain["n1"], message="?", now=utcnow())
    assert refused.value.details["allowed"] == ["reopen"]


def test_stale_version_gets_a_conflict_with_the_newer_state(session, chain):
    ticket = _open(session, chain)
    seen = ticket.version
    lifecycle.take(session, ticket, actor=chain["n1"], now=utcnow(), expected_version=seen)
    session.flush()
    with pytest.raises(Conflict) as error:
        lifecycle.resolve(session, ticket, actor=chain["n1"], solution="ok", now=utcnow(), expected_version=seen)
    assert error.value.details["status"] == "taken"


def test_keyword_change_is_recorded_as_misrouting(session, chain):
    ticket = _open(session, chain, service="messagerie")
    better = KeywordFactory(service="formulaires", tier="edulab")
    services.change_keyword(session, ticket, better, actor=chain["n1"], reason="C'est un sondage", now=utcnow())
    event = ticket.events[-1]
    assert (event.kind, event.data["misrouted"], ticket.service) == ("keyword_changed", True, "formulaires")


def test_question_is_a_public_message_and_the_answer_ends_the_wait(session, chain):
    ticket = _open(session, chain)
    with pytest.raises(ValidationFailed, match="question"):
        lifecycle.wait(session, ticket, Move.WAIT_REQUESTER, actor=chain["n1"], message=" ", now=utcnow())
    lifecycle.wait(session, ticket, Move.WAIT_REQUESTER, actor=chain["n1"], message="Capture ?", now=utcnow())
    question = ticket.messages[-1]
    assert (question.kind, question.audience, question.body) == ("question", "public", "Capture ?")
    assert ticket.waiting_until is not None and ticket.assignee_id == chain["n1"].id
    conversation.post_message(session, ticket, MessageKind.REPLY, actor=chain["teacher"], body="Voici la capture", now=utcnow())
    assert (ticket.status, ticket.waiting_until) == ("taken", None)
    assert_clock_follows_status(session, ticket)
    with pytest.raises(NotAllowed):
        conversation.post_message(session, ticket, MessageKind.NOTE, actor=chain["teacher"], body="note", now=utcnow())


def test_a_wait_is_bounded(session, chain):
    from datetime import timedelta

    ticket = _open(session, chain)
    now = utcnow()
    with pytest.raises(ValidationFailed, match="60 jours"):
        lifecycle.wait(session, ticket, Move.WAIT_PROPAGATION, actor=chain["n1"], now=now, until=now + timedelta(days=90))
    with pytest.raises(ValidationFailed, match="futur"):
        lifecycle.wait(session, ticket, Move.WAIT_PROPAGATION, actor=chain["n1"], now=now, until=now - timedelta(hours=1))
    lifecycle.wait(session, ticket, Move.WAIT_PROPAGATION, actor=chain["n1"], now=now)
    assert ticket.waiting_until == now + timedelta(days=2)  # data propagate within 48 hours


def test_reopen_is_refused_after_the_window(session, chain):
    from datetime import timedelta

    ticket = _open(session, chain)
    now = utcnow()
    lifecycle.resolve(session, ticket, actor=chain["n1"], solution="Fait", now=now)
    lifecycle.confirm(session, ticket, actor=chain["teacher"], now=now)
    with pytest.raises(InvalidTransition, match="plus de 30 jours"):
        lifecycle.reopen(session, ticket, actor=chain["teacher"], reason="Encore", now=now + timedelta(days=31))
    lifecycle.reopen(session, ticket, actor=chain["teacher"], reason="Encore", now=now + timedelta(days=2))
    # Back to the person who resolved it, with the requester's words as a public message.
    assert (ticket.status, ticket.assignee_id, ticket.messages[-1].body) == ("taken", chain["n1"].id, "Encore")
    assert_clock_follows_status(session, ticket)
