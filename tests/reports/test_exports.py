"""Exports: every dashboard table as CSV (parsed back) and ODS (read back with python-calamine), formulas made inert,
and the streaming writer never holding the whole file."""

import csv
import hashlib
import io
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest
from python_calamine import CalamineWorkbook

from helpdesk.platform import exports
from helpdesk.reports import rollups
from tests.reports.conftest import MONDAY

PERIOD = "du=2026-01-12&au=2026-01-18&pas=jour"


@pytest.fixture
def refreshed(session, activity):
    rollups.refresh(session, now=MONDAY + timedelta(days=3))
    session.commit()
    return activity


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _ods(data: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_index(0).to_python()


def test_volume_table_as_csv_and_ods(refreshed, academie, login_as, client):
    login_as(academie["pilote"])
    response = client.get(f"/pilotage/chiffres/volumes/repartition.csv?{PERIOD}&ventilation=canal")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response.data)
    assert rows[0] == ["Canal", "Tickets", "Part (%)"]
    assert ["Formulaire en ligne", "8", "88,9"] in rows and ["Téléphone", "1", "11,1"] in rows
    ods = client.get(f"/pilotage/chiffres/volumes/repartition.ods?{PERIOD}&ventilation=canal")
    assert ods.headers["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    sheet = _ods(ods.data)
    assert sheet[0] == ["Canal", "Tickets", "Part (%)"]
    assert ["Formulaire en ligne", 8.0, 88.9] in sheet


@pytest.mark.parametrize(
    "page,key",
    [
        ("volumes", "volumes"),
        ("volumes", "stock"),
        ("delais", "tendance"),
        ("delais", "par-niveau"),
        ("delais", "par-mot-cle"),
        ("orientation", "orientation"),
        ("orientation", "niveaux"),
        ("autonomie", "autonomie"),
        ("satisfaction", "synthese"),
        ("satisfaction", "notes"),
        ("satisfaction", "par-niveau"),
        ("satisfaction", "par-service"),
        ("satisfaction", "par-bassin"),
        ("satisfaction", "commentaires"),
    ],
)
def test_every_dashboard_table_exports_with_its_header(refreshed, academie, login_as, client, page, key):
    login_as(academie["pilote"])
    html = client.get(f"/pilotage/chiffres/{page}?{PERIOD}").get_data(as_text=True)
    assert f"/pilotage/chiffres/{page}/{key}.csv" in html
    rows = _csv(client.get(f"/pilotage/chiffres/{page}/{key}.csv?{PERIOD}").data)
    sheet = _ods(client.get(f"/pilotage/chiffres/{page}/{key}.ods?{PERIOD}").data)
    assert rows[0] == [str(c) for c in sheet[0]] and len(rows) == len(sheet)


def test_tickets_export_lists_the_tickets_of_the_period(refreshed, academie, login_as, client):
    login_as(academie["head"])
    rows = _csv(client.get(f"/pilotage/chiffres/tickets.csv?{PERIOD}").data)
    assert rows[0][:3] == ["Référence", "Ouvert le", "Statut"]
    assert len(rows) == 1 + 6  # the head's school only
    assert {r[8] for r in rows[1:]} == {academie["school"].uai}
    sheet = _ods(client.get(f"/pilotage/chiffres/tickets.ods?{PERIOD}").data)
    assert len(sheet) == 7 and sheet[1][1].year == 2026


def test_unknown_table_or_format(refreshed, academie, login_as, client):
    login_as(academie["pilote"])
    assert client.get("/pilotage/chiffres/volumes/nope.csv").status_code == 404
    assert client.get("/pilotage/chiffres/volumes/volumes.xlsx").status_code == 404


@pytest.mark.parametrize("dangerous", ["=1+1", "+33 5 61", "-2", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("x")'])
def test_formula_injection_is_neutralised_in_both_formats(dangerous):
    rows = [[dangerous, -2, 3.5]]
    parsed = _csv(b"".join(exports.csv_chunks(["Texte", "Nombre", "Décimal"], rows)))
    assert parsed[1] == ["'" + dangerous, "-2", "3,5"]  # numbers stay numbers
    sheet = _ods(b"".join(exports.ods_chunks("Feuille", ["Texte", "Nombre", "Décimal"], rows)))
    # XML reads a carriage return back as a line feed: the cell still opens with the apostrophe.
    assert sheet[1][0] == "'" + dangerous.replace("\r", "\n") and sheet[1][1] == -2 and sheet[1][2] == 3.5


def test_dates_are_written_in_paris_time():
    moment = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    parsed = _csv(b"".join(exports.csv_chunks(["Quand"], [[moment]])))
    assert parsed[1] == ["2026-07-01 12:00:00"]
    sheet = _ods(b"".join(exports.ods_chunks("x", ["Quand"], [[moment]])))
    assert sheet[1][0] == datetime(2026, 7, 1, 12, 0)


def _peak(fmt: str, count: int) -> tuple[int, int]:
    """(bytes written, peak of Python memory) for an export of `count` distinct rows."""

    def rows():
        for n in range(count):
            yield [f"ENT-2026-{n:06d}", n, hashlib.sha1(str(n).encode()).hexdigest(), "Un objet de ticket assez long"]

    tracemalloc.start()
    size = sum(len(chunk) for chunk in exports.chunks(fmt, "Tickets", ["Référence", "N", "Empreinte", "Objet"], rows()))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return size, peak


@pytest.mark.slow
def test_csv_streaming_never_holds_the_file():
    size, peak = _peak("csv", 50_000)
    assert size > 4_000_000 and peak < size / 4


@pytest.mark.slow
def test_ods_streaming_memory_does_not_grow_with_the_rows():
    """The zipped ODS is small; what matters is that four times the rows need no more memory."""
    small_size, small_peak = _peak("ods", 2_000)
    large_size, large_peak = _peak("ods", 8_000)
    assert large_size > 3 * small_size
    assert large_peak < 1.3 * small_peak
