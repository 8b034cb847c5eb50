"""PDF files: ruled tables and text lines through pdfplumber; a scan has no text to read."""

from __future__ import annotations

import io
import logging

import pdfplumber

from workflows.errors import AnnexFormatError
from workflows.importing.readers.bounds import check_pdf

_MAX_PAGES = 200  # a long policy document with its annex has a few dozen pages


def pdf_content(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    """The PDF's text lines and its ruled tables as rows of cell texts."""
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    check_pdf(data)
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
            for table in page.extract_tables():
                tables.append([[(cell or "").replace("\n", "") for cell in row] for row in table])
            lines.extend((page.extract_text() or "").split("\n"))
    if not any(line.strip() for line in lines):
        raise AnnexFormatError(
            "this PDF has no text layer (a scanned image?); run OCR on it or send the annex "
            "as text, Word, Excel or CSV"
        )
    return lines, tables
