"""The OpenAPI document: served, 3.1, every /api/v1 route in it with its answers, errors and security."""

from flask import current_app

from helpdesk.platform import openapi
from helpdesk.policy import Scope
from helpdesk.tickets import actions


def _api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith(openapi.PREFIX) and r.endpoint not in openapi.SELF_ENDPOINTS]


def test_every_api_route_is_documented(app):
    """A new /api/v1 view without @documented(...) fails here."""
    missing = [r.rule for r in _api_rules(app) if not openapi.is_documented(app.view_functions[r.endpoint])]
    assert not missing, f"/api/v1 routes without @documented: {missing}"


def test_every_api_route_and_method_is_in_the_document(client, app):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for rule in _api_rules(app):
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", f"{{{name}}}")
            path = path.replace(f"<int(max=2147483647):{name}>", f"{{{name}}}")
        assert path in paths, rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in paths[path], (rule.rule, method)


def test_document_is_openapi_3_1_with_bearer_security(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearerToken"] == {
        **document["components"]["securitySchemes"]["bearerToken"],
        "type": "http",
        "scheme": "bearer",
    }
    description = document["components"]["securitySchemes"]["bearerToken"]["description"]
    assert all(str(scope) in description for scope in Scope)  # each scope is needed by some operation
    create = document["paths"]["/api/v1/tickets"]["post"]
    assert create["security"] == [{"bearerToken": ["tickets:write"]}]
    assert document["paths"]["/api/v1/kb/search"]["get"]["security"] == [{}, {"bearerToken": ["kb:read"]}]
    assert document["paths"]["/api/v1/routing/suggest"]["get"]["security"] == [{}]


def test_each_action_has_its_own_path_and_input(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for name, action in actions.ACTIONS.items():
        operation = paths[f"/api/v1/tickets/{{ref}}/actions/{name}"]["post"]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert schema.endswith(f".{action.model.__name__}"), name
    generic = paths["/api/v1/tickets/{ref}/actions/{name}"]["post"]
    name_param = next(p for p in generic["parameters"] if p["name"] == "name")
    assert set(name_param["schema"]["not"]["enum"]) == set(actions.ACTIONS)


def test_error_answers_share_one_documented_shape(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "404", "429"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/platform.ErrorBody"}, (path, method, status)
            if operation["security"] and operation["security"][0]:
                assert "401" in operation["responses"] and "403" in operation["responses"], (path, method)
    error = document["components"]["schemas"]["platform.ErrorBody"]
    assert set(error["required"]) == {"error", "detail"}


def test_unknown_route_and_token_refusal_answer_that_shape(client):
    for response in (client.get("/api/v1/nothing-here"), client.get("/api/v1/tickets")):
        assert response.status_code in (401, 404)
        assert set(response.get_json()) >= {"error", "detail"}


def test_docs_page_uses_the_vendored_swagger_ui(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "vendor/swagger-ui/swagger-ui-bundle.js" in page and 'data-spec-url="/api/v1/openapi.json"' in page
    static = current_app.static_folder
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200, static
