"""Tried as a new user would, in a real browser: the FIL journey from request to calendar, and a teacher promoted
from the waiting list of a full PRAF session."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import select

from helpdesk.notifications.models import Notification
from helpdesk.platform.queue import redis_connection
from helpdesk.platform.timeutil import to_paris, utcnow
from helpdesk.trainings.models import FilRequest
from helpdesk.users.models import Role
from tests.browser import login as _login
from tests.factories import RegistrationFactory, TrainingModuleFactory, TrainingSessionFactory, UserFactory

pytestmark = pytest.mark.browser


def _logout(page):
    page.get_by_role("button", name="Se déconnecter").click()


def _run_jobs(app) -> None:
    """What the worker would do: run the queued mail jobs (burst mode, in this process)."""
    connection = redis_connection(app.config["REDIS_URL"])
    queue = Queue("default", connection=connection, serializer=JSONSerializer)
    SimpleWorker([queue], connection=connection, serializer=JSONSerializer).work(burst=True)


def _day(days: int) -> str:
    return (to_paris(utcnow()).date() + timedelta(days=days)).isoformat()


def test_fil_from_request_to_calendar(page, app, session, screenshot):
    head = UserFactory(profile="chef_etablissement", full_name="Dominique Bernard")
    dafpen = UserFactory(roles=[Role.DAFPEN], school=None, profile="personnel_academique")
    pilote = UserFactory(roles=[Role.PILOTE], school=None, profile="personnel_academique")
    TrainingModuleFactory(title="Découvrir l'ENT pour la classe")
    session.commit()

    _login(page, head.email)
    page.goto("/formations")
    page.get_by_role("link", name="Demander une FIL pour mon établissement").click()
    page.get_by_label("Équipes pédagogiques", exact=True).check(force=True)
    page.get_by_label("Nombre de stagiaires prévus").fill("45")
    page.get_by_label("6 heures en deux demi-journées").check(force=True)
    page.get_by_label("Période 1 : du").fill(_day(30))
    page.get_by_label("Période 1 : moment").select_option("am")
    page.get_by_label("Période 2 : du (facultatif)").fill(_day(30))
    page.get_by_label("Période 2 : moment").select_option("am")
    page.get_by_label("Découvrir l'ENT pour la classe", exact=False).check(force=True)
    page.get_by_label("Besoins particuliers").fill("Équipe de sixième : cahier de textes.")
    page.get_by_role("button", name="Envoyer la demande").click()
    alert = page.get_by_role("alert").first
    assert "chevauche une autre demi-journée" in alert.inner_text()
    assert page.get_by_label("Besoins particuliers").input_value() == "Équipe de sixième : cahier de textes."
    screenshot(page, "trainings-fil-form-error")
    page.get_by_label("Nombre de stagiaires prévus").fill("22")
    page.get_by_label("Période 2 : moment").select_option("pm")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_url("**/formations/fil/*")
    expect(page.locator("#fil-state")).to_have_text("Demandée")  # retried until the next page shows
    _run_jobs(app)
    _logout(page)

    _login(page, dafpen.email)
    page.goto("/formations/fil")
    fil = session.scalar(select(FilRequest))
    page.get_by_role("link", name=fil.reference).click()
    page.get_by_role("button", name="Valider la demande").click()
    expect(page.locator("#fil-state")).to_have_text("Validée par la DAFPEN")  # retried until the next page shows
    _run_jobs(app)
    _logout(page)

    _login(page, pilote.email)
    page.goto(f"/formations/fil/{fil.id}")
    page.get_by_label("Formateur(s)").fill("Camille, formatrice DRANE")
    page.get_by_label("Créneau 1 : date").fill(_day(35))
    page.get_by_label("Créneau 1 : début").fill("14:00")
    page.get_by_label("Créneau 1 : fin").fill("17:00")
    page.get_by_label("Créneau 2 : date (facultatif)").fill(_day(42))
    page.get_by_label("Créneau 2 : début").fill("14:00")
    page.get_by_label("Créneau 2 : fin").fill("17:00")
    page.get_by_role("button", name="Planifier").click()
    expect(page.locator("#fil-state")).to_have_text("Planifiée par la DRANE")  # retried until the next page shows
    _run_jobs(app)
    page.reload()
    history = page.locator("#fil-history").inner_text()
    assert "Demandée" in history and "Validée par la DAFPEN" in history and "Planifiée par la DRANE" in history
    mails = page.locator("#fil-mails").inner_text()
    assert head.email in mails and dafpen.email in mails and pilote.email in mails
    screenshot(page, "trainings-fil-scheduled")
    _logout(page)

    _login(page, head.email)
    page.goto(f"/formations/fil/{fil.id}")
    page.get_by_role("button", name="Confirmer les dates").click()
    expect(page.locator("#fil-state")).to_have_text("Confirmée par l'établissement")  # retried until the next page shows
    page.get_by_role("link", name="Voir dans le calendrier").click()
    page.get_by_role("link", name=f"FIL {head.school.name}").first.wait_for()
    screenshot(page, "trainings-calendar-with-fil")
    session.expire_all()
    recorded = {(m.user.email, m.title.split(" : ")[-1]) for m in session.scalars(select(Notification))}
    assert (head.email, "demandée") in recorded and (dafpen.email, "demandée") in recorded
    assert (pilote.email, "validée par la dafpen") in recorded and (head.email, "planifiée par la drane") in recorded


def test_teacher_on_the_waiting_list_is_promoted_when_someone_cancels(page, app, session, screenshot):
    module = TrainingModuleFactory(title="Scénariser ses séquences avec l'ENT", audience="equipes")
    ts = TrainingSessionFactory(module=module, capacity=1, starts_at=(utcnow() + timedelta(days=12)).replace(microsecond=0))
    holder = UserFactory(full_name="Sacha Robert", profile="cpe")
    RegistrationFactory(training_session=ts, user=holder)
    teacher = UserFactory(full_name="Camille Martin", profile="enseignant")
    session.commit()

    _login(page, teacher.email)
    page.goto("/formations")
    assert "Complet : liste d'attente" in page.content()
    page.get_by_role("link", name=module.title).first.click()
    page.get_by_role("button", name="Rejoindre la liste d'attente").click()
    expect(page.locator("#my-status")).to_contain_text("position 1")
    screenshot(page, "trainings-waiting-list")
    _logout(page)

    _login(page, holder.email)
    page.goto(f"/formations/sessions/{ts.id}")
    page.get_by_role("button", name="Annuler mon inscription").click()
    page.get_by_text("Inscription annulée.").first.wait_for()
    _logout(page)
    _run_jobs(app)

    _login(page, teacher.email)
    page.goto(f"/formations/sessions/{ts.id}")
    assert page.locator("#my-status").inner_text() == "Vous êtes inscrit à cette session."
    page.goto("/formations")
    assert "inscrit" in page.get_by_role("region", name="Mes inscriptions").inner_text()
    screenshot(page, "trainings-promoted")
    session.expire_all()
    promotion = session.scalar(select(Notification).where(Notification.user_id == teacher.id))
    assert promotion is not None and "Une place s'est libérée" in promotion.title and promotion.kind == "training_promotion"
