"""One event's mails are composed once by the standard library and copied per recipient; a line break in any
header is still refused by the email package's policy (no header injection)."""

from email import message_from_bytes, policy

import pytest

from helpdesk.platform.mail import build_messages

CONFIG = {"MAIL_FROM": "Assistance ENT <assistance@ent.example>", "MAIL_MESSAGE_ID_DOMAIN": "helpdesk-ent"}
THREAD = {"In-Reply-To": "<ent-2026-000001@helpdesk-ent>", "References": "<ent-2026-000001@helpdesk-ent>",
          "Reply-To": "Assistance ENT <assistance@ent.example>", "X-Helpdesk-Ticket": "ENT-2026-000001"}  # fmt: skip
SUBJECT, BODY = "[ENT-2026-000001] Délai dépassé", "Bonjour,\n\nLe délai est dépassé : « Élève sans accès ».\n"


def _mail(to: str, n: int, body: str = BODY, **extra) -> tuple:
    return (to, SUBJECT, body, THREAD | {"Message-ID": f"<n{n}.ent-2026-000001@helpdesk-ent>"} | extra)


def test_the_mails_of_one_event_are_copies_with_their_own_recipient_and_message_id():
    messages = build_messages(CONFIG, [_mail(f"agent{n}@ac-test.fr", n) for n in range(3)])
    parsed = [message_from_bytes(bytes(m), policy=policy.default) for m in messages]
    assert [p["To"] for p in parsed] == ["agent0@ac-test.fr", "agent1@ac-test.fr", "agent2@ac-test.fr"]
    assert [p["Message-ID"] for p in parsed] == [f"<n{n}.ent-2026-000001@helpdesk-ent>" for n in range(3)]
    for p in parsed:
        assert p.get_content() == BODY and p["Subject"] == SUBJECT and p["References"] == THREAD["References"]
        assert p["Auto-Submitted"] == "auto-generated" and len(p.get_all("To")) == 1


def test_mails_of_other_events_are_composed_each():
    first, other, no_thread = build_messages(
        CONFIG, [_mail("a@ac-test.fr", 1), _mail("b@ac-test.fr", 2, body="Autre"), ("c@ac-test.fr", "Sujet", BODY, None)]
    )
    assert other.get_content() == "Autre\n" and first.get_content() == BODY
    assert no_thread["Message-ID"].endswith("@helpdesk-ent>") and "References" not in no_thread


@pytest.mark.parametrize("position", [0, 1])
@pytest.mark.parametrize("field", ["To", "Message-ID"])
def test_a_line_break_in_a_recipient_header_is_refused_for_the_first_mail_and_for_its_copies(position, field):
    mails = [_mail("a@ac-test.fr", 1), _mail("b@ac-test.fr", 2)]
    to, subject, body, headers = mails[position]
    if field == "To":
        to = "b@ac-test.fr\r\nBcc: victime@example.org"
    else:
        headers = headers | {"Message-ID": "<n2@helpdesk-ent>\r\nBcc: victime@example.org"}
    mails[position] = (to, subject, body, headers)
    with pytest.raises(ValueError):
        build_messages(CONFIG, mails)


def test_a_line_break_in_a_shared_header_is_refused():
    with pytest.raises(ValueError):
        build_messages(CONFIG, [("a@ac-test.fr", "Sujet\r\nBcc: victime@example.org", BODY, None)])
    with pytest.raises(ValueError):
        build_messages(CONFIG, [_mail("a@ac-test.fr", 1, **{"Reply-To": "x@ent.example\nBcc: victime@example.org"})])
