"""What an annex file may hold, checked before a parser reads it: a bomb is refused unread.

Zip packages (.xlsx, .docx) are measured by their members' declared sizes: zipfile never
inflates a member past its declared size, so the sum bounds what a parser can be handed.
A workbook's sheets and shared strings are then streamed through expat, counting cells and
the length of each cell's text without keeping any of it.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import IO
from xml.parsers import expat

from workflows.errors import AnnexFormatError

# Far above any real annex (the 23-task seed is 20 KB; a 9,999-task workbook unpacks to ~6 MB).
MAX_UNPACKED_BYTES = 50 << 20  # Word files carry images beside the text
MAX_XLSX_UNPACKED_BYTES = 20 << 20
MAX_MEMBERS = 1000
MAX_CELLS = 200_000
MAX_CELL_CHARS = 10_000
MAX_TEXT_CHARS = 1_000_000  # a text file, or what a document's text layer reads as
MAX_TASK_CHARS = 2_000_000  # all tasks' text and units together: what feeds and exports carry
MAX_TASKS = 20_000  # far above a real plan; a 10,000-row workbook is the benchmark
_CHUNK = 1 << 16
_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
_STRINGS = re.compile(r"xl/sharedStrings\.xml")
_TEXT_ELEMENTS = frozenset({"v", "t"})  # a cell's value, a (shared or inline) string's text
_CELL_ELEMENTS = frozenset({"c", "si"})  # a sheet's cell, a shared string (its runs add up)


def check_package(data: bytes, kind: str, limit: int = MAX_UNPACKED_BYTES) -> zipfile.ZipFile:
    """The open zip of an .xlsx or .docx whose members unpack within `limit` bytes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        raise AnnexFormatError(f"not a readable {kind} file (the zip is damaged)") from exc
    if len(members) > MAX_MEMBERS:
        raise AnnexFormatError(
            f"the {kind} holds {len(members)} parts; at most {MAX_MEMBERS} are read"
        )
    unpacked = sum(info.file_size for info in members)
    if unpacked > limit:
        raise AnnexFormatError(
            f"the {kind} unpacks to {unpacked >> 20} MB; at most {limit >> 20} MB"
        )
    return archive


def check_xlsx(data: bytes) -> None:
    """Refuse a workbook too large unpacked, with too many cells or too long a cell."""
    with check_package(data, "XLSX", MAX_XLSX_UNPACKED_BYTES) as archive:
        cells = 0
        for info in archive.infolist():
            if _SHEET.fullmatch(info.filename) or _STRINGS.fullmatch(info.filename):
                try:
                    with archive.open(info) as stream:
                        cells += _scan(stream, MAX_CELLS - cells)
                except AnnexFormatError:
                    raise
                except Exception as exc:  # a damaged member fails in zlib, zipfile or expat
                    raise AnnexFormatError(
                        f"not a readable XLSX file ({type(exc).__name__})"
                    ) from exc


class _Scan:
    """Expat callbacks that count cells and measure each cell's text, keeping nothing."""

    def __init__(self, cells_left: int) -> None:
        self.cells = 0
        self.cells_left = cells_left
        self.run = 0
        self.in_text = False

    def start(self, name: str, _attributes: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "c":
            self.cells += 1
            if self.cells > self.cells_left:
                raise AnnexFormatError(f"the workbook has more than {MAX_CELLS:,} cells")
        if local in _CELL_ELEMENTS:
            self.run = 0
        self.in_text = local in _TEXT_ELEMENTS

    def end(self, _name: str) -> None:
        self.in_text = False

    def text(self, data: str) -> None:
        if self.in_text:
            self.run += len(data)
            if self.run > MAX_CELL_CHARS:
                raise AnnexFormatError(
                    f"a cell holds more than {MAX_CELL_CHARS:,} characters; "
                    "an annex's task is far shorter"
                )

    @staticmethod
    def doctype(*_args: object) -> None:
        raise AnnexFormatError("not a readable XLSX file (a part declares a DOCTYPE)")


def _scan(stream: IO[bytes], cells_left: int) -> int:
    """Stream one XML part through expat; the number of cells in it."""
    scan = _Scan(cells_left)
    parser = expat.ParserCreate()
    parser.buffer_text = False
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.text
    parser.StartDoctypeDeclHandler = scan.doctype
    while chunk := stream.read(_CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return scan.cells


def check_text(text: str) -> None:
    """Refuse a text annex longer than any real one."""
    if len(text) > MAX_TEXT_CHARS:
        raise AnnexFormatError(
            f"the text is too long for an annex ({len(text):,} characters; "
            f"at most {MAX_TEXT_CHARS:,})"
        )


def check_tasks(count: int, longest: int, total: int) -> None:
    """Refuse an annex with more tasks, a longer task field or more text than the bot carries."""
    if count > MAX_TASKS:
        raise AnnexFormatError(f"the annex has {count:,} tasks; at most {MAX_TASKS:,}")
    if longest > MAX_CELL_CHARS:
        raise AnnexFormatError(
            f"a task's text runs to {longest:,} characters; at most {MAX_CELL_CHARS:,}"
        )
    if total > MAX_TASK_CHARS:
        raise AnnexFormatError(
            f"the tasks' text runs to {total:,} characters; at most {MAX_TASK_CHARS:,}"
        )
