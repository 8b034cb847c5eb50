"""Export files: the status matrix and the history as CSV (UTF-8 with BOM) and XLSX.

Both formats are rendered from the same tables, with headers and values in one language.
CSV carries a BOM because Excel reads a CSV without one in the system's legacy code page
(GBK on Chinese Windows), which garbles UTF-8 Chinese text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.chat.task_card import ACTIONS, FIELDS, REPORT_STATUSES
from bot.i18n import N_, tr
from workflows.exports import ExportData, HistoryKind, HistoryRow, MatrixRow
from workflows.lights import Light

Value = str | int | dt.date | dt.datetime | None

LIGHT_LABELS = {
    Light.RED: N_("red light"),
    Light.YELLOW: N_("yellow light"),
    Light.GREEN: N_("green light"),
}
# Excel's own "bad", "neutral" and "good" cell colours, familiar to spreadsheet readers.
LIGHT_FILLS = {Light.RED: "FFC7CE", Light.YELLOW: "FFEB9C", Light.GREEN: "C6EFCE"}
HEADER_FILL = "D9E1F2"
ROLE_LABELS = {"lead": N_("lead"), "co": N_("co-responsible")}
STATE_LABELS = {
    "open": N_("in progress (在办)"),
    "done": N_("awaiting review (办结)"),
    "closed": N_("closed (销号)"),
}
KIND_LABELS = {HistoryKind.REPORT: N_("status report"), HistoryKind.CHANGE: N_("change")}
MORE_ACTIONS = {
    "plan.import": N_("annex imported"),
    "extension.request": N_("extension requested"),
    "extension.approve": N_("extension approved"),
    "extension.deny": N_("extension denied"),
    "task.done": N_("reported done, awaiting review"),
    "review.close": N_("closed after review (办结销号)"),
    "review.return": N_("returned for more work (退办)"),
}
MORE_FIELDS = {
    "state": N_("task state"),
    "requested_due_on": N_("requested due date"),
    "status": N_("status"),
    "percent": N_("percent"),
    "note": N_("note"),
}
MATRIX_HEADERS = (
    N_("Plan"),
    N_("No."),
    N_("Task"),
    N_("Unit"),
    N_("Role"),
    N_("Signed for"),
    N_("Latest status"),
    N_("Percent done"),
    N_("Latest note"),
    N_("Reported at"),
    N_("Light"),
    N_("Due date"),
    N_("Next date"),
    N_("Task state"),
)
HISTORY_HEADERS = (
    N_("Time"),
    N_("Plan"),
    N_("No."),
    N_("Kind"),
    N_("Unit"),
    N_("By"),
    N_("What"),
    N_("Percent done"),
    N_("Details"),
)
MATRIX_LIGHT_COLUMN = 10
MATRIX_WIDE = frozenset({2, 8})
HISTORY_WIDE = frozenset({8})
WIDE_LIMIT = 60
NARROW_LIMIT = 24
WHOLE_TASK_FIELDS = 4
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    """One table of an export: its sheet name, headers, rows and the light fill of each row."""

    name: str
    slug: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    fills: tuple[str | None, ...] = ()
    light_column: int | None = None
    wide_columns: frozenset[int] = frozenset()
    heading: str = ""


def _local(moment: dt.datetime | None, timezone: str) -> dt.datetime | None:
    """A moment as a naive local time to the minute (spreadsheets know no timezones)."""
    if moment is None:
        return None
    local = moment.astimezone(zoneinfo.ZoneInfo(timezone))
    return local.replace(tzinfo=None, second=0, microsecond=0)


def _label(language: str, labels: dict[Any, str], key: Any) -> str:
    """A translated label, or the key itself when it has none."""
    return tr(language, labels[key]) if key in labels else str(key)


def _matrix_row(row: MatrixRow, data: ExportData, language: str) -> tuple[Value, ...]:
    """A matrix row as cells."""
    timezone = data.timezone(row.plan)
    return (
        row.plan,
        row.number,
        row.task,
        row.agency,
        _label(language, ROLE_LABELS, str(row.role)),
        _local(row.acknowledged_at, timezone),
        _label(language, REPORT_STATUSES, str(row.status)) if row.status else None,
        row.percent,
        row.note,
        _local(row.reported_at, timezone),
        _label(language, LIGHT_LABELS, row.light),
        row.due_on,
        row.next_date,
        _label(language, STATE_LABELS, str(row.task_state)),
    )


def _heading(data: ExportData, language: str) -> str:
    """What the printed pages carry at the top: the plan, the agency and the day of the export."""
    plans = sorted(data.timezones)
    plan = data.plan_code or (plans[0] if len(plans) == 1 else None)
    timezone = data.timezones.get(plan or "") or next(iter(data.timezones.values()), "UTC")
    day = data.generated_at.astimezone(zoneinfo.ZoneInfo(timezone)).date()
    parts = (plan or tr(language, "all plans"), data.agency, day.isoformat())
    return " · ".join(part for part in parts if part)


def matrix_table(data: ExportData, language: str) -> Table:
    """The status matrix: one row per task and unit."""
    return Table(
        name=tr(language, "Matrix"),
        slug="matrix",
        headers=tuple(tr(language, header) for header in MATRIX_HEADERS),
        rows=tuple(_matrix_row(row, data, language) for row in data.matrix),
        fills=tuple(LIGHT_FILLS[row.light] for row in data.matrix),
        light_column=MATRIX_LIGHT_COLUMN,
        wide_columns=MATRIX_WIDE,
        heading=_heading(data, language),
    )


def _value(value: Any) -> str:
    """An audited value as text."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _details(row: HistoryRow, language: str) -> str:
    """field: old → new for each changed field of an audited change."""
    old, new = row.before or {}, row.after or {}
    keys = [
        key
        for key in dict.fromkeys([*old, *new])
        if old.get(key) != new.get(key) and not key.endswith("_id")
    ]
    if len(keys) > WHOLE_TASK_FIELDS and (not old or not new):
        return ""  # a whole task added or removed: the action says enough
    fields = FIELDS | MORE_FIELDS
    parts = []
    for key in keys:
        name = _label(language, fields, key)
        if key == "role":
            before, after = (
                _label(language, ROLE_LABELS, old.get(key)) if old.get(key) else "—",
                _label(language, ROLE_LABELS, new.get(key)) if new.get(key) else "—",
            )
        else:
            before, after = _value(old.get(key)), _value(new.get(key))
        parts.append(f"{name}: {before} → {after}" if old else f"{name}: {after}")
    return "; ".join(parts)


