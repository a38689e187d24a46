"""The reference catalog: validated on load, seeded idempotently, and what a well-formed keyword is."""

import pytest
from sqlalchemy import func, select

from helpdesk.audit.models import AuditEntry
from helpdesk.platform.errors import ValidationFailed
from helpdesk.routing import catalog
from helpdesk.routing.codes import ENTRY_TIERS
from helpdesk.routing.models import Keyword
from helpdesk.routing.seed import load_catalog, seed_reference


def test_reference_catalog_is_valid_and_large_enough():
    keywords = load_catalog()
    assert len(keywords) >= 80
    assert all(k["tier"] in ENTRY_TIERS for k in keywords)
    assert {k["tier"] for k in keywords} == {"n1", "edulab", "pilote"}


def test_seed_is_idempotent_and_records_a_first_revision(session):
    created = seed_reference(session)
    assert created == len(load_catalog())
    assert seed_reference(session) == 0
    assert session.scalar(select(func.count(Keyword.id))) == created
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "keyword")).all()
    assert len(entries) == created and {(e.action, e.comment) for e in entries} == {
        ("created", "Chargement du catalogue de référence")
    }
    keyword = session.scalar(select(Keyword).where(Keyword.label == "compte AED/AESH absent"))
    assert keyword.slug == "compte-aed-aesh-absent"
    assert keyword.fields[0]["name"] == "profil_concerne"
    assert session.scalar(select(Keyword).where(Keyword.slug == "compte-eleve-absent")).diagnostic_slug == "compte-absent"


def test_seed_never_overwrites_an_edited_keyword(session):
    seed_reference(session)
    keyword = session.scalar(select(Keyword).where(Keyword.label == "formulaire"))
    keyword.description = "Texte revu par l'équipe pilote"
    session.flush()
    seed_reference(session)
    assert keyword.description == "Texte revu par l'équipe pilote"


BAD_CATALOG = """
- label: "vendeur direct"
  service: messagerie
  tier: editeur
  ticket_type: incident
  priority: normal
  is_mass_incident: false
  synonyms: []
  description: ""
  fields: []
- label: "panne générale mal routée"
  service: pix
  tier: edulab
  ticket_type: incident
  priority: normal
  is_mass_incident: true
  synonyms: []
  description: ""
  fields:
    - {name: Mauvais Nom, label: "", type: liste, required: "oui"}
- label: "service inconnu"
  service: cantine
  tier: n1
  colour: rouge
"""


def test_invalid_catalog_names_each_faulty_keyword(tmp_path, session):
    path = tmp_path / "keywords.yaml"
    path.write_text(BAD_CATALOG, encoding="utf-8")
    with pytest.raises(ValidationFailed) as raised:
        seed_reference(session, path)
    message = raised.value.message
    assert "« vendeur direct » : L'éditeur n'est jamais un niveau d'entrée" in message
    assert "« panne générale mal routée » : Niveau d'entrée incorrect : un incident de masse" in message
    assert "« panne générale mal routée » : champ n° 1 : « name »" in message
    assert "« service inconnu » : Service inconnu : « cantine »" in message
    assert "clés inconnues : colour" in message
    assert session.scalar(select(func.count(Keyword.id))) == 0


@pytest.mark.parametrize(
    ("label", "slug"),
    [
        ("compte AED/AESH absent", "compte-aed-aesh-absent"),
        ("évolution de Pix dans l'ENT", "evolution-de-pix-dans-l-ent"),
        ("???", "mot-cle"),
    ],
)
def test_slugify(label, slug):
    assert catalog.slugify(label) == slug


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"name": "x"}, "liste"),
        (
            [
                {"name": "a", "label": "A", "type": "text", "required": False},
                {"name": "a", "label": "B", "type": "text", "required": False},
            ],
            "deux fois",
        ),
        ([{"name": "a", "label": "A", "type": "choice", "required": False}], "choices"),
        ([{"name": "a", "label": "A", "type": "text", "required": False, "choices": ["x"]}], "n'a de sens"),
        ([{"name": "a", "label": "A", "type": "couleur", "required": False}], "type"),
        (["texte"], "chaque champ"),
    ],
)
def test_malformed_field_definitions_are_explained(fields, fragment):
    errors = catalog.field_errors(fields)
    assert errors and any(fragment in e for e in errors), errors


def test_password_keyword_must_enter_at_level_1():
    data = {
        "label": "mot de passe perdu",
        "service": "comptes_annuaire",
        "tier": "edulab",
        "ticket_type": "incident",
        "priority": "normal",
    }
    assert any("mot de passe" in e for e in catalog.keyword_errors(data))
    assert catalog.keyword_errors({**data, "tier": "n1"}) == []


def test_a_keyword_never_opens_a_bug():
    data = {"label": "bug du cahier", "service": "cahier_de_textes", "tier": "pilote", "ticket_type": "bug", "priority": "normal"}
    assert any("réservé" in e for e in catalog.keyword_errors(data))


def test_active_keywords_by_service_groups_under_french_labels(session):
    from helpdesk.routing.services import active_keywords_by_service

    seed_reference(session)
    session.scalar(select(Keyword).where(Keyword.slug == "formulaire")).is_active = False
    session.flush()
    groups = dict(active_keywords_by_service(session))
    assert "Médiacentre (GAR)" in groups and "Messagerie" in groups
    assert "formulaire" not in [k.slug for k in groups["Formulaires"]]
    assert sum(len(v) for v in groups.values()) == len(load_catalog()) - 1
