"""Against a real Dovecot and a real SMTP sink: a mail delivered to the assistance mailbox becomes a ticket, the
ticket's own mail carries what threads the answer back, and the answer becomes a message of the ticket; HTML-only
mail, attachments, auto-replies, duplicate delivery, quarantine, and a poller SIGKILLed mid-import."""

import json
import os
import subprocess
import sys
from email import message_from_string, policy
from pathlib import Path

from sqlalchemy import select

from helpdesk.mailchannel import imap, intake, jobs
from helpdesk.mailchannel.models import InboundMail, MailboxPoll
from helpdesk.notifications import jobs as notif_jobs
from helpdesk.notifications.models import Notification
from helpdesk.tickets.models import Attachment, Message, Ticket
from tests.mailchannel.conftest import make_mail
from tests.tickets.conftest import png_bytes

ROOT = Path(__file__).resolve().parents[2]


def _tickets(session):
    return session.scalars(select(Ticket).order_by(Ticket.id)).all()


def _poll(session, app):
    return intake.poll_once(session, app.config)


def test_a_mail_becomes_a_ticket_and_the_answer_to_its_mail_threads_back(app, session, people, mailbox, smtp):
    mailbox.deliver(make_mail(subject="Mot de passe oublié", body="Bonjour,\nconnexion impossible à l'ENT depuis hier."))
    assert _poll(session, app) == {"ticket": 1}
    (ticket,) = _tickets(session)
    assert ticket.tier == "n1" and ticket.channel == "mail" and ticket.keyword.slug == "mot-de-passe-ent"
    assert mailbox.uids(criteria=f"UNKEYWORD {imap.IMPORTED_KEYWORD}") == []  # marked once committed

    (created,) = session.scalars(select(Notification).where(Notification.kind == "ticket_created")).all()
    assert notif_jobs.send_email(created.id)
    ((recipients, raw),) = smtp.messages
    sent = message_from_string(raw, policy=policy.default)
    assert recipients == ["camille.martin@ac-toulouse.fr"]
    assert ticket.reference in sent["Subject"]
    assert f"+{ticket.reference.lower()}." in sent["Reply-To"]
    assert sent["In-Reply-To"] == sent["References"] == f"<ticket.{ticket.reference.lower()}@helpdesk-ent>"
    assert sent["Auto-Submitted"] == "auto-generated"

    answer = make_mail(to=str(sent["Reply-To"]), subject="Re: " + str(sent["Subject"]),
                       body=("Toujours impossible avec Firefox.\n\n-- \nCamille Martin\nCollège Jean Jaurès\n\n"
                             f"Le 2 déc. 2026 à 09:12, Assistance ENT <{sent['From'].addresses[0].addr_spec}> a écrit :\n"
                             "> Votre demande est enregistrée.\n"),
                       headers={"In-Reply-To": str(sent["Message-ID"]), "References": str(sent["Message-ID"])})  # fmt: skip
    mailbox.deliver(answer)
    assert _poll(session, app) == {"reply": 1}
    (message,) = session.scalars(select(Message).where(Message.ticket_id == ticket.id)).all()
    assert message.body == "Toujours impossible avec Firefox." and message.author_id == people["teacher"].id
    assert _poll(session, app) == {}  # nothing left to read
    state = session.get(MailboxPoll, 1)
    assert state.last_fetched == 0 and state.last_error == "" and state.last_success_at is not None


def test_an_html_only_mail_and_its_attachment(app, session, people, mailbox):
    html = "<html><body><p>Bonjour,</p><p>Mot de passe <b>oublié</b>, voir la capture.</p>"
    html += "<blockquote>Ancien message cité</blockquote></body></html>"
    mailbox.deliver(make_mail(subject="Connexion impossible", body=None, html=html,
                              attachments=[("écran.png", png_bytes(), "image", "png")]))  # fmt: skip
    assert _poll(session, app) == {"ticket": 1}
    (ticket,) = _tickets(session)
    assert "Mot de passe oublié, voir la capture." in ticket.description and "Ancien message" not in ticket.description
    (attachment,) = session.scalars(select(Attachment).where(Attachment.ticket_id == ticket.id)).all()
    assert attachment.original_name == "écran.png" and attachment.size == len(png_bytes())


