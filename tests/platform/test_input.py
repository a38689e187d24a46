"""Edge checks (helpdesk/platform/input.py) and the app's own error pages: every refusal a 4xx with a French
reason, JSON `{"error", "detail"}` under /api/, the page otherwise — never a bare server page, never a 500."""

import pytest

from helpdesk.platform import input as edge
from tests.factories import UserFactory


def test_sizes_are_stated_in_french_units():
    assert [edge.format_size(n) for n in (512, 64 * 1024, 5 * 1024 * 1024, 1536 * 1024)] == [
        "512 octets",
        "64 ko",
        "5 Mo",
        "1,5 Mo",
    ]


@pytest.mark.parametrize("raw", ["-1", "2147483648", "12a", "٣", "1e3", "9" * 40])
def test_query_integers_outside_the_range_are_refused(raw):
    with pytest.raises(edge.InputRefused, match="nombre entier entre 0 et 2147483647"):
        edge.int_arg(raw, "bassin")


def test_query_integers_inside_the_range_pass():
    assert edge.int_arg(" 42 ", "bassin") == 42 and edge.int_arg("", "bassin", default=7) == 7


def test_json_strings_are_composed_and_deep_documents_refused_without_recursion():
    assert edge.check_json({"e\u0301": ["cre\u0301e"]}) == {"\u00e9": ["cr\u00e9e"]}
    deep = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(edge.InputRefused, match="imbrication"):
        edge.check_json(deep)


@pytest.mark.parametrize(
    ("path", "code", "text"),
    [
        ("/nulle-part", 404, "Page introuvable."),
        ("/formations/sessions/99999999999", 404, "Page introuvable."),
        ("/erreurs/413", 413, "La requête est trop volumineuse."),
        ("/erreurs/502", 502, "momentanément indisponible"),
        ("/?q=a%00b", 400, "caractère nul"),
        ("/faq%00", 400, "caractère nul"),
        ("/faq?q=" + "x" * 9000, 414, "trop longue"),
    ],
)
def test_errors_are_the_apps_own_french_pages(client, path, code, text):
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == code and text in page and "fr-header" in page


def test_method_not_allowed_is_french(client):
    response = client.delete("/faq")
    assert response.status_code == 405 and "Méthode non autorisée." in response.get_data(as_text=True)


def test_api_errors_are_json_with_error_and_detail(client):
    missing = client.get("/api/v1/nulle-part")
    assert missing.status_code == 404 and set(missing.get_json()) == {"error", "detail"}
    refused = client.get("/api/v1/kb/search?q=%00")
    assert refused.status_code == 400 and {"error", "detail", "field"} <= set(refused.get_json())


def test_an_unexpected_error_is_the_french_500_page(app, client, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "web.legal", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/mentions-legales")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Une erreur inattendue est survenue" in page and "boom" not in page


def test_a_refused_form_is_offered_again_without_its_password(app, session):
    user = UserFactory()
    session.commit()
    response = app.test_client().post("/connexion", data={"email": user.email + "\x00", "password": "secret-42"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "caractère nul" in page
    assert user.email in page and 'name="email"' in page and "secret-42" not in page


def test_lone_surrogates_in_a_form_field_name_are_refused(client):
    response = client.post("/connexion", data="%ED%A0%80=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 401)  # decoded as U+FFFD by Werkzeug, or refused: never a 500


def test_a_text_field_past_the_form_memory_limit_states_that_limit(client):
    response = client.post("/connexion", data={"email": "x" * 600_000, "password": "x"}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "Un champ de texte dépasse" in page and "ko" in page
