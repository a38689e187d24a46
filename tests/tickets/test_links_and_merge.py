"""Links between tickets (voir aussi, doublon de, incident) and merging a duplicate: what moves, who reads it, who is
told, the closure through the life cycle, the pilot team's undo, all recorded in the timeline."""

import html

import pytest
from sqlalchemy import select

from helpdesk.notifications.models import Notification
from helpdesk.platform.errors import InvalidTransition, NotAllowed, ValidationFailed
from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import actions, conversation, lifecycle, links, merging, services, timeline, worktime
from helpdesk.tickets.audiences import MessageKind
from helpdesk.tickets.models import TicketEvent
from helpdesk.users.services import issue_api_token
from tests.factories import AttachmentFactory


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _open(session, chain, requester="teacher", subject="Agenda vide"):
    ticket = services.open_ticket(session, actor=chain[requester], keyword=chain["keyword"], subject=subject,
                                  description="Plus aucune date", now=utcnow(), extra_fields={"rubrique": "Sport"})  # fmt: skip
    session.commit()
    return ticket


def _kinds(session, user_id):
    return [
        n.kind for n in session.scalars(select(Notification).where(Notification.user_id == user_id).order_by(Notification.id))
    ]


def test_see_also_is_read_from_both_sides_and_only_by_agents_who_see_both(chain, session):
    one, two = _open(session, chain), _open(session, chain, requester="colleague")
    links.link(session, one, two, links.SEE_ALSO, actor=chain["edulab"], now=utcnow())
    session.commit()
    assert [(r.kind, r.ticket) for r in links.related(session, two, chain["edulab"])] == [("see_also", one)]
    assert [e.kind for e in one.events][-1] == "linked" and [e.audience for e in two.events][-1] == "internal"
    with pytest.raises(ValidationFailed):
        links.link(session, two, one, links.SEE_ALSO, actor=chain["edulab"], now=utcnow())
    session.rollback()
    with pytest.raises(NotAllowed):
        links.link(session, one, two, links.DUPLICATE_OF, actor=chain["teacher"], now=utcnow())
    session.rollback()
    links.unlink(session, two, one, links.SEE_ALSO, actor=chain["edulab"], now=utcnow())
    session.commit()
    assert links.related(session, one, chain["edulab"]) == []


def test_duplicate_of_reuses_the_duplicate_column_and_points_at_the_head(chain, session):
    head, second, third = _open(session, chain), _open(session, chain), _open(session, chain)
    links.link(session, second, head, links.DUPLICATE_OF, actor=chain["edulab"], now=utcnow())
    links.link(session, third, second, links.DUPLICATE_OF, actor=chain["edulab"], now=utcnow())
    session.commit()
    assert second.duplicate_of_id == head.id and third.duplicate_of_id == head.id
    assert {(r.kind, r.ticket.id) for r in links.related(session, head, chain["pilote"])} == {
        ("duplicated_by", second.id), ("duplicated_by", third.id)}  # fmt: skip


def _merge_setup(session, chain, *, same_requester):
    survivor = _open(session, chain, subject="Agenda vide (1)")
    duplicate = _open(session, chain, requester="teacher" if same_requester else "colleague", subject="Agenda vide (2)")
    lifecycle.take(session, duplicate, actor=chain["edulab"], now=utcnow())
    conversation.post_message(
        session, duplicate, MessageKind.REPLY, actor=chain["edulab"], body="Quel navigateur ?", now=utcnow()
    )
    note = conversation.post_message(session, duplicate, MessageKind.NOTE, actor=chain["edulab"], body="Même bug", now=utcnow())
    worktime.record(session, duplicate, 12, actor=chain["edulab"], now=utcnow(), message=note)
    AttachmentFactory(ticket=duplicate, original_name="capture.png", audience="public")
    session.commit()
    return survivor, duplicate


