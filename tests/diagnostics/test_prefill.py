"""A ticket pre-filled from a diagnostic: the subject names the situation, the description states the answers,
and answers settle the keyword form's extra fields (« Autre personnel », then its function, sets « Fonction »)."""

import html
import re
from urllib.parse import parse_qsl, urlsplit

from helpdesk.platform.prefill import read_prefill
from kb.diagnostics import handoff
from kb.diagnostics.tree import Answer, Node, Step, Tree, WalkResult
from tests.factories import SchoolFactory, UserFactory

FUNCTION_SPEC = {
    "name": "profil_concerne",
    "label": "Fonction de la personne concernée",
    "type": "choice",
    "choices": ["Personnel administratif", "Vie scolaire (CPE)", "Agent", "Autre"],
}


def _result(*steps: tuple[str, str, tuple]) -> WalkResult:
    path = []
    for text, label, fields in steps:
        answer = Answer("a", label, "end", fields)
        question = Node(id="q", kind="question", text=text, answers=(answer, Answer("b", "x", "end"), Answer("c", "y", "end")))
        path.append(Step(question, answer))
    outcome = Node(id="end", kind="escalation", title="Ouvrir un ticket d'assistance (niveau 1)", attach=("Nom de la personne",))
    return WalkResult(outcome, tuple(path))


TREE = Tree("t", "Un utilisateur n'a pas de compte ENT", "", "autre", (), (), "q", {})


def test_subject_is_the_situation_not_the_button_label():
    result = _result(("Quel est le profil ?", "Autre personnel de l'établissement", ()))
    assert handoff.subject(TREE, result) == "Un utilisateur n'a pas de compte ENT — Autre personnel de l'établissement"
    assert "Ouvrir un ticket" not in handoff.subject(TREE, result)


def test_description_states_each_answer_as_a_sentence():
    result = _result(("Quel est le profil ?", "Autre personnel de l'établissement", ()), ("Quelle fonction ?", "Agent", ()))
    text = handoff.description(TREE, result, result.carried())
    assert "J'ai suivi le diagnostic « Un utilisateur n'a pas de compte ENT »" in text
    assert "- Quel est le profil ? Réponse : Autre personnel de l'établissement." in text
    assert "- Quelle fonction ? Réponse : Agent." in text
    assert "- Nom de la personne : " in text


def test_answers_set_choice_fields_by_their_wording_or_explicitly():
    by_wording = _result(("Quelle fonction ?", "Vie scolaire (CPE)", ()))
    assert handoff.fields(by_wording, [FUNCTION_SPEC]) == {"profil_concerne": "Vie scolaire (CPE)"}
    explicit = _result(("Quelle fonction ?", "Une autre fonction", (("profil_concerne", "Autre"),)))
    assert handoff.fields(explicit, [FUNCTION_SPEC]) == {"profil_concerne": "Autre"}
    # « Oui » never sets a field by itself, nor does a value outside the choices.
    vague = _result(("Déconnecté ?", "Oui", ()), ("Fonction ?", "x", (("profil_concerne", "Directeur"),)))
    assert handoff.fields(vague, [FUNCTION_SPEC, {"name": "ok", "type": "choice", "choices": ["Oui", "Non"]}]) == {}


def _prefill_query(page: str) -> dict:
    href = html.unescape(re.search(r'href="([^"]+)" data-testid="prefill-link"', page).group(1))
    return dict(parse_qsl(urlsplit(href).query))


def test_other_staff_walk_prefills_subject_description_and_function(app, client, session, seeded, login_as):
    teacher = UserFactory(school=SchoolFactory())
    session.commit()
    login_as(teacher)
    page = client.get("/erreurs-frequentes/compte-absent?a=autre,administratif").get_data(as_text=True)
    query = _prefill_query(page)
    assert query["keyword"] == "compte-personnel-absent"
    data = read_prefill(app.config["SECRET_KEY"], query["prefill"])
    assert data["fields"] == {"profil_concerne": "Personnel administratif"}
    form = client.get("/tickets/nouveau", query_string=query).get_data(as_text=True)
    assert 'value="Un utilisateur n&#39;a pas de compte ENT — Autre personnel de l&#39;établissement"' in form
    assert (
        "Quelle fonction cette personne occupe-t-elle ? Réponse : Personnel administratif (secrétariat, intendance…)."
        in html.unescape(form)
    )
    assert re.search(r'<option selected value="Personnel administratif">|<option value="Personnel administratif" selected', form)


def test_an_outcome_may_name_the_subject_itself():
    outcome = Node(id="end", kind="escalation", title="Ouvrir un ticket", subject="Des séances bloquées sans visa")
    assert handoff.subject(TREE, WalkResult(outcome, ())) == "Des séances bloquées sans visa"
