"""The real identity providers of the single sign-on tests and the helpdesk configured for them: a CAS 3.0
server (django-cas-server) and an OpenID provider (`oidc-provider`), each in its own process, plus the app
served on its own port, all stopped at the end of the module."""

import threading
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from tests.conftest import _free_port
from tests.users.idp.servers import OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, cas_server, oidc_provider, write_accounts

CAS_LABEL = "le compte académique (CAS)"
OIDC_LABEL = "la fédération OpenID Connect"


@pytest.fixture(scope="module")
def sso(tmp_path_factory, make_app):
    """The helpdesk with two providers, `cas` and `oidc`; `sso.accounts(cas=..., oidc=...)` rewrites what
    the providers say about their test accounts ({login: {"password", "attributes"}})."""
    workdir = tmp_path_factory.mktemp("idp")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        oidc_provider(
            workdir, redirect_uris=[f"{base}/connexion/sso/oidc/retour"], post_logout_uris=[f"{base}/"], accounts={}
        ) as (issuer, oidc_accounts),
        cas_server(workdir, service_pattern=rf"^{base.replace('.', '[.]')}/connexion/sso/cas/retour", accounts={}) as (
            cas_url,
            cas_accounts,
        ),
    ):
        app = make_app(
            PUBLIC_URL=base,
            SSO_ENV={
                "HELPDESK_SSO_PROVIDERS": "cas,oidc",
                "HELPDESK_SSO_CAS_PROTOCOL": "cas",
                "HELPDESK_SSO_CAS_LABEL": CAS_LABEL,
                "HELPDESK_SSO_CAS_CAS_URL": cas_url,
                "HELPDESK_SSO_CAS_PROFILE_MAP": "ENS=enseignant,DIR=chef_etablissement",
                "HELPDESK_SSO_OIDC_PROTOCOL": "oidc",
                "HELPDESK_SSO_OIDC_LABEL": OIDC_LABEL,
                "HELPDESK_SSO_OIDC_ISSUER": issuer,
                "HELPDESK_SSO_OIDC_CLIENT_ID": OIDC_CLIENT_ID,
                "HELPDESK_SSO_OIDC_CLIENT_SECRET": OIDC_CLIENT_SECRET,
                "HELPDESK_SSO_OIDC_SCOPE": "openid email profile fredu",
                "HELPDESK_SSO_OIDC_PROFILE_MAP": "ENS=enseignant,DIR=chef_etablissement",
                "HELPDESK_SSO_OIDC_LINK_BY": "email",
            },
        )
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()

        def accounts(cas=None, oidc=None):
            if cas is not None:
                write_accounts(cas_accounts, cas)
            if oidc is not None:
                write_accounts(oidc_accounts, oidc)

        try:
            yield SimpleNamespace(url=base, app=app, cas_url=cas_url, issuer=issuer, accounts=accounts)
        finally:
            server.shutdown()
            thread.join(timeout=10)


@pytest.fixture
def sso_page(browser, sso):
    context = browser.new_context(base_url=sso.url, locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
