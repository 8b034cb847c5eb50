"""The CSV and XLSX layouts: a header row naming the columns, then one row per task."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from workflows.errors import AnnexFormatError
from workflows.importing.readers.columns import (
    Kind,
    first_text_only,
    kind_of,
    merge_cells,
    usable,
)
from workflows.importing.readers.common import Draft, Field
from workflows.importing.readers.text import SECTION_HEADING, join_lines, parse_number

Row = tuple[int, list[str]]  # the 1-based line or spreadsheet row, and its cells
_DELIMITERS = (",", "\t", ";")
_FIELDS: tuple[Kind, ...] = ("text", "lead", "co", "guide", "units", "schedule")
_QUOTED_CELL = re.compile(r'(?:^|\t)"', re.MULTILINE)
_HEADER_ROWS = 10


@dataclass(frozen=True)
class GridRead:
    """The task rows of a sheet and the text of the title rows above its header."""

    drafts: list[Draft]
    head: list[str]


EXPECTED = (
    "expected a task column (工作任务, 重点任务 or Task) and units in 负责单位 (Units) or "
    "牵头单位 (Lead) and 配合单位 (Co-responsible), optionally 序号 (No.) and 时间进度 (Schedule)"
)


def find_header(rows: Sequence[Row]) -> tuple[int, list[Kind | None]] | None:
    """The index (of its last row) and column kinds of the header among the first ten rows."""
    found = _header(rows)
    return (found[1], found[2]) if found else None


def _header(rows: Sequence[Row]) -> tuple[int, int, list[Kind | None]] | None:
    """The first and last index of the header rows (one, or two: 重点 / 任务), and its kinds."""
    for at, (_, cells) in enumerate(rows[:_HEADER_ROWS]):
        kinds = first_text_only([kind_of(cell) for cell in cells])
        if usable(kinds):
            return at, at, kinds
        if at + 1 < len(rows) and not usable(_kinds(rows[at + 1][1])):
            merged = merge_cells(cells, rows[at + 1][1])
            if merged and usable(_kinds(merged)):
                return at, at + 1, _kinds(merged)
    return None


def _kinds(cells: Sequence[str]) -> list[Kind | None]:
    return first_text_only([kind_of(cell) for cell in cells])


def read_grid(rows: Sequence[Row], what: str) -> GridRead:
    """Read the task rows below the header of a CSV file or sheet."""
    header = _header(rows)
    if header is None:
        raise AnnexFormatError(
            f"no header row in the first {_HEADER_ROWS} rows of the {what}; {EXPECTED}"
        )
    first, at, kinds = header
    drafts: list[Draft] = []
    section: str | None = None
    for line, cells in rows[at + 1 :]:
        texts = [join_lines(cell) for cell in cells]
        filled = [(kind, text) for kind, text in zip(kinds, texts, strict=False) if text]
        if not filled:
            continue
        number_cell = next((text for kind, text in filled if kind == "number"), "")
        number = parse_number(number_cell)
        if len(filled) == 1 and number is None:
            kind, text = filled[0]
            if kind == "number" or SECTION_HEADING.match(text):
                section = text  # a heading row such as 一、加强统筹规划 across the table
                continue
        if number is None and "number" in kinds:
            if number_cell:
                raise AnnexFormatError(f"task number {number_cell!r} is not a number", line=line)
            if not drafts:
                raise AnnexFormatError("the first row has no task number", line=line)
            _fill(drafts[-1], filled, line)  # a task that runs on into the next row
            continue
        own_section = next((text for kind, text in filled if kind == "section"), None)
        draft = Draft(line, number or len(drafts) + 1, own_section or section, last_line=line)
        draft.rule = "columns " + " | ".join(kind or "-" for kind in kinds)
        drafts.append(draft)
        _fill(draft, filled, line)
    head = [" ".join(text for text in cells if text.strip()) for _, cells in rows[:first]]
    return GridRead(drafts, head)


def _fill(draft: Draft, filled: list[tuple[Kind | None, str]], line: int) -> None:
    for kind, text in filled:
        if kind in _FIELDS:
            draft.add(cast(Field, kind), text, line=line, sep="、" if kind != "text" else "")


def csv_rows(text: str, delimiter: str, limit: int | None = None) -> list[Row]:
    """Parse CSV text into rows numbered by the line each starts on."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[Row] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
            if limit is not None and len(rows) >= limit:
                break
    except csv.Error as exc:
        raise AnnexFormatError(f"unreadable CSV ({exc})", line=reader.line_num) from exc
    return rows


def sniff_delimiter(text: str, *, tabs_only_if_csv: bool = False) -> str | None:
    """The delimiter (comma, tab or semicolon) under which a header row is found, if any."""
    best: tuple[int, str] | None = None
    for delimiter in _DELIMITERS:
        try:
            header = find_header(csv_rows(text, delimiter, limit=_HEADER_ROWS))
        except AnnexFormatError:
            continue
        if header is None:
            continue
        _, kinds = header
        if delimiter == "\t" and tabs_only_if_csv and not _QUOTED_CELL.search(text):
            # Without quoted cells a tab-separated file reads the same as a text table.
            continue
        score = sum(kind is not None for kind in kinds)
        if best is None or score > best[0]:
            best = (score, delimiter)
    return best[1] if best else None


def read_csv(text: str) -> GridRead:
    """Read a CSV file's text (comma, tab or semicolon separated)."""
    delimiter = sniff_delimiter(text)
    if delimiter is None:
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        raise AnnexFormatError(
            f"no CSV header row in the first {_HEADER_ROWS} rows (comma, tab or semicolon "
            f"separated); {EXPECTED}. Its first row: {first[:80]}"
        )
    return read_grid(csv_rows(text, delimiter), "CSV file")


def read_xlsx(data: bytes) -> GridRead:
    """Read the first sheet of an XLSX workbook that has a header row near its top."""
    import openpyxl  # imported on use: with numpy and PIL it is big, and most runs read no XLSX

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
            sheets = [
                [
                    (i, [_cell(v) for v in row])
                    for i, row in enumerate(ws.iter_rows(values_only=True), 1)
                ]
                for ws in book.worksheets
            ]
    except Exception as exc:  # a damaged workbook can fail anywhere inside openpyxl
        raise AnnexFormatError(f"not a readable XLSX file ({type(exc).__name__})") from exc
    for rows in sheets:
        if find_header(rows) is not None:
            return read_grid(rows, "sheet")
    raise AnnexFormatError(
        f"no sheet has a header row in its first {_HEADER_ROWS} rows; {EXPECTED}"
    )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)
