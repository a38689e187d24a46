"""Environment variables → settings, with embedded defaults (SQLite file, embedded Redis) under the data directory."""

import os
import secrets
from pathlib import Path


def _secret_key(data_dir: Path) -> str:
    """Generated once and kept in the data directory; production nodes share one through SECRET_KEY."""
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(raw: str | None, data_dir: Path) -> str:
    if not raw:
        return f"sqlite:///{data_dir / 'helpdesk.db'}"
    # Heroku-style URLs and plain postgresql:// both go through psycopg 3.
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://") :]
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw[len("postgresql://") :]
    return raw


def _hops(name: str) -> int:
    raw = os.environ.get(name, "0").strip() or "0"
    if not raw.isdigit() or int(raw) > 10:
        raise ValueError(f"{name} must be the number of trusted reverse proxies in front of the app (0 to 10), not {raw!r}")
    return int(raw)


def redis_url(settings: dict) -> str:
    """REDIS_URL, or the embedded server of the data directory (started, or joined, when none runs)."""
    if settings["REDIS_URL"]:
        return settings["REDIS_URL"]
    from helpdesk.platform.redis_embedded import embedded_redis_url

    return embedded_redis_url(settings["HELPDESK_DATA_DIR"], binary=settings.get("REDIS_SERVER"))


def load_settings(data_dir: str | os.PathLike | None = None) -> dict:
    """Read the environment once, at app creation; never at import time."""
    data = Path(data_dir or os.environ.get("HELPDESK_DATA_DIR") or Path.cwd() / "instance").resolve()
    data.mkdir(parents=True, exist_ok=True)
    return {
        "HELPDESK_DATA_DIR": str(data),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _secret_key(data),
        "SQLALCHEMY_DATABASE_URI": _database_url(os.environ.get("DATABASE_URL"), data),
        # Empty means: start (or join) the embedded server of the data directory (helpdesk.platform.redis_embedded).
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "REDIS_SERVER": os.environ.get("HELPDESK_REDIS_SERVER", ""),
        "RQ_QUEUES": ["default", "notifications", "kb"],
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "assistance-ent@ac-toulouse.example"),
        # The e-mail channel (docs/mail.md): the assistance mailbox read over IMAP, off while MAIL_IMAP_HOST is empty.
        "MAIL_IMAP_HOST": os.environ.get("MAIL_IMAP_HOST", ""),
        "MAIL_IMAP_PORT": int(
            os.environ.get("MAIL_IMAP_PORT") or (993 if os.environ.get("MAIL_IMAP_SECURITY", "tls") == "tls" else 143)
        ),
        "MAIL_IMAP_SECURITY": os.environ.get("MAIL_IMAP_SECURITY", "tls"),  # tls | starttls | none (localhost tests only)
        "MAIL_IMAP_USERNAME": os.environ.get("MAIL_IMAP_USERNAME", ""),
        "MAIL_IMAP_PASSWORD": os.environ.get("MAIL_IMAP_PASSWORD", ""),
        "MAIL_IMAP_FOLDER": os.environ.get("MAIL_IMAP_FOLDER", "INBOX"),
        "MAIL_IMAP_DONE_FOLDER": os.environ.get("MAIL_IMAP_DONE_FOLDER", ""),
        "MAIL_IMAP_QUARANTINE_FOLDER": os.environ.get("MAIL_IMAP_QUARANTINE_FOLDER", "Quarantaine"),
        "MAIL_IMAP_BATCH": int(os.environ.get("MAIL_IMAP_BATCH", "50")),
        "MAIL_IMAP_TIMEOUT": int(os.environ.get("MAIL_IMAP_TIMEOUT", "30")),
        "MAIL_REPLY_ADDRESS": os.environ.get("MAIL_REPLY_ADDRESS", ""),
        "MAIL_MESSAGE_ID_DOMAIN": os.environ.get("MAIL_MESSAGE_ID_DOMAIN", "helpdesk-ent"),
        "MAIL_INBOUND_MAX_BYTES": int(os.environ.get("MAIL_INBOUND_MAX_BYTES", str(25 * 1024 * 1024))),
        "MAIL_SENDER_LIMIT_PER_HOUR": int(os.environ.get("MAIL_SENDER_LIMIT_PER_HOUR", "20")),
        "MAIL_DEFAULT_KEYWORD": os.environ.get("MAIL_DEFAULT_KEYWORD", ""),
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        "UPLOAD_DIR": os.environ.get("HELPDESK_UPLOAD_DIR", str(data / "uploads")),
        "KB_INDEX_DIR": os.environ.get("HELPDESK_KB_INDEX_DIR", str(data / "kb-index")),
        # A whole request: room for the files of one message (5 of ATTACHMENT_MAX_BYTES) and the form around them, so
        # that a file over its own limit reaches the view, which re-renders the form and states the limit.
        "MAX_CONTENT_LENGTH": int(os.environ.get("HELPDESK_MAX_REQUEST_BYTES", str(32 * 1024 * 1024))),
        "API_MAX_CONTENT_LENGTH": 1024 * 1024,
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("HELPDESK_ATTACHMENT_MAX_BYTES", str(5 * 1024 * 1024))),
        # A long ticket draft must not die on an expired CSRF token.
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "LANGUAGES": ["fr", "en"],
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        # Failed logins only. Per account from one address: the owner's typos; per account from anywhere: a
        # distributed guess; per address over all accounts: a sweep, high enough for a school behind one NAT.
        "LOGIN_LIMIT_PER_ACCOUNT_ADDRESS": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS", "5 per 5 minutes"),
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "20 per hour"),
        "LOGIN_LIMIT_PER_ADDRESS": os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "100 per 5 minutes"),
        # Reverse proxies in front of the app whose X-Forwarded-For / X-Forwarded-Proto are believed.
        "TRUSTED_PROXIES": _hops("HELPDESK_TRUSTED_PROXIES"),
        # Single sign-on: the HELPDESK_SSO_* variables, read by helpdesk.users.sso_config (none: SSO off).
        "SSO_ENV": {key: value for key, value in os.environ.items() if key.startswith("HELPDESK_SSO_")},
        "SSO_HTTP_TIMEOUT": 10,
        "PASSWORD_RESET_MAX_AGE": 3600,
        # Answers « introuvable » (404) one account or address may draw before 429 (helpdesk/platform/probing.py).
        "MISS_LIMIT": os.environ.get("MISS_LIMIT", "60 per 10 minutes"),
    }
