"""Pilots edit trees as YAML with a preview; every save is a validated new version; statistics and CLI."""

import html

import yaml
from sqlalchemy import select

from helpdesk.users.models import Role
from kb.diagnostics import services
from kb.diagnostics.models import DiagnosticRun, DiagnosticTree
from kb.diagnostics.statistics import tree_statistics
from tests.factories import UserFactory

EDIT = "/erreurs-frequentes/compte-absent/modifier"


def current_yaml(session) -> str:
    tree = session.scalar(select(DiagnosticTree).where(DiagnosticTree.slug == "compte-absent"))
    return services.dump_yaml(services.current_version(session, tree).data)


def test_requester_may_not_open_the_editor_or_statistics(client, login_as, seeded):
    login_as(UserFactory(profile="chef_etablissement"))
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, data={"yaml": "slug: x", "action": "save"}).status_code == 403
    assert client.get("/erreurs-frequentes/nouveau").status_code == 403
    assert client.get("/erreurs-frequentes/statistiques").status_code == 403


def test_anonymous_visitor_is_sent_to_login(client, seeded):
    response = client.get(EDIT)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_pilot_sees_current_yaml_and_versions(client, login_as, seeded):
    login_as(UserFactory(roles=[Role.PILOTE]))
    page = client.get(EDIT).get_data(as_text=True)
    assert "slug: compte-absent" in page and "Historique des versions" in page and "données de référence" in page


