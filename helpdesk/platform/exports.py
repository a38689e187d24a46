"""Streamed spreadsheet exports (CSV and ODS) of any table: rows are read from an iterator and written out as they
come, so an export of a million tickets never sits whole in memory.

Both formats neutralise formula injection: a text cell starting with = + - @, a tab or a carriage return is
prefixed with an apostrophe, so that no spreadsheet runs it. CSV is UTF-8 with a byte order mark, `;`-separated
with decimal commas, as French spreadsheet users open it. ODS is written by stream-write-ods, which zips the
document while it is generated (odfpy and pyexcel-ods3 build the whole document in memory first)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from flask import Response, stream_with_context

from helpdesk.platform.timeutil import to_paris

FORMATS = {"csv": "text/csv; charset=utf-8", "ods": "application/vnd.oasis.opendocument.spreadsheet"}
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
_CSV_BATCH = 500  # rows written per chunk sent
_ODS_CHUNK = 16384  # bytes of zipped output per chunk sent (the writer buffers about that much)
_SHEET_NAME = re.compile(r"[\[\]*?:/\\']")


def neutralise(value):
    """A text that a spreadsheet would read as a formula, made inert; anything else unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def _plain(value):
    """Spreadsheet-friendly value: datetimes in Paris time without zone, decimals as floats, others as text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):  # enum codes too: the ODS writer knows exact types only
        return neutralise(str(value))
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime):
        return to_paris(value).replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return neutralise(str(value))


def _csv_text(value) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_chunks(columns: list[str], rows: Iterable[Iterable]) -> Iterator[bytes]:
    """The CSV file, a few hundred rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([_csv_text(c) for c in columns])
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(v) for v in row])
        if count % _CSV_BATCH == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def ods_chunks(sheet: str, columns: list[str], rows: Iterable[Iterable]) -> Iterator[bytes]:
    """The ODS file (one sheet), zipped as it is produced."""
    from stream_write_ods import stream_write_ods  # 3.6 MB: loaded by the first ODS export, not by every worker

    name = _SHEET_NAME.sub(" ", sheet).strip()[:31] or "Export"
    cells = ([_plain(v) for v in row] for row in rows)
    yield from stream_write_ods([(name, [str(c) for c in columns], cells)], chunk_size=_ODS_CHUNK)


def chunks(fmt: str, sheet: str, columns: list[str], rows: Iterable[Iterable]) -> Iterator[bytes]:
    if fmt == "csv":
        return csv_chunks(columns, rows)
    if fmt == "ods":
        return ods_chunks(sheet, columns, rows)
    raise ValueError(f"unknown export format {fmt}")


def response(fmt: str, filename: str, sheet: str, columns: list[str], rows: Iterable[Iterable]) -> Response:
    """A streamed download. `rows` may be a lazy iterator over a query: it is consumed inside the request's
    context while the response is sent."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", filename).strip("-") or "export"
    return Response(
        stream_with_context(chunks(fmt, sheet, columns, rows)),
        mimetype=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{safe}.{fmt}"', "X-Content-Type-Options": "nosniff"},
    )
