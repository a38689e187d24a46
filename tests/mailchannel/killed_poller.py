"""Run one mailbox poll in its own process and SIGKILL that process at a chosen moment (tests/mailchannel).

`python -m tests.mailchannel.killed_poller MODE CONFIG_JSON`: MODE "before-commit" dies right after the ticket
was written but before its transaction commits; "after-commit" dies after the commit, before the message is
marked on the server; "none" polls normally."""

import json
import os
import signal
import sys

from helpdesk import create_app
from helpdesk.mailchannel import imap, intake
from helpdesk.platform.extensions import db
from helpdesk.tickets import services as tickets


def _die(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def main(mode: str, config: dict) -> None:
    app = create_app(config)
    if mode == "after-commit":
        imap._mark = _die
    elif mode == "before-commit":
        original = tickets.open_ticket

        def open_then_die(session, **kwargs):
            ticket = original(session, **kwargs)
            session.flush()
            _die()
            return ticket

        tickets.open_ticket = open_then_die
    with app.app_context():
        print(json.dumps(intake.poll_once(db.session, app.config)))


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))
