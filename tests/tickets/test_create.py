"""Opening a ticket from the web form: keyword first, dynamic extra fields, attachments checked by content."""

import html
import io

import pytest
from sqlalchemy import select

from helpdesk.platform.prefill import sign_prefill
from helpdesk.tickets.models import Attachment, Ticket
from tests.tickets.conftest import png_bytes


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _post(client, keyword, **data):
    files = data.pop("files", [])
    payload = {"subject": "Agenda vide", "description": "Les dates de la rubrique sport ont disparu", **data}
    if files:
        payload["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/tickets/nouveau?keyword={keyword}", data=payload, content_type="multipart/form-data")


def test_keyword_choice_comes_first_and_lists_keywords_by_service(chain, login_as):
    client = login_as(chain["teacher"])
    page = text(client.get("/tickets/nouveau"))
    assert "agenda de rubrique vide" in page and 'label="Rubriques"' in page
    assert 'name="subject"' not in page
    form = text(client.get("/tickets/nouveau?keyword=agenda-rubrique-vide"))
    assert 'id="description"' in form and "Nom de la rubrique" in form and "Firefox" in form


def test_without_javascript_the_typed_text_first_shows_suggestions(chain, login_as):
    client = login_as(chain["teacher"])
    page = text(client.get("/tickets/nouveau", query_string={"q": "l'agenda de la rubrique est vide"}))
    assert 'value="l\'agenda de la rubrique est vide"' in page
    # One link per suggestion, carrying the typed text to the form (no radio button beside it).
    assert (
        'id="keyword-suggestion-agenda-rubrique-vide" href="/tickets/nouveau?keyword=agenda-rubrique-vide&q=l\'agenda+de+la+rubrique+est+vide"'
        in page
    )
    assert 'type="radio"' not in page
    assert page.count('id="keyword-suggestions"') == 1
    nothing = text(client.get("/tickets/nouveau", query_string={"q": "zzzz qqqq"}))
    assert "Aucun mot-clé ne correspond encore" in nothing and 'name="subject"' not in nothing
    chosen = text(client.get("/tickets/nouveau", query_string={"q": "agenda vide", "keyword": "agenda-rubrique-vide"}))
    assert 'id="description"' in chosen


def test_the_text_typed_in_step_1_fills_the_subject_and_the_description(chain, login_as):
    client = login_as(chain["teacher"])
    typed = "l'agenda de la rubrique sport est vide depuis lundi"
    form = text(client.get("/tickets/nouveau", query_string={"q": typed, "keyword": "agenda-rubrique-vide"}))
    assert 'value="L\'agenda de la rubrique sport est vide depuis lundi"' in form  # the subject, editable
    assert f"{typed}</textarea>" in form  # the description, editable
    assert "changer de mot-clé" in form and "/tickets/nouveau?q=l" in form  # changing the keyword keeps the text


def test_the_full_list_keeps_the_typed_text_too(chain, login_as):
    client = login_as(chain["teacher"])
    page = text(client.get("/tickets/nouveau", query_string={"q": "zzzz qqqq"}))
    assert '<input type="hidden" name="q" value="zzzz qqqq">' in page


@pytest.mark.parametrize(
    ("typed", "subject"),
    [
        ("agenda vide", "Agenda vide"),
        ("  deux   espaces\net une ligne ", "Deux espaces et une ligne"),
        ("Le cahier de textes est vide. " + "Détails " * 30, "Le cahier de textes est vide."),
        ("mot " * 60, ("Mot " + "mot " * 28).strip() + "…"),
    ],
)
def test_subject_from_typed_text_is_one_short_line(typed, subject):
    from helpdesk.tickets.forms import TYPED_SUBJECT_MAX, subject_from_typed

    assert subject_from_typed(typed) == subject
    assert len(subject_from_typed(typed)) <= TYPED_SUBJECT_MAX


def test_unknown_keyword_is_a_clear_404(chain, login_as):
    response = login_as(chain["teacher"]).get("/tickets/nouveau?keyword=nope")
    assert response.status_code == 404 and "n'existe pas" in text(response)


def test_creation_with_extra_fields_and_a_png_lands_in_the_keyword_tier(chain, login_as, session, app):
    client = login_as(chain["teacher"])
    response = _post(
        client,
        "agenda-rubrique-vide",
        x_rubrique="Sport",
        x_depuis="2026-11-20",
        x_navigateur="Firefox",
        files=[("capture.png", png_bytes())],
    )
    assert response.status_code == 302, text(response)[:2000]
    ticket = session.scalar(select(Ticket))
    assert ticket.tier == "edulab" and ticket.service == "rubriques" and ticket.school_id == chain["school"].id
    assert ticket.extra_fields == {"rubrique": "Sport", "depuis": "2026-11-20", "navigateur": "Firefox"}
    attachment = session.scalar(select(Attachment))
    assert attachment.content_type == "image/png" and attachment.original_name == "capture.png"
    assert len(attachment.storage_name) == 48 and "capture" not in attachment.storage_name
    page = text(client.get(response.headers["Location"]))
    assert f"Demande {ticket.reference} enregistrée. État : Confiée à l'EduLAB de votre bassin." in page and "Sport" in page
    download = client.get(f"/tickets/{ticket.reference}/pieces-jointes/{attachment.id}")
    assert download.status_code == 200 and download.data == png_bytes()
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_missing_required_extra_field_keeps_everything_typed(chain, login_as, session):
    response = _post(
        login_as(chain["teacher"]),
        "agenda-rubrique-vide",
        x_navigateur="Edge",
        contact_phone="05 61 00 00 00",
        files=[("capture.png", png_bytes())],
    )
    page = text(response)
    assert response.status_code == 400
    assert "Le formulaire contient des erreurs" in page and "Le champ « Nom de la rubrique » est obligatoire." in page
    assert (
        "Les dates de la rubrique sport ont disparu" in page
        and '<option selected value="Edge">' in page
        and "05 61 00 00 00" in page
    )
    assert "joignez-les à nouveau" in page
    assert session.scalar(select(Ticket)) is None


