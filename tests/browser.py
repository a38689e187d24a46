"""Shared steps of the browser tests."""

from pathlib import Path

from tests.factories import TEST_PASSWORD


def login(page, email, password=TEST_PASSWORD):
    """Sign in through the login form and wait for the home page."""
    page.goto("/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/")


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (npm, installed by `make assets`) in the page and return its violations of these impacts.

    The script is evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern:
    the page itself keeps refusing inline scripts."""
    if not AXE.exists():
        raise AssertionError(f"axe-core not found at {AXE}: run `make assets`")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]
