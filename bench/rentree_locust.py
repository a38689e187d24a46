"""The rentrée-morning mix for locust (run by bench/rentree.py, which creates the accounts and starts the servers).

School staff (five in six) sign in, read the FAQ, walk a common-error diagnostic and open tickets from a keyword;
level-1 agents (one in six) list their queue, read tickets, take them, answer them and escalate some. Every page
is requested as a browser would (a GET before each POST, its CSRF token and the ticket's version from the form).
A 409 (someone else changed the ticket meanwhile) is a right answer under concurrency: it is counted apart
(« conflict ») and not as an error. Accounts and paths come from the environment bench/rentree.py sets."""

import json
import os
import random
import re
import time

from locust import HttpUser, between, events, task

PLAN = json.loads(os.environ["RENTREE_PLAN"])
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
REFERENCE = re.compile(r'data-ref="(ENT-\d{4}-\d+)"')
ANSWER = re.compile(r'href="([^"]*\?a=[^"]+)"')


def _csrf(text: str) -> str:
    found = CSRF.search(text)
    return found.group(1) if found else ""


class _Person(HttpUser):
    abstract = True
    wait_time = between(2, 6)  # a person reads before the next click
    accounts: list[str] = []

    def on_start(self):
        self.email = self.accounts.pop() if self.accounts else random.choice(PLAN["staff"])
        form = self.client.get("/connexion", name="login form")
        self.client.post(
            "/connexion",
            data={"csrf_token": _csrf(form.text), "email": self.email, "password": PLAN["password"]},
            name="login",
        )


class Staff(_Person):
    weight = 5
    accounts = list(PLAN["staff"])

    @task(2)
    def home(self):
        self.client.get("/", name="home")

    @task(4)
    def read_the_faq(self):
        self.client.get("/faq", name="faq")
        self.client.get(f"/faq/{random.choice(PLAN['articles'])}", name="faq article")

    @task(3)
    def walk_a_diagnostic(self):
        page = self.client.get(f"/erreurs-frequentes/{random.choice(PLAN['trees'])}", name="diagnostic step")
        for _ in range(2):
            answers = ANSWER.findall(page.text)
            if not answers:
                break
            page = self.client.get(random.choice(answers).replace("&amp;", "&"), name="diagnostic step")

    @task(2)
    def open_a_ticket(self):
        path = f"/tickets/nouveau?keyword={random.choice(PLAN['keywords'])}"
        form = self.client.get(path, name="ticket form")
        n = random.randrange(10**6)
        self.client.post(
            path,
            data={
                "csrf_token": _csrf(form.text),
                "subject": f"Cahier de textes vide pour une classe de 4e ({n})",
                "description": "Bonjour, depuis ce matin les élèves de 4e B ne voient plus le cahier de textes.",
            },
            name="ticket create",
        )

    @task(1)
    def my_tickets(self):
        self.client.get("/tickets/mes-tickets", name="my tickets")


class Agent(_Person):
    weight = 1
    accounts = list(PLAN["agents"])

    @task(5)
    def queue(self):
        page = self.client.get("/tickets/file", name="queue")
        self.refs = REFERENCE.findall(page.text) or getattr(self, "refs", [])

    @task(4)
    def read_a_ticket(self):
        if getattr(self, "refs", None):
            self.client.get(f"/tickets/{random.choice(self.refs)}", name="ticket view")

    @task(3)
    def take_and_answer(self):
        refs = getattr(self, "refs", None)
        if not refs:
            return
        ref = random.choice(refs)
        page = self.client.get(f"/tickets/{ref}", name="ticket view")
        if f"/tickets/{ref}/actions/take" in page.text:
            page = self._act(ref, "take", page.text, {}, "ticket take")
        if f"/tickets/{ref}/actions/reply" in page.text:
            body = "Bonjour, pouvez-vous vider le cache du navigateur puis vous reconnecter ? Merci."
            page = self._act(ref, "reply", page.text, {"body": body}, "ticket reply")
        if random.random() < 0.2 and f"/tickets/{ref}/actions/escalate" in page.text:
            self._act(ref, "escalate", page.text, {"reason": "Touche plusieurs classes : à voir par EduLAB."}, "ticket escalate")

    def _act(self, ref, action, form_page, fields, name):
        version = VERSION.search(form_page)
        data = {"csrf_token": _csrf(form_page), "version": version.group(1) if version else "", **fields}
        with self.client.post(f"/tickets/{ref}/actions/{action}", data=data, name=name, catch_response=True) as answer:
            if answer.status_code == 409:
                answer.success()
                events.request.fire(request_type="POST", name=f"{name} (conflict)", response_time=0, response_length=0,
                                    exception=None, context={}, start_time=time.time())  # fmt: skip
            return answer