def test_text_disguised_as_png_is_refused(chain, login_as, session):
    response = _post(
        login_as(chain["teacher"]),
        "agenda-rubrique-vide",
        x_rubrique="Sport",
        files=[("capture.png", b"<script>alert(1)</script> not an image")],
    )
    page = text(response)
    assert response.status_code == 400 and "ne correspond à aucun format accepté" in page
    assert "Les dates de la rubrique sport ont disparu" in page
    assert session.scalar(select(Ticket)) is None and session.scalar(select(Attachment)) is None


def test_too_big_file_is_refused(chain, login_as, session, app):
    app.config["ATTACHMENT_MAX_BYTES"], before = 1024, app.config["ATTACHMENT_MAX_BYTES"]
    try:
        response = _post(
            login_as(chain["teacher"]),
            "agenda-rubrique-vide",
            x_rubrique="Sport",
            files=[("grande.png", png_bytes() + b"\x00" * 2048)],
        )
    finally:
        app.config["ATTACHMENT_MAX_BYTES"] = before
    assert response.status_code == 400 and "dépasse la taille maximale" in text(response)
    assert session.scalar(select(Ticket)) is None


def test_bad_date_in_extra_field_is_explained(chain, login_as):
    response = _post(login_as(chain["teacher"]), "agenda-rubrique-vide", x_rubrique="Sport", x_depuis="hier")
    assert response.status_code == 400 and "Depuis le" in text(response)


def test_diagnostic_prefill_is_stored_and_shown(chain, login_as, session, app):
    token = sign_prefill(
        app.config["SECRET_KEY"],
        {
            "keyword": "agenda-rubrique-vide",
            "subject": "Dates perdues",
            "answers": [["Le problème touche-t-il tous les élèves ?", "Oui"]],
            "tree": "agenda",
            "outcome": "Non résolu",
        },
    )
    client = login_as(chain["teacher"])
    form = text(client.get(f"/tickets/nouveau?prefill={token}"))
    assert 'value="Dates perdues"' in form and "tous les élèves" in form
    response = client.post(
        f"/tickets/nouveau?keyword=agenda-rubrique-vide&prefill={token}",
        data={
            "subject": "Dates perdues",
            "description": "Voir diagnostic",
            "x_rubrique": "Sport",
            "suggested_article_ids": ["3", "7"],
        },
    )
    assert response.status_code == 302
    ticket = session.scalar(select(Ticket))
    assert ticket.channel == "diagnostic" and ticket.extra_fields["diagnostic"]["answers"] == [
        ["Le problème touche-t-il tous les élèves ?", "Oui"]
    ]
    assert ticket.extra_fields["suggested_articles"] == [3, 7]
    assert "tous les élèves" in text(client.get(f"/tickets/{ticket.reference}"))


def test_level_one_logs_a_phone_ticket_for_a_requester(chain, login_as, session):
    client = login_as(chain["n1"])
    response = client.post(
        "/tickets/nouveau?keyword=mot-de-passe-oublie",
        data={
            "subject": "Appel",
            "description": "Mot de passe perdu",
            "requester_email": chain["teacher"].email,
            "channel": "phone",
        },
    )
    assert response.status_code == 302
    ticket = session.scalar(select(Ticket))
    assert (ticket.requester_id, ticket.created_by_id, ticket.channel) == (chain["teacher"].id, chain["n1"].id, "phone")
    assert ticket.school_id == chain["school"].id


def test_on_behalf_with_unknown_requester_keeps_the_form(chain, login_as, session):
    response = login_as(chain["n1"]).post(
        "/tickets/nouveau?keyword=mot-de-passe-oublie",
        data={
            "subject": "Appel du collège",
            "description": "Mot de passe perdu",
            "requester_email": "personne@ac-toulouse.fr",
            "channel": "phone",
        },
    )
    page = text(response)
    assert response.status_code == 400 and "Aucun compte ne correspond au courriel du demandeur." in page
    assert 'value="Appel du collège"' in page and "personne@ac-toulouse.fr" in page
    assert session.scalar(select(Ticket)) is None


def test_requester_form_has_no_on_behalf_fields(chain, login_as):
    page = text(login_as(chain["teacher"]).get("/tickets/nouveau?keyword=mot-de-passe-oublie"))
    assert 'name="requester_email"' not in page and 'name="channel"' not in page
