"""Notifications: one per event and person, bell and badge, mail through a real SMTP server, daily digest."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from helpdesk.notifications import jobs as notif_jobs
from helpdesk.notifications import services
from helpdesk.notifications.models import Notification
from helpdesk.platform.queue import get_queue
from helpdesk.tickets import conversation, lifecycle
from helpdesk.tickets import services as tickets
from helpdesk.tickets.audiences import MessageKind
from helpdesk.tickets.states import Move
from helpdesk.users.models import Role
from tests.factories import KeywordFactory, UserFactory

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


def _ticket(session):
    requester = UserFactory(email="prof@ac-toulouse.fr")
    ticket = tickets.open_ticket(
        session, actor=requester, keyword=KeywordFactory(), subject="Pas de messagerie", description="Depuis lundi.", now=NOW
    )
    session.commit()
    return ticket


def test_events_notify_once_and_mail_goes_through_smtp(session, smtp):
    ticket = _ticket(session)
    rows = session.scalars(select(Notification)).all()
    assert [(n.kind, n.user_id) for n in rows] == [("ticket_created", ticket.requester_id)]
    assert (
        services.notify(session, ticket.requester_id, "ticket_created", ticket=ticket, dedup_key=f"created:{ticket.id}", now=NOW)
        is None
    )  # same event: not twice
    assert notif_jobs.send_email(rows[0].id) is True
    assert notif_jobs.send_email(rows[0].id) is False  # a retried job does not send it again
    ((to, content),) = smtp.messages
    assert to == ["prof@ac-toulouse.fr"]
    assert ticket.reference in content and "enregistr" in content


def test_the_mails_of_one_commit_go_in_one_job_over_one_connection_and_never_twice(session, smtp):
    ticket = _ticket(session)
    first, second = UserFactory(email="a@ac-toulouse.fr"), UserFactory(email="b@ac-toulouse.fr")
    session.commit()
    queue = get_queue()
    queue.empty()
    services.notify_many(session, [first.id, second.id], "sla_warning", ticket=ticket, due_at=NOW, action="notified",
                         dedup_key="sla:w", now=NOW)  # fmt: skip
    services.notify(session, first.id, "sla_warning", ticket=ticket, due_at=NOW, action="notified", dedup_key="sla:v", now=NOW)
    session.commit()
    rows = session.scalars(select(Notification).where(Notification.kind == "sla_warning").order_by(Notification.id)).all()
    (job,) = [queue.fetch_job(job_id) for job_id in queue.job_ids]
    assert job.func_name == "helpdesk.notifications.jobs.send_emails"
    assert job.kwargs == {"notification_ids": [row.id for row in rows]} and len(rows) == 3
    before = len(smtp.messages)
    assert notif_jobs.send_emails(job.kwargs["notification_ids"]) == 3
    assert notif_jobs.send_emails(job.kwargs["notification_ids"]) == 0  # retried: nothing twice
    assert notif_jobs.send_email(rows[0].id) is False
    sent = smtp.messages[before:]
    assert sorted(to for (to,), _content in sent) == ["a@ac-toulouse.fr", "a@ac-toulouse.fr", "b@ac-toulouse.fr"]
    assert len(set(smtp.peers[before:])) == 1  # one SMTP connection for the lot
    assert all(f"[{ticket.reference}]" in content or ticket.reference in content for _to, content in sent)
    session.expire_all()
    assert all(row.emailed_at is not None for row in rows)


def test_a_failed_mail_leaves_the_rest_of_its_job_for_the_retry(session, smtp, monkeypatch):
    from helpdesk.platform import mail

    ticket = _ticket(session)
    people = [UserFactory(email=f"p{n}@ac-toulouse.fr") for n in range(3)]
    rows = services.notify_many(session, [p.id for p in people], "sla_warning", ticket=ticket, due_at=NOW,
                                action="notified", dedup_key="sla:f", now=NOW)  # fmt: skip
    session.commit()
    ids = [row.id for row in rows]
    real, calls = mail._send_one, []

    def flaky(config, message):
        calls.append(message["To"])
        if len(calls) == 2:
            raise OSError("connection reset")
        real(config, message)

    monkeypatch.setattr(mail, "_send_one", flaky)
    with pytest.raises(OSError):
        notif_jobs.send_emails(ids)
    session.expire_all()
    assert [session.get(Notification, i).emailed_at is not None for i in ids] == [True, False, False]
    assert notif_jobs.send_emails(ids) == 2  # the retry sends only the two left
    mail.close_connections()


def test_waiting_for_you_quotes_the_question_and_the_answer_reaches_the_holder(session):
    ticket = _ticket(session)
    agent = UserFactory(roles=[Role.AGENT_N1])
    lifecycle.take(session, ticket, actor=agent, now=NOW)
    lifecycle.wait(session, ticket, Move.WAIT_REQUESTER, actor=agent, message="Quel navigateur utilisez-vous ?",
                   now=NOW.replace(hour=10))  # fmt: skip
    conversation.post_message(session, ticket, MessageKind.REPLY, actor=ticket.requester, body="Firefox 128.",
                              now=NOW.replace(hour=11))  # fmt: skip
    session.commit()
    rows = session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(n.kind, n.user_id) for n in rows] == [
        ("ticket_created", ticket.requester_id),
        ("waiting_for_you", ticket.requester_id),
        ("requester_replied", agent.id),
    ]
    question, answer = rows[1], rows[2]
    assert "> Quel navigateur utilisez-vous ?" in question.body and f"/tickets/{ticket.reference}#m" in question.body
    assert question.link.startswith(f"/tickets/{ticket.reference}#m")
    assert "> Firefox 128." in answer.body


def test_bell_badge_and_mark_read(session, login_as):
    ticket = _ticket(session)
    client = login_as(ticket.requester)
    assert client.get("/notifications/badge").get_data(as_text=True) == "Notifications (1)"
    page = client.get("/notifications/").get_data(as_text=True)
    assert "est enregistrée" in page and "Non lue" in page
    row = session.scalars(select(Notification)).one()
    other = login_as  # the same client, another person must not mark it
    assert client.post(f"/notifications/{row.id}/lue").status_code == 302
    assert client.get("/notifications/badge").get_data(as_text=True) == "Notifications"
    stranger = UserFactory()
    session.commit()
    other(stranger)
    assert client.post(f"/notifications/{row.id}/lue").status_code == 404


def test_daily_digest_groups_mail(session, smtp, login_as):
    ticket = _ticket(session)
    client = login_as(ticket.requester)
    assert client.post("/notifications/preference", data={"mode": "digest"}).status_code == 302
    assert client.post("/notifications/preference", data={"mode": "weekly"}).status_code == 303
    agent = UserFactory(roles=[Role.AGENT_N1])
    lifecycle.take(session, ticket, actor=agent, now=NOW)
    lifecycle.wait(session, ticket, Move.WAIT_REQUESTER, actor=agent, message="Une capture ?", now=NOW.replace(hour=10))
    session.commit()
    assert notif_jobs.send_digests(now=NOW.replace(hour=18).isoformat()) == 1
    assert notif_jobs.send_digests(now=NOW.replace(hour=19).isoformat()) == 0  # once a day
    ((to, content),) = smtp.messages
    assert "2 notification(s)" in content


def test_notify_many_skips_who_was_told_and_mails_only_immediate_people(session):
    from helpdesk.notifications.models import NotificationPreference

    ticket = _ticket(session)
    immediate, digest, told = UserFactory(), UserFactory(), UserFactory()
    session.add(NotificationPreference(user_id=digest.id, mode="digest"))
    services.notify(session, told.id, "sla_warning", ticket=ticket, due_at=NOW, action="notified", dedup_key="sla:x", now=NOW)
    session.commit()
    rows = services.notify_many(
        session,
        [told.id, digest.id, immediate.id, None, immediate.id],
        "sla_warning",
        ticket=ticket,
        due_at=NOW,
        action="notified",
        dedup_key="sla:x",
        now=NOW,
    )
    assert sorted(row.user_id for row in rows) == sorted([digest.id, immediate.id])
    assert rows[0].title and all(row.title == rows[0].title for row in rows)  # rendered once, same text
    mails = [options["notification_ids"] for path, _args, options in session.info["pending_jobs"] if path.endswith("send_emails")]
    assert mails == [[row.id for row in rows if row.user_id == immediate.id]]
    assert (
        services.notify_many(
            session, [immediate.id], "sla_warning", ticket=ticket, due_at=NOW, action="notified", dedup_key="sla:x", now=NOW
        )
        == []
    )