def test_an_auto_reply_is_ignored_and_never_answered(app, session, people, mailbox, smtp):
    mailbox.deliver(make_mail(subject="Réponse automatique : absente", body="Je suis absente jusqu'au 5.",
                              headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"}))  # fmt: skip
    assert _poll(session, app) == {"ignored": 1}
    assert _tickets(session) == [] and session.scalars(select(Notification)).all() == [] and smtp.messages == []
    assert mailbox.uids(criteria=f"UNKEYWORD {imap.IMPORTED_KEYWORD}") == []


def test_a_message_delivered_twice_makes_one_ticket(app, session, people, mailbox):
    mail = make_mail(subject="Mot de passe oublié", body="connexion impossible")
    mailbox.deliver(mail)
    mailbox.deliver(mail)
    assert _poll(session, app) == {"ticket": 2}  # the second copy reports the first one's outcome
    assert len(_tickets(session)) == 1
    assert len(session.scalars(select(InboundMail)).all()) == 1


def test_an_oversized_mail_moves_to_the_quarantine_folder_and_the_job_reads_the_mailbox(app, session, people, mailbox):
    app.config["MAIL_INBOUND_MAX_BYTES"] = 3000
    try:
        mailbox.deliver(make_mail(subject="Énorme", body="x" * 10000))
        assert jobs.poll_mailbox() == {"quarantined": 1}  # the periodic job itself
    finally:
        app.config["MAIL_INBOUND_MAX_BYTES"] = 25 * 1024 * 1024
    assert mailbox.uids("INBOX") == [] and len(mailbox.uids("Quarantaine")) == 1
    (row,) = session.scalars(select(InboundMail)).all()
    assert row.outcome == "quarantined" and "volumineux" in row.reason


def _run_poller(app, session, mode: str) -> subprocess.CompletedProcess:
    keys = ("HELPDESK_DATA_DIR", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "REDIS_URL", "UPLOAD_DIR", "MAIL_IMAP_HOST",
            "MAIL_IMAP_PORT", "MAIL_IMAP_SECURITY", "MAIL_IMAP_USERNAME", "MAIL_IMAP_PASSWORD", "MAIL_IMAP_FOLDER",
            "MAIL_IMAP_DONE_FOLDER", "MAIL_IMAP_QUARANTINE_FOLDER", "PUBLIC_URL")  # fmt: skip
    config = {key: app.config[key] for key in keys}
    session.rollback()  # no read transaction of ours may hold SQLite's lock while the poller writes
    return subprocess.run([sys.executable, "-m", "tests.mailchannel.killed_poller", mode, json.dumps(config)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip


def test_a_poller_killed_before_its_commit_or_before_marking_leaves_exactly_one_ticket(app, session, people, mailbox):
    mailbox.deliver(make_mail(subject="Mot de passe oublié", body="premier courriel"))
    killed = _run_poller(app, session, "before-commit")
    assert killed.returncode == -9, killed.stderr[-2000:]
    session.rollback()
    assert _tickets(session) == []  # nothing committed, the mail still unmarked on the server
    assert len(mailbox.uids(criteria=f"UNKEYWORD {imap.IMPORTED_KEYWORD}")) == 1

    killed = _run_poller(app, session, "after-commit")
    assert killed.returncode == -9, killed.stderr[-2000:]
    session.rollback()
    assert [row.outcome for row in session.scalars(select(InboundMail))] == ["ticket"]
    assert len(_tickets(session)) == 1  # committed, but the server was not told
    assert len(mailbox.uids(criteria=f"UNKEYWORD {imap.IMPORTED_KEYWORD}")) == 1

    again = _run_poller(app, session, "none")
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads(again.stdout.strip().splitlines()[-1]) == {"ticket": 1}  # read again: a no-op
    session.rollback()
    assert len(_tickets(session)) == 1
    assert mailbox.uids(criteria=f"UNKEYWORD {imap.IMPORTED_KEYWORD}") == []


def test_the_cron_job_runs_in_a_real_rq_worker(app, session, people, mailbox):
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    import worker
    from helpdesk.platform import jobcontext
    from helpdesk.platform.queue import get_queue, redis_connection

    assert ("helpdesk.mailchannel.jobs.poll_mailbox", "default", 60) in worker.CRON_JOBS
    mailbox.deliver(make_mail(subject="Mot de passe oublié", body="connexion impossible"))
    session.rollback()
    connection = redis_connection(app.config["REDIS_URL"])
    queue = get_queue("default", connection=connection)
    job = queue.enqueue("helpdesk.mailchannel.jobs.poll_mailbox", job_id="mail-poll-test")
    jobcontext.set_app(app)
    SimpleWorker([queue], connection=connection, serializer=JSONSerializer).work(burst=True)
    job.refresh()
    assert job.get_status() == "finished" and job.return_value() == {"ticket": 1}
    session.rollback()
    assert len(_tickets(session)) == 1
