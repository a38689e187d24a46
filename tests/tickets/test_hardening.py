"""Hostile input around tickets: text that cannot be stored, over-long fields, upload limits that keep the form,
file names that lie. Run on SQLite and PostgreSQL: the store decides what a NUL or a long subject does."""

import html
import io
import re
import struct
import zlib

import pytest
from sqlalchemy import func, select

from helpdesk.tickets import attachments
from helpdesk.tickets.models import Attachment, Ticket
from helpdesk.users.services import issue_api_token
from tests.tickets.conftest import png_bytes


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _post(client, *, files=(), **data):
    payload = {"subject": "Agenda vide", "description": "Les dates de la rubrique sport ont disparu", "x_rubrique": "Sport"}
    payload.update(data)
    if files:
        payload["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/tickets/nouveau?keyword=agenda-rubrique-vide", data=payload, content_type="multipart/form-data")


@pytest.fixture
def bearer(chain, session):
    raw = issue_api_token(session, chain["teacher"], "tests")
    session.commit()
    return {"Authorization": f"Bearer {raw}"}


def _api_create(client, headers, **body):
    payload = {"keyword": "agenda-rubrique-vide", "subject": "Agenda vide", "description": "Plus de dates"}
    payload["extra_fields"] = {"rubrique": "Sport"}
    payload.update(body)
    return client.post("/api/v1/tickets", json=payload, headers=headers)


