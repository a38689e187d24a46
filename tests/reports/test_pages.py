"""Dashboard pages: who sees what, filters kept in the URL, bad filters explained, every chart with its table."""

import json
import re
from datetime import timedelta

import pytest

from helpdesk.reports import rollups
from tests.reports.conftest import MONDAY

PAGES = ["volumes", "delais", "orientation", "autonomie", "satisfaction"]
PERIOD = "du=2026-01-12&au=2026-01-18&pas=jour"


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def refreshed(session, activity):
    rollups.refresh(session, now=MONDAY + timedelta(days=3))
    session.commit()
    return activity


@pytest.mark.parametrize("page", PAGES)
def test_pilot_sees_each_dashboard_with_a_table_beside_every_chart(refreshed, academie, login_as, client, page):
    login_as(academie["pilote"])
    response = client.get(f"/pilotage/chiffres/{page}?{PERIOD}")
    assert response.status_code == 200, text(response)[:2000]
    html = text(response)
    charts = re.findall(r"<canvas class=\"hd-chart\" data-chart='([^']*)'", html)
    sections = html.count('class="fr-mb-6w hd-figure"')
    assert sections >= 1
    assert html.count("<table>") == sections  # one table per figure, chart or not
    for spec in charts:
        assert json.loads(spec.replace("&#34;", '"'))["datasets"] is not None
    assert "Content-Security-Policy" in response.headers and "<script>" not in html


def test_volumes_count_the_tickets_per_day_and_breakdown(refreshed, academie, login_as, client):
    login_as(academie["pilote"])
    html = text(client.get(f"/pilotage/chiffres/volumes?{PERIOD}&ventilation=canal"))
    assert "Tickets ouverts par jour et par canal" in html
    assert '<th scope="row">Formulaire en ligne</th><td>8</td>' in html
    assert '<th scope="row">Téléphone</th><td>1</td>' in html
    assert 'value="canal" selected' in html  # the chosen breakdown stays chosen


def test_dafpen_sees_the_academie(refreshed, academie, login_as, client):
    login_as(academie["dafpen"])
    html = text(client.get(f"/pilotage/chiffres/volumes?{PERIOD}&ventilation=bassin"))
    assert "Toulouse Nord" in html and "Ariège" in html


def test_head_of_school_sees_only_their_school_whatever_the_url_says(refreshed, academie, login_as, client):
    login_as(academie["head"])
    other = academie["other_school"]
    html = text(client.get(f"/pilotage/chiffres/volumes?{PERIOD}&uai={other.uai}&bassin={other.basin_id}&ventilation=canal"))
    assert "mon établissement" in html
    # Only the six tickets of the head's school are counted (none of the three of the other school).
    assert '<th scope="row">Formulaire en ligne</th><td>5</td>' in html
    assert 'id="bassin"' not in html and 'id="uai"' not in html


@pytest.mark.parametrize("who", ["teacher", "n1", "edulab"])
def test_others_are_refused(refreshed, academie, login_as, client, who):
    login_as(academie[who])
    assert client.get("/pilotage/chiffres/volumes").status_code == 403
    assert client.get("/pilotage/chiffres/volumes/volumes.csv").status_code == 403


def test_anonymous_is_sent_to_the_login_page(client):
    assert client.get("/pilotage/chiffres/").status_code == 302


def test_bad_filters_are_explained_in_french_and_kept(refreshed, academie, login_as, client):
    login_as(academie["pilote"])
    response = client.get("/pilotage/chiffres/volumes?du=12/01/2026&uai=9999999Z&service=inconnu&mot_cle=nope")
    assert response.status_code == 400
    html = text(response)
    assert "n&#39;est pas une date" in html or "n'est pas une date" in html
    assert "Aucun établissement ne porte le code UAI" in html
    assert "Service inconnu." in html and "Mot-clé inconnu" in html
    assert 'value="12/01/2026"' in html and 'value="9999999Z"' in html


def test_a_long_period_by_day_is_shown_by_week_and_says_so(refreshed, academie, login_as, client):
    login_as(academie["pilote"])
    html = text(client.get("/pilotage/chiffres/volumes?du=2025-01-01&au=2026-01-18&pas=jour"))
    assert "un pas plus large est utilisé" in html
    assert "Tickets ouverts par semaine" in html


def test_menu_links_to_the_figures(academie, login_as, client):
    login_as(academie["head"])
    assert 'href="/pilotage/chiffres/"' in text(client.get("/"))


@pytest.mark.parametrize(
    "query",
    [
        "du=9999-12-31",
        "au=0001-01-01",
        "du=0001-01-01&au=9999-12-31&pas=jour",
        "du=9999-12-01&au=9999-12-31",
        "bassin=2147483648",
    ],
)
def test_dates_at_the_ends_of_the_calendar_and_huge_ids_are_answered_not_crashed(refreshed, academie, login_as, client, query):
    login_as(academie["pilote"])
    for page in PAGES:
        response = client.get(f"/pilotage/chiffres/{page}?{query}")
        if "bassin" in query:  # a bad filter is explained, with the page and its form
            assert response.status_code == 400 and "Bassin : valeur inconnue." in text(response), page
        else:
            assert response.status_code == 200, (page, text(response)[:500])


def test_a_long_table_is_shown_a_page_at_a_time_and_exported_whole(refreshed, academie, login_as, client, monkeypatch):
    from helpdesk.reports import tables

    monkeypatch.setattr(tables, "PAGE_ROWS", 1)  # two schools: two pages of one row
    login_as(academie["pilote"])
    url = f"/pilotage/chiffres/volumes?{PERIOD}&ventilation=etablissement"
    first = text(client.get(url))
    assert "Lignes 1 à 1 sur 2 (page 1 sur 2)" in first
    assert "Lignes suivantes" in first and "Lignes précédentes" not in first
    assert '<th scope="row">Collège Jean Jaurès' in first and '<th scope="row">Lycée Fébus' not in first  # 6 tickets before 3
    assert "lignes_repartition=2" in first
    second = text(client.get(url + "&lignes_repartition=2"))
    assert "Lignes 2 à 2 sur 2 (page 2 sur 2)" in second and "Lignes précédentes" in second
    assert '<th scope="row">Lycée Fébus' in second and "ventilation=etablissement" in second
    for wrong in ("99", "0", "abc", "9" * 40):  # out of range or not a number: the nearest page, never an error
        response = client.get(url + f"&lignes_repartition={wrong}")
        assert response.status_code == 200 and "sur 2 (page" in text(response)
    export = client.get(f"/pilotage/chiffres/volumes/repartition.csv?{PERIOD}&ventilation=etablissement&lignes_repartition=2")
    rows = export.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert len(rows) == 3  # the header and both schools
