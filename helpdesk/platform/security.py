"""HTTP security baseline: headers, CSP, and safe redirect targets."""

from urllib.parse import urlsplit


def content_security_policy(form_action_sources=()) -> str:
    """The policy of every page. A form may post only here, or to the origins listed (a logout form that
    ends with a redirect to the identity provider's logout page needs its origin: browsers check the
    redirects of a form submission against form-action)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            " ".join(["form-action 'self'", *sorted(set(form_action_sources))]),
            "frame-ancestors 'none'",
        ]
    )


CSP = content_security_policy()


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths: no scheme, no host, no protocol-relative '//' trick."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def install(app) -> None:
    """Security headers on every response; CSP_FORM_ACTION_SOURCES (origins) may be set by later installers."""

    @app.after_request
    def _headers(response):
        policy = app.extensions.get("helpdesk_csp")
        if policy is None:
            policy = app.extensions["helpdesk_csp"] = content_security_policy(app.config.get("CSP_FORM_ACTION_SOURCES", ()))
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
