"""The CSV and XLSX layouts."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from workflows.errors import AnnexFormatError
from workflows.importing.model import RawTask
from workflows.importing.readers import read_annex

FIXTURES = Path(__file__).parent / "fixtures"


def xlsx(*sheets: list[list[object]], merge_title: bool = True) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for index, rows in enumerate(sheets):
        sheet = book.create_sheet(f"Sheet{index + 1}")
        for row in rows:
            sheet.append(row)
        if merge_title and rows and len(rows[0]) == 1:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_csv_utf8_with_bom_title_rows_quoted_newlines() -> None:
    annex = read_annex((FIXTURES / "annex-utf8-bom.csv").read_bytes())
    assert annex.layout == "csv"
    tasks = {task.number: task for task in annex.tasks}
    assert list(tasks) == [1, 2, 3, 5, 12]
    assert tasks[1].line == 4
    assert tasks[2].text == (
        "引导企业在充分利用公共云计算服务资源的基础上，利用安全可靠的云计算解决方案，有序发展专有云。"
    )
    assert tasks[3].line == 8  # after a quoted cell over two lines and an empty row
    assert tasks[5].units_text == (
        "发展改革委、工业和信息化部、网信办、财政部、科技部、保密局、密码局等，地方各级人民政府"
    )
    assert tasks[1].schedule_text == "2015 年开始实施"
    assert annex.document.title == "国务院关于促进云计算创新发展 培育信息产业新业态的意见"


def test_csv_gb18030_tab_separated_with_english_header() -> None:
    annex = read_annex((FIXTURES / "annex-gb18030-tab.csv").read_bytes())
    assert annex.layout == "csv"
    first, second, third = annex.tasks
    assert (first.lead_text, first.co_text, first.schedule_text) == (
        "发展改革委",
        "网信办、财政部、法制办",
        "2016年底前",
    )
    assert second.text == "编制政务信息资源目录，建立目录更新机制。"
    assert (third.line, third.schedule_text) == (6, "持续推进")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters_and_filename_hint(delimiter: str) -> None:
    text = delimiter.join(["编号", "重点任务", "责任单位", "完成时限"]) + "\n"
    text += delimiter.join(["1", "甲任务。", "甲部、乙局", "2016年底前"]) + "\n"
    annex = read_annex(text.encode(), filename="分工.CSV")
    assert annex.layout == "csv"
    assert annex.tasks == (
        RawTask(2, 1, "甲任务。", units_text="甲部、乙局", schedule_text="2016年底前"),
    )


def test_csv_without_a_number_column_numbers_rows_by_position() -> None:
    text = "task,units,due\n甲任务。,甲部,2016年\n\n一、第二部分,,\n乙任务。,乙局,2017年\n"
    annex = read_annex(text.encode(), format="csv")
    assert [(t.number, t.line, t.section) for t in annex.tasks] == [
        (1, 2, None),
        (2, 5, "一、第二部分"),
    ]


def test_csv_bad_number_names_the_line() -> None:
    text = "序号,工作任务,负责单位,时间进度\n1,甲任务。,甲部,2016年\n第二,乙任务。,乙局,2017年\n"
    with pytest.raises(AnnexFormatError) as failure:
        read_annex(text.encode(), format="csv")
    assert failure.value.line == 3
    assert "'第二' is not a number" in str(failure.value)


def test_csv_without_header_is_an_error() -> None:
    with pytest.raises(AnnexFormatError, match="no CSV header row"):
        read_annex(b"a,b,c\n1,2,3\n", format="csv")


def test_xlsx_with_merged_title_float_numbers_empty_rows() -> None:
    data = xlsx(
        [
            ["国务院关于促进云计算创新发展 培育信息产业新业态的意见 重点任务分工"],
            [None, None, None, None],
            ["序号", "工作任务", "负责单位", "时间进度"],
            [
                1.0,
                "实施云计算工程。",
                "发展改革委、工业和信息化部、科技部、财政部等",
                "2015 年开始实施",
            ],
            [None, None, None, None],
            [
                2.0,
                "引导企业有序发展专有云。\n（分步推进）",
                "工业和信息化部、发展改革委等",
                "2015—2017 年实施",
            ],
            ["三、保障措施", None, None, None],
            [12, "修订电信业务分类目录。", "工业和信息化部", dt.date(2015, 12, 31)],
        ]
    )
    annex = read_annex(data)
    assert annex.layout == "xlsx"
    assert [(t.number, t.line, t.section) for t in annex.tasks] == [
        (1, 4, None),
        (2, 6, None),
        (12, 8, "三、保障措施"),
    ]
    assert annex.tasks[1].text == "引导企业有序发展专有云。（分步推进）"
    assert annex.tasks[2].schedule_text == "2015年12月31日"
    assert annex.document.title is None  # the title row carries extra words
    assert read_annex(data, format="xlsx") == annex


def test_xlsx_first_sheet_with_a_header_and_english_columns() -> None:
    notes = [["说明"], ["本表由督查室维护"]]
    tasks = [
        ["No.", "Task", "Lead unit", "Co-responsible", "Deadline (planned)"],
        [1, "Build the platform.", "发展改革委", "财政部", "2016年底前"],
        [None, "And keep it running.", None, "科技部", None],
    ]
    annex = read_annex(xlsx(notes, tasks, merge_title=False), filename="annex.xlsx")
    (task,) = annex.tasks
    assert task.text == "Build the platform. And keep it running."
    assert (task.lead_text, task.co_text, task.schedule_text) == (
        "发展改革委",
        "财政部、科技部",
        "2016年底前",
    )


def test_xlsx_duplicate_number_names_the_row() -> None:
    data = xlsx(
        [
            ["序号", "任务", "责任单位"],
            [1, "甲。", "甲部"],
            [2, "乙。", "乙局"],
            [1.0, "丙。", "丙局"],
        ]
    )
    with pytest.raises(AnnexFormatError) as failure:
        read_annex(data)
    assert failure.value.line == 4
    assert "task 1 appears twice (lines 2 and 4)" in str(failure.value)


def test_xlsx_without_header_is_an_error() -> None:
    with pytest.raises(AnnexFormatError, match="no sheet has a header row"):
        read_annex(xlsx([["a", "b"], [1, 2]]))


@pytest.mark.parametrize(
    "data", [b"PK\x03\x04", b"PK\x03\x04" + b"\x00" * 200, b"not a zip at all"]
)
def test_broken_xlsx_is_an_error(data: bytes) -> None:
    with pytest.raises(AnnexFormatError, match="not a readable XLSX file"):
        read_annex(data, format="xlsx")
    if data.startswith(b"PK"):
        with pytest.raises(AnnexFormatError, match="not a readable XLSX file"):
            read_annex(data)


def test_csv_header_over_two_rows() -> None:
    annex = read_annex(
        "序号,重点,牵头,配合,完成\n,任务,单位,单位,时限\n1,建设平台。,科技部,财政部,2023年底前\n".encode(),
        filename="annex.csv",
    )
    (task,) = annex.tasks
    assert (task.number, task.text, task.lead_text, task.co_text, task.schedule_text) == (
        1,
        "建设平台。",
        "科技部",
        "财政部",
        "2023年底前",
    )


def test_xlsx_header_over_two_rows_under_a_title() -> None:
    data = xlsx(
        [
            ["重点任务分工表"],
            ["序号", "重点", "牵头", "完成"],
            [None, "任务", "单位", "时限"],
            [1, "建设平台。", "科技部", "2023年底前"],
        ]
    )
    annex = read_annex(data, filename="annex.xlsx")
    (task,) = annex.tasks
    assert (task.text, task.lead_text, task.schedule_text) == ("建设平台。", "科技部", "2023年底前")
