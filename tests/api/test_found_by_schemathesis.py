"""What Schemathesis found, kept as plain regression tests (each fixed at the edge: a 4xx with the reason)."""

import pytest

from tests.api.conftest import bearer


@pytest.mark.parametrize(
    "item",
    [
        {"reference": "", "version": 2},
        {"reference": "ENT-2026-000001", "version": 2**31},
        {"reference": "ENT-2026-000001", "version": 0},
        {"reference": "ENT-2026-000001", "version": 2, "extra": None},
    ],
)
def test_bulk_refuses_an_item_that_breaks_the_document(api, session, people, item):
    """Was 200 with « ticket not found »: the whole batch is refused, naming the field, before any ticket is looked up."""
    headers = bearer(session, people["pilote"])
    response = api.post("/api/v1/tickets/bulk", json={"action": "take", "tickets": [item]}, headers=headers)
    assert response.status_code == 400, response.json
    assert response.json["fields"] and response.json["detail"]


@pytest.mark.parametrize(
    "path", ["/api/v1/tickets?stauts=open", "/api/v1/kb/search?q=agenda&serivce=x", "/api/v1/routing/suggest?query=x"]
)
def test_an_unknown_query_parameter_is_refused_not_ignored(api, session, people, path):
    """Was 200 as if no filter had been asked (a typo listed every ticket)."""
    response = api.get(path, headers=bearer(session, people["pilote"]))
    assert response.status_code == 400
    assert response.json["fields"] and "inconnu" in response.json["error"]
