"""`python -m tests.users.idp.cas_server.serve`: create the CAS database, register the helpdesk as a
service (all attributes released, single logout on), then serve CAS on CAS_PORT until terminated."""

import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.users.idp.cas_server.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from werkzeug.middleware.shared_data import SharedDataMiddleware
    from werkzeug.serving import make_server

    call_command("migrate", verbosity=0, interactive=False)
    from cas_server.models import ReplaceAttributName, ServicePattern

    pattern, _ = ServicePattern.objects.get_or_create(
        name="helpdesk", defaults={"pos": 1, "pattern": os.environ["CAS_SERVICE_PATTERN"], "single_log_out": True}
    )
    ReplaceAttributName.objects.get_or_create(name="*", replace="", service_pattern=pattern)
    import cas_server

    static = os.path.join(os.path.dirname(cas_server.__file__), "static")
    app = SharedDataMiddleware(get_wsgi_application(), {settings.STATIC_URL: static})
    server = make_server("127.0.0.1", int(os.environ["CAS_PORT"]), app, threaded=True)
    print(f"cas ready on http://127.0.0.1:{os.environ['CAS_PORT']}/cas", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
