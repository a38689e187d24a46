from sqlalchemy import select

from helpdesk.users.models import Role, User
from tests.factories import BasinFactory, SchoolFactory, UserFactory


def test_requester_cannot_open_administration(client, login_as):
    login_as(UserFactory())
    assert client.get("/admin/utilisateurs").status_code == 403


def test_admin_creates_an_edulab_referent_with_basins(client, login_as, session):
    basin = BasinFactory(name="Ariège")
    login_as(UserFactory(school=None, roles=[Role.ADMIN]))
    response = client.post(
        "/admin/utilisateurs/nouveau",
        data={
            "full_name": "Référente Ariège",
            "email": "ref.ariege@ac-toulouse.fr",
            "profile": "personnel_academique",
            "roles": ["edulab"],
            "basins": [str(basin.id)],
            "is_active_account": "y",
        },
    )
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.email == "ref.ariege@ac-toulouse.fr"))
    assert user.roles == {Role.EDULAB} and user.basin_ids == {basin.id}


def test_edulab_without_basin_is_refused_and_form_kept(client, login_as):
    login_as(UserFactory(school=None, roles=[Role.ADMIN]))
    response = client.post(
        "/admin/utilisateurs/nouveau",
        data={
            "full_name": "Sans Bassin",
            "email": "sans.bassin@ac-toulouse.fr",
            "profile": "autre",
            "roles": ["edulab"],
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "au moins un bassin" in page and 'value="Sans Bassin"' in page


def test_school_with_wrong_uai_check_letter_is_refused(client, login_as):
    basin = BasinFactory()
    login_as(UserFactory(school=None, roles=[Role.ADMIN]))
    response = client.post(
        "/admin/etablissements",
        data={"uai": "0310036A", "name": "Lycée Test", "type": "lycee", "town": "Toulouse", "basin_id": str(basin.id)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "attendue : W" in page and 'value="Lycée Test"' in page
    ok = client.post(
        "/admin/etablissements",
        data={"uai": "0310036W", "name": "Lycée Test", "type": "lycee", "town": "Toulouse", "basin_id": str(basin.id)},
    )
    assert ok.status_code == 302


def test_user_with_unknown_uai_is_refused(client, login_as):
    SchoolFactory()
    login_as(UserFactory(school=None, roles=[Role.ADMIN]))
    response = client.post(
        "/admin/utilisateurs/nouveau",
        data={
            "full_name": "X",
            "email": "x.y@ac-toulouse.fr",
            "profile": "enseignant",
            "roles": ["requester"],
            "school_uai": "0310036W",
        },
    )
    assert response.status_code == 400 and "Aucun établissement" in response.get_data(as_text=True)
