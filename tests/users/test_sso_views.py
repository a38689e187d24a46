"""Single sign-on pages without a provider answering: off when not configured, every failure a clear page
(never a 5xx), and the CAS answers parsed safely. The real providers are in test_sso_browser.py."""

from urllib.parse import parse_qs, urlsplit

import pytest

from helpdesk.users.backends import SsoProtocolError, parse_logout_request, parse_service_response
from tests.users.idp.servers import free_port

SUCCESS = b"""<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
  <cas:authenticationSuccess>
    <cas:user>cmartin</cas:user>
    <cas:attributes>
      <cas:mail>camille.martin@ac-toulouse.fr</cas:mail>
      <cas:FrEduRne>0310036W$UAJ$PU$N$T3$LYC$340</cas:FrEduRne>
      <cas:FrEduRne>0311234Y$UAJ$PU$N$T3$CLG$340</cas:FrEduRne>
    </cas:attributes>
  </cas:authenticationSuccess>
</cas:serviceResponse>"""
FAILURE = b"""<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
  <cas:authenticationFailure code="INVALID_TICKET">Ticket ST-1 not recognized</cas:authenticationFailure>
</cas:serviceResponse>"""
BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>&lol2;</cas:user>
</cas:authenticationSuccess></cas:serviceResponse>"""
LOGOUT = """<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="x" Version="2.0" IssueInstant="2026-03-02T08:00:00Z">
<saml:NameID xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"></saml:NameID><samlp:SessionIndex>ST-42</samlp:SessionIndex>
</samlp:LogoutRequest>"""


def test_a_cas_success_gives_the_user_and_multi_valued_attributes():
    user, attributes = parse_service_response(SUCCESS)
    assert user == "cmartin"
    assert attributes["FrEduRne"] == ["0310036W$UAJ$PU$N$T3$LYC$340", "0311234Y$UAJ$PU$N$T3$CLG$340"]


@pytest.mark.parametrize("body", [FAILURE, BOMB, b"not xml", b"<other/>"])
def test_a_cas_failure_or_hostile_xml_is_a_protocol_error(body):
    with pytest.raises(SsoProtocolError):
        parse_service_response(body)


def test_a_single_logout_request_names_its_ticket_and_anything_else_names_none():
    assert parse_logout_request(LOGOUT) == "ST-42"
    for body in ["", "<x/>", "garbage", LOGOUT.replace("LogoutRequest", "Other"), BOMB.decode()]:
        assert parse_logout_request(body) is None


def test_without_providers_the_login_page_shows_only_the_password_form(client):
    page = client.get("/connexion").get_data(as_text=True)
    assert "Avec votre compte académique" not in page and "Se connecter avec" not in page
    assert client.get("/connexion/sso/cas").status_code == 404


@pytest.fixture(scope="module")
def unreachable(make_app):
    """An app whose providers are configured on ports where nothing answers."""
    cas_port, oidc_port = free_port(), free_port()
    return make_app(
        SSO_ENV={
            "HELPDESK_SSO_PROVIDERS": "cas,oidc",
            "HELPDESK_SSO_CAS_PROTOCOL": "cas",
            "HELPDESK_SSO_CAS_LABEL": "le CAS académique",
            "HELPDESK_SSO_CAS_CAS_URL": f"http://127.0.0.1:{cas_port}/cas",
            "HELPDESK_SSO_OIDC_PROTOCOL": "oidc",
            "HELPDESK_SSO_OIDC_ISSUER": f"http://127.0.0.1:{oidc_port}",
            "HELPDESK_SSO_OIDC_CLIENT_ID": "helpdesk",
        },
        SSO_HTTP_TIMEOUT=2,
    )


def test_the_cas_button_sends_to_the_cas_login_with_a_state_bound_service(unreachable):
    client = unreachable.test_client()
    response = client.get("/connexion/sso/cas?next=/compte")
    location = urlsplit(response.headers["Location"])
    service = parse_qs(location.query)["service"][0]
    assert response.status_code == 302 and location.path == "/cas/login"
    assert service.startswith("http://testserver/connexion/sso/cas/retour?state=")
    assert "form-action 'self' http://127.0.0.1:" in response.headers["Content-Security-Policy"]


def test_a_cas_callback_from_another_browser_is_refused(unreachable):
    response = unreachable.test_client().get("/connexion/sso/cas/retour?state=forged&ticket=ST-1")
    assert response.status_code == 400 and "n'a pas abouti" in response.get_data(as_text=True)


def test_a_cas_server_that_does_not_answer_gives_a_clear_page(unreachable):
    client = unreachable.test_client()
    service = parse_qs(urlsplit(client.get("/connexion/sso/cas").headers["Location"]).query)["service"][0]
    response = client.get(urlsplit(service).path + "?" + urlsplit(service).query + "&ticket=ST-1")
    assert response.status_code == 502 and "n'a pas abouti" in response.get_data(as_text=True)


def test_an_oidc_provider_that_does_not_answer_gives_a_clear_page(unreachable):
    response = unreachable.test_client().get("/connexion/sso/oidc")
    assert response.status_code == 502 and "Pas de réponse du service d'authentification" in response.get_data(as_text=True)


def test_an_oidc_callback_without_its_state_is_refused(unreachable):
    response = unreachable.test_client().get("/connexion/sso/oidc/retour?code=abc&state=forged")
    assert response.status_code == 400 and "n'a pas abouti" in response.get_data(as_text=True)


def test_a_single_logout_request_for_an_unknown_ticket_changes_nothing(unreachable):
    response = unreachable.test_client().post("/connexion/sso/cas/retour", data={"logoutRequest": LOGOUT})
    assert response.status_code == 204
