"""Authentication backends: local passwords, and single sign-on through CAS 3.0 and OpenID Connect.

A single sign-on backend sends the browser to its identity provider and turns what comes back into an
ExternalLogin (provider, subject, multi-valued attributes), or raises SsoProtocolError. It decides nothing
about accounts: helpdesk.users.provisioning does. The protocol work is done by kept libraries: Authlib
for OpenID Connect (state, nonce, PKCE, ID token signature and claims), requests and defusedxml for CAS 3
service validation and single logout requests. Providers come from the HELPDESK_SSO_* variables
(helpdesk.users.sso_config); with none, the login page shows the password form alone.

Authlib, requests and joserfc (about 16 MB of a web worker's memory) are imported only where a provider is
built or talks to its server: a deployment without single sign-on never loads them."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlencode, urlsplit

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from flask import abort, current_app, redirect, request, session
from sqlalchemy import func, select

from helpdesk.platform.queue import redis_connection
from helpdesk.users.models import Profile, Role, User
from helpdesk.users.passwords import verify_password
from helpdesk.users.sso_config import ProviderConfig, parse_providers

log = logging.getLogger(__name__)


class AuthBackend(Protocol):
    name: str

    def authenticate(self, session, credentials: dict) -> User | None: ...


class LocalPasswordBackend:
    name = "local"

    def authenticate(self, session, credentials: dict) -> User | None:
        email = (credentials.get("email") or "").strip().lower()
        password = credentials.get("password") or ""
        user = session.scalar(select(User).where(func.lower(User.email) == email)) if email else None
        hash_ = user.password_hash if user and user.auth_source == "local" else None
        if not verify_password(hash_, password):  # always runs argon2: no timing hint of unknown accounts
            return None
        return user if user and user.is_active_account else None


BACKENDS: list[AuthBackend] = [LocalPasswordBackend()]


def authenticate(session, credentials: dict) -> User | None:
    for backend in BACKENDS:
        user = backend.authenticate(session, credentials)
        if user is not None:
            return user
    return None


# --- single sign-on ---------------------------------------------------------------------------------


@dataclass
class ExternalLogin:
    provider: str
    subject: str
    attributes: dict[str, list[str]]
    session_index: str = ""  # CAS service ticket: what a single logout request names
    id_token: str = ""  # OIDC: the hint for RP-initiated logout


@dataclass
class SsoProtocolError(Exception):
    """The exchange with the identity provider failed: `detail` goes to the log, never to the page."""

    detail: str
    status: int = 400
    extra: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.detail


CAS_NS = {"cas": "http://www.yale.edu/tp/cas"}
SAMLP_NS = {"samlp": "urn:oasis:names:tc:SAML:2.0:protocol"}
_STATE_KEY = "_sso_state_"


class CasProvider:
    """CAS 3.0: /login, then /p3/serviceValidate on the ticket; /logout; single logout requests POSTed back."""

    def __init__(self, config: ProviderConfig, *, timeout: float):
        self.config, self.timeout = config, timeout

    def login_redirect(self, callback_url: str):
        # The state, kept in the session and repeated in the service URL, ties the ticket to this browser:
        # a ticket obtained by someone else for their own service URL fails validation here (login CSRF).
        state = secrets.token_urlsafe(16)
        key = _STATE_KEY + self.config.name
        session[key] = [*session.get(key, [])[-2:], state]  # a few logins may be under way in several tabs
        service = _with_query(callback_url, state=state)
        return redirect(f"{self.config.cas_url}/login?{urlencode({'service': service})}")

    def finish(self, callback_url: str) -> ExternalLogin:
        key, state = _STATE_KEY + self.config.name, request.args.get("state", "")
        pending = session.get(key, [])
        if not state or state not in pending:
            raise SsoProtocolError("CAS: state missing or not this browser's")
        session[key] = [s for s in pending if s != state]
        ticket = request.args.get("ticket", "")
        if not ticket.startswith(("ST-", "PT-")) or len(ticket) > 256:
            raise SsoProtocolError("CAS: no service ticket in the callback")
        service = _with_query(callback_url, state=state)
        import requests

        try:
            response = requests.get(
                f"{self.config.cas_url}/p3/serviceValidate",
                params={"service": service, "ticket": ticket},
                timeout=self.timeout,
            )
            response.raise_for_status()
        except requests.RequestException as error:
            raise SsoProtocolError(f"CAS: validation request failed: {error}", status=502) from error
        subject, attributes = parse_service_response(response.content)
        return ExternalLogin(self.config.name, subject, attributes, session_index=ticket)

    def logout_url(self, return_url: str, login: dict) -> str | None:
        return f"{self.config.cas_url}/logout?{urlencode({'service': return_url})}"

    def remember(self, login: ExternalLogin, user: User) -> None:
        """Keep which account a service ticket signed in, for the single logout request that names it."""
        ttl = int(current_app.config["PERMANENT_SESSION_LIFETIME"])
        try:
            redis_connection().set(self._ticket_key(login.session_index), user.id, ex=ttl)
        except Exception:  # Redis may forget: the session then simply lasts until it expires
            log.exception("CAS single logout: ticket not recorded")

    def user_id_for_logout(self, body: str) -> int | None:
        """The account signed in by the ticket that a CAS single logout request names, or None."""
        ticket = parse_logout_request(body)
        if not ticket:
            return None
        try:
            raw = redis_connection().getdel(self._ticket_key(ticket))
        except Exception:
            log.exception("CAS single logout: ticket lookup failed")
            return None
        return int(raw) if raw else None

    def _ticket_key(self, ticket: str) -> str:
        return f"helpdesk:sso:{self.config.name}:ticket:{hashlib.sha256(ticket.encode()).hexdigest()}"


def parse_service_response(content: bytes) -> tuple[str, dict[str, list[str]]]:
    """CAS 3 serviceValidate XML → (user, {attribute: [values]}); SsoProtocolError on a failure or bad XML."""
    try:
        root = ElementTree.fromstring(content, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise SsoProtocolError(f"CAS: unreadable validation response: {error}", status=502) from error
    success = root.find("cas:authenticationSuccess", CAS_NS)
    if success is None:
        failure = root.find("cas:authenticationFailure", CAS_NS)
        code = failure.get("code", "") if failure is not None else "no authenticationSuccess"
        text = (failure.text or "").strip() if failure is not None else ""
        raise SsoProtocolError(f"CAS: ticket refused ({code}: {text})")
    user = (success.findtext("cas:user", default="", namespaces=CAS_NS) or "").strip()
    attributes: dict[str, list[str]] = {}
    block = success.find("cas:attributes", CAS_NS)
    for element in block if block is not None else []:
        name = element.tag.rsplit("}", 1)[-1]
        attributes.setdefault(name, []).append((element.text or "").strip())
    return user, attributes


def parse_logout_request(body: str) -> str | None:
    """The service ticket named by a CAS single logout request (SAML LogoutRequest), or None."""
    if not body or len(body) > 20_000:
        return None
    try:
        root = ElementTree.fromstring(body.encode(), forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException):
        return None
    if root.tag != "{urn:oasis:names:tc:SAML:2.0:protocol}LogoutRequest":
        return None
    return (root.findtext("samlp:SessionIndex", default="", namespaces=SAMLP_NS) or "").strip() or None


class OidcProvider:
    """OpenID Connect authorization code flow with PKCE, through Authlib; RP-initiated logout."""

    def __init__(self, config: ProviderConfig, oauth, *, timeout: float):
        self.config = config
        self.client = oauth.register(
            name=config.name,
            client_id=config.client_id,
            client_secret=config.client_secret or None,
            server_metadata_url=config.metadata_url,
            client_kwargs={"scope": config.scope, "code_challenge_method": "S256", "default_timeout": timeout},
        )

    def login_redirect(self, callback_url: str):
        import requests

        try:
            return self.client.authorize_redirect(callback_url)
        except (requests.RequestException, ValueError) as error:
            raise SsoProtocolError(f"OIDC: provider unreachable: {error}", status=502) from error

    def finish(self, callback_url: str) -> ExternalLogin:
        import requests
        from authlib.integrations.flask_client import OAuthError
        from joserfc.errors import JoseError

        try:
            token = self.client.authorize_access_token()
            claims = dict(token.get("userinfo") or {})
            if not claims:
                raise SsoProtocolError("OIDC: no ID token in the token response")
            if self.client.load_server_metadata().get("userinfo_endpoint"):
                # Providers often keep the profile claims out of the ID token: ask the userinfo endpoint.
                extra = dict(self.client.userinfo(token=token))
                if extra.get("sub") != claims.get("sub"):
                    raise SsoProtocolError("OIDC: userinfo answers for another subject")
                claims.update(extra)
        except OAuthError as error:
            raise SsoProtocolError(f"OIDC: {error.error}: {error.description}") from error
        except JoseError as error:
            raise SsoProtocolError(f"OIDC: ID token refused: {error}") from error
        except (requests.RequestException, ValueError) as error:
            raise SsoProtocolError(f"OIDC: provider unreachable: {error}", status=502) from error
        attributes = {key: value if isinstance(value, list) else [value] for key, value in claims.items()}
        return ExternalLogin(self.config.name, str(claims.get("sub") or ""), attributes, id_token=token.get("id_token", ""))

    def logout_url(self, return_url: str, login: dict) -> str | None:
        import requests

        try:
            metadata = self.client.load_server_metadata()
        except (requests.RequestException, ValueError):
            log.exception("OIDC logout: provider metadata unavailable")
            return None
        if not metadata.get("end_session_endpoint"):
            return None
        params = {"post_logout_redirect_uri": return_url, "client_id": self.config.client_id}
        if login.get("id_token"):
            params["id_token_hint"] = login["id_token"]
        return metadata["end_session_endpoint"] + "?" + urlencode(params)

    def remember(self, login: ExternalLogin, user: User) -> None:
        """OIDC ends the session through RP-initiated logout: nothing to keep here."""

    def user_id_for_logout(self, body: str) -> int | None:
        return None


class SingleSignOn:
    """The app's providers, in login-page order."""

    def __init__(self, providers: dict):
        self.providers = providers

    def get_or_404(self, name: str):
        provider = self.providers.get(name)
        if provider is None:
            abort(404)
        return provider

    def get(self, name: str | None):
        return self.providers.get(name) if name else None


def install_single_sign_on(app) -> None:
    configs = parse_providers(app.config.get("SSO_ENV") or {}, profiles={p.value for p in Profile}, roles={r.value for r in Role})
    oauth = None
    if any(config.protocol != "cas" for config in configs):
        from authlib.integrations.flask_client import OAuth

        oauth = OAuth(app)
    timeout = float(app.config.get("SSO_HTTP_TIMEOUT", 10))
    providers = {}
    for config in configs:
        if config.protocol == "cas":
            providers[config.name] = CasProvider(config, timeout=timeout)
        else:
            providers[config.name] = OidcProvider(config, oauth, timeout=timeout)
    app.extensions["helpdesk_sso"] = SingleSignOn(providers)
    # Logging out posts a form whose answer redirects to the provider's logout page.
    origins = [_origin(c.cas_url or c.metadata_url) for c in configs]
    app.config["CSP_FORM_ACTION_SOURCES"] = [*app.config.get("CSP_FORM_ACTION_SOURCES", ()), *origins]


def single_sign_on() -> SingleSignOn:
    return current_app.extensions["helpdesk_sso"]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _with_query(url: str, **params) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)
