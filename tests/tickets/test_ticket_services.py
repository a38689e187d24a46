"""Core ticket use cases: routing from the keyword, life cycle, the tiered chain and its audit trail."""

import pytest

from helpdesk.platform.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import services
from helpdesk.users.models import Role
from tests.factories import BasinFactory, KeywordFactory, SchoolFactory, UserFactory


@pytest.fixture
def chain(session):
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


def test_keyword_decides_service_tier_and_reference(session, chain):
    keyword = KeywordFactory(service="rubriques", tier="edulab", priority="high", ticket_type="demande")
    ticket = services.open_ticket(
        session, actor=chain["teacher"], keyword=keyword, subject="Agenda vide", description="Les dates ont disparu", now=utcnow()
    )
    assert (ticket.service, ticket.tier, ticket.priority, ticket.type) == ("rubriques", "edulab", "high", "demande")
    assert ticket.reference.startswith(f"ENT-{utcnow().year}-")
    assert ticket.basin_id == chain["teacher"].school.basin_id
    assert [e.kind for e in ticket.events] == ["created"]


def test_vendor_is_never_an_entry_point(session, chain):
    ticket = services.open_ticket(
        session, actor=chain["teacher"], keyword=KeywordFactory(tier="editeur"), subject="x", description="y", now=utcnow()
    )
    assert ticket.tier == "pilote"


def test_full_chain_up_and_down_is_recorded(session, chain):
    now = utcnow()
    ticket = services.open_ticket(
        session,
        actor=chain["teacher"],
        keyword=KeywordFactory(tier="edulab"),
        subject="Cahier de textes vide",
        description="Rien en 4e B",
        now=now,
    )
    with pytest.raises(NotAllowed):
        services.escalate(session, ticket, actor=chain["other_edulab"], reason="x", now=now)
    with pytest.raises(ValidationFailed):
        services.escalate(session, ticket, actor=chain["edulab"], reason=" ", now=now)
    services.change_status(session, ticket, "taken", actor=chain["edulab"], now=now)
    services.escalate(session, ticket, actor=chain["edulab"], reason="Exports STSweb faits, toujours vide", now=now)
    assert ticket.tier == "pilote"
    with pytest.raises(ValidationFailed):  # an incident is not transmitted as such to the vendor
        services.escalate(session, ticket, actor=chain["pilote"], reason="bug", now=now)
    services.escalate(
        session, ticket, actor=chain["pilote"], reason="Bug reproduit", now=now, as_bug=True, vendor_reference="KOS-42"
    )
    assert (ticket.tier, ticket.type, ticket.has_reached_vendor, ticket.vendor_reference) == ("editeur", "bug", True, "KOS-42")
    services.add_message(session, ticket, actor=chain["editeur"], body="Correctif livré en 4.12", now=now)
    services.send_down(session, ticket, actor=chain["editeur"], reason="Corrigé dans la version 4.12", now=now)
    assert ticket.tier == "pilote"
    services.change_status(session, ticket, "resolved", actor=chain["pilote"], reason="Correctif éditeur", now=now)
    services.confirm_resolution(session, ticket, actor=chain["teacher"], now=now)
    kinds = [(e.kind, e.from_value, e.to_value) for e in ticket.events]
    assert ("escalated", "edulab", "pilote") in kinds and ("escalated", "pilote", "editeur") in kinds
    assert ("sent_down", "editeur", "pilote") in kinds and kinds[-1] == ("status_changed", "resolved", "closed")
    assert all(e.reason for e in ticket.events if e.kind in {"escalated", "sent_down"})


def test_invalid_transition_is_refused_with_a_clear_message(session, chain):
    ticket = services.open_ticket(
        session, actor=chain["teacher"], keyword=KeywordFactory(tier="n1"), subject="x", description="y", now=utcnow()
    )
    services.change_status(session, ticket, "resolved", actor=chain["n1"], now=utcnow(), reason="Cache vidé")
    with pytest.raises(InvalidTransition, match="Impossible de passer un ticket « Résolu » à « En attente du demandeur »"):
        services.change_status(session, ticket, "waiting_requester", actor=chain["n1"], now=utcnow())
    with pytest.raises(InvalidTransition):
        services.change_status(session, ticket, "closed", actor=chain["n1"], now=utcnow())


def test_stale_version_gets_a_conflict_with_the_newer_state(session, chain):
    ticket = services.open_ticket(
        session, actor=chain["teacher"], keyword=KeywordFactory(tier="n1"), subject="x", description="y", now=utcnow()
    )
    seen = ticket.version
    services.change_status(session, ticket, "taken", actor=chain["n1"], now=utcnow(), expected_version=seen)
    with pytest.raises(Conflict) as error:
        services.change_status(session, ticket, "resolved", actor=chain["n1"], now=utcnow(), reason="ok", expected_version=seen)
    assert error.value.details["status"] == "taken"


def test_keyword_change_is_recorded_as_misrouting(session, chain):
    ticket = services.open_ticket(
        session,
        actor=chain["teacher"],
        keyword=KeywordFactory(tier="n1", service="messagerie"),
        subject="x",
        description="y",
        now=utcnow(),
    )
    better = KeywordFactory(service="formulaires", tier="edulab")
    services.change_keyword(session, ticket, better, actor=chain["n1"], reason="C'est un sondage", now=utcnow())
    event = ticket.events[-1]
    assert (event.kind, event.data["misrouted"], ticket.service) == ("keyword_changed", True, "formulaires")


def test_requester_reply_to_waiting_ticket_puts_it_back_to_taken(session, chain):
    ticket = services.open_ticket(
        session, actor=chain["teacher"], keyword=KeywordFactory(tier="n1"), subject="x", description="y", now=utcnow()
    )
    services.change_status(session, ticket, "waiting_requester", actor=chain["n1"], now=utcnow(), reason="Capture ?")
    services.add_message(session, ticket, actor=chain["teacher"], body="Voici la capture", now=utcnow())
    assert ticket.status == "taken"
    with pytest.raises(NotAllowed):
        services.add_message(session, ticket, actor=chain["teacher"], body="note", now=utcnow(), internal=True)
