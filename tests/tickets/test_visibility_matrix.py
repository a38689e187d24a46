"""Who reads what on a ticket: every role × every kind of entry (public message, question, internal note, vendor
exchange, attachments of each audience, contact data) × before the transmission, at the vendor and after its
send-down — over the page, the API, the mails and the search. One ticket story, checked at each stage."""

import html

import pytest
from sqlalchemy import select

from escalation import seed as sla_seed
from helpdesk.notifications.models import Notification
from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import attachments, conversation, lifecycle, services
from helpdesk.tickets.audiences import MessageKind
from helpdesk.tickets.states import Move
from helpdesk.users.models import Role
from helpdesk.users.services import issue_api_token
from tests.factories import UserFactory
from tests.tickets.conftest import png_bytes

PUBLIC = {"PUBREPLY", "PUBQUESTION", "PUBANSWER"}
INTERNAL = {"INTNOTE", "INTLATER"}
VENDOR = {"VENDNOTE", "VENDREPLY", "VENDANSWER"}
ACADEMIE = PUBLIC | INTERNAL | VENDOR
REQUESTER_SIDE = {"teacher", "head"}
AGENTS = {"n1", "edulab", "pilote"}
STRANGERS = {"colleague", "other_edulab"}


def _say(session, ticket, kind, actor, marker):
    return conversation.post_message(session, ticket, kind, actor=actor, body=f"Message {marker} pour le test", now=utcnow())


def _attach(session, ticket, actor, name, audience, message=None):
    return attachments.add_attachments(session, ticket, [(name, png_bytes())], actor=actor, now=utcnow(), audience=audience,
                                       message=message, upload_dir=session.info["upload_dir"], max_bytes=10**6)[0]  # fmt: skip


STAGES = ("before", "at_vendor", "sent_back")


def tell(app, session, chain, until: str):
    """One ticket's story, told up to a stage: worked at the EduLAB, transmitted to the vendor, sent back by it."""
    sla_seed.seed_reference(session)
    session.info["upload_dir"] = app.config["UPLOAD_DIR"]
    people = {**chain, "admin": UserFactory(school=None, roles=[Role.ADMIN])}
    ticket = services.open_ticket(session, actor=people["teacher"], keyword=people["keyword"], subject="Agenda vide",
                                  description="Plus aucune date", now=utcnow(), extra_fields={"rubrique": "Sport"})  # fmt: skip
    edulab, pilot, vendor = people["edulab"], people["pilote"], people["editeur"]
    files = {}
    lifecycle.take(session, ticket, actor=edulab, now=utcnow())
    _say(session, ticket, MessageKind.REPLY, edulab, "PUBREPLY")
    lifecycle.wait(session, ticket, Move.WAIT_REQUESTER, actor=edulab, now=utcnow(), message="Question PUBQUESTION ?")
    _say(session, ticket, MessageKind.REPLY, people["teacher"], "PUBANSWER")
    _say(session, ticket, MessageKind.NOTE, edulab, "INTNOTE")
    files["public.png"] = _attach(session, ticket, people["teacher"], "public.png", "public").id
    files["internal.png"] = _attach(session, ticket, edulab, "internal.png", "internal").id
    written = {"PUBREPLY", "PUBQUESTION", "PUBANSWER", "INTNOTE"}
    if until != "before":
        lifecycle.escalate(session, ticket, actor=edulab, reason="Motif interne de l'escalade", now=utcnow())
        lifecycle.take(session, ticket, actor=pilot, now=utcnow())
        lifecycle.escalate(session, ticket, actor=pilot, reason="Note VENDNOTE pour l'éditeur", now=utcnow(), as_bug=True,
                           shared_attachment_ids=[files["public.png"]])  # fmt: skip
        lifecycle.take(session, ticket, actor=vendor, now=utcnow())
        _say(session, ticket, MessageKind.VENDOR, vendor, "VENDREPLY")
        files["vendor.png"] = _attach(session, ticket, vendor, "vendor.png", "vendor").id
        _say(session, ticket, MessageKind.NOTE, pilot, "INTLATER")
        written |= {"VENDNOTE", "VENDREPLY", "INTLATER"}
    if until == "sent_back":
        lifecycle.send_down(session, ticket, actor=vendor, reason="Réponse VENDANSWER de l'éditeur", now=utcnow())
        written |= {"VENDANSWER"}
    session.commit()
    return ticket, people, files, written