def test_merge_moves_the_conversation_closes_through_the_life_cycle_and_tells_the_requester(chain, session):
    survivor, duplicate = _merge_setup(session, chain, same_requester=True)
    merging.merge(session, duplicate, survivor, actor=chain["edulab"], now=utcnow(), reason="Même problème")
    session.commit()
    assert duplicate.status == "closed" and not duplicate.is_open and duplicate.merged_into_id == survivor.id
    assert duplicate.messages == [] and duplicate.attachments == []
    bodies = {m.body: m.audience for m in survivor.messages}
    assert bodies == {"Quel navigateur ?": "public", "Même bug": "internal"}
    assert [a.original_name for a in survivor.attachments] == ["capture.png"]
    assert worktime.totals(session, survivor).minutes == 12 and worktime.totals(session, duplicate).minutes == 0
    merged = [e for e in duplicate.events if e.kind == "merged"][-1]
    assert merged.audience == "public" and merged.reason == "Même problème" and merged.data["survivor"] == survivor.reference
    assert [e.kind for e in survivor.events][-1] == "merged_in"
    assert _kinds(session, chain["teacher"].id)[-1] == "ticket_merged"
    mail = session.scalars(select(Notification).where(Notification.kind == "ticket_merged")).one()
    assert survivor.reference in mail.body and mail.link == f"/tickets/{survivor.reference}"
    # The requester reads « regroupée » in their own words and cannot reopen the merged ticket.
    view = timeline.reader_view(duplicate, chain["teacher"])
    assert "Demande regroupée avec une demande identique" in [e.label for e in view.entries]
    assert "reopen" not in actions.available(duplicate, chain["teacher"])
    with pytest.raises((InvalidTransition, NotAllowed)):
        lifecycle.reopen(session, duplicate, actor=chain["teacher"], reason="Toujours pas", now=utcnow())


def test_merging_another_requesters_ticket_keeps_each_school_conversation_private(chain, session):
    survivor, duplicate = _merge_setup(session, chain, same_requester=False)
    merging.merge(session, duplicate, survivor, actor=chain["edulab"], now=utcnow())
    session.commit()
    assert {m.audience for m in survivor.messages} == {"internal"}
    assert [a.audience for a in survivor.attachments] == ["internal"]
    teacher_view = timeline.reader_view(survivor, chain["teacher"])
    assert "Quel navigateur ?" not in [e.text for e in teacher_view.entries] and teacher_view.attachments == []
    mail = session.scalars(select(Notification).where(Notification.kind == "ticket_merged")).one()
    assert mail.user_id == chain["colleague"].id and survivor.reference not in mail.body


def test_only_the_pilot_team_undoes_a_merge_and_everything_comes_back(chain, session):
    survivor, duplicate = _merge_setup(session, chain, same_requester=False)
    merging.merge(session, duplicate, survivor, actor=chain["edulab"], now=utcnow())
    session.commit()
    with pytest.raises(NotAllowed):
        merging.unmerge(session, duplicate, actor=chain["edulab"], now=utcnow())
    session.rollback()
    merging.unmerge(session, duplicate, actor=chain["pilote"], now=utcnow(), reason="Pas le même problème")
    session.commit()
    assert duplicate.is_open and duplicate.status == "taken" and duplicate.merged_into_id is None
    assert {m.body: m.audience for m in duplicate.messages} == {"Quel navigateur ?": "public", "Même bug": "internal"}
    assert [a.audience for a in duplicate.attachments] == ["public"] and survivor.messages == []
    assert worktime.totals(session, duplicate).minutes == 12
    assert [e.kind for e in duplicate.events][-1] == "unmerged" and [e.kind for e in survivor.events][-1] == "merge_undone"
    assert _kinds(session, chain["colleague"].id)[-1] == "ticket_unmerged"


def test_merge_refusals(chain, session):
    survivor, duplicate = _merge_setup(session, chain, same_requester=True)
    with pytest.raises(NotAllowed):  # not the tier holding the duplicate
        merging.merge(session, duplicate, survivor, actor=chain["n1"], now=utcnow())
    with pytest.raises(ValidationFailed):
        merging.merge(session, duplicate, duplicate, actor=chain["edulab"], now=utcnow())
    session.rollback()
    merging.merge(session, duplicate, survivor, actor=chain["edulab"], now=utcnow())
    session.commit()
    third = _open(session, chain)
    with pytest.raises(ValidationFailed):  # into a closed (merged) ticket
        merging.merge(session, third, duplicate, actor=chain["edulab"], now=utcnow())
    session.rollback()
    assert session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == third.id, TicketEvent.kind == "merged")) is None


