"""A team dashboard's exports as documents: three CSV files (submissions, comments, statuses)
or one XLSX workbook with a sheet each. Written as the check log's (`core.exports`): UTF-8 with
a byte order mark, text that would start a formula begins with an apostrophe in CSV and is a
text cell in XLSX, times in UTC to the second. Column headers and sheet titles come from the
caller (the bot translates them)."""

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.exports import FORMULA_STARTS, UTF8_BOM, XLSX_TIME_FORMAT, iso
from core.services.dashboard_exports import (
    COMMENT_FIELDS,
    STATUS_FIELDS,
    SUBMISSION_FIELDS,
    DashboardExport,
    Row,
    Value,
)

TABLES = ("submissions", "comments", "statuses")
FIELDS = {"submissions": SUBMISSION_FIELDS, "comments": COMMENT_FIELDS, "statuses": STATUS_FIELDS}


@dataclass(frozen=True)
class Table:
    name: str  # one of TABLES: the CSV file's name and the key of its headers
    fields: tuple[str, ...]
    rows: list[Row]


def tables(export: DashboardExport) -> list[Table]:
    rows = {
        "submissions": export.submissions,
        "comments": export.comments,
        "statuses": export.statuses,
    }
    return [Table(name, FIELDS[name], rows[name]) for name in TABLES]


def csv_cell(value: Value) -> str | int:
    """A CSV cell that a spreadsheet shows as written: never a formula."""
    if value is None:
        return ""
    text = iso(value) if isinstance(value, datetime) else value
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _header_row(fields: Sequence[str], headers: Mapping[str, str]) -> list[str]:
    missing = set(fields) - set(headers)
    if missing:
        raise ValueError(f"no header for {sorted(missing)}")
    return [headers[field] for field in fields]


def table_csv(table: Table, headers: Mapping[str, str]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(_header_row(table.fields, headers))
    for row in table.rows:
        writer.writerow([csv_cell(row[field]) for field in table.fields])
    return (UTF8_BOM + buffer.getvalue()).encode("utf-8")


def dashboard_csv(
    export: DashboardExport, headers: Mapping[str, Mapping[str, str]]
) -> list[tuple[str, bytes]]:
    """(table name, CSV document) for each of TABLES; `headers` per table name."""
    return [(table.name, table_csv(table, headers[table.name])) for table in tables(export)]


def dashboard_xlsx(
    export: DashboardExport,
    headers: Mapping[str, Mapping[str, str]],
    titles: Mapping[str, str],
) -> bytes:
    """One workbook, a sheet per table (titled by `titles`): a bold, frozen header row, times
    as date cells (UTC), text always as text (a file name or a comment may begin with "=")."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None  # a new workbook has its sheet
    workbook.remove(first)
    for table in tables(export):
        sheet = workbook.create_sheet(titles[table.name][:31])  # Excel's limit on sheet names
        sheet.append(_header_row(table.fields, headers[table.name]))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row_number, row in enumerate(table.rows, start=2):
            for column, field in enumerate(table.fields, start=1):
                _put(sheet.cell(row=row_number, column=column), row[field])
        for column, column_cells in enumerate(sheet.columns, start=1):
            width = max(len(str(cell.value or "")) for cell in column_cells)
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width, 10), 60) + 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _put(cell: Cell, value: Value) -> None:
    if isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None)  # openpyxl stores no zone: UTC
        cell.number_format = XLSX_TIME_FORMAT
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # "=..." stays text, not a formula
    else:
        cell.value = value
