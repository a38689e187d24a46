"""Start from free text (issue 16): the problem typed on the home page, in the FAQ search or in step 1 of « Ouvrir
un ticket » proposes its diagnostic first, through the keyword suggester and the keywords' diagnostic link; the
typed text goes on through the walk into the pre-filled ticket."""

import html
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import yaml

from helpdesk.platform.prefill import read_prefill
from kb.diagnostics import handoff, services
from tests.diagnostics.test_prefill import TREE, _result
from tests.factories import SchoolFactory, UserFactory

TYPED = "les groupes de langues sont en double depuis l'import de l'emploi du temps"


def test_a_typed_problem_gets_the_diagnostic_of_its_best_keyword(session, catalog):
    found = services.diagnostic_for_text(session, TYPED)
    assert found.tree.slug == "groupes-import-edt" and found.keyword == "groupes import EDT"


def test_the_diagnostic_comes_from_the_keyword_link_not_a_second_mapping(session, catalog):
    from helpdesk.routing.models import Keyword

    keyword = session.query(Keyword).filter_by(label=services.diagnostic_for_text(session, TYPED).keyword).one()
    keyword.diagnostic_slug = "pix"  # a pilot points the keyword at another tree in the catalog
    session.commit()
    assert services.diagnostic_for_text(session, TYPED).tree.slug == "pix"


def test_nothing_is_proposed_for_gibberish_or_a_mass_incident(session, catalog):
    assert services.diagnostic_for_text(session, "zzzz qqqq") is None
    assert services.diagnostic_for_text(session, "") is None
    # The whole platform down for many people is level 1's mass-incident keyword: no diagnostic in front of it.
    assert services.diagnostic_for_text(session, "l'ENT est en panne pour tout le collège depuis ce matin") is None


def test_a_later_keyword_with_a_diagnostic_is_used_when_the_best_has_none(session, catalog):
    from helpdesk.routing.suggest import suggest_keywords

    text = "impossible de publier un article dans la rubrique"
    labels = [s.doc.label for s in suggest_keywords(session, text, limit=services.FREE_TEXT_KEYWORDS)]
    assert services.tree_for_keyword(session, labels[0]) is None  # the best keyword has no diagnostic
    assert services.diagnostic_for_text(session, text).tree.slug == "droits-rubrique"


def test_held_out_free_text_set_is_well_formed():
    cases = yaml.safe_load((Path(__file__).parent / "eval_freetext.yaml").read_text(encoding="utf-8"))
    assert len(cases) >= 40 and {c["style"] for c in cases} == {"search", "sentence"}
    assert all("q" in c and "tree" in c for c in cases)


def test_held_out_free_text_set_proposes_the_right_diagnostic_first(session, catalog):
    """Measured 0.907 with the best keyword's own diagnostic (the start before), 0.930 with the first of the three
    best keywords that has one (docs/diagnostics.md); the floor leaves room for one or two catalog edits."""
    cases = yaml.safe_load((Path(__file__).parent / "eval_freetext.yaml").read_text(encoding="utf-8"))
    hits = 0
    for case in cases:
        wanted = [case["tree"]] if isinstance(case["tree"], str) else list(case["tree"] or [])
        found = services.diagnostic_for_text(session, case["q"])
        slug = found.tree.slug if found else None
        hits += (slug in wanted) if wanted else slug is None
    assert hits / len(cases) >= 0.88


def test_faq_search_shows_the_diagnostic_before_the_articles(client, catalog):
    page = client.get("/faq", query_string={"q": "groupes en double après import edt"}).get_data(as_text=True)
    proposal = page.index('data-testid="diagnostic-proposal"')
    assert proposal < page.index('id="resultats"')
    link = html.unescape(re.search(r'href="(/erreurs-frequentes/groupes-import-edt[^"]*)"', page).group(1))
    assert dict(parse_qsl(urlsplit(link).query)) == {"texte": "groupes en double après import edt"}
    assert 'data-testid="diagnostic-proposal"' not in client.get("/faq?q=zzzz+qqqq").get_data(as_text=True)


def test_home_page_search_leads_to_the_faq_search(client, catalog):
    page = client.get("/").get_data(as_text=True)
    assert '<form role="search" action="/faq" method="get"' in page and 'name="q"' in page


def test_htmx_fragment_proposes_the_diagnostic_or_nothing(client, catalog):
    page = client.get("/erreurs-frequentes/proposition", query_string={"q": TYPED}).get_data(as_text=True)
    assert "Groupes non reconnus ou en double" in page and "<html" not in page
    assert page.count("<a ") == 1  # one control: the link that starts the diagnostic
    assert client.get("/erreurs-frequentes/proposition?q=zzzz").get_data(as_text=True).strip() == ""


def test_step_1_without_javascript_proposes_the_diagnostic_before_the_keywords(client, session, catalog, login_as):
    login_as(UserFactory(school=SchoolFactory()))
    session.commit()
    page = client.get("/tickets/nouveau", query_string={"q": TYPED}).get_data(as_text=True)
    assert page.index('data-testid="diagnostic-proposal"') < page.index('id="keyword-suggestions-title"')
    assert 'href="/erreurs-frequentes/groupes-import-edt?texte=' in page


def test_the_typed_text_follows_the_walk_into_the_prefilled_ticket(app, client, session, catalog, login_as, monkeypatch):
    from tests.diagnostics.test_walk_pages import _with_ticket_form

    _with_ticket_form(monkeypatch)
    login_as(UserFactory(school=SchoolFactory()))
    session.commit()
    start = client.get("/erreurs-frequentes/compte-absent", query_string={"texte": "notre nouvelle secrétaire n'a pas de compte"})
    assert start.status_code == 302 and start.headers["Location"] == "/erreurs-frequentes/compte-absent"  # address kept clean
    first = client.get(start.headers["Location"]).get_data(as_text=True)
    assert "notre nouvelle secrétaire n&#39;a pas de compte" in first  # shown: the person sees it is kept
    page = client.get("/erreurs-frequentes/compte-absent?a=autre,administratif").get_data(as_text=True)
    href = html.unescape(re.search(r'href="([^"]+)" data-testid="prefill-link"', page).group(1))
    data = read_prefill(app.config["SECRET_KEY"], dict(parse_qsl(urlsplit(href).query))["prefill"])
    assert data["description"].startswith("notre nouvelle secrétaire n'a pas de compte\n\nJ'ai suivi le diagnostic")
    assert data["subject"] == "Un utilisateur n'a pas de compte ENT — Autre personnel de l'établissement"


def test_description_opens_with_the_typed_text_when_there_is_one():
    result = _result(("Quel est le profil ?", "Élève", ()))
    assert handoff.description(TREE, result, result.carried(), typed="  mon élève n'a pas de compte ").startswith(
        "mon élève n'a pas de compte\n\nJ'ai suivi"
    )
    assert handoff.description(TREE, result, result.carried()).startswith("J'ai suivi")


def test_step_2_offers_the_keyword_s_diagnostic_with_the_typed_text(client, session, catalog, login_as):
    login_as(UserFactory(school=SchoolFactory()))
    session.commit()
    page = client.get("/tickets/nouveau", query_string={"keyword": "groupes-import-edt", "q": "groupes en double"})
    assert 'href="/erreurs-frequentes/groupes-import-edt?texte=groupes+en+double"' in page.get_data(as_text=True)