def test_page_merge_with_the_text_kept_on_error_then_the_pilot_undoes_it(chain, session, client, login_as):
    survivor, duplicate = _merge_setup(session, chain, same_requester=True)
    login_as(chain["edulab"])
    page = text(client.get(f"/tickets/{duplicate.reference}"))
    assert "Fusionner dans un autre ticket" in page and "Tickets liés" in page
    wrong = client.post(f"/tickets/{duplicate.reference}/actions/merge", data={"version": duplicate.version, "into": "ENT-0000-999999",
                                                                            "reason": "Mon motif"})  # fmt: skip
    assert wrong.status_code == 400 and "ENT-0000-999999" in text(wrong) and "Mon motif" in text(wrong)
    done = client.post(
        f"/tickets/{duplicate.reference}/actions/merge", data={"version": duplicate.version, "into": survivor.reference}
    )
    assert done.status_code == 302
    page = text(client.get(f"/tickets/{duplicate.reference}"))
    assert "Ce ticket a été fusionné dans" in page and survivor.reference in page and "Annuler la fusion" not in page
    page = text(client.get(f"/tickets/{survivor.reference}"))
    assert "Doublon fusionné ici" in page and "Quel navigateur ?" in page
    login_as(chain["teacher"])
    page = text(client.get(f"/tickets/{duplicate.reference}"))
    assert "Ce ticket a été fusionné dans" in page and "Rouvrir" not in page
    login_as(chain["pilote"])
    session.refresh(duplicate)
    assert "Annuler la fusion" in text(client.get(f"/tickets/{duplicate.reference}"))
    undone = client.post(f"/tickets/{duplicate.reference}/actions/undo_merge", data={"version": duplicate.version})
    assert undone.status_code == 302
    session.refresh(duplicate)
    assert duplicate.is_open and "Quel navigateur ?" in text(client.get(f"/tickets/{duplicate.reference}"))


def test_page_links_a_ticket_and_an_incident_through_the_incident_rules(chain, session, client, login_as):
    one, two = _open(session, chain), _open(session, chain)
    login_as(chain["edulab"])
    assert client.post(f"/tickets/{one.reference}/actions/link", data={"version": one.version, "kind": "see_also",
                                                                        "other": two.reference.lower()}).status_code == 302  # fmt: skip
    assert two.reference in text(client.get(f"/tickets/{one.reference}"))
    session.refresh(one)
    refused = client.post(
        f"/tickets/{one.reference}/actions/link", data={"version": one.version, "kind": "incident", "other": "1"}
    )
    assert refused.status_code == 403  # EduLAB does not manage mass incidents


def test_api_merges_and_links_with_the_same_inputs(app, chain, session, client):
    survivor, duplicate = _merge_setup(session, chain, same_requester=True)
    headers = {"Authorization": "Bearer " + issue_api_token(session, chain["edulab"], "tests")}
    session.commit()

    def post(url, body):
        with app.app_context():
            return client.post(url, json=body, headers=headers)

    linked = post(f"/api/v1/tickets/{duplicate.reference}/actions/link", {"version": duplicate.version, "kind": "see_also",
                                                                          "other": survivor.reference})  # fmt: skip
    assert linked.status_code == 200
    bad = post(f"/api/v1/tickets/{duplicate.reference}/actions/merge", {"version": linked.json["version"], "into": "nope"})
    assert bad.status_code == 400 and bad.json["fields"] == ["into"]
    merged = post(
        f"/api/v1/tickets/{duplicate.reference}/actions/merge", {"version": linked.json["version"], "into": survivor.reference}
    )
    assert (
        merged.status_code == 200 and merged.json["status"] == "closed" and "undo_merge" not in merged.json["available_actions"]
    )