def readable(role: str, written: set[str]) -> set[str]:
    if role in AGENTS:
        return written & ACADEMIE
    if role in REQUESTER_SIDE or role == "admin":
        return written & PUBLIC
    if role == "editeur":
        return written & VENDOR
    return set()


def files_for(role: str, stage: str) -> set[str]:
    if role in AGENTS:
        return {"public.png", "internal.png"} | ({"vendor.png"} if stage != "before" else set())
    if role in REQUESTER_SIDE or role == "admin":
        return {"public.png"}
    if role == "editeur" and stage != "before":
        return {"public.png", "vendor.png"}  # the pilot shared public.png; never internal.png
    return set()


def _markers(text: str) -> set[str]:
    return {m for m in ACADEMIE if m in text}


ROLES = ["teacher", "head", "colleague", "n1", "edulab", "other_edulab", "pilote", "editeur", "admin"]


@pytest.mark.parametrize("stage", STAGES)
def test_page_api_files_and_search_show_each_role_only_its_audiences(stage, app, session, chain, login_as, client):
    ticket, people, files, written = tell(app, session, chain, stage)
    for role in ROLES:
        user = people[role]
        token = issue_api_token(session, user, "matrix")
        session.commit()
        login_as(user)
        page = client.get(f"/tickets/{ticket.reference}")
        with app.app_context():
            api = client.get(f"/api/v1/tickets/{ticket.reference}", headers={"Authorization": f"Bearer {token}"})
        visible = role not in STRANGERS and not (role == "editeur" and stage == "before")
        assert page.status_code == (200 if visible else 404), (role, stage)
        assert api.status_code == (200 if visible else 404), (role, stage)
        if not visible:
            continue
        text = html.unescape(page.get_data(as_text=True))
        expected = readable(role, written)
        assert _markers(text) == expected, (role, stage, "page")
        assert _markers(api.get_data(as_text=True)) == expected, (role, stage, "api")
        contact_shown = people["teacher"].email in text or people["teacher"].email in api.get_data(as_text=True)
        assert contact_shown is (role in AGENTS), (role, stage, "contact")
        for name, attachment_id in files.items():
            served = client.get(f"/tickets/{ticket.reference}/pieces-jointes/{attachment_id}").status_code == 200
            assert served is (name in files_for(role, stage)), (role, stage, name)
            assert (name in text) is (name in files_for(role, stage)), (role, stage, name, "listed")
        # The search reads subject and description only: no message, note or exchange can be found through it,
        # and it finds only the tickets the person may see.
        if role in AGENTS | {"editeur"}:
            auth = {"Authorization": f"Bearer {token}"}
            for marker in ACADEMIE:
                with app.app_context():
                    hits = client.get(f"/api/v1/tickets?q={marker}", headers=auth).json["tickets"]
                assert hits == [], (role, marker)
            with app.app_context():
                found = [t["reference"] for t in client.get("/api/v1/tickets?q=agenda", headers=auth).json["tickets"]]
            assert (ticket.reference in found) is (role != "editeur" or stage != "before"), (role, stage, "search")
        client.post("/deconnexion")


def test_each_person_is_mailed_only_what_they_may_read(app, session, chain):
    ticket, people, files, written = tell(app, session, chain, "sent_back")
    for role in ROLES:
        rows = session.scalars(select(Notification).where(Notification.user_id == people[role].id)).all()
        for row in rows:
            shown = _markers(row.title + row.body)
            assert shown <= readable(role, written), (role, row.kind, shown)
            if role == "editeur":
                assert people["teacher"].email not in row.body and "Camille Enseignante" not in row.body
    teacher_kinds = [
        n.kind
        for n in session.scalars(
            select(Notification).where(Notification.user_id == people["teacher"].id).order_by(Notification.id)
        )
    ]
    assert teacher_kinds == ["ticket_created", "ticket_replied", "waiting_for_you"]  # no internal hop, ever
    vendor_kinds = [n.kind for n in session.scalars(select(Notification).where(Notification.user_id == people["editeur"].id))]
    assert vendor_kinds == ["ticket_arrived"]  # the transmission, quoting only its note