def _history_row(row: HistoryRow, data: ExportData, language: str) -> tuple[Value, ...]:
    """A history row as cells."""
    if row.kind is HistoryKind.REPORT:
        what = _label(language, REPORT_STATUSES, str(row.status))
        details = row.note
    else:
        what = _label(language, ACTIONS | MORE_ACTIONS, row.action)
        details = _details(row, language)
    return (
        _local(row.at, data.timezone(row.plan)),
        row.plan,
        row.number,
        _label(language, KIND_LABELS, row.kind),
        row.agency,
        row.actor,
        what,
        row.percent,
        details or None,
    )


def history_table(data: ExportData, language: str) -> Table:
    """The history: every status report and change, oldest first."""
    return Table(
        name=tr(language, "History"),
        slug="history",
        headers=tuple(tr(language, header) for header in HISTORY_HEADERS),
        rows=tuple(_history_row(row, data, language) for row in data.history),
        wide_columns=HISTORY_WIDE,
        heading=_heading(data, language),
    )


def export_tables(data: ExportData, language: str) -> tuple[Table, Table]:
    """Both tables of an export."""
    return matrix_table(data, language), history_table(data, language)


def _csv_text(value: Value) -> str:
    """A cell as CSV text; text that a spreadsheet would run as a formula is quoted with '."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(CSV_FORMULA_STARTS) else text


def to_csv(table: Table) -> bytes:
    """One table as CSV in UTF-8 with a BOM, CRLF line ends, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
    writer.writerows([_csv_text(value) for value in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: Chinese (wide) characters count double."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _shown(value: Value) -> str:
    """A cell as a spreadsheet shows it, for measuring."""
    return _csv_text(value)


def _widths(table: Table) -> list[int]:
    """A width per column that fits its longest value, within limits."""
    widths = [display_width(header) for header in table.headers]
    for row in table.rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], display_width(_shown(value)))
    return [
        min(width, WIDE_LIMIT if index in table.wide_columns else NARROW_LIMIT) + 2
        for index, width in enumerate(widths)
    ]


def _write_sheet(sheet: Any, table: Table) -> None:
    """Fill one worksheet: bold frozen header with filters, typed cells, light colours."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet.title = table.name
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill(fill_type="solid", fgColor=HEADER_FILL)
    for row_number, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # never a formula, whatever the text starts with
            else:
                cell.value = value
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            if column - 1 in table.wide_columns:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        fill = table.fills[row_number - 2] if table.fills else None
        if fill is not None and table.light_column is not None:
            sheet.cell(row=row_number, column=table.light_column + 1).fill = PatternFill(
                fill_type="solid", fgColor=fill
            )
    for index, width in enumerate(_widths(table), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.headers))}{len(table.rows) + 1}"
    _set_up_printing(sheet, table)


def _set_up_printing(sheet: Any, table: Table) -> None:
    """Printed for a meeting: landscape, one page wide, the header row on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True
    # "&" starts a header code in a spreadsheet; "&&" prints one.
    sheet.oddHeader.left.text = table.heading.replace("&", "&&")
    sheet.oddHeader.right.text = table.name.replace("&", "&&")
    sheet.oddFooter.center.text = "&P / &N"


def to_xlsx(tables: Sequence[Table], *, created: dt.datetime) -> bytes:
    """The tables as one workbook, a sheet each."""
    from openpyxl import Workbook  # imported on use: it is big, and most processes never need it

    workbook = Workbook()
    workbook.properties.creator = "annexbot"
    workbook.properties.created = created.astimezone(dt.UTC).replace(tzinfo=None)
    first, *rest = tables
    _write_sheet(workbook.active, first)
    for table in rest:
        _write_sheet(workbook.create_sheet(), table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_UNSAFE = re.compile(r"[^\w.-]+")


def file_name(
    *,
    plan_code: str | None,
    agency: str | None,
    part: str,
    day: dt.date,
    extension: str,
    language: str = "zh",
) -> str:
    """annexbot-gf-2015-5-科技部-matrix-20160301.csv: what, whose, which table, when; -en."""
    pieces = ("annexbot", plan_code or "all", agency or "", part)
    stem = "-".join(_UNSAFE.sub("_", piece) for piece in pieces if piece)
    suffix = "" if language == "zh" else f"-{language}"
    return f"{stem}-{day:%Y%m%d}{suffix}.{extension}"
