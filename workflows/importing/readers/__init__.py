"""Readers that cut an annex file (text, CSV, XLSX, Word, PDF, web page) into raw task rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath
from typing import Literal, get_args

from workflows.errors import AnnexFormatError
from workflows.importing.model import DocumentInfo, Layout, RawAnnex
from workflows.importing.readers.bounds import check_tasks, check_text, check_xlsx
from workflows.importing.readers.chinese import to_simplified
from workflows.importing.readers.common import Draft, finish
from workflows.importing.readers.diagnosis import nothing_found
from workflows.importing.readers.head import read_document
from workflows.importing.readers.inline import read_inline
from workflows.importing.readers.labelled import read_labelled
from workflows.importing.readers.spreadsheet import (
    GridRead,
    read_csv,
    read_grid,
    read_xlsx,
    sniff_delimiter,
)
from workflows.importing.readers.spreadsheet import (
    find_header as find_grid_header,
)
from workflows.importing.readers.stacked import read_stacked, unpipe
from workflows.importing.readers.table import find_header, read_table
from workflows.importing.readers.text import decode, split_lines

__all__ = ["Format", "read_annex"]

Format = Literal["auto", "table", "inline", "labelled", "csv", "xlsx", "docx", "pdf", "html"]
_ZIP_MAGIC = b"PK\x03\x04"
_HTML_START = re.compile(
    rb"\s*(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|head|body|table)\b", re.I
)
# Far above any real annex (the 23-task seed is 20 KB); keeps a hostile upload from hogging the bot.
_MAX_TEXT_BYTES = 1 << 20
_MAX_XLSX_BYTES = 10 << 20
_MAX_DOCUMENT_BYTES = 20 << 20  # Word and PDF files carry fonts and images beside the text
_MAX_HTML_BYTES = 5 << 20


def read_annex(data: bytes, *, format: Format = "auto", filename: str | None = None) -> RawAnnex:
    """Read an annex file's bytes into the document head and its raw task rows, within bounds."""
    annex = _read(data, format, filename)
    lengths = [
        len(field)
        for task in annex.tasks
        for field in (
            task.text,
            task.units_text,
            task.lead_text,
            task.co_text,
            task.guide_text,
            task.schedule_text,
        )
    ]
    check_tasks(len(annex.tasks), max(lengths, default=0), sum(lengths))
    return annex


def _read(data: bytes, format: Format, filename: str | None) -> RawAnnex:
    if format not in get_args(Format):
        raise AnnexFormatError(
            f"unknown format {format!r}; use one of {', '.join(get_args(Format))}"
        )
    kind = format if format != "auto" else _sniff(data, filename)
    if kind == "xlsx":
        _check_size(data, _MAX_XLSX_BYTES)
        check_xlsx(data)
        return _grid("xlsx", read_xlsx(data))
    if kind in ("docx", "pdf", "html"):
        _check_size(data, _MAX_HTML_BYTES if kind == "html" else _MAX_DOCUMENT_BYTES)
        # Each reader is imported on use: python-docx, pdfplumber and BeautifulSoup (with lxml)
        # are big, and a running bot that never gets such a file should not hold them.
        if kind == "docx":
            from workflows.importing.readers.docx import docx_content

            lines, tables = docx_content(data)
        elif kind == "pdf":
            from workflows.importing.readers.pdf import pdf_content

            lines, tables = pdf_content(data)
        else:
            from workflows.importing.readers.html import html_content

            lines, tables = html_content(decode(data))
        check_text("\n".join(lines))
        return _document(lines, tables, kind)
    _check_size(data, _MAX_TEXT_BYTES)
    lines = unpipe(split_lines(decode(data)))
    text = "\n".join(lines)
    check_text(text)
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if kind == "csv" or (
        kind == "auto"
        and (suffix in (".csv", ".tsv") or sniff_delimiter(text, tabs_only_if_csv=True))
    ):
        return _grid("csv", read_csv(text))
    return _lines(lines, kind)


def _sniff(data: bytes, filename: str | None) -> str:
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if data.startswith(b"%PDF") or suffix == ".pdf":
        return "pdf"
    if data.startswith(_ZIP_MAGIC) or suffix in (".xlsx", ".xlsm", ".docx"):
        return "docx" if suffix == ".docx" or b"word/" in data[:4096] else "xlsx"
    if suffix in (".html", ".htm") or _HTML_START.match(data[:512]):
        return "html"
    return "auto"


def _lines(lines: list[str], kind: str) -> RawAnnex:
    """Read text lines with the layout asked for, or the first layout that finds tasks."""
    if kind == "table" or (kind == "auto" and find_header(lines) is not None):
        table = read_table(lines)
        annex = range(table.start, table.end)
        return RawAnnex("table", read_document(lines, annex=annex), finish(table.drafts, "table"))
    if kind in ("inline", "labelled"):
        drafts = read_labelled(lines) if kind == "labelled" else read_inline(lines)
        return _text("inline" if kind == "inline" else "labelled", lines, drafts)
    if (stacked := read_stacked(lines)) is not None and stacked.drafts:
        annex = range(stacked.start, stacked.end)
        return RawAnnex("table", read_document(lines, annex=annex), finish(stacked.drafts, "table"))
    if drafts := read_labelled(lines):
        return _text("labelled", lines, drafts)
    if drafts := read_inline(lines):
        return _text("inline", lines, drafts)
    if (grid := _tab_separated(lines)) is not None:
        return RawAnnex("table", read_document(lines), finish(grid, "table"))
    raise AnnexFormatError(nothing_found(lines))


def _tab_separated(lines: Sequence[str]) -> list[Draft] | None:
    """A table pasted with tabs whose header has no 序号 column: its rows, numbered by position."""
    rows = [(at, line.split("\t")) for at, line in enumerate(lines, 1) if "\t" in line]
    if not rows or find_grid_header(rows) is None:
        return None
    drafts = read_grid(rows, "table").drafts
    for draft in drafts:
        draft.rule = "tab-separated " + draft.rule
    return drafts or None


def _document(lines: Sequence[str], tables: list[list[list[str]]], kind: str) -> RawAnnex:
    """A Word file, PDF or web page: its first table with a header, else its text lines."""
    text = [to_simplified(line) for line in lines]
    joined = to_simplified("\n".join("\t".join(row) for rows in tables for row in rows))
    converted = iter(joined.split("\n"))
    for rows in tables:
        cells = [next(converted).split("\t") for _ in rows]
        numbered = list(enumerate(cells, 1))
        if find_grid_header(numbered) is None:
            continue
        grid = read_grid(numbered, f"{kind} table")
        if grid.drafts:
            for draft in grid.drafts:
                draft.rule = f"{kind} table: {draft.rule}"
            head = read_document(text) if text else DocumentInfo()
            return RawAnnex("table", head, finish(grid.drafts, "table"))
    return _lines(unpipe([line for line in text]), "auto")


def _check_size(data: bytes, limit: int) -> None:
    if len(data) > limit:
        raise AnnexFormatError(
            f"the file is too large for an annex ({len(data) / (1 << 20):.1f} MB; "
            f"at most {limit >> 20} MB)"
        )


def _text(layout: Layout, lines: list[str], drafts: list[Draft]) -> RawAnnex:
    annex = range(drafts[0].line - 1, max(d.last_line for d in drafts)) if drafts else range(0)
    return RawAnnex(layout, read_document(lines, annex=annex), finish(drafts, layout))


def _grid(layout: Layout, grid: GridRead) -> RawAnnex:
    document = read_document(grid.head) if grid.head else DocumentInfo()
    return RawAnnex(layout, document, finish(grid.drafts, layout))
