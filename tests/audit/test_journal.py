"""The configuration journal: every change to users and roles, schools and basins, SLA policies, calendars and
closures, and keywords is recorded through the real pages (who, when, before → after) and read by pilots and admins."""

import re

from sqlalchemy import select

from escalation import seed
from escalation.models import Closure, SlaPolicy
from helpdesk.audit.models import AuditEntry
from helpdesk.platform import audit as seam
from helpdesk.users.models import Role
from tests.factories import BasinFactory, UserFactory


def _entries(session, entity):
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)))


def test_admin_changes_to_an_account_are_journaled_with_roles_and_basins(session, login_as, client):
    north, south = BasinFactory(name="Toulouse Nord"), BasinFactory(name="Ariège")
    admin = UserFactory(school=None, roles=[Role.ADMIN], full_name="Ada Admin")
    session.commit()
    login_as(admin)
    form = {
        "full_name": "Référente",
        "email": "ref@ac-toulouse.fr",
        "profile": "autre",
        "roles": ["edulab"],
        "is_active_account": "y",
    }
    assert client.post("/admin/utilisateurs/nouveau", data={**form, "basins": [str(north.id)]}).status_code == 302
    user_id = session.scalar(select(AuditEntry.entity_id).where(AuditEntry.entity_label.like("Référente%")))
    response = client.post(
        f"/admin/utilisateurs/{user_id}", data={**form, "roles": ["edulab", "pilote"], "basins": [str(south.id)]}
    )
    assert response.status_code == 302
    created, updated = [e for e in _entries(session, "user") if e.entity_id == user_id]
    assert (created.action, created.actor_id, created.actor_name, created.source) == ("created", admin.id, "Ada Admin", "web")
    assert created.changes["email"] == [None, "ref@ac-toulouse.fr"]
    assert updated.changes["role_rows"] == [["edulab"], ["edulab", "pilote"]]
    assert updated.changes["basins"] == [["Toulouse Nord"], ["Ariège"]]


def test_sla_policy_calendar_and_closure_changes_are_journaled(session, login_as, client):
    seed.seed_reference(session)
    pilot = UserFactory(school=None, roles=[Role.PILOTE], full_name="Paule Pilote")
    session.commit()
    login_as(pilot)
    row = session.scalar(select(SlaPolicy).where(SlaPolicy.tier == "n1", SlaPolicy.priority == "urgent"))
    before = row.resolution_minutes
    client.post(
        f"/pilotage/delais/politique/{row.id}",
        data={"first_response_minutes": "30", "resolution_minutes": "300", "warning_ratio": "0,8", "on_breach": "notify"},
    )
    (policy_entry,) = [e for e in _entries(session, "sla_policy") if e.actor_id == pilot.id]
    assert policy_entry.changes["resolution_minutes"] == [before, 300]
    client.post("/pilotage/delais/calendrier/edulab", data={"hours": "lundi 09:00-12:00"})
    (calendar_entry,) = [e for e in _entries(session, "tier_calendar") if e.actor_id == pilot.id]
    assert calendar_entry.changes["hours"][1] == {"0": [["09:00", "12:00"]]}
    client.post("/pilotage/delais/fermetures", data={"label": "Pont de mai", "first_day": "2027-05-07", "last_day": "2027-05-07"})
    closure = session.scalar(select(Closure).where(Closure.label == "Pont de mai"))
    client.post(f"/pilotage/delais/fermetures/{closure.id}/supprimer")
    actions = [(e.action, e.entity_label) for e in _entries(session, "closure") if e.actor_id == pilot.id]
    assert actions == [("created", "Pont de mai (2027-05-07 – 2027-05-07)"), ("deleted", "Pont de mai (2027-05-07 – 2027-05-07)")]


def test_a_rolled_back_change_leaves_no_entry(session):
    BasinFactory(name="Éphémère")
    session.rollback()
    assert _entries(session, "basin") == []


def test_commands_say_who_acts_and_secrets_are_never_written(session):
    user = UserFactory(full_name="Sam")
    session.commit()
    seam.acting_as(session, None, "command")
    from helpdesk.users.services import set_password

    set_password(session, user, "un-Nouveau-mot-2-passe")
    session.commit()
    entry = _entries(session, "user")[-1]
    assert entry.source == "command" and entry.actor_id is None
    assert entry.changes == {"password_hash": ["(modifié)", "(modifié)"]}


def test_pilots_and_admins_read_the_journal_others_do_not(session, login_as, client):
    BasinFactory(name="Comminges")
    teacher, pilot = UserFactory(), UserFactory(school=None, roles=[Role.PILOTE])
    session.commit()
    login_as(teacher)
    assert client.get("/pilotage/journal/").status_code == 403
    client.post("/deconnexion")
    login_as(pilot)
    html = client.get("/pilotage/journal/?objet=basin").get_data(as_text=True)
    assert "Création : Bassin <q data-domain-content>Comminges</q>" in html
    assert '<th scope="row">Nom</th><td data-domain-content>—</td><td data-domain-content>Comminges</td>' in html
    assert client.get("/pilotage/journal/?objet=nope").status_code == 400


def test_the_journal_pages_backwards(session, login_as, client):
    for n in range(35):
        BasinFactory(name=f"Bassin {n:02d}")
    pilot = UserFactory(school=None, roles=[Role.PILOTE])
    session.commit()
    login_as(pilot)
    first = client.get("/pilotage/journal/?objet=basin").get_data(as_text=True)
    assert "Bassin 34" in first and "Bassin 00" not in first
    older = re.search(r'href="([^"]*avant=\d+[^"]*)">Modifications plus anciennes', first).group(1)
    second = client.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert "Bassin 00" in second and "Bassin 34" not in second
