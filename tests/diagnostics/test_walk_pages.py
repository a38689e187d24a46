"""Walking a diagnostic without JavaScript: one question per GET form, the path in the URL, runs recorded."""

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlalchemy import select

from helpdesk.platform.prefill import read_prefill
from kb.diagnostics.models import DiagnosticRun, DiagnosticTree, DiagnosticTreeVersion
from kb.diagnostics.seed import reference_trees, seed_reference

URL = "/erreurs-frequentes/compte-absent"


def test_seed_loads_every_reference_tree_once(session, seeded):
    assert len(reference_trees()) >= 10
    seed_reference(session)  # idempotent: no second version
    session.commit()
    assert session.query(DiagnosticTree).count() == len(reference_trees())
    assert session.query(DiagnosticTreeVersion).count() == len(reference_trees())


def test_index_lists_trees_with_summary_and_service(client, seeded):
    page = client.get("/erreurs-frequentes").get_data(as_text=True)
    assert "Un utilisateur n&#39;a pas de compte ENT" in page
    assert "Comptes et annuaire" in page
    assert 'href="/erreurs-frequentes/compte-absent"' in page


def test_first_question_is_a_plain_get_form_with_radios(client, seeded):
    page = client.get(URL).get_data(as_text=True)
    assert '<form method="get" action="/erreurs-frequentes/compte-absent"' in page
    assert "<legend" in page and 'type="radio"' in page and 'name="r" value="enseignant"' in page
    assert "Étape 1 sur au plus 3" in page  # the longest path of compte-absent asks three questions
    assert "Revenir à la question précédente" not in page


