"""/healthz warns when the configured assistance mailbox is no longer read (a warning: the web still serves)."""

from datetime import timedelta

from helpdesk.mailchannel import services
from helpdesk.mailchannel.models import MailboxPoll
from helpdesk.platform.timeutil import utcnow

NOW = utcnow()
LONG_AGO = NOW - timedelta(hours=1)


def test_a_mailbox_read_a_minute_ago_is_fine():
    poll = MailboxPoll(last_poll_at=NOW, last_success_at=NOW - timedelta(minutes=1), last_error="")
    assert services.mailbox_warning(poll, now=NOW, started_at=LONG_AGO) is None


def test_a_node_just_started_waits_for_its_first_poll_before_warning():
    assert services.mailbox_warning(None, now=NOW, started_at=NOW - timedelta(minutes=2)) is None
    assert "jamais été relevée" in services.mailbox_warning(None, now=NOW, started_at=LONG_AGO)


def test_failing_polls_say_since_when_and_why():
    poll = MailboxPoll(last_poll_at=NOW, last_success_at=NOW - timedelta(minutes=30), last_error="OSError: refused")
    warning = services.mailbox_warning(poll, now=NOW, started_at=LONG_AGO)
    assert "n'est plus relevée depuis le" in warning and "OSError: refused" in warning
    never = MailboxPoll(last_poll_at=NOW, last_success_at=None, last_error="MailboxError: login failed")
    assert "depuis sa mise en service : MailboxError" in services.mailbox_warning(never, now=NOW, started_at=LONG_AGO)


def test_healthz_carries_the_mailbox_warning_only_when_imap_is_configured(app, client, session):
    session.add(MailboxPoll(id=1, last_poll_at=NOW, last_success_at=LONG_AGO, last_error="OSError: timed out"))
    session.commit()
    assert not any("boîte" in w for w in client.get("/healthz").get_json().get("warnings", []))
    app.config["MAIL_IMAP_HOST"] = "imap.example"
    try:
        response = client.get("/healthz")
    finally:
        app.config["MAIL_IMAP_HOST"] = ""
    assert response.status_code == 200  # a warning, not a fault
    assert any("OSError: timed out" in w for w in response.get_json()["warnings"])
