"""A person chooses French or English on their account page; the choice drives the interface after login."""

from flask_babel import refresh

from tests.factories import UserFactory


def _page(client, url: str) -> str:
    # Tests share one app context, where Flask-Babel keeps the locale it chose: forget it, as a new request would.
    refresh()
    return client.get(url).get_data(as_text=True)


def test_the_language_chosen_on_the_account_page_drives_the_interface(session, client, login_as):
    user = UserFactory()
    session.commit()
    login_as(user)
    page = _page(client, "/compte")
    assert "Mon compte" in page and 'value="en"' in page and "English" in page
    response = client.post("/compte/langue", data={"locale": "en"})
    assert response.status_code == 302
    session.refresh(user)
    assert user.locale == "en"
    page = _page(client, "/compte")
    assert "My account" in page and "Your language is saved." in page


def test_an_english_account_reads_english_from_login_and_a_visitor_french(session, client, login_as):
    user = UserFactory(locale="en")
    session.commit()
    login_as(user)
    assert "My account" in _page(client, "/compte")
    client.post("/deconnexion")
    client.delete_cookie("lang")
    assert "Se connecter" in _page(client, "/connexion")  # a visitor reads French


def test_an_unknown_language_is_refused_and_nothing_changes(session, client, login_as):
    user = UserFactory()
    session.commit()
    login_as(user)
    client.post("/compte/langue", data={"locale": "de"})
    assert "Choisissez une langue de la liste." in _page(client, "/compte")
    session.refresh(user)
    assert user.locale == "fr"


def test_the_header_switch_of_a_signed_in_person_changes_their_account(session, client, login_as):
    user = UserFactory()
    session.commit()
    login_as(user)
    client.get("/langue/en?next=/compte")
    session.refresh(user)
    assert user.locale == "en"


def test_a_refusal_from_a_service_reads_in_the_language_of_the_page(session, client, login_as):
    user = UserFactory(locale="en")
    session.commit()
    login_as(user)
    refresh()
    page = client.get("/glossaire/gestion")  # editors only: the service's refusal, translated
    assert page.status_code == 403
    assert "Only pilots and EduLAB referents can edit the glossary." in page.get_data(as_text=True)


def test_english_chosen_with_the_switch_before_signing_in_is_kept_by_the_account(session, client, login_as):
    user = UserFactory()
    session.commit()
    client.get("/langue/en?next=/connexion")
    assert "Log in" in _page(client, "/connexion")
    login_as(user)
    session.refresh(user)
    assert user.locale == "en"
    assert "My account" in _page(client, "/compte")
