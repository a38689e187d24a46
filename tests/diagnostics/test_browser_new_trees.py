"""In a real browser: a new diagnostic walked to a fix (where to click, how long), another to a pre-filled ticket
(subject, description, keyword); the glossary filter as one types; a pilot reading a proposal's diff and approving."""

import pytest

from helpdesk.users.models import Profile, Role
from kb.glossary import save_term
from kb.review import propose
from kb.seed import load_articles, load_glossary
from tests.browser import login as _login
from tests.diagnostics.test_browser import _answer
from tests.factories import ArticleFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.browser


def test_blurred_homepage_images_walk_to_a_fix_with_its_path_and_delay(page, session, seeded, screenshot):
    head = UserFactory(profile="chef_etablissement", school=SchoolFactory())
    load_articles(session)
    session.commit()
    _login(page, head.email)
    page.goto("/erreurs-frequentes")
    page.get_by_role("link", name="La page d'accueil publique ne s'affiche pas comme prévu").click()
    _answer(page, "Les images sont floues ou ont des bords gris", 1)
    _answer(page, "Non, ou je ne sais pas quelle taille elle fait", 2)
    page.get_by_role("heading", name="Remplacer l'illustration par une image nette et bien recadrée").wait_for()
    card = page.inner_text("#diagnostic-card")
    assert "Publication > Gestion page d'accueil" in card and "2000 × 453" in card
    assert "immédiat après le remplacement de l'image" in card
    assert page.get_by_role("link", name="Les images de la page d'accueil ont des bords gris ou sont floues").is_visible()
    screenshot(page, "diagnostics-new-tree-fix-images-accueil")


def test_seances_blocked_without_visa_walk_to_a_prefilled_ticket(page, session, seeded, screenshot):
    teacher = UserFactory(school=SchoolFactory(), full_name="Camille Enseignante")
    session.commit()
    _login(page, teacher.email)
    page.goto("/erreurs-frequentes/visa-cahier-de-textes")
    _answer(page, "Des séances ne peuvent plus être modifiées", 1)
    _answer(page, "Non, aucun visa n'a été posé", 2)
    page.get_by_role("heading", name="Ouvrir un ticket sur des séances bloquées sans visa").wait_for()
    screenshot(page, "diagnostics-new-tree-escalation-visa")
    page.get_by_role("link", name="Ouvrir le ticket pré-rempli").click()
    page.get_by_label("Objet").wait_for()
    assert page.get_by_label("Objet").input_value() == "Des séances du cahier de textes ne se modifient plus, sans visa posé"
    description = page.get_by_label("Description du problème").input_value()
    assert "Un visa a-t-il été posé sur la période de ces séances ? Réponse : Non, aucun visa n'a été posé." in description
    assert "visa cahier de textes" in page.inner_text("main")
    screenshot(page, "diagnostics-new-tree-prefilled-ticket")


def test_glossary_filter_narrows_the_terms_as_one_types(page, session, screenshot):
    load_glossary(session)
    session.commit()
    page.goto("/glossaire")
    total = page.locator("[data-glossary-entry]").count()
    assert total > 50
    page.get_by_label("Filtrer le glossaire").fill("visa")
    page.wait_for_function("() => document.querySelectorAll('[data-glossary-entry]:not([hidden])').length < 10")
    visible = page.locator("[data-glossary-entry]:not([hidden])")
    assert 0 < visible.count() < 10 and page.locator("[data-glossary-entry]:not([hidden]) dt#visa").count() == 1
    assert "sur" in page.inner_text("#glossary-count")
    screenshot(page, "glossary-filter", full_page=False)
    page.goto("/glossaire#visa")  # every term keeps its anchor
    assert page.locator("dt[id]").count() == total and page.locator("dt#visa").is_visible()


def test_pilot_reads_the_diff_of_a_proposal_and_approves_it(page, session, screenshot):
    edulab = UserFactory(roles=[Role.EDULAB], profile=Profile.PERSONNEL_ACADEMIQUE, full_name="Jordan EduLAB")
    pilot = UserFactory(roles=[Role.PILOTE], profile=Profile.PERSONNEL_ACADEMIQUE, full_name="Claude Pilote")
    article = ArticleFactory(
        title="Le lien collé dans mon message n'est pas cliquable",
        body_md="Une adresse collée n'est pas toujours transformée en lien.\n\nC'est une limite connue.",
        service="messagerie",
        status="published",
    )
    session.flush()
    proposal = propose(
        session,
        article,
        title=article.title,
        body_md="Une adresse collée n'est pas toujours transformée en lien.\n\nC'est une limite connue : "
        "le destinataire peut copier l'adresse dans son navigateur.",
        service="messagerie",
        audience=article.audience,
        tags=[],
        admin_path="Messagerie > rédaction d'un message",
        comment="Ajout du contournement",
        actor=edulab,
        now=article.updated_at,
    )
    save_term(session, None, {"term": "RUPN", "definition": "Référent numérique."}, actor=edulab, now=article.updated_at)
    session.commit()
    _login(page, pilot.email)
    page.goto("/faq/gestion")
    page.get_by_role("link", name=article.title).first.click()
    page.goto(f"/faq/gestion/propositions/{proposal.id}")
    page.get_by_role("heading", name="Différence avec la version publiée").wait_for()
    assert "copier l'adresse dans son navigateur" in page.inner_text("[data-testid=proposal-diff]")
    screenshot(page, "kb-proposal-diff")
    page.get_by_role("button", name="Approuver et publier").click()
    page.get_by_text("Proposition approuvée").wait_for()
    page.goto(f"/faq/{article.slug}")
    assert "copier l'adresse dans son navigateur" in page.inner_text("main")
