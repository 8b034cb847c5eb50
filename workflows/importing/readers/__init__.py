"""Readers that cut an annex file (text table, inline, labelled, CSV, XLSX) into raw task rows."""

from __future__ import annotations

from pathlib import PurePath
from typing import Literal, get_args

from workflows.errors import AnnexFormatError
from workflows.importing.model import DocumentInfo, Layout, RawAnnex
from workflows.importing.readers.common import Draft, finish
from workflows.importing.readers.head import read_document
from workflows.importing.readers.inline import read_inline
from workflows.importing.readers.labelled import read_labelled
from workflows.importing.readers.spreadsheet import GridRead, read_csv, read_xlsx, sniff_delimiter
from workflows.importing.readers.stacked import read_stacked, unpipe
from workflows.importing.readers.table import find_header, read_table
from workflows.importing.readers.text import decode, split_lines

__all__ = ["Format", "read_annex"]

Format = Literal["auto", "table", "inline", "labelled", "csv", "xlsx"]
_ZIP_MAGIC = b"PK\x03\x04"
# Far above any real annex (the 23-task seed is 20 KB); keeps a hostile upload from hogging the bot.
_MAX_TEXT_BYTES = 1 << 20
_MAX_XLSX_BYTES = 10 << 20


def read_annex(data: bytes, *, format: Format = "auto", filename: str | None = None) -> RawAnnex:
    """Read an annex file's bytes into the document head and its raw task rows."""
    if format not in get_args(Format):
        raise AnnexFormatError(
            f"unknown format {format!r}; use one of {', '.join(get_args(Format))}"
        )
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if format == "xlsx" or (
        format == "auto" and (data.startswith(_ZIP_MAGIC) or suffix in (".xlsx", ".xlsm"))
    ):
        _check_size(data, _MAX_XLSX_BYTES)
        return _grid("xlsx", read_xlsx(data))
    _check_size(data, _MAX_TEXT_BYTES)
    lines = unpipe(split_lines(decode(data)))
    text = "\n".join(lines)
    if format == "csv" or (
        format == "auto"
        and (suffix in (".csv", ".tsv") or sniff_delimiter(text, tabs_only_if_csv=True))
    ):
        return _grid("csv", read_csv(text))
    if format == "table" or (format == "auto" and find_header(lines) is not None):
        table = read_table(lines)
        annex = range(table.start, table.end)
        return RawAnnex("table", read_document(lines, annex=annex), finish(table.drafts, "table"))
    if format != "auto":
        drafts = read_labelled(lines) if format == "labelled" else read_inline(lines)
        return _text(format, lines, drafts)
    if (stacked := read_stacked(lines)) is not None and stacked.drafts:
        annex = range(stacked.start, stacked.end)
        return RawAnnex("table", read_document(lines, annex=annex), finish(stacked.drafts, "table"))
    if drafts := read_labelled(lines):
        return _text("labelled", lines, drafts)
    if drafts := read_inline(lines):
        return _text("inline", lines, drafts)
    raise AnnexFormatError(
        "no numbered task found: tried the table, labelled, inline and CSV layouts "
        "(no 序号 header, no 牵头单位：/负责单位： lines, no （…负责） parentheticals)"
    )


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
