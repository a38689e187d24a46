"""Operations page on real Redis: counts, failed jobs with their error, retry, last sweep time."""

from rq import SimpleWorker
from rq.serializers import JSONSerializer

from escalation import jobs
from helpdesk.platform import jobcontext
from helpdesk.platform.queue import get_queue, redis_connection
from helpdesk.users.models import Role
from tests.factories import UserFactory


def test_operations_page_shows_and_retries_failures(app, session, login_as):
    admin = UserFactory(roles=[Role.ADMIN])
    requester = UserFactory()
    session.commit()
    connection = redis_connection(app.config["REDIS_URL"])
    queue = get_queue("default", connection=connection)
    queue.enqueue("helpdesk.notifications.jobs.send_digests", kwargs={"now": "pas une date"}, job_id="broken-job")
    jobcontext.set_app(app)
    SimpleWorker([queue], connection=connection, serializer=JSONSerializer).work(burst=True)
    jobs.sweep()
    client = login_as(admin)
    page = client.get("/admin/exploitation").get_data(as_text=True)
    assert "broken-job" in page and "Relancer les échecs" in page, page[page.find("<main") :][:3000]
    assert "jamais" not in page  # the sweep time is shown
    assert client.post("/admin/exploitation/default/relancer").status_code == 302
    assert queue.failed_job_registry.count == 0 and queue.count == 1
    client.post("/deconnexion")
    assert login_as(requester).get("/admin/exploitation").status_code == 403


def test_operations_page_says_when_redis_is_down(app, session, login_as):
    from flask import g

    from tests.escalation.test_queue import _closed_port

    pilot = UserFactory(roles=[Role.PILOTE])
    session.commit()
    client = login_as(pilot)
    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"
    g.pop("_redis", None)
    try:
        page = client.get("/admin/exploitation")
    finally:
        app.config["REDIS_URL"] = saved
        g.pop("_redis", None)
    assert page.status_code == 200 and "Redis injoignable" in page.get_data(as_text=True)
