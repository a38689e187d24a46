"""Catalog edition by pilots and admins: list and filters, create, edit with history and diff, permissions."""

import pytest
from sqlalchemy import select

from helpdesk.audit.models import AuditEntry
from helpdesk.platform.errors import Conflict, NotAllowed
from helpdesk.platform.timeutil import utcnow
from helpdesk.routing import services
from helpdesk.routing.models import Keyword
from helpdesk.users.models import Role
from tests.factories import KeywordFactory, UserFactory

FIELDS_YAML = """- name: logiciel
  label: Logiciel d'emploi du temps
  type: choice
  required: true
  choices: [EDT, UnDeuxTemps]
"""


def _form(**overrides):
    data = {
        "label": "trombinoscope vide",
        "synonyms": "trombi vide\npas de photos trombinoscope",
        "service": "comptes_annuaire",
        "tier": "edulab",
        "ticket_type": "incident",
        "priority": "normal",
        "description": "Les photos des élèves n'apparaissent pas.",
        "fields_yaml": FIELDS_YAML,
        "diagnostic_slug": "",
        "is_active": "y",
        "comment": "Nouveau besoin remonté par les EduLAB",
    }
    data.update(overrides)
    return data


@pytest.fixture
def pilot():
    return UserFactory(roles=[Role.PILOTE], profile="personnel_academique")


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.AGENT_N1, Role.EDULAB, Role.EDITEUR])
def test_only_pilots_and_admins_reach_the_catalog(client, login_as, role):
    keyword = KeywordFactory()
    login_as(UserFactory(roles=[role]))
    for url in (
        "/admin/mots-cles",
        "/admin/mots-cles/nouveau",
        f"/admin/mots-cles/{keyword.id}",
        f"/admin/mots-cles/{keyword.id}/historique",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/admin/mots-cles/{keyword.id}", data=_form()).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/admin/mots-cles")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.PILOTE, Role.ADMIN])
def test_catalog_lists_and_filters(client, login_as, role):
    KeywordFactory(label="messagerie lente", service="messagerie", tier="n1")
    KeywordFactory(label="rubrique cachée", slug="rubrique-cachee", service="rubriques", tier="edulab")
    login_as(UserFactory(roles=[role]))
    html = client.get("/admin/mots-cles").get_data(as_text=True)
    assert "messagerie lente" in html and "rubrique cachée" in html
    html = client.get("/admin/mots-cles?service=rubriques").get_data(as_text=True)
    assert "rubrique cachée" in html and "messagerie lente" not in html
    html = client.get("/admin/mots-cles?tier=n1").get_data(as_text=True)
    assert "messagerie lente" in html and "rubrique cachée" not in html
    html = client.get("/admin/mots-cles?q=cach").get_data(as_text=True)
    assert "rubrique cachée" in html and "messagerie lente" not in html


def test_pilot_creates_a_keyword_that_is_suggested_at_once(client, login_as, pilot, session):
    login_as(pilot)
    response = client.post("/admin/mots-cles/nouveau", data=_form())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    keyword = session.scalar(select(Keyword).where(Keyword.slug == "trombinoscope-vide"))
    assert keyword.synonyms == ["trombi vide", "pas de photos trombinoscope"]
    assert keyword.fields[0]["choices"] == ["EDT", "UnDeuxTemps"]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.entity == "keyword", AuditEntry.entity_id == str(keyword.id)))
    assert (entry.actor_id, entry.action, entry.comment) == (pilot.id, "created", "Nouveau besoin remonté par les EduLAB")
    KeywordFactory.create_batch(4)  # a few other keywords so the word is distinctive
    session.commit()
    found = client.get("/api/v1/routing/suggest?q=trombi+vide").get_json()["suggestions"]
    assert found[0]["slug"] == "trombinoscope-vide"


