"""Public diagnostics API: list, whole tree, walk; 400 with the reason on bad answers, 404 on unknown trees."""


def test_list_gives_every_tree(client, seeded):
    body = client.get("/api/v1/diagnostics").get_json()
    slugs = {item["slug"] for item in body["diagnostics"]}
    assert {"compte-absent", "pix", "ressource-gar"} <= slugs
    assert all(item["version"] == 1 and item["title"] for item in body["diagnostics"])


def test_tree_has_nodes_answers_and_outcomes_with_their_text(client, seeded):
    body = client.get("/api/v1/diagnostics/compte-absent").get_json()
    nodes = {node["id"]: node for node in body["nodes"]}
    assert body["start"] == "q1"
    assert [a["id"] for a in nodes["q1"]["answers"]][:2] == ["eleve", "parent"]
    assert nodes["fix6"]["kind"] == "fix" and "STSweb" in nodes["fix6"]["text"] and nodes["fix6"]["delay"]
    assert nodes["tkt3"]["keyword"] == "compte enseignant absent" and nodes["tkt3"]["tier"] == "edulab"
    assert nodes["go_d02"]["tree"] == "comptes-doublon"


def test_walk_returns_next_question(client, seeded):
    response = client.post("/api/v1/diagnostics/compte-absent/walk", json={"answers": ["enseignant"]})
    assert response.status_code == 200
    body = response.get_json()
    assert body["node"]["id"] == "q6" and body["step"] == 2 and "outcome" not in body
    assert body["path"] == [
        {
            "question": "q1",
            "text": "Quel est le profil de la personne qui n'a pas de compte ENT ?",
            "answer": "enseignant",
            "label": "Enseignant (y compris ULIS ou complément de service)",
        }
    ]


def test_walk_returns_outcome(client, seeded):
    body = client.post("/api/v1/diagnostics/compte-absent/walk", json={"answers": ["enseignant", "oui", "ancien"]}).get_json()
    assert body["outcome"]["id"] == "tkt3" and body["outcome"]["kind"] == "escalation"
    assert "UAI de l'établissement" in body["outcome"]["attach"]


def test_fix_outcome_lists_the_faq_articles_to_read(client, session, seeded):
    from kb.seed import load_articles

    load_articles(session)
    session.commit()
    body = client.post("/api/v1/diagnostics/compte-absent/walk", json={"answers": ["enseignant", "non"]}).get_json()
    outcome = body["outcome"]
    assert outcome["kind"] == "fix" and outcome["faq_facts"] == ["F01", "F11"]
    urls = [article["url"] for article in outcome["articles"]]
    assert any(url.endswith("/faq/enseignant-ulis-sans-compte-ent") for url in urls)
    assert all(set(article) == {"id", "title", "url"} for article in outcome["articles"])


def test_wrong_answer_id_is_a_400_with_the_reason(client, seeded):
    response = client.post("/api/v1/diagnostics/compte-absent/walk", json={"answers": ["enseignant", "peut-etre"]})
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("La réponse « peut-etre » n'existe pas pour la question « q6 »")


def test_answers_past_the_outcome_are_a_400(client, seeded):
    response = client.post("/api/v1/diagnostics/compte-absent/walk", json={"answers": ["enseignant", "non", "encore"]})
    assert response.status_code == 400 and "déjà terminé" in response.get_json()["error"]


def test_malformed_body_is_a_400(client, seeded):
    for payload in ({"answers": "enseignant"}, {"reponses": []}, {"answers": [1, 2]}):
        response = client.post("/api/v1/diagnostics/compte-absent/walk", json=payload)
        assert response.status_code == 400 and "answers" in response.get_json()["error"]
    response = client.post("/api/v1/diagnostics/compte-absent/walk", data="pas du json", content_type="application/json")
    assert response.status_code == 400


def test_unknown_tree_is_a_404(client, seeded):
    assert client.get("/api/v1/diagnostics/inconnu").status_code == 404
    response = client.post("/api/v1/diagnostics/inconnu/walk", json={"answers": []})
    assert response.status_code == 404 and "inconnu" in response.get_json()["error"]
