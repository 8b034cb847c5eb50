"""Export files: CSV that Excel reads as UTF-8, and a typed, coloured XLSX workbook."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import replace

import openpyxl

from bot.files.workbooks import display_width, export_tables, file_name, to_csv, to_xlsx
from db.enums import ReportStatus, Role, TaskState
from workflows.exports import ExportData, HistoryKind, HistoryRow, MatrixRow
from workflows.lights import Light

NOW = dt.datetime(2016, 3, 1, 2, 0, tzinfo=dt.UTC)
TASK = "充分发挥国家科技计划、科技重大专项的作用，支持企业、高校和科研机构加强云计算关键技术研发。"


def _row(agency: str, role: Role, light: Light, **changes: object) -> MatrixRow:
    """A matrix row of task 3 with a report, changed as asked."""
    values: dict[str, object] = {
        "plan": "gf-2015-5",
        "number": 3,
        "task": TASK,
        "task_state": TaskState.OPEN,
        "agency": agency,
        "role": role,
        "acknowledged_at": NOW,
        "status": ReportStatus.BLOCKED,
        "percent": 30,
        "note": "缺少经费",
        "reported_at": NOW + dt.timedelta(hours=1, minutes=5, seconds=7),
        "light": light,
        "due_on": dt.date(2017, 12, 31),
        "next_date": dt.date(2016, 12, 31),
    }
    values.update(changes)
    return MatrixRow(**values)  # type: ignore[arg-type]


DATA = ExportData(
    plan_code="gf-2015-5",
    agency=None,
    generated_at=NOW,
    timezones={"gf-2015-5": "Asia/Shanghai"},
    matrix=(
        _row("科技部", Role.LEAD, Light.RED),
        _row(
            "发展改革委",
            Role.CO,
            Light.RED,
            acknowledged_at=None,
            status=None,
            percent=None,
            note='=HYPERLINK("http://evil")',
            reported_at=None,
        ),
        _row("工业和信息化部", Role.LEAD, Light.GREEN, number=2, task="引导企业。"),
    ),
    history=(
        HistoryRow(NOW, "gf-2015-5", None, HistoryKind.CHANGE, None, "cli", action="plan.import"),
        HistoryRow(
            NOW + dt.timedelta(hours=1),
            "gf-2015-5",
            3,
            HistoryKind.REPORT,
            "科技部",
            "小李",
            status=ReportStatus.BLOCKED,
            percent=30,
            note="缺少经费",
        ),
        HistoryRow(
            NOW + dt.timedelta(days=1),
            "gf-2015-5",
            3,
            HistoryKind.CHANGE,
            None,
            "主任",
            action="milestone.due_moved",
            before={"due_on": "2017-12-31", "milestone_id": 4},
            after={"due_on": "2018-06-30", "reason": "批准延期", "milestone_id": 4},
        ),
    ),
)


def _csv(data: bytes) -> list[list[str]]:
    """CSV bytes parsed the way a spreadsheet would read them."""
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that tells Excel it is UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_matrix_csv_is_utf8_with_bom_and_chinese_intact() -> None:
    """Header, Chinese text, local times, ISO dates; a note cannot become a formula."""
    matrix, _ = export_tables(DATA, "zh")
    rows = _csv(to_csv(matrix))
    assert rows[0] == [
        "计划",
        "序号",
        "工作任务",
        "单位",
        "分工",
        "签收时间",
        "最新进展",
        "完成进度（%）",
        "最新备注",
        "报告时间",
        "红黄绿灯",
        "完成时限",
        "下一节点",
        "办理状态",
    ]
    assert rows[1] == [
        "gf-2015-5",
        "3",
        TASK,
        "科技部",
        "牵头",
        "2016-03-01 10:00",
        "受阻",
        "30",
        "缺少经费",
        "2016-03-01 11:05",
        "红灯",
        "2017-12-31",
        "2016-12-31",
        "在办",
    ]
    assert rows[2][3:10] == ["发展改革委", "配合", "", "", "", '\'=HYPERLINK("http://evil")', ""]
    assert len(rows) == 4


def test_history_csv_in_english() -> None:
    """The history table: kinds, actions, changed fields without internal ids."""
    _, history = export_tables(DATA, "en")
    rows = _csv(to_csv(history))
    assert rows[0] == [
        "Time",
        "Plan",
        "No.",
        "Kind",
        "Unit",
        "By",
        "What",
        "Percent done",
        "Details",
    ]
    assert rows[1] == [
        "2016-03-01 10:00",
        "gf-2015-5",
        "",
        "change",
        "",
        "cli",
        "annex imported",
        "",
        "",
    ]
    assert rows[2][3:] == ["status report", "科技部", "小李", "reported blocked", "30", "缺少经费"]
    assert rows[3][6:] == [
        "due date moved",
        "",
        "due on: 2017-12-31 → 2018-06-30; reason given: — → 批准延期",
    ]


def test_xlsx_sheets_types_and_colours() -> None:
    """Two sheets with frozen headers; numbers, dates and times typed; lights as fills."""
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(export_tables(DATA, "zh"), created=NOW)))
    assert workbook.sheetnames == ["状态矩阵", "报告与变更记录"]
    matrix, history = workbook.worksheets
    assert matrix.freeze_panes == "A2"
    assert history.freeze_panes == "A2"
    assert matrix.max_row == 4
    assert history.max_row == 4
    assert matrix["A1"].value == "计划"
    assert matrix["A1"].font.bold
    assert matrix["B2"].value == 3
    assert matrix["B2"].data_type == "n"
    assert matrix["C2"].value == TASK
    assert matrix["L2"].is_date
    assert matrix["L2"].value.isoformat() == "2017-12-31T00:00:00"
    assert matrix["L2"].number_format == "yyyy-mm-dd"
    assert matrix["J2"].is_date
    assert matrix["J2"].value.isoformat() == "2016-03-01T11:05:00"
    assert matrix["H3"].value is None
    assert matrix["I3"].value == '=HYPERLINK("http://evil")'
    assert matrix["I3"].data_type == "s"  # text, never a formula
    fills = [matrix.cell(row=r, column=11).fill.fgColor.rgb for r in (2, 3, 4)]
    assert fills == ["00FFC7CE", "00FFC7CE", "00C6EFCE"]
    assert [matrix.cell(row=r, column=11).value for r in (2, 3, 4)] == ["红灯", "红灯", "绿灯"]
    assert history["A3"].value.isoformat() == "2016-03-01T11:00:00"
    assert history["G3"].value == "受阻"
    assert history["H3"].value == 30


def test_xlsx_prints_for_a_meeting() -> None:
    """Landscape, one page wide, the header row on every page, the plan and day in the header."""
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(export_tables(DATA, "zh"), created=NOW)))
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.oddHeader.left.text == "gf-2015-5 · 2016-03-01"
        assert sheet.oddHeader.right.text == sheet.title
        assert sheet.oddFooter.center.text == "&P / &N"


def test_xlsx_page_header_names_the_agency_or_all_plans() -> None:
    """Several plans print as 全部计划; an agency's export names it; & is printed, not a code."""
    both = replace(
        DATA,
        plan_code=None,
        agency="R&D 办",
        timezones={"gf-2015-5": "Asia/Shanghai", "gf-2016-1": "Asia/Shanghai"},
    )
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(export_tables(both, "zh"), created=NOW)))
    assert workbook.active.oddHeader.left.text == "全部计划 · R&&D 办 · 2016-03-01"
    english = export_tables(replace(both, agency=None), "en")[0]
    assert english.heading == "all plans · 2016-03-01"


def test_xlsx_columns_fit_chinese_text() -> None:
    """Chinese counts double: the unit column is wider than its longest name needs in ASCII."""
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(export_tables(DATA, "en"), created=NOW)))
    matrix = workbook["Matrix"]
    assert workbook.sheetnames == ["Matrix", "History"]
    assert matrix.column_dimensions["D"].width >= display_width("工业和信息化部") == 14
    assert matrix.column_dimensions["C"].width <= 62  # long task text wraps instead
    assert matrix["C2"].alignment.wrap_text
    assert matrix.column_dimensions["B"].width < matrix.column_dimensions["D"].width


def test_display_width_and_file_names() -> None:
    """Wide characters count two columns; file names keep Chinese and lose path separators."""
    assert display_width("科技部") == 6
    assert display_width("abc（1）") == 8
    day = dt.date(2016, 3, 1)
    assert (
        file_name(plan_code=None, agency="科技部", part="matrix", day=day, extension="csv")
        == "annexbot-all-科技部-matrix-20160301.csv"
    )
    assert (
        file_name(plan_code="a/b", agency=None, part="", day=day, extension="xlsx")
        == "annexbot-a_b-20160301.xlsx"
    )
