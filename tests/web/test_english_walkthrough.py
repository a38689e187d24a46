"""Every page each role sees, read in English in a real browser: no French interface text outside domain content.

The demo académie is loaded (`flask seed --demo`: people of every role, tickets, FAQ, glossary, diagnostics,
trainings, mails). Each person signs in on the French login page, switches to English with the header's language
link, then opens each page of their menus. The page is photographed into test-artifacts/en/ (the walk-through in
screenshots; docs/screenshots/en/ keeps a selection) and its visible text is read: every text node, placeholders, alternative texts
and button values, outside the containers that hold domain content (`data-domain-content`), names and texts people
typed (`<bdi>`, the templates' convention for them; a textarea's text) and what says it is French (`lang="fr"`: the académie's name in
the logo, the switch back to « Français »). The same detector as the template scan (tests.frenchtext) judges each
text. Titles and aria-labels mix interface words with names (« Link to “GAR” »): the template scan checks their
literal part, where an untranslated word would sit."""

from pathlib import Path

import pytest
from sqlalchemy import select

from helpdesk.routing.models import Keyword
from helpdesk.seed import run_seed
from helpdesk.tickets.models import Ticket
from helpdesk.trainings.models import FilRequest, TrainingModule, TrainingSession
from helpdesk.users.models import User
from helpdesk.users.seed import DEMO_PASSWORD
from kb.diagnostics.models import DiagnosticTree
from kb.models import Article, GlossaryTerm
from tests.browser import login
from tests.frenchtext import french_evidence

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Like every browser test's screenshots, under test-artifacts/ (not committed: each run dates them anew);
# docs/screenshots/en/ keeps a selection, a page or two per role.
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "en"

# English texts that carry domain content where no element can be marked: examples of the ENT's own (French) menu
# paths in two placeholders, and a school's name in a page title. Each is checked to still appear: when one
# changes, the walk fails until it leaves this list.
DOMAIN_IN_ENGLISH_TEXT = frozenset(
    {
        "E.g.: Administration > Messagerie > Paramètres généraux",
        "E.g.: Gestionnaire d'accès aux ressources",
        "Tickets of my school — Collège Michelet",
    }
)

# The texts a reader meets on the page, outside domain content; one entry per text node or attribute.
READ_PAGE = """() => {
  const skip = '[data-domain-content], [lang="fr"], bdi, textarea, script, style, noscript, template';
  const seen = el => el && !el.closest(skip) && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const raw = node.textContent.replace(/\\s+/g, ' ');
    const text = raw.trim();
    // « <strong>Opened</strong> : EduLAB »: the space before the colon starts this node; keep it for the detector.
    const spaced = /^ [:;?!]/.test(raw) && node.previousSibling;
    if (text && seen(node.parentElement)) texts.push(spaced ? raw.trimEnd() : text);
  }
  const attributes = [['[placeholder]', 'placeholder'], ['img[alt]', 'alt'], ['input[type=submit][value]', 'value']];
  for (const [selector, name] of attributes) {
    for (const el of document.querySelectorAll(selector)) {
      const value = (el.getAttribute(name) || '').trim();
      if (value && seen(el)) texts.push(value);
    }
  }
  return texts;
}"""


def _one(session, model, *where):
    found = session.scalars(select(model).where(*where).limit(1)).first()
    assert found is not None, f"the demo data has no {model.__name__}"
    return found


