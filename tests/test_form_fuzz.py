"""Form fuzzer: with the demo data loaded, each kind of account crawls the pages it can reach, collects every form
(GET and POST, any enctype) and submits it with hostile values in every field — NUL, over-long text, numbers past
any column, absurd dates, unknown choices, bidi overrides, decomposed accents, lone surrogates in the raw body.
Whatever is sent, no answer is a 5xx."""

import io
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from helpdesk.routing.models import Keyword
from helpdesk.seed import run_seed
from helpdesk.trainings.models import TrainingModule, TrainingSession
from helpdesk.users.seed import DEMO_PASSWORD

ACCOUNTS = (
    None,  # signed out: login, password reset, FAQ votes
    "enseignant@demo.ent",
    "principal@demo.ent",
    "agent.n1@demo.ent",
    "pilote@demo.ent",
    "formation@demo.ent",
    "admin@demo.ent",
)
PAGES_PER_ACCOUNT = 45
# Where each area's forms start (what an account cannot open simply answers 403/404); the crawl follows links.
START_PAGES = (
    "/",
    "/tickets/nouveau?keyword={keyword}",
    "/tickets/file",
    "/formations",
    "/formations/fil/nouvelle",
    "/formations/modules/nouveau",
    "/formations/modules/{module}/sessions/nouvelle",
    "/formations/sessions/{training_session}",
    "/formations/sessions/{training_session}/modifier",
    "/faq",
    "/faq/gestion/nouveau",
    "/erreurs-frequentes/nouveau",
    "/erreurs-frequentes/compte-absent",
    "/admin/utilisateurs/nouveau",
    "/reponses-types/nouvelle",
    "/reponses-types/1",
    "/admin/etablissements",
    "/pilotage/delais/",
    "/incidents",
    "/compte",
    "/notifications",
    "/connexion",
    "/mot-de-passe-oublie",
)
SKIPPED_ACTIONS = ("/deconnexion",)  # signing out ends the crawl, nothing to fuzz
HOSTILE = {
    "nul": "ab\x00cd",
    "long": "x" * 60_000,
    "huge number": "99999999999999999999999",
    "negative": "-2147483649",
    "far date": "9999-12-31",
    "old date": "0001-01-01",
    "bad date": "2026-02-30",
    "bidi": "\u202egnp.exe\u2066",
    "decomposed": "e\u0301te\u0301",
    "markup": "<script>alert(1)</script>' OR 1=1 --",
    "blank": "   ",
}


class _Forms(HTMLParser):
    """Links and forms of one page: each form as (method, action, enctype, [(name, kind, options, value)])."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.forms, self._form, self._select = [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = [a.get("method", "get").lower(), a.get("action", ""), a.get("enctype", ""), []]
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea") and a.get("name"):
            self._form[3].append((a["name"], a.get("type", tag), [], a.get("value", "")))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = (a["name"], "select", [], "")
            self._form[3].append(self._select)
        elif self._select is not None and tag == "option":
            self._select[2].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _valid(fields) -> dict:
    data = {}
    for name, kind, options, value in fields:
        if kind in ("submit", "button", "file"):
            continue
        if kind == "select":
            data[name] = next((o for o in options if o), "")
        elif kind in ("checkbox", "radio"):
            data.setdefault(name, value or "1")
        else:
            data[name] = value
    return data


def _hostile(fields, value: str) -> dict:
    data = _valid(fields)
    for name, kind, _options, _value in fields:
        if kind not in ("submit", "button", "file", "hidden") or name not in ("csrf_token",):
            if kind not in ("submit", "button", "file"):
                data[name] = value
    return data


def _pattern(path: str) -> str:
    path = re.sub(r"\d+", "N", path)
    return re.sub(r"^/(faq|erreurs-frequentes)/(?!nouveau|gestion|suggestions|picker|merci|statistiques)[^/]+", r"/\1/S", path)


def _crawl(client, starts):
    seen, patterns, queue, forms = set(), set(), list(starts), {}
    while queue and len(seen) < PAGES_PER_ACCOUNT:
        url = queue.pop(0)
        pattern = _pattern(urlsplit(url).path)
        if url in seen or (pattern in patterns and url not in starts):  # one ticket's page stands for every ticket's
            continue
        seen.add(url)
        patterns.add(pattern)
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if "text/html" not in response.content_type:
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for href in parser.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc not in ("", "localhost") or parts.path.startswith(("/static", "/deconnexion", "/api/")):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path not in seen and not re.search(r"\.(ics|csv|pdf|png)$", parts.path):
                queue.append(path)
        for method, action, enctype, fields in parser.forms:
            target = urlsplit(urljoin(url, action or url))
            key = (method, _pattern(target.path))  # one ticket's (article's, tree's) forms stand for every one's
            if target.path not in SKIPPED_ACTIONS and key not in forms:
                forms[key] = (target.path + (f"?{target.query}" if target.query else ""), enctype, fields)
    return forms


def _submit(client, method, action, enctype, fields, data):
    if method == "get":
        return client.get(action, query_string=data)
    if "multipart" in enctype:
        payload = dict(data)
        for name, kind, _o, _v in fields:
            if kind == "file":
                payload[name] = [(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), "\u202ecapture" + "x" * 300 + ".png")]
        return client.post(action, data=payload, content_type="multipart/form-data")
    return client.post(action, data=data)


@pytest.mark.slow
def test_no_page_form_answers_5xx_whatever_it_is_sent(app, session, monkeypatch):
    run_seed(session, demo=True)  # once: every account below works on the same demo data
    session.commit()
    ids = {
        "keyword": session.scalar(select(Keyword.slug).where(Keyword.is_active.is_(True)).order_by(Keyword.id)),
        "module": session.scalar(select(TrainingModule.id).order_by(TrainingModule.id)),
        "training_session": session.scalar(select(TrainingSession.id).order_by(TrainingSession.id)),
    }
    starts = [page.format(**ids) for page in START_PAGES]
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # a crash is answered (500), counted below
    failures, fuzzed = [], 0
    for email in ACCOUNTS:
        with app.app_context():  # one signed-in account per app context (`g` caches the user)
            client = app.test_client()
            if email:
                assert client.post("/connexion", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
            forms = _crawl(client, starts)
            for (method, _path), (action, enctype, fields) in sorted(forms.items()):
                fuzzed += 1
                for label, value in HOSTILE.items():
                    response = _submit(client, method, action, enctype, fields, _hostile(fields, value))
                    if response.status_code >= 500:
                        failures.append((email, method.upper(), action, label, response.status_code))
                raw = client.post(action, data="%ED%A0%80=%ED%A0%80&a=%00", content_type="application/x-www-form-urlencoded")
                if raw.status_code >= 500:
                    failures.append((email, "POST raw", action, "surrogate bytes", raw.status_code))
    assert fuzzed >= 20, fuzzed  # the crawl reached the forms of every area
    assert sorted({(method, re.sub(r"\d+", "N", action)) for _e, method, action, *_ in failures}) == [], failures[:20]