def test_choosing_an_answer_redirects_to_the_shareable_path(client, seeded):
    response = client.get(URL, query_string={"a": "", "r": "enseignant", "envoi": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/erreurs-frequentes/compte-absent?a=enseignant"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Étape 2 sur au plus 3" in page
    assert "Des services sont-ils saisis dans STSweb" in page
    assert 'name="a" value="enseignant"' in page
    assert 'href="/erreurs-frequentes/compte-absent"' in page  # back link drops the last answer


def test_back_link_drops_the_last_answer(client, seeded):
    page = client.get(URL + "?a=enseignant,oui").get_data(as_text=True)
    assert 'href="/erreurs-frequentes/compte-absent?a=enseignant"' in page
    assert "Étape 3 sur au plus 3" in page


def test_submitting_without_an_answer_says_so(client, seeded):
    response = client.get(URL, query_string={"a": "enseignant", "envoi": "1"})
    assert response.status_code == 400
    assert "Choisissez une réponse pour continuer." in response.get_data(as_text=True)


def test_unknown_answer_in_the_url_is_explained(client, seeded):
    response = client.get(URL + "?a=enseignant,peut-etre")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "« peut-etre » n&#39;existe pas pour la question « q6 »" in page
    assert "Recommencer le diagnostic" in page


def test_fix_shows_what_to_do_where_and_how_long(client, seeded):
    page = client.get(URL + "?a=enseignant,non").get_data(as_text=True)
    assert "Saisir les services dans STSweb, puis lancer les exports" in page
    assert "STSweb &gt; Exports &gt; Structure / Services" in page
    assert "jusqu&#39;à 48 heures" in page
    assert "Est-ce résolu ?" in page


def test_htmx_request_gets_the_card_and_the_canonical_url(client, seeded):
    response = client.get(URL, query_string={"a": "enseignant", "r": "non", "envoi": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == "/erreurs-frequentes/compte-absent?a=enseignant,non"
    body = response.get_data(as_text=True)
    assert '<section id="diagnostic-card"' in body and "<html" not in body


def test_a_walk_is_one_run_that_records_version_and_outcome(client, session, seeded):
    client.get(URL)
    client.get(URL + "?a=enseignant")
    client.get(URL + "?a=enseignant,non")
    runs = session.scalars(select(DiagnosticRun)).all()
    assert len(runs) == 1
    run = runs[0]
    assert run.answers == ["enseignant", "non"]
    assert run.outcome_node_id == "fix6" and run.outcome_kind == "fix" and run.finished_at is not None
    assert run.version.version == 1 and run.resolved is None


def test_start_page_alone_records_no_run_and_starting_over_starts_a_new_one(client, session, seeded):
    client.get(URL)
    assert session.scalars(select(DiagnosticRun)).all() == []
    client.get(URL + "?a=enseignant,non")
    client.get(URL + "?a=enseignant")  # back from the fix: the same run, unfinished again
    run = session.scalars(select(DiagnosticRun)).one()
    assert run.finished_at is None and run.outcome_node_id is None
    client.get(URL + "?a=enseignant,non")
    client.get(URL)  # "Recommencer" after an outcome
    client.get(URL + "?a=eleve")
    runs = session.scalars(select(DiagnosticRun).order_by(DiagnosticRun.id)).all()
    assert [r.answers for r in runs] == [["enseignant", "non"], ["eleve"]]
    assert runs[0].outcome_node_id == "fix6"


def test_resolved_yes_counts_a_deflection(client, session, seeded):
    client.get(URL + "?a=enseignant,non")
    response = client.post(URL + "/resolu", data={"resolu": "oui"})
    assert response.status_code == 200
    assert "Merci, le problème est résolu" in response.get_data(as_text=True)
    assert session.scalars(select(DiagnosticRun)).one().resolved is True


def test_resolved_no_hands_the_answers_over_for_a_ticket(app, client, session, seeded):
    client.get(URL + "?a=enseignant,non")
    response = client.post(URL + "/resolu", data={"resolu": "non"})
    run = session.scalars(select(DiagnosticRun)).one()
    assert run.resolved is False
    # The ticket form takes over, pre-filled with the keyword and the signed answers.
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/tickets/nouveau?") and "keyword=compte-enseignant-absent" in location
    from urllib.parse import parse_qs, urlsplit

    from helpdesk.platform.prefill import read_prefill

    data = read_prefill(app.config["SECRET_KEY"], parse_qs(urlsplit(location).query)["prefill"][0])
    assert data["keyword"] == "compte enseignant absent" and data["run_id"] == run.id
    assert any(answer == "Non, ou je ne sais pas" for _, answer in data["answers"])


def test_resolution_without_a_run_in_this_browser_is_refused(client, seeded):
    response = client.post(URL + "/resolu", data={"resolu": "oui"})
    assert response.status_code == 302 and response.headers["Location"] == URL


def test_resolution_needs_yes_or_no(client, session, seeded):
    client.get(URL + "?a=enseignant,non")
    response = client.post(URL + "/resolu", data={"resolu": "peut-etre"})
    assert response.status_code == 302 and response.headers["Location"] == URL + "?a=enseignant,non"
    assert session.scalars(select(DiagnosticRun)).one().resolved is None


def _with_ticket_form(monkeypatch):
    """Pretend the ticket area is installed: link_if('tickets.new', ...) builds its URL."""
    from kb.diagnostics import views

    original = views.link_if

    def fake_link_if(endpoint, **values):
        if endpoint == "tickets.new":
            return "/tickets/nouveau?" + urlencode({k: v for k, v in values.items() if v is not None})
        return original(endpoint, **values)

    monkeypatch.setattr(views, "link_if", fake_link_if)


def _prefill_link(page: str) -> dict:
    href = html.unescape(re.search(r'href="(/tickets/nouveau\?[^"]+)"', page).group(1))
    return dict(parse_qsl(urlsplit(href).query))


def test_escalation_links_to_the_ticket_form_with_keyword_and_signed_answers(app, client, session, seeded, monkeypatch):
    _with_ticket_form(monkeypatch)
    page = client.get(URL + "?a=enseignant,oui,ancien").get_data(as_text=True)
    run = session.scalars(select(DiagnosticRun)).one()
    assert run.outcome_kind == "escalation" and run.outcome_node_id == "tkt3"
    query = _prefill_link(page)
    assert query["keyword"] == "compte-enseignant-absent"
    data = read_prefill(app.config["SECRET_KEY"], query["prefill"])
    assert data["source"] == "diagnostic" and data["tree"] == "compte-absent" and data["run_id"] == run.id
    assert data["keyword"] == "compte enseignant absent" and data["tier"] == "edulab"
    assert data["answers"] == [
        ["Quel est le profil de la personne qui n'a pas de compte ENT ?", "Enseignant (y compris ULIS ou complément de service)"],
        ["Des services sont-ils saisis dans STSweb pour cet enseignant dans votre établissement ?", "Oui"],
        [
            "Les exports STSweb « Structure » et « Services » ont-ils été lancés après la dernière modification dans STSweb ?",
            "Oui, il y a plus de 48 heures",
        ],
    ]
    assert data["outcome"] == "Ouvrir un ticket pour l'EduLAB du bassin"
    assert data["subject"].startswith("Un utilisateur n'a pas de compte ENT")


def test_fix_not_resolved_redirects_to_the_prefilled_ticket_form(app, client, session, seeded, monkeypatch):
    _with_ticket_form(monkeypatch)
    client.get(URL + "?a=enseignant,non")
    response = client.post(URL + "/resolu", data={"resolu": "non"})
    assert response.status_code == 302
    query = dict(parse_qsl(urlsplit(response.headers["Location"]).query))
    data = read_prefill(app.config["SECRET_KEY"], query["prefill"])
    assert query["keyword"] == "compte-enseignant-absent"  # the fix's fallback keyword
    assert data["answers"][-1] == [
        "Des services sont-ils saisis dans STSweb pour cet enseignant dans votre établissement ?",
        "Non, ou je ne sais pas",
    ]
    # The subject names the situation; the description says which solution did not work.
    assert data["subject"] == "Un utilisateur n'a pas de compte ENT — Enseignant (y compris ULIS ou complément de service)"
    assert "« Saisir les services dans STSweb, puis lancer les exports », n'a pas résolu le problème." in data["description"]


def test_fix_links_to_the_faq_articles_that_explain_it(client, session, seeded):
    from kb.seed import load_articles

    load_articles(session)
    session.commit()
    page = client.get(URL + "?a=enseignant,non").get_data(as_text=True)
    assert "À lire dans la FAQ" in page
    assert 'href="/faq/enseignant-ulis-sans-compte-ent"' in page
    assert "Un enseignant (ULIS, complément de service) n&#39;a aucun compte ENT" in page
    assert 'href="/faq/problemes-comptes-rentree"' in page


def test_fix_without_linked_articles_falls_back_to_a_faq_search(client, seeded):
    page = client.get(URL + "?a=enseignant,non").get_data(as_text=True)
    assert "À lire dans la FAQ" not in page and "Articles de la FAQ sur ce sujet" in page