def _paths(session) -> dict[str, list[tuple[str, str]]]:
    """The pages of each role, as (name, path) pairs, with ids taken from the demo data."""
    article = _one(session, Article, Article.status == "published")
    tree = _one(session, DiagnosticTree)
    keyword = _one(session, Keyword, Keyword.diagnostic_slug.is_not(None))
    module = _one(session, TrainingModule)
    training_session = _one(session, TrainingSession)
    term = _one(session, GlossaryTerm)
    teacher = _one(session, User, User.email == "enseignant@demo.ent")
    own_ticket = _one(session, Ticket, Ticket.requester_id == teacher.id)
    any_ticket = _one(session, Ticket)
    public = [
        ("home", "/"),
        ("faq", "/faq"),
        ("faq-search", "/faq?q=mot+de+passe+oublie"),
        ("article", f"/faq/{article.slug}"),
        ("glossary", "/glossaire"),
        ("diagnostics", "/erreurs-frequentes"),
        ("diagnostic-walk", f"/erreurs-frequentes/{tree.slug}"),
        ("accessibility", "/accessibilite"),
        ("legal", "/mentions-legales"),
    ]
    requester = [
        ("home", "/"),
        ("new-ticket", "/tickets/nouveau"),
        ("new-ticket-search", "/tickets/nouveau?q=je+ne+peux+pas+me+connecter"),
        ("new-ticket-keyword", f"/tickets/nouveau?keyword={keyword.slug}"),
        ("my-tickets", "/tickets/mes-tickets"),
        ("ticket", f"/tickets/{own_ticket.reference}"),
        ("trainings", "/formations"),
        ("training-module", f"/formations/modules/{module.id}"),
        ("training-session", f"/formations/sessions/{training_session.id}"),
        ("training-calendar", "/formations/calendrier"),
        ("notifications", "/notifications/"),
        ("account", "/compte"),
    ]
    head = [*requester, ("my-school", "/tickets/mon-etablissement"), ("fil-new", "/formations/fil/nouvelle"),
            ("figures", "/pilotage/chiffres/")]  # fmt: skip
    agent = [
        ("home", "/"),
        ("queue", "/tickets/file"),
        ("ticket", f"/tickets/{any_ticket.reference}"),
        ("incidents", "/incidents"),
        ("incident-declare", "/incidents/declarer"),
        ("mail-triage", "/courriels"),
        ("account", "/compte"),
    ]
    canned = [("canned-replies", "/reponses-types/"), ("canned-reply-new", "/reponses-types/nouvelle")]
    pilot = [
        *agent,
        *canned,
        ("figures", "/pilotage/chiffres/"),
        ("evolutions", "/tickets/evolutions"),
        ("diagnostic-statistics", "/erreurs-frequentes/statistiques"),
        ("diagnostic-edit", f"/erreurs-frequentes/{tree.slug}/modifier"),
        ("faq-manage", "/faq/gestion"),
        ("article-edit", f"/faq/{article.slug}/modifier"),
        ("article-history", f"/faq/{article.slug}/historique"),
        ("glossary-manage", "/glossaire/gestion"),
        ("glossary-edit", f"/glossaire/gestion/{term.id}"),
        ("glossary-history", "/glossaire/historique"),
        ("figures-volumes", "/pilotage/chiffres/volumes"),
        ("sla-policies", "/pilotage/delais/"),
        ("journal", "/pilotage/journal/"),
        ("keywords", "/admin/mots-cles"),
        ("keyword-edit", f"/admin/mots-cles/{keyword.id}"),
        ("keyword-history", f"/admin/mots-cles/{keyword.id}/historique"),
    ]
    admin = [
        ("home", "/"),
        ("admin", "/admin/"),
        ("users", "/admin/utilisateurs"),
        ("user-new", "/admin/utilisateurs/nouveau"),
        ("user-edit", f"/admin/utilisateurs/{teacher.id}"),
        ("schools", "/admin/etablissements"),
        ("operations", "/admin/exploitation"),
    ]
    fil = session.scalars(select(FilRequest).limit(1)).first()
    trainer = [
        ("home", "/"),
        ("trainings", "/formations"),
        ("fil-list", "/formations/fil"),
        *([("fil-detail", f"/formations/fil/{fil.id}")] if fil else []),
    ]
    catalogue = [
        ("home", "/"),
        ("module-new", "/formations/modules/nouveau"),
        ("module-edit", f"/formations/modules/{module.id}/modifier"),
        ("session-edit", f"/formations/sessions/{training_session.id}/modifier"),
    ]
    vendor = [("home", "/"), ("queue", "/tickets/file"), ("evolutions", "/tickets/evolutions"), ("account", "/compte")]
    return {
        "anonymous": public,
        "enseignant@demo.ent": requester,
        "principal@demo.ent": head,
        "agent.n1@demo.ent": agent,
        "edulab.ariege@demo.ent": [*(p for p in agent if p[0] not in ("mail-triage", "incidents", "incident-declare")), *canned],
        "pilote@demo.ent": pilot,
        "editeur@demo.ent": vendor,
        "admin@demo.ent": admin,
        "dafpen@demo.ent": trainer,
        "formation@demo.ent": catalogue,
    }


@pytest.fixture
def demo(session):
    run_seed(session, demo=True)
    session.commit()


def _photograph(page, path: Path) -> None:
    """The page from its top, at most 4,000 pixels of it (the glossary is 21,000), as a JPEG small enough to commit."""
    height = min(page.evaluate("document.documentElement.scrollHeight"), 4000)
    page.screenshot(
        path=str(path), full_page=True, type="jpeg", quality=70, clip={"x": 0, "y": 0, "width": 1280, "height": height}
    )


def _switch_to_english(page):
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.timeout(1800)  # some seventy pages and screenshots: minutes alone, far more on a loaded machine
def test_every_page_of_every_role_reads_in_english(browser, live_server, session, demo):
    SHOTS.mkdir(parents=True, exist_ok=True)
    french, refused, owed = [], [], set()
    for who, pages in _paths(session).items():
        context = browser.new_context(base_url=live_server, locale="en-GB", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        if who == "anonymous":
            page.goto("/")
        else:
            login(page, who, DEMO_PASSWORD)
        _switch_to_english(page)
        role = who.split("@")[0]
        for name, path in pages:
            response = page.goto(path)
            if response.status >= 400:
                refused.append(f"{role} {path}: HTTP {response.status}")
                continue
            _photograph(page, SHOTS / f"{role}-{name}.jpg")
            for text in page.evaluate(READ_PAGE):
                if text in DOMAIN_IN_ENGLISH_TEXT:
                    owed.add(text)
                elif french_evidence(text):
                    french.append(f"{role} {path}: {text[:160]!r} ({', '.join(sorted(set(french_evidence(text))))})")
        context.close()
    assert not refused, "pages of the walk that the role cannot open:\n" + "\n".join(refused)
    assert not french, f"{len(french)} French interface texts:\n" + "\n".join(dict.fromkeys(french))
    assert owed == DOMAIN_IN_ENGLISH_TEXT, f"changed, update DOMAIN_IN_ENGLISH_TEXT: {DOMAIN_IN_ENGLISH_TEXT - owed!r}"
