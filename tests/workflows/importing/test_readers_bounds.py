"""Hostile annex files are refused before a parser reads them, quickly and in little memory."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator

import openpyxl
import pytest

from workflows.errors import AnnexFormatError
from workflows.importing.readers import bounds, read_annex

HEADER = ["序号", "工作任务", "负责单位", "时间进度"]
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_END = "</sheetData></worksheet>"


def workbook(*rows: list[object]) -> bytes:
    """A real workbook written by openpyxl: the header, then the rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in ([*HEADER], *rows):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def swapped(data: bytes, name: str, parts: Callable[[], Iterator[bytes]]) -> bytes:
    """The workbook with one part replaced by the streamed bytes (deflated as it is written)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
        with target.open(name, "w", force_zip64=True) as part:
            for chunk in parts():
                part.write(chunk)
    return out.getvalue()


def refused(data: bytes) -> tuple[str, float, int]:
    """The error, the seconds and the peak bytes allocated while refusing the file."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(AnnexFormatError) as caught:
            read_annex(data, filename="分工.xlsx")
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return str(caught.value), seconds, peak


def huge_sheet() -> Iterator[bytes]:
    """Sheet XML of 60 MB: the same row over and over."""
    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>"
    yield SHEET_START.encode()
    block = row * 1000
    for _ in range(60 * 1024 * 1024 // len(block) + 1):
        yield block
    yield SHEET_END.encode()


def test_an_xlsx_bomb_is_refused_unread() -> None:
    """A small file that unpacks to 60 MB of sheet XML: refused at once, in little memory."""
    bomb = swapped(
        workbook([1, "甲任务。", "甲部", "2016年"]), "xl/worksheets/sheet1.xml", huge_sheet
    )
    assert len(bomb) < 1 << 20
    error, seconds, peak = refused(bomb)
    assert error == "the XLSX unpacks to 60 MB; at most 20 MB"
    assert seconds < 2
    assert peak < 8 << 20


def test_a_twenty_million_character_cell_is_refused() -> None:
    """A 20-million-character shared string: refused after reading its first 10,001."""

    def strings() -> Iterator[bytes]:
        yield b'<?xml version="1.0"?><sst xmlns="x" count="1" uniqueCount="1"><si><t>'
        for _ in range(20):
            yield b"x" * 1_000_000
        yield b"</t></si></sst>"

    data = workbook([1, "甲任务。", "甲部", "2016年"])
    bomb = swapped(data, "xl/sharedStrings.xml", strings)
    error, seconds, peak = refused(bomb)
    assert error == ("a cell holds more than 10,000 characters; an annex's task is far shorter")
    assert seconds < 2
    assert peak < 8 << 20


def test_a_cell_split_into_runs_is_measured_whole() -> None:
    """Rich-text runs of one shared string add up to the cell's length."""

    def strings() -> Iterator[bytes]:
        yield b'<?xml version="1.0"?><sst xmlns="x"><si>'
        yield b"<r><t>" + b"y" * 6000 + b"</t></r>"
        yield b"<r><t>" + b"y" * 6000 + b"</t></r>"
        yield b"</si></sst>"

    bomb = swapped(workbook([1, "甲任务。", "甲部", "2016年"]), "xl/sharedStrings.xml", strings)
    error, _, _ = refused(bomb)
    assert error.startswith("a cell holds more than 10,000 characters")


def test_too_many_cells_are_refused_before_openpyxl() -> None:
    """Two hundred thousand empty cells in under 1 MB of XML: counted, never loaded."""

    def cells() -> Iterator[bytes]:
        yield SHEET_START.encode()
        yield b"<row>" + b"<c/>" * (bounds.MAX_CELLS + 1) + b"</row>"
        yield SHEET_END.encode()

    bomb = swapped(workbook([1, "甲任务。", "甲部", "2016年"]), "xl/worksheets/sheet1.xml", cells)
    error, seconds, peak = refused(bomb)
    assert error == "the workbook has more than 200,000 cells"
    assert seconds < 5
    assert peak < 8 << 20


def test_a_doctype_in_a_part_is_refused() -> None:
    """Entity tricks need a DOCTYPE; no part of a real workbook has one."""

    def strings() -> Iterator[bytes]:
        yield b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaa">]>'
        yield b"<sst><si><t>&a;</t></si></sst>"

    bomb = swapped(workbook([1, "甲任务。", "甲部", "2016年"]), "xl/sharedStrings.xml", strings)
    error, _, _ = refused(bomb)
    assert error == "not a readable XLSX file (a part declares a DOCTYPE)"


def test_a_real_workbook_still_reads() -> None:
    """Within the bounds nothing changes: a task of 10,000 characters is read."""
    annex = read_annex(workbook([1, "甲" * 10_000, "甲部", "2016年"]), filename="a.xlsx")
    [task] = annex.tasks
    assert len(task.text) == 10_000


def test_a_long_task_in_a_text_annex_is_refused() -> None:
    """A text annex's task field is held to the same length as a cell."""
    text = "\t".join(HEADER) + "\n1\t" + "甲" * 10_001 + "\t甲部\t2016年"
    with pytest.raises(AnnexFormatError) as caught:
        read_annex(text.encode())
    assert str(caught.value) == "a task's text runs to 10,001 characters; at most 10,000"


def test_too_many_tasks_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """An annex with more tasks than the bound is refused whole (the bound lowered to 2)."""
    monkeypatch.setattr(bounds, "MAX_TASKS", 2)
    rows = [f"{n}\t任务{n}。\t甲部\t2016年" for n in (1, 2, 3)]
    with pytest.raises(AnnexFormatError) as caught:
        read_annex("\n".join(["\t".join(HEADER), *rows]).encode())
    assert str(caught.value) == "the annex has 3 tasks; at most 2"
    read_annex("\n".join(["\t".join(HEADER), *rows[:2]]).encode())


def test_too_much_text_in_all_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """All tasks' text together is bounded too (the bound lowered to 30 characters)."""
    monkeypatch.setattr(bounds, "MAX_TASK_CHARS", 30)
    rows = [f"{n}\t任务{n}。\t甲部\t2016年" for n in (1, 2, 3)]
    with pytest.raises(AnnexFormatError) as caught:
        read_annex("\n".join(["\t".join(HEADER), *rows]).encode())
    assert str(caught.value) == "the tasks' text runs to 33 characters; at most 30"
    read_annex("\n".join(["\t".join(HEADER), *rows[:2]]).encode())


def test_too_long_a_text_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text annexes are measured in characters (the bound lowered to 100)."""
    monkeypatch.setattr(bounds, "MAX_TEXT_CHARS", 100)
    text = "\t".join(HEADER) + "\n1\t" + "甲" * 100 + "\t甲部\t2016年"
    with pytest.raises(AnnexFormatError) as caught:
        read_annex(text.encode())
    assert str(caught.value) == "the text is too long for an annex (129 characters; at most 100)"


def test_a_docx_bomb_is_refused_unread() -> None:
    """A .docx is held to the same unpacked size."""

    def body() -> Iterator[bytes]:
        for _ in range(51):
            yield b"\0" * (1 << 20)

    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package,
        package.open("word/document.xml", "w") as part,
    ):
        for chunk in body():
            part.write(chunk)
    with pytest.raises(AnnexFormatError) as caught:
        read_annex(out.getvalue(), filename="分工.docx")
    assert str(caught.value) == "the .docx unpacks to 51 MB; at most 50 MB"
