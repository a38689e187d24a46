"""The glossary editor: create, change, rename (anchor kept) and delete terms, each change in the history with who,
when and before → after; the seed never overwrites a term edited here; the glossary page filters without JS."""

import html
import re

from helpdesk.platform.timeutil import utcnow
from helpdesk.users.models import Profile, Role
from kb import glossary
from kb.models import GlossaryRevision, GlossaryTerm
from kb.seed import load_glossary
from tests.factories import GlossaryTermFactory, UserFactory

FORM = {
    "term": "RUPN",
    "expansion": "Référent pour les usages du numérique",
    "aliases": "référent numérique, RUN",
    "definition": "Personne qui conseille l'établissement sur le numérique.",
    "service": "",
    "see_also": "EduLAB",
    "comment": "Ajout",
}


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _editor(session):
    user = UserFactory(roles=[Role.EDULAB], profile=Profile.PERSONNEL_ACADEMIQUE, full_name="Jordan EduLAB")
    session.commit()
    return user


def test_editor_creates_renames_and_history_says_who_when_before_after(client, session, login_as):
    login_as(_editor(session))
    response = client.post("/glossaire/gestion/nouveau", data=FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/glossaire#rupn")
    term = session.query(GlossaryTerm).one()
    assert term.aliases == ["référent numérique", "RUN"] and term.see_also == ["EduLAB"] and term.service is None
    client.post(f"/glossaire/gestion/{term.id}", data={**FORM, "term": "RUPN (référent numérique)", "comment": "Précision"})
    session.expire_all()
    assert session.get(GlossaryTerm, term.id).anchor == "rupn"  # links to the term survive the rename
    page = _text(client.get("/glossaire/historique").get_data(as_text=True))
    assert "RUPN (référent numérique)" in page and "Jordan EduLAB" in page and "Précision" in page
    assert "Terme : RUPN → RUPN (référent numérique)" in page
    assert session.query(GlossaryRevision).count() == 2


def test_duplicate_or_empty_term_is_refused_and_text_kept(client, session, login_as):
    GlossaryTermFactory(term="GAR", anchor="gar")
    login_as(_editor(session))
    response = client.post("/glossaire/gestion/nouveau", data={**FORM, "term": "gar"})
    assert response.status_code == 400 and "existe déjà" in html.unescape(response.get_data(as_text=True))
    assert "Personne qui conseille" in html.unescape(response.get_data(as_text=True))
    response = client.post("/glossaire/gestion/nouveau", data={**FORM, "definition": ""})
    assert response.status_code == 400 and session.query(GlossaryTerm).count() == 1


def test_delete_keeps_the_history_and_the_seed_does_not_bring_it_back(client, session, login_as, tmp_path):
    seed_file = tmp_path / "glossary.yaml"
    seed_file.write_text("- {term: PIAL, definition: Pôle inclusif.}\n- {term: GAR, definition: Ressources.}\n", encoding="utf-8")
    load_glossary(session, seed_file)
    session.commit()
    login_as(_editor(session))
    pial = session.query(GlossaryTerm).filter_by(term="PIAL").one()
    gar = session.query(GlossaryTerm).filter_by(term="GAR").one()
    client.post(
        f"/glossaire/gestion/{gar.id}", data={**FORM, "term": "GAR", "definition": "Gestionnaire d'accès aux ressources."}
    )
    client.post(f"/glossaire/gestion/{pial.id}/supprimer", data={})
    seed_file.write_text(
        "- {term: PIAL, definition: Pôle inclusif.}\n- {term: GAR, definition: Autre texte.}\n", encoding="utf-8"
    )
    load_glossary(session, seed_file)
    session.commit()
    assert [t.term for t in session.query(GlossaryTerm)] == ["GAR"]
    assert session.query(GlossaryTerm).one().definition == "Gestionnaire d'accès aux ressources."
    assert "suppression" in _text(client.get("/glossaire/historique").get_data(as_text=True))


def test_requesters_cannot_edit_the_glossary(client, session, login_as):
    term = GlossaryTermFactory(term="GAR", anchor="gar")
    login_as(UserFactory(roles=[Role.REQUESTER]))
    assert client.get("/glossaire/gestion").status_code == 403
    assert client.post("/glossaire/gestion/nouveau", data=FORM).status_code == 403
    assert client.post(f"/glossaire/gestion/{term.id}/supprimer").status_code == 403
    assert "Modifier le glossaire" not in client.get("/glossaire").get_data(as_text=True)


def test_glossary_filter_is_a_get_form_that_keeps_anchors(client, session):
    GlossaryTermFactory(term="GAR", anchor="gar", expansion="Gestionnaire d'accès aux ressources")
    GlossaryTermFactory(term="Visa", anchor="visa", definition="Fige les séances du cahier de textes.")
    GlossaryTermFactory(term="Tuile haute", anchor="tuile-haute", aliases=["bandeau"])
    session.commit()
    page = client.get("/glossaire").get_data(as_text=True)
    assert '<form method="get" action="/glossaire"' in page and 'name="q"' in page
    assert 'id="gar"' in page and 'href="#gar"' in page and "3 termes" in page
    filtered = client.get("/glossaire?q=seances").get_data(as_text=True)  # accents folded: « séances »
    assert 'id="visa"' in filtered and 'id="gar"' not in filtered and "1 terme sur 3 ·" in _text(filtered)
    assert 'id="tuile-haute"' in client.get("/glossaire?q=Bandeau").get_data(as_text=True)  # aliases count
    empty = client.get("/glossaire?q=zzz").get_data(as_text=True)
    assert "Aucun terme ne correspond à « zzz »." in html.unescape(empty)


def test_save_without_change_records_nothing(session):
    editor = _editor(session)
    term = glossary.save_term(
        session, None, {"term": "ENT", "definition": "Espace numérique de travail."}, actor=editor, now=utcnow()
    )
    glossary.save_term(session, term, {"term": "ENT", "definition": "Espace numérique de travail."}, actor=editor, now=utcnow())
    assert session.query(GlossaryRevision).count() == 1
