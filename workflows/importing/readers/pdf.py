"""PDF files: ruled tables and text lines through pdfplumber; a scan has no text to read."""

from __future__ import annotations

import io
import logging

import pdfplumber

from workflows.errors import AnnexFormatError
from workflows.importing.readers.columns import kind_of, usable

_MAX_PAGES = 200  # a long policy document with its annex has a few dozen pages


def pdf_content(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    """The PDF's text lines and its ruled tables as rows of cell texts."""
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        return _read(data)
    except AnnexFormatError:
        raise
    except Exception as exc:  # a damaged PDF can fail anywhere inside pdfminer
        raise AnnexFormatError(f"not a readable PDF file ({type(exc).__name__})") from exc


def _read(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        if len(pdf.pages) > _MAX_PAGES:
            raise AnnexFormatError(
                f"the PDF has {len(pdf.pages)} pages; at most {_MAX_PAGES} are read"
            )
        lines: list[str] = []
        tables: list[list[list[str]]] = []
        for page in pdf.pages:
            for at, table in enumerate(page.extract_tables()):
                rows = [[(cell or "").replace("\n", "") for cell in row] for row in table]
                if at == 0 and tables and _continues(tables[-1], rows):
                    tables[-1].extend(rows)
                else:
                    tables.append(rows)
            lines.extend((page.extract_text() or "").split("\n"))
    if not any(line.strip() for line in lines):
        raise AnnexFormatError(
            "this PDF has no text layer (a scanned image?); run OCR on it or send the annex "
            "as text, Word, Excel or CSV"
        )
    return lines, tables


def _continues(table: list[list[str]], rows: list[list[str]]) -> bool:
    """Whether a page's first table carries on the last one: as many columns, no header row."""
    width = max((len(row) for row in table), default=0)
    header = any(usable([kind_of(cell) for cell in row]) for row in rows[:2])
    return bool(rows) and not header and max(len(row) for row in rows) == width
