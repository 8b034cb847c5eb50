"""Word files (.docx): paragraphs and tables in document order, merged cells read once."""

from __future__ import annotations

import io

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from workflows.errors import AnnexFormatError
from workflows.importing.readers.bounds import check_package
from workflows.importing.readers.text import join_lines


def docx_content(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    """The document's paragraph lines and its tables as rows of cell texts."""
    check_package(data, ".docx").close()
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx fails in many ways on a damaged package
        raise AnnexFormatError(f"not a readable .docx file ({type(exc).__name__})") from exc
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.extend(block.text.split("\n"))
        elif isinstance(block, Table):
            rows = _rows(block)
            tables.append(rows)
            lines.extend("\t".join(row) for row in rows)
    return lines, tables


def _rows(table: Table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # A cell merged across columns comes back once for each column it spans.
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(join_lines(cell.text))
        rows.append(cells)
    return rows
