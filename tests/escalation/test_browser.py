"""What pilots and requesters see: the SLA page, the bell badge polled by htmx, the incident banner."""

from datetime import UTC, datetime

import pytest

from escalation import seed
from helpdesk.incidents.models import MajorIncident
from helpdesk.tickets import services as tickets
from helpdesk.users.models import Role
from tests.browser import login as _login
from tests.factories import KeywordFactory, UserFactory

pytestmark = pytest.mark.browser


def test_pilot_sla_page(page, session, screenshot):
    seed.seed_reference(session)
    pilot = UserFactory(roles=[Role.PILOTE])
    session.commit()
    _login(page, pilot.email)
    page.goto("/pilotage/delais/")
    page.get_by_label("Horaires").first.fill("lundi 18:00-09:00")
    page.get_by_role("button", name="Enregistrer").nth(16).click()
    assert "Plage horaire vide ou inversée" in page.get_by_role("alert").first.inner_text()
    screenshot(page, "sla-policies-error")


def test_requester_sees_badge_and_incident_banner(page, session, screenshot):
    requester = UserFactory()
    tickets.open_ticket(
        session,
        actor=requester,
        keyword=KeywordFactory(),
        subject="Pas de messagerie",
        description="Depuis ce matin.",
        now=datetime(2026, 11, 16, 9, tzinfo=UTC),
    )
    session.add(
        MajorIncident(
            status="confirmed",
            service="messagerie",
            title="Messagerie indisponible",
            message="L'éditeur intervient.",
            detected_at=datetime(2026, 11, 16, 9, tzinfo=UTC),
        )
    )
    session.commit()
    _login(page, requester.email)
    # DSFR copies the header tools into the mobile menu, so the badge exists twice.
    page.get_by_role("link", name="Notifications (1)").first.wait_for()
    assert "Messagerie indisponible" in page.get_by_role("status").first.inner_text()
    screenshot(page, "requester-badge-banner")
    page.goto("/notifications/")
    assert "est enregistrée" in page.content()
    screenshot(page, "notifications-list")


def test_pilot_adds_a_keyword_delay(page, session, screenshot):
    seed.seed_reference(session)
    pilot = UserFactory(roles=[Role.PILOTE])
    KeywordFactory(label="mdp parent", service="comptes_annuaire", tier="n1")
    session.commit()
    _login(page, pilot.email)
    page.goto("/pilotage/delais/#mots-cles")
    form = page.locator("#new-keyword-policy")
    form.get_by_label("Mot-clé").select_option(label="mdp parent")
    form.get_by_label("Première réponse").fill("60")
    form.get_by_label("Résolution").fill("30")
    form.get_by_role("button", name="Ajouter").click()
    assert "plus court que la première réponse" in page.get_by_role("alert").first.inner_text()
    assert page.locator("#new-keyword-policy").get_by_label("Mot-clé").input_value() != ""
    screenshot(page, "sla-keyword-delay-error")
    page.locator("#new-keyword-policy").get_by_label("Résolution").fill("240")
    page.locator("#new-keyword-policy").get_by_role("button", name="Ajouter").click()
    page.get_by_text("Délai propre au mot-clé ajouté.").wait_for()
    assert page.locator("legend q", has_text="mdp parent").count() == 1  # quoted by <q>: « » drawn by CSS
    screenshot(page, "sla-keyword-delay")
