"""One delivery of escalation.jobs.check_tickets (the sweep's batch) for one ticket in its own process (argv: ticket id, now as ISO); the database
and Redis come from the environment. Prints « ready » just before the job reads the ticket."""

import sys

from helpdesk import create_app
from helpdesk.platform import jobcontext


def main(ticket_id: str, now: str) -> None:
    jobcontext.set_app(create_app())
    from escalation import jobs

    print("ready", flush=True)
    print(jobs.check_tickets([int(ticket_id)], now=now), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
