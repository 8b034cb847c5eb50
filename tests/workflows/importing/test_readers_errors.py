"""Bad annex files: every failure is an AnnexFormatError, naming the line when one is to blame."""

from __future__ import annotations

import contextlib
import io
from typing import get_args

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflows.errors import AnnexFormatError
from workflows.importing.readers import Format, read_annex

FORMATS: tuple[Format, ...] = get_args(Format)
HEADER = "序号\t工作任务\t负责单位\t时间进度"


def failure(data: bytes, format: Format = "auto") -> AnnexFormatError:
    with pytest.raises(AnnexFormatError) as caught:
        read_annex(data, format=format)
    return caught.value


def test_duplicate_number_names_the_second_line() -> None:
    text = "\n".join(
        [
            HEADER,
            "7\t甲任务。\t甲部\t2016年",
            "8\t乙任务。\t乙局\t2016年",
            "",
            "7\t丙任务。\t丙局\t2017年",
        ]
    )
    error = failure(text.encode())
    assert error.line == 5
    assert str(error) == "line 5: task 7 appears twice (lines 2 and 5)"


def test_duplicate_number_inline() -> None:
    error = failure(
        "1.甲任务。（甲部负责）\n2.乙任务。（乙局负责）\n2.丙任务。（丙局负责）".encode()
    )
    assert (error.line, error.reason) == (3, "task 2 appears twice (lines 2 and 3)")


def test_missing_units_names_the_line() -> None:
    text = "\n".join([HEADER, "1\t甲任务。\t甲部\t2016年", "2\t乙任务。\t\t2016年"])
    error = failure(text.encode())
    assert (error.line, error.reason) == (3, "task 2 names no responsible unit")


def test_missing_text_names_the_line() -> None:
    error = failure("序号,工作任务,负责单位\n1,,甲部\n".encode())
    assert (error.line, error.reason) == (2, "task 1 has no task text")


def test_header_without_rows() -> None:
    error = failure(f"{HEADER}\n\n抄送：各部门。\n".encode())
    assert "no numbered task found" in str(error)


@pytest.mark.parametrize("data", [b"", b"   \n\n", "\ufeff".encode(), "正文。\n".encode()])
def test_empty_or_taskless_file(data: bytes) -> None:
    error = failure(data)
    assert "no numbered task found" in str(error)
    assert "table, labelled, inline and CSV" in str(error)
    assert error.line is None


@pytest.mark.parametrize("format", ["table", "inline", "labelled", "csv", "xlsx"])
def test_empty_file_in_every_format(format: Format) -> None:
    assert failure(b"", format).line is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bytes(range(256)) * 4, "neither UTF-8 nor GB18030"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Office"),
        (b"abc\x00def", "binary"),
    ],
)
def test_binary_files(data: bytes, message: str) -> None:
    assert message in str(failure(data))


def test_unknown_format() -> None:
    assert "unknown format" in str(failure(b"", "odt"))  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), format=st.sampled_from(FORMATS))
def test_any_bytes_raise_only_annex_format_errors(data: bytes, format: Format) -> None:
    with contextlib.suppress(AnnexFormatError):
        read_annex(data, format=format)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=2000), format=st.sampled_from(FORMATS))
def test_any_text_raises_only_annex_format_errors(text: str, format: Format) -> None:
    with contextlib.suppress(AnnexFormatError):
        read_annex(text.encode(), format=format)


_PIECES = [
    HEADER,
    "序号  重点任务  牵头单位  配合单位  完成时限",
    "序号,工作任务,负责单位,时间进度",
    "1",
    "7",
    "1\t甲任务。\t甲部、\t2016年",
    "2  乙任务。  乙局  2015—",
    "3 丙任务。 丙部、丁局等 2015 年开始实施",
    "\t续写。\t戊部\t底前",
    "   国资委、网信办等",
    "年实施",
    "部、财政部等",
    "一、加强统筹规划",
    "（二）完善制度",
    "4.建立目录。（甲部负责，2016年底前完成）",
    "（5）推进共享。(乙局牵头，丙部参与）",
    "6、加强保障。（，，负责，下同）",
    "8.未完成的段落（",
    "牵头单位：甲部",
    "配合单位:",
    "完成时限：2016年",
    "— 3 —",
    "002699",
    "抄送：各部门。",
    "2015年1月6日",
    "二〇一五年十三月四十日",
    "国发〔2015〕5号",
    "国务院关于促进发展的意见",
    '"1","甲任务。\n续","甲部"',
    "",
    "）",
    "（",
]


@settings(max_examples=500, deadline=None)
@given(
    lines=st.lists(st.sampled_from(_PIECES) | st.text(max_size=20), max_size=30),
    format=st.sampled_from(FORMATS),
)
def test_annex_like_text_raises_only_annex_format_errors(lines: list[str], format: Format) -> None:
    try:
        annex = read_annex("\n".join(lines).encode("gb18030"), format=format)
    except AnnexFormatError:
        return
    numbers = [task.number for task in annex.tasks]
    assert len(numbers) == len(set(numbers))
    assert all(
        task.text and (task.units_text or task.lead_text or task.co_text) for task in annex.tasks
    )


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["序号", "工作任务", "负责单位", "时间进度"], [1, "甲任务。", "甲部", "2016年"]):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WORKBOOK = _workbook()


@settings(max_examples=200, deadline=None)
@given(
    cut=st.integers(min_value=0, max_value=len(WORKBOOK)),
    flips=st.lists(st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)), max_size=8),
)
def test_damaged_workbooks_raise_only_annex_format_errors(
    cut: int, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(WORKBOOK)
    for at, value in flips:
        data[at] = value
    with contextlib.suppress(AnnexFormatError):
        read_annex(bytes(data[: max(cut, 4)]), format="xlsx")
