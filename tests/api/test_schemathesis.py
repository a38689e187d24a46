"""Schemathesis against the live app (its WSGI app, on the test database: SQLite or PostgreSQL): requests generated from
the OpenAPI document — valid ones and ones that break it — with a pilot's token, for every operation; no answer is a 5xx
each one matches the document (status, content type, body schema), and a request that breaks the document is refused
with a 4xx. Half of the cases point at a real ticket and
incident, a valid body for that ticket carries its current `version`, and half of the valid new tickets name the real
keyword for a teacher's token (the one who opens tickets; the pilot's for the rest), so the generated bodies reach the handlers and act instead of stopping at a 404, a 409 or « unknown keyword ».

One test walks every operation (schemathesis' pytest loader `from_fixture` does not run under pytest 9), and reports
all the operations that failed, each with the request that shows it."""

import os

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from helpdesk.incidents import services as incidents
from helpdesk.platform.timeutil import utcnow
from tests.api.conftest import bearer

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Bounded so that the whole run (some forty operations) stays around a minute on the shared machine.
EXAMPLES = 8
# The same examples on every run, so that CI does not pass or fail by chance; SCHEMATHESIS_EXPLORE=1 draws new ones
# (a failure then prints the seed that replays it: --hypothesis-seed=…).
EXPLORE = bool(os.environ.get("SCHEMATHESIS_EXPLORE"))
CREATE = "POST /api/v1/tickets"


def _strategy(operation, real: dict):
    known = {name: value for name, value in real.items() if name in {p.name for p in operation.path_parameters}}
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    strategies = [operation.as_strategy(generation_mode=mode) for mode in modes]
    if known:
        strategies += [operation.as_strategy(generation_mode=mode, path_parameters=known) for mode in modes]
    return st.one_of(strategies)


def _aim_at_real_data(case, people) -> None:
    """A valid body for the real ticket carries its current version; half of the valid new tickets are the teacher's own
    (real keyword, no extra fields, no one else's name), so that creation runs through to the end instead of stopping at « unknown keyword »."""
    if case.meta.generation.mode != GenerationMode.POSITIVE or not isinstance(case.body, dict):
        return
    ticket = people["ticket"]
    if (case.path_parameters or {}).get("ref") == ticket.reference and isinstance(case.body.get("version"), int):
        from helpdesk.platform.extensions import db
        from helpdesk.tickets.models import Ticket

        case.body["version"] = db.session.get(Ticket, ticket.id).version
    if case.operation.label == CREATE and len(str(case.body)) % 2 == 0:
        for name in ("requester_email", "caller_name", "caller_school"):
            case.body.pop(name, None)
        case.body.update(keyword=people["keyword"].slug, extra_fields={}, channel="api")


@pytest.mark.slow
def test_api_answers_match_the_document(app, session, people):
    incident = incidents.declare(session, actor=people["pilote"], service="rubriques", title="Agenda en panne",
                                 message="Les agendas sont vides.", now=utcnow())  # fmt: skip
    session.commit()
    headers, teacher = bearer(session, people["pilote"]), bearer(session, people["teacher"])
    real = {"ref": people["ticket"].reference, "incident_id": incident.id, "slug": "inconnu"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, operations = {}, 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=_strategy(operation, real))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not EXPLORE,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def run(case):
            with app.app_context():
                _aim_at_real_data(case, people)
                case.call_and_validate(headers=teacher if case.operation.label == CREATE else headers, checks=CHECKS)

        try:
            run()
        except Exception as error:  # noqa: BLE001 — every operation is tried; all failures are reported together
            failures[operation.label] = str(error)[:2000]
    assert operations >= 30, operations
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