def test_preview_shows_the_tree_without_saving(client, session, login_as, seeded):
    login_as(UserFactory(roles=[Role.PILOTE]))
    response = client.post(EDIT, data={"yaml": current_yaml(session), "action": "preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Le diagnostic est valide" in page and 'id="apercu-fix6"' in page
    assert session.scalar(select(DiagnosticTree).where(DiagnosticTree.slug == "compte-absent")).current_version == 1


def test_save_creates_a_new_version_used_by_later_walks(client, session, login_as, seeded):
    pilot = UserFactory(roles=[Role.PILOTE], full_name="Claire Pilote")
    login_as(pilot)
    text = current_yaml(session).replace(
        "Saisir les services dans STSweb, puis lancer les exports", "Saisir les services dans STSweb"
    )
    response = client.post(EDIT, data={"yaml": text, "action": "save", "comment": "titre raccourci"})
    assert response.status_code == 302
    tree = session.scalar(select(DiagnosticTree).where(DiagnosticTree.slug == "compte-absent"))
    session.refresh(tree)
    assert tree.current_version == 2 and tree.versions[0].author_id == pilot.id and tree.versions[0].comment == "titre raccourci"
    client.get("/erreurs-frequentes/compte-absent?a=enseignant,non")
    assert session.scalars(select(DiagnosticRun)).one().version.version == 2
    assert "Claire Pilote" in client.get(EDIT).get_data(as_text=True)


def test_invalid_tree_is_refused_naming_the_node_and_the_text_is_kept(client, session, login_as, seeded):
    login_as(UserFactory(roles=[Role.PILOTE]))
    text = current_yaml(session).replace("next: tkt3", "next: q99")
    response = client.post(EDIT, data={"yaml": text, "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Le nœud « q7 » : la réponse « ancien » mène à « q99 », qui n&#39;existe pas." in page
    assert "next: q99" in page  # the pilot's text is kept
    assert session.scalar(select(DiagnosticTree).where(DiagnosticTree.slug == "compte-absent")).current_version == 1


def test_broken_yaml_and_changed_slug_are_refused(client, session, login_as, seeded):
    login_as(UserFactory(roles=[Role.PILOTE]))
    response = client.post(EDIT, data={"yaml": "slug: [pas fermé", "action": "preview"})
    assert response.status_code == 400 and "Le YAML est illisible (ligne" in response.get_data(as_text=True)
    text = current_yaml(session).replace("slug: compte-absent", "slug: autre-nom", 1)
    response = client.post(EDIT, data={"yaml": text, "action": "save"})
    assert response.status_code == 400 and "Le slug ne peut pas changer" in response.get_data(as_text=True)


def test_pilot_creates_a_tree_and_cannot_overwrite_an_existing_one(client, session, login_as, seeded):
    login_as(UserFactory(roles=[Role.PILOTE]))
    data = yaml.safe_load(client.get("/erreurs-frequentes/compte-absent/export.yaml").get_data(as_text=True))
    response = client.post("/erreurs-frequentes/nouveau", data={"yaml": services.dump_yaml(data), "action": "save"})
    assert response.status_code == 400 and "existe déjà" in response.get_data(as_text=True)
    data["slug"], data["title"] = "compte-absent-bis", "Copie de travail"
    response = client.post("/erreurs-frequentes/nouveau", data={"yaml": services.dump_yaml(data), "action": "save"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/compte-absent-bis/modifier")
    assert client.get("/erreurs-frequentes/compte-absent-bis").status_code == 200


def test_upload_fills_the_editor_for_preview(client, session, login_as, seeded):
    import io

    login_as(UserFactory(roles=[Role.PILOTE]))
    upload = (io.BytesIO(current_yaml(session).encode()), "compte-absent.yaml")
    response = client.post(EDIT, data={"yaml": "", "action": "preview", "fichier": upload}, content_type="multipart/form-data")
    assert response.status_code == 200 and "Le diagnostic est valide" in response.get_data(as_text=True)


def test_export_round_trips(client, session, seeded):
    response = client.get("/erreurs-frequentes/compte-absent/export.yaml")
    assert response.headers["Content-Disposition"] == 'attachment; filename="compte-absent.yaml"'
    with open("kb/data/diagnostics/compte-absent.yaml", encoding="utf-8") as handle:
        assert yaml.safe_load(response.get_data(as_text=True)) == yaml.safe_load(handle)


def test_statistics_count_started_finished_outcomes_and_deflections(client, session, login_as, seeded):
    walker = client.application.test_client()
    walker.get("/erreurs-frequentes/compte-absent?a=enseignant,non")
    walker.post("/erreurs-frequentes/compte-absent/resolu", data={"resolu": "oui"})
    other = client.application.test_client()
    other.get("/erreurs-frequentes/compte-absent?a=enseignant,oui,ancien")
    third = client.application.test_client()
    third.get("/erreurs-frequentes/compte-absent?a=enseignant")
    client.application.test_client().get("/erreurs-frequentes/compte-absent")  # a page view is not a start
    stats = {s["tree"].slug: s for s in tree_statistics(session)}["compte-absent"]
    assert (stats["started"], stats["finished"], stats["fixes"], stats["deflections"], stats["escalations"]) == (3, 2, 1, 1, 1)
    assert stats["deflection_rate"] == 50
    assert sorted(stats["outcomes"], key=lambda o: o["kind"]) == [
        {"label": "Ouvrir un ticket pour l'EduLAB du bassin", "kind": "escalation", "count": 1},
        {"label": "Saisir les services dans STSweb, puis lancer les exports", "kind": "fix", "count": 1},
    ]
    login_as(UserFactory(roles=[Role.PILOTE]))
    page = client.get("/erreurs-frequentes/statistiques").get_data(as_text=True)
    # Outcomes are named by what the person read, never by the tree's internal node ids.
    text = " ".join(html.unescape(page).split())
    assert "Solution : <span data-domain-content>Saisir les services dans STSweb, puis lancer les exports</span> — 1" in text
    assert "fix6" not in page and "tkt3" not in page
    assert "hd-bar hd-w-100" in page and "hd-bar hd-bar--success hd-w-50" in page and "<caption>" in page
    assert "style=" not in page.split('id="contenu"')[1]


def test_cli_exports_and_imports(app, session, seeded, tmp_path):
    runner = app.test_cli_runner()
    target = tmp_path / "pix.yaml"
    result = runner.invoke(args=["diagnostics", "export", "pix", "--output", str(target)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["diagnostics", "import", str(target), "--comment", "relu"])
    assert result.exit_code == 0 and "version 2" in result.output
    broken = tmp_path / "broken.yaml"
    broken.write_text(target.read_text(encoding="utf-8").replace("kind: fix", "kind: peut-etre", 1), encoding="utf-8")
    result = runner.invoke(args=["diagnostics", "import", str(broken)])
    assert result.exit_code != 0 and "Le nœud « " in result.output and "rien n'a été enregistré" in result.output
    assert runner.invoke(args=["diagnostics", "export", "inconnu"]).exit_code != 0


def test_earlier_versions_can_be_downloaded(client, session, login_as, seeded):
    login_as(UserFactory(roles=[Role.PILOTE]))
    text = current_yaml(session).replace("Saisir les services dans STSweb, puis lancer les exports", "Nouveau titre")
    client.post(EDIT, data={"yaml": text, "action": "save"})
    first = client.get("/erreurs-frequentes/compte-absent/export.yaml?version=1")
    assert first.headers["Content-Disposition"] == 'attachment; filename="compte-absent-v1.yaml"'
    assert "Saisir les services dans STSweb, puis lancer les exports" in first.get_data(as_text=True)
    assert "Nouveau titre" in client.get("/erreurs-frequentes/compte-absent/export.yaml").get_data(as_text=True)
    assert client.get("/erreurs-frequentes/compte-absent/export.yaml?version=9").status_code == 404
