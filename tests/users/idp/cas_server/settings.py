"""Minimal Django project around django-cas-server: the real CAS 3.0 server the browser tests sign in
through. Its database, port and accounts come from the environment set by tests/users/idp/servers.py."""

import os
from pathlib import Path

BASE_DIR = Path(os.environ["CAS_DATA_DIR"])
SECRET_KEY = "tests-only-cas-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "cas_server",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.users.idp.cas_server.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "cas.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
LANGUAGE_CODE = "en"
STATIC_URL = "/static/"
SESSION_COOKIE_NAME = "cas_sessionid"  # not the helpdesk's cookie: both live on 127.0.0.1

CAS_AUTH_CLASS = "tests.users.idp.cas_server.auth.JsonFileUser"
CAS_SLO_TIMEOUT = 5
# Nothing from the network: no version check, no CDN components.
CAS_NEW_VERSION_HTML_WARNING = False
CAS_NEW_VERSION_EMAIL_WARNING = False
CAS_COMPONENT_URLS = {
    name: "data:text/css," if name.endswith("css") else "data:text/javascript,"
    for name in ("bootstrap3_css", "bootstrap3_js", "html5shiv", "respond", "bootstrap4_css", "bootstrap4_js", "jquery")
}
CAS_INFO_MESSAGES = {}
CAS_INFO_MESSAGES_ORDER = []
CAS_SHOW_POWERED = False
LOGGING = {"version": 1, "disable_existing_loggers": False}
