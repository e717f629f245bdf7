"""The check log as documents: CSV, XLSX and JSON, one row per check.

Column headers come from the caller (the bot translates them); JSON keys are the stable field
names below, so programs reading the JSON need not know the person's language. Times are UTC,
to the second: ISO 8601 text in CSV and JSON, date cells in XLSX.
"""

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.services.check_log import LogDelivery, LogEntry

FIELDS = (
    "check_id",
    "file",
    "version",
    "preset",
    "config_hash",
    "muted_rules",
    "ruff_version",
    "started_at",
    "finished_at",
    "result",
    "issue_count",
    "issues_truncated",
    "grade",
    "baseline_version",
    "accepted_count",
    "email_status",
    "email_sent_at",
    "email_attempts",
    "chat_status",
    "chat_sent_at",
    "chat_attempts",
)
Value = str | int | bool | datetime | None
Row = dict[str, Value]
UTF8_BOM = "\ufeff"
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
# Text that a spreadsheet program would read as a formula when it opens a CSV file (OWASP's
# list for CSV injection): such cells get a leading apostrophe, which keeps them text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _second(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC, to the second: 2026-01-31T09:05:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _delivery(prefix: str, delivery: LogDelivery | None) -> Row:
    if delivery is None:
        return {f"{prefix}_status": None, f"{prefix}_sent_at": None, f"{prefix}_attempts": None}
    return {
        f"{prefix}_status": delivery.status.value,
        f"{prefix}_sent_at": _second(delivery.sent_at),
        f"{prefix}_attempts": delivery.attempts,
    }


def export_row(entry: LogEntry) -> Row:
    """One check as the documents hold it (times in UTC, to the second)."""
    return {
        "check_id": entry.check_id,
        "file": entry.file_name,
        "version": entry.version,
        "preset": entry.preset.value,
        "config_hash": entry.config_hash,
        "muted_rules": " ".join(entry.muted_rules) or None,
        "ruff_version": entry.ruff_version,
        "started_at": _second(entry.started_at),
        "finished_at": _second(entry.finished_at),
        "result": entry.result.value,
        "issue_count": entry.issue_count,
        # True: the report lists only the first issues (MAX_ISSUES_PER_CHECK) of issue_count.
        "issues_truncated": entry.issues_truncated,
        "grade": entry.grade.value if entry.grade else None,  # A..E (core/grades.py)
        # The file's baseline the check was judged against (its version), and how many of the
        # issues it accepted: docs/baselines.md.
        "baseline_version": entry.baseline_version,
        "accepted_count": entry.accepted_count,
        **_delivery("email", entry.email),
        **_delivery("chat", entry.chat),
    }


def _text(value: Value) -> str | int | None:
    return iso(value) if isinstance(value, datetime) else value


def _csv_cell(value: Value) -> str | int:
    """A CSV cell that a spreadsheet shows as written: never a formula."""
    text = "" if value is None else _text(value)
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return "" if text is None else text


def _header_row(headers: Mapping[str, str]) -> list[str]:
    missing = set(FIELDS) - set(headers)
    if missing:
        raise ValueError(f"no header for {sorted(missing)}")
    return [headers[field] for field in FIELDS]


def log_csv(entries: Sequence[LogEntry], headers: Mapping[str, str]) -> bytes:
    """UTF-8 with a byte order mark, so spreadsheet programs read non-Latin names right; text
    that would start a formula begins with an apostrophe (the XLSX marks such cells as text)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(_header_row(headers))
    for entry in entries:
        row = export_row(entry)
        writer.writerow([_csv_cell(row[f]) for f in FIELDS])
    return (UTF8_BOM + buffer.getvalue()).encode("utf-8")


def log_xlsx(entries: Sequence[LogEntry], headers: Mapping[str, str], title: str) -> bytes:
    """One sheet: a bold, frozen header row; times as date cells (UTC); text always as text,
    never as a formula (a file name may begin with "=")."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has its sheet
    sheet.title = title[:31]  # Excel's limit on sheet names
    sheet.append(_header_row(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row_number, entry in enumerate(entries, start=2):
        row = export_row(entry)
        for column, field in enumerate(FIELDS, start=1):
            value = row[field]
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, datetime):
                cell.value = value.replace(tzinfo=None)  # openpyxl stores no zone: UTC
                cell.number_format = XLSX_TIME_FORMAT
            elif isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # "=..." stays text, not a formula
            else:
                cell.value = value
    for column, column_cells in enumerate(sheet.columns, start=1):
        width = max(len(str(cell.value or "")) for cell in column_cells)
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width, 10), 60) + 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def log_json(entries: Sequence[LogEntry]) -> bytes:
    """A JSON array of objects keyed by `FIELDS`; absent values are null."""
    rows = [{k: _text(v) for k, v in export_row(entry).items()} for entry in entries]
    return json.dumps(rows, ensure_ascii=False, indent=2).encode("utf-8")
