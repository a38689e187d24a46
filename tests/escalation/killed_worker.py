"""Run escalation.jobs.check_tickets (the sweep's batch) for one ticket in a separate process and SIGKILL it before or after its commit.

Used by test_killed_worker.py: argv = database URI, Redis URL, data dir, ticket id, now (ISO), "before"|"after"."""

import os
import signal
import sys

from helpdesk import create_app
from helpdesk.platform import jobcontext


def main(uri, redis_url, data_dir, ticket_id, now, when):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": uri, "REDIS_URL": redis_url, "HELPDESK_DATA_DIR": data_dir, "SECRET_KEY": "tests-only-secret"}
    )
    jobcontext.set_app(app)
    from sqlalchemy.orm import Session

    original = Session.commit

    def commit(self):
        if when == "before":
            os.kill(os.getpid(), signal.SIGKILL)  # the breach row and the escalation are not committed
        original(self)
        os.kill(os.getpid(), signal.SIGKILL)  # committed, but the job never reports success

    Session.commit = commit
    from escalation import jobs

    jobs.check_tickets([int(ticket_id)], now=now)


if __name__ == "__main__":
    main(*sys.argv[1:])