def _png_declaring(width: int, height: int) -> bytes:
    """A valid PNG header that declares a huge picture (the pixel data is never decoded)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")


# --- class 1: text the store cannot hold ------------------------------------------------------------------------


def test_nul_in_the_web_form_is_refused_with_the_text_offered_again(chain, login_as, session):
    response = _post(login_as(chain["teacher"]), description="Les dates\x00 ont disparu")
    page = text(response)
    assert response.status_code == 400
    assert "caractère nul" in page and "« description »" in page
    assert "Les dates ont disparu" in page and 'name="description"' in page  # re-sendable, NUL removed
    assert session.scalar(select(func.count(Ticket.id))) == 0


def test_nul_and_lone_surrogate_in_the_api_are_400_json(app, chain, bearer, session):
    client = app.test_client()
    nul = _api_create(client, bearer, description="a\x00b")
    assert nul.status_code == 400 and "caractère nul" in nul.json["error"] and nul.json["detail"]
    raw = '{"keyword": "agenda-rubrique-vide", "subject": "x\\ud800", "description": "y"}'
    surrogate = client.post("/api/v1/tickets", data=raw, content_type="application/json", headers=bearer)
    assert surrogate.status_code == 400 and "substitution" in surrogate.json["error"]
    assert session.scalar(select(func.count(Ticket.id))) == 0


def test_decomposed_text_is_stored_composed(app, chain, bearer, session):
    response = _api_create(app.test_client(), bearer, subject="Cre\u0301ation de compte impossible")
    assert response.status_code == 201, response.json
    assert session.scalar(select(Ticket.subject)) == "Cr\u00e9ation de compte impossible"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("[" * 50_000 + "]" * 50_000, "imbrication"),
        ('{"a": NaN}', "NaN"),
        ('{"a": 1' + "0" * 40 + "}", "64 bits"),
        ('{"a": ', "JSON illisible"),
    ],
)
def test_hostile_json_is_a_precise_400(app, chain, bearer, raw, expected):
    response = app.test_client().post("/api/v1/tickets", data=raw, content_type="application/json", headers=bearer)
    assert response.status_code == 400 and expected in response.json["error"]


def test_integers_past_the_column_range_are_refused_not_500(app, chain, bearer, login_as):
    api = app.test_client()
    listing = api.get("/api/v1/tickets?basin=99999999999999999999", headers=bearer)
    assert listing.status_code == 400 and "basin" in listing.json["error"]
    assert api.get("/api/v1/tickets?age=99999999999", headers=bearer).status_code == 400
    client = login_as(chain["pilote"])
    assert client.get("/tickets/file?bassin=99999999999999999999").status_code == 400
    assert client.get("/tickets/file?age=999999999999").status_code == 400
    assert client.get("/tickets/ENT-2026-000001/pieces-jointes/99999999999999999999").status_code == 404
    assert client.get("/formations/sessions/99999999999").status_code == 404


def test_a_forged_cursor_with_a_huge_id_is_refused(app, chain, bearer):
    import base64
    import json

    cursor = base64.urlsafe_b64encode(json.dumps([None, 10**30]).encode()).decode().rstrip("=")
    response = app.test_client().get(f"/api/v1/tickets?cursor={cursor}", headers=bearer)
    assert response.status_code == 400 and "curseur" in response.json["error"]


# --- class 4: never stored cut ----------------------------------------------------------------------------------


def test_api_subject_over_200_characters_is_refused_with_the_limit(app, chain, bearer, session):
    response = _api_create(app.test_client(), bearer, subject="x" * 201)
    assert response.status_code == 400 and "200" in response.json["error"] and response.json["field"] == "subject"
    assert session.scalar(select(func.count(Ticket.id))) == 0


def test_api_description_over_the_limit_is_refused_and_a_huge_body_is_413(app, chain, bearer, session):
    client = app.test_client()
    long = _api_create(client, bearer, description="x" * 20_001)
    assert long.status_code == 400 and "20\u202f000" in long.json["error"]
    huge = _api_create(client, bearer, description="x" * (5 * 1024 * 1024))
    assert huge.status_code == 413 and "1 Mo" in huge.json["detail"]
    assert session.scalar(select(func.count(Ticket.id))) == 0


def test_api_contact_phone_too_long_is_refused_not_500(app, chain, bearer):
    response = _api_create(app.test_client(), bearer, contact_phone="0" * 41)
    assert response.status_code == 400 and "40" in response.json["error"]


# --- class 3: upload limits keep the form ------------------------------------------------------------------------


def test_too_many_files_are_refused_and_the_form_is_kept(chain, login_as, session):
    files = [(f"capture{i}.png", png_bytes()) for i in range(attachments.MAX_FILES + 1)]
    response = _post(login_as(chain["teacher"]), files=files)
    page = text(response)
    assert response.status_code == 400 and f"{attachments.MAX_FILES} au plus" in page
    assert "Les dates de la rubrique sport ont disparu" in page and 'value="Agenda vide"' in page
    assert session.scalar(select(func.count(Ticket.id))) == 0


def test_file_over_its_limit_states_it_in_french_units_and_keeps_the_form(chain, login_as, app):
    big = png_bytes() + b"\x00" * (app.config["ATTACHMENT_MAX_BYTES"] + 10)
    response = _post(login_as(chain["teacher"]), files=[("grande.png", big)])
    page = text(response)
    assert response.status_code == 400 and "5 Mo par fichier" in page
    assert "Les dates de la rubrique sport ont disparu" in page


def test_request_over_the_server_limit_is_the_apps_413_page_with_the_limit(chain, login_as, app):
    app.config["MAX_CONTENT_LENGTH"], before = 64 * 1024, app.config["MAX_CONTENT_LENGTH"]
    try:
        response = _post(login_as(chain["teacher"]), files=[("grande.png", png_bytes() + b"\x00" * 100_000)])
    finally:
        app.config["MAX_CONTENT_LENGTH"] = before
    assert response.status_code == 413
    page = text(response)
    assert "64 ko" in page and "fr-header" in page  # the app's own page, limit in French units


def test_image_declaring_too_many_pixels_is_refused(chain, login_as, session):
    response = _post(login_as(chain["teacher"]), files=[("bombe.png", _png_declaring(100_000, 100_000))])
    assert response.status_code == 400 and "millions de pixels au plus" in text(response)
    assert session.scalar(select(func.count(Attachment.id))) == 0


def test_normal_screenshot_passes_the_pixel_check(chain, login_as, session):
    response = _post(login_as(chain["teacher"]), files=[("ecran.png", _png_declaring(1920, 1080))])
    assert response.status_code == 302


def test_very_long_file_name_is_refused_not_cut(chain, login_as, session):
    response = _post(login_as(chain["teacher"]), files=[("a" * 5000 + ".png", png_bytes())])
    page = text(response)
    assert response.status_code == 400 and "5004 caractères" in page and "200 au plus" in page
    assert ("a" * 100) not in page  # the hostile name is not echoed whole
    assert session.scalar(select(func.count(Attachment.id))) == 0


def test_bidi_override_and_invisible_characters_leave_file_names(chain, login_as, session):
    name = "facture\u202egnp.exe\u200b.png"
    response = _post(login_as(chain["teacher"]), files=[(name, png_bytes()), ("   ", png_bytes())])
    assert response.status_code == 302
    names = sorted(session.scalars(select(Attachment.original_name)))
    assert names == ["facturegnp.exe.png", "piece-jointe.png"]


def test_names_are_cleaned_of_paths_and_controls():
    assert attachments.clean_name("C:\\fakepath\\capture\u2066 écran\u2069.png") == "capture écran.png"
    assert attachments.clean_name("e\u0301te\u0301\t\n.pdf") == "été.pdf"
    assert attachments.display_name("\u200b\u202e", "application/pdf") == "piece-jointe.pdf"
    assert attachments.display_name(".png", "image/png") == "piece-jointe.png"


# --- class 5: bidirectional isolation ------------------------------------------------------------------------------


def test_user_text_is_isolated_from_the_page_direction(chain, login_as, session):
    client = login_as(chain["teacher"])
    subject = "\u0645\u0634\u0643\u0644\u0629 ENT-2026"  # Arabic then Latin: must not reorder the reference beside it
    assert _post(client, subject=subject, files=[("\u0635\u0648\u0631\u0629.png", png_bytes())]).status_code == 302
    ticket = session.scalar(select(Ticket))
    listing = client.get("/tickets/mes-tickets").get_data(as_text=True)
    assert re.search(rf"<td><bdi[^>]*>{re.escape(subject)}</bdi></td>", listing)  # bidi-isolated, marked as content
    detail = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert re.search(rf"<bdi>{ticket.reference} — <span[^>]*>{re.escape(subject)}</span></bdi>", detail)
    assert re.search(r"<bdi[^>]*>\u0635\u0648\u0631\u0629.png</bdi>", detail)
    form = client.get("/tickets/nouveau?keyword=agenda-rubrique-vide").get_data(as_text=True)
    subject_input = re.search(r'<input[^>]*id="subject"[^>]*>', form).group(0)
    assert 'dir="auto"' in subject_input  # typed right-to-left text shows as typed