def test_edit_records_a_revision_and_the_history_shows_a_diff(client, login_as, pilot, session):
    login_as(pilot)
    client.post("/admin/mots-cles/nouveau", data=_form())
    keyword = session.scalar(select(Keyword).where(Keyword.slug == "trombinoscope-vide"))
    page = client.get(f"/admin/mots-cles/{keyword.id}").get_data(as_text=True)
    assert "trombi vide" in page and "UnDeuxTemps" in page
    response = client.post(
        f"/admin/mots-cles/{keyword.id}",
        data=_form(priority="high", tier="n1", comment="Urgent en période d'examens", version="1"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    session.expire_all()
    assert (keyword.version, keyword.priority, keyword.tier) == (2, "high", "n1")
    history = client.get(f"/admin/mots-cles/{keyword.id}/historique").get_data(as_text=True)
    assert "Urgent en période d&#39;examens" in history
    assert "Priorité" in history and "Normale" in history and "Haute" in history
    assert "Niveau d&#39;entrée" in history and "EduLAB" in history and "Niveau 1" in history
    assert pilot.full_name in history


def test_bad_input_re_renders_with_the_text_kept(client, login_as, pilot, session):
    login_as(pilot)
    response = client.post("/admin/mots-cles/nouveau", data=_form(fields_yaml="- name: [oups", label="mon libellé gardé"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "illisible" in html and "mon libellé gardé" in html and "- name: [oups" in html
    response = client.post("/admin/mots-cles/nouveau", data=_form(ticket_type="evolution", tier="edulab"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "équipe pilote" in html and "trombi vide" in html
    response = client.post(
        "/admin/mots-cles/nouveau", data=_form(fields_yaml="- {name: x, label: X, type: choice, required: true}")
    )
    assert response.status_code == 400 and "choices" in response.get_data(as_text=True)
    assert session.scalar(select(Keyword.id)) is None


def test_vendor_tier_cannot_be_chosen(client, login_as, pilot, session):
    login_as(pilot)
    response = client.post("/admin/mots-cles/nouveau", data=_form(tier="editeur"))
    assert response.status_code == 400
    assert session.scalar(select(Keyword.id)) is None


def test_duplicate_label_is_refused(client, login_as, pilot):
    KeywordFactory(label="Trombinoscope vide", slug="autre-slug")
    login_as(pilot)
    response = client.post("/admin/mots-cles/nouveau", data=_form())
    assert response.status_code == 400 and "déjà ce libellé" in response.get_data(as_text=True)


def test_stale_edit_is_refused_and_keeps_the_users_text(client, login_as, pilot, session):
    keyword = KeywordFactory(
        label="trombinoscope vide", slug="trombinoscope-vide", service="comptes_annuaire", tier="edulab", version=3
    )
    session.commit()
    login_as(pilot)
    response = client.post(f"/admin/mots-cles/{keyword.id}", data=_form(description="ma version", version="2"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "modifié entre-temps" in html and "ma version" in html
    assert "Voir la version 3 enregistrée entre-temps" in html
    session.expire_all()
    assert keyword.version == 3 and keyword.description != "ma version"


def test_services_check_policy_themselves(session):
    requester = UserFactory()
    with pytest.raises(NotAllowed):
        services.create_keyword(session, {"label": "x", "service": "pix", "tier": "edulab"}, actor=requester, now=utcnow())
    keyword = KeywordFactory()
    with pytest.raises(NotAllowed):
        services.update_keyword(session, keyword, {}, actor=requester, now=utcnow())


def test_unchanged_save_records_no_revision(session, pilot):
    keyword = KeywordFactory(label="agenda vide", slug="agenda-vide", service="rubriques", tier="edulab")
    data = services.snapshot(keyword)
    services.update_keyword(session, keyword, data, actor=pilot, now=utcnow(), comment="rien", expected_version=1)
    assert keyword.version == 1
    assert session.scalar(select(AuditEntry.id).where(AuditEntry.entity == "keyword", AuditEntry.action == "updated")) is None
    with pytest.raises(Conflict):
        services.update_keyword(session, keyword, data, actor=pilot, now=utcnow(), expected_version=7)
