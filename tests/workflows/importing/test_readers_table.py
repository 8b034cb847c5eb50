"""The table layout in detail: headers, separators, noise between rows, wrapped cells."""

from __future__ import annotations

import pytest

from workflows.importing.model import RawTask
from workflows.importing.readers import read_annex

HEADER = "序号\t工作任务\t负责单位\t时间进度"


def rows(*lines: str, header: str = HEADER) -> list[RawTask]:
    annex = read_annex("\n".join(["正文。", "", header, *lines]).encode())
    assert annex.layout == "table"
    return list(annex.tasks)


def cells(task: RawTask) -> tuple[int, str, str, str]:
    return task.number, task.text, task.units_text, task.schedule_text


@pytest.mark.parametrize("task", ["工作任务", "重点任务", "任务", "主要任务"])
@pytest.mark.parametrize("units", ["负责单位", "责任单位"])
@pytest.mark.parametrize("schedule", ["时间进度", "完成时限", "完成时间", "进度安排"])
def test_header_names(task: str, units: str, schedule: str) -> None:
    header = f"序 号    {task}    {units}    {schedule}"
    (row,) = rows("1  实施云计算工程。  发展改革委、财政部等  2016年底前", header=header)
    assert cells(row) == (1, "实施云计算工程。", "发展改革委、财政部等", "2016年底前")


def test_column_order_follows_the_header() -> None:
    header = "序号\t完成时限\t牵头单位\t工作任务\t配合单位"
    (row,) = rows("1\t2016年底前\t发展改革委\t建设平台。\t财政部、科技部", header=header)
    assert (row.schedule_text, row.lead_text, row.text, row.co_text) == (
        "2016年底前",
        "发展改革委",
        "建设平台。",
        "财政部、科技部",
    )


def test_single_space_rows_are_cut_by_what_the_words_read_as() -> None:
    first, second, third = rows(
        "1 实施云计算工程。 发展改革委、工业和信息化部、科技部、财政部等 2015 年开始实施",
        "2 引导 企业 有序发展专有云。 工业和信息化部、发展改革委等 2015—2017 年实施",
        "3 建设数据中心。 某某数据局 持续推进",
    )
    assert cells(first) == (
        1,
        "实施云计算工程。",
        "发展改革委、工业和信息化部、科技部、财政部等",
        "2015 年开始实施",
    )
    assert cells(second) == (
        2,
        "引导 企业 有序发展专有云。",
        "工业和信息化部、发展改革委等",
        "2015—2017 年实施",
    )
    assert cells(third) == (3, "建设数据中心。", "某某数据局", "持续推进")


def test_single_space_row_with_lead_and_co_columns() -> None:
    header = "序号 重点任务 牵头单位 配合单位 完成时限"
    (row,) = rows("1 建设平台。 发展改革委 财政部、科技部 2016年底前", header=header)
    assert (row.text, row.lead_text, row.co_text, row.schedule_text) == (
        "建设平台。",
        "发展改革委",
        "财政部、科技部",
        "2016年底前",
    )


@pytest.mark.parametrize(
    "noise",
    [
        "— 3 —",
        "- 3 -",
        "—3—",
        "第 3 页",
        "第3页 共12页",
        "3/12",
        "002699",
        "电子学会012063",
        "扫描全能王 创建",
        "CamScanner",
        "此页无正文",
        "（此件公开发布）",
        "……",
        "* * *",
        HEADER,
        "序号  工作任务  负责单位  时间进度",
    ],
)
def test_noise_between_rows_and_inside_a_wrapped_row_is_ignored(noise: str) -> None:
    first, second = rows(
        "1\t实施云计算工程，\t发展改革委、\t2016年",
        "",
        noise,
        "",
        "\t加快推进。\t财政部等\t底前",
        noise,
        "2\t建设平台。\t科技部\t持续推进",
    )
    assert cells(first) == (1, "实施云计算工程，加快推进。", "发展改革委、财政部等", "2016年底前")
    assert cells(second) == (2, "建设平台。", "科技部", "持续推进")


def test_wrapped_lines_without_tabs_join_the_unfinished_cell() -> None:
    first, second, third = rows(
        "1  引导企业在充分利用公共云计算服务资源的基础上，  工业和信息化部、发展改革委、  2015—",
        "   国资委、网信办等",
        "   利用安全可靠的云计算解决方案，有序发展专有云。",
        "2  开展试点示范。  发展改革委、财政部等  2015—2017 年实施",
        "地方各级人民政府",
        "3  支持企业开拓国际市场。  商务部、发展改革委、工业和信息化  2015—2017",
        "部、财政部等",
        "年实施",
    )
    assert cells(first) == (
        1,
        "引导企业在充分利用公共云计算服务资源的基础上，利用安全可靠的云计算解决方案，有序发展专有云。",
        "工业和信息化部、发展改革委、国资委、网信办等",
        "2015—",
    )
    assert second.units_text == "发展改革委、财政部等地方各级人民政府"
    assert cells(third)[2:] == ("商务部、发展改革委、工业和信息化部、财政部等", "2015—2017年实施")


def test_wrapped_line_with_several_cells_is_spread_left_to_right() -> None:
    (row,) = rows(
        "1     引导企业在充分利用公共云计算服务资源的基础上，利"
        "  工业和信息化部、发展改革委、  2015—2017 年",
        "      用安全可靠的云计算解决方案，有序发展专有云。"
        "      国资委、网信办等              实施",
    )
    assert cells(row) == (
        1,
        "引导企业在充分利用公共云计算服务资源的基础上，利用安全可靠的云计算解决方案，有序发展专有云。",
        "工业和信息化部、发展改革委、国资委、网信办等",
        "2015—2017 年实施",
    )


def test_one_cell_per_line_as_copied_from_a_pdf_viewer() -> None:
    first, second = rows(
        "1",
        "实施云计算工程。",
        "发展改革委、工业和信息化部、科技部、财政部等",
        "2015 年开始实施",
        "2",
        "引导设立一批云计算创业投资基金。",
        "发展改革委、财政部等",
        "2015—2017年实施",
    )
    assert cells(first) == (
        1,
        "实施云计算工程。",
        "发展改革委、工业和信息化部、科技部、财政部等",
        "2015 年开始实施",
    )
    assert cells(second) == (
        2,
        "引导设立一批云计算创业投资基金。",
        "发展改革委、财政部等",
        "2015—2017年实施",
    )


def test_a_lone_number_that_does_not_follow_on_is_a_page_number() -> None:
    (first, second) = rows("1\t甲任务。\t甲部\t2016年", "7", "2\t乙任务。\t乙局\t2017年")
    assert (first.number, first.text, second.number) == (1, "甲任务。", 2)


def test_ascii_words_keep_one_space_when_joined() -> None:
    (row,) = rows("1\t推进 cloud\t甲部\t2016年", "\tcomputing 和 AI 应用。")
    assert row.text == "推进 cloud computing 和 AI 应用。"


def test_section_rows_inside_the_table() -> None:
    first, second = rows(
        "一、完善市场环境",
        "1\t甲任务。\t甲部\t2016年",
        "（二）建立健全法规制度",
        "2\t乙任务。\t乙局\t2017年",
    )
    assert (first.section, second.section) == ("一、完善市场环境", "（二）建立健全法规制度")


@pytest.mark.parametrize(
    "end",
    [
        "抄送：党中央各部门。",
        "抄送 各民主党派中央",
        "主送：各省人民政府",
        "国务院办公厅秘书局 2015年1月8日印发",
    ],
)
def test_the_table_ends_at_the_distribution_lines(end: str) -> None:
    (row,) = rows("1\t甲任务。\t甲部\t2016年", "", end, "2\t乙任务。\t乙局\t2017年")
    assert row.number == 1


def test_full_width_numbers_and_ideographic_spaces() -> None:
    (row,) = rows("１\u3000\u3000甲任务。\u3000\u3000甲部、乙局\u3000\u30002016年底前")
    assert cells(row) == (1, "甲任务。", "甲部、乙局", "2016年底前")


def test_header_with_columns_the_reader_does_not_use() -> None:
    header = "序号\t主要任务\t具体措施\t责任单位\t完成时限\t进展情况"
    (row,) = rows("1\t甲任务。\t分步推进。\t甲部\t2016年\t已启动", header=header)
    assert cells(row) == (1, "甲任务。", "甲部", "2016年")


@pytest.mark.parametrize(
    ("top", "bottom"),
    [
        ("序号\t重点\t牵头\t完成", "\t任务\t单位\t时限"),  # 序号 printed once, over both lines
        ("序\t重点\t牵头\t完成", "号\t任务\t单位\t时限"),
        ("序号  重点  牵头  完成", "任务  单位  时限"),
    ],
)
def test_a_header_printed_over_two_lines(top: str, bottom: str) -> None:
    annex = read_annex(
        "\n".join(
            [
                top,
                bottom,
                "1\t建设平台。\t科技部\t2023年底前",
                "2\t推进共享。\t商务部\t2024年6月底前",
            ]
        ).encode()
    )
    assert annex.layout == "table"
    assert [(t.number, t.text, t.lead_text, t.schedule_text) for t in annex.tasks] == [
        (1, "建设平台。", "科技部", "2023年底前"),
        (2, "推进共享。", "商务部", "2024年6月底前"),
    ]


def test_two_short_lines_that_name_columns_are_no_header() -> None:
    # Fewer than three cells on the first line: prose, not the top of a table.
    annex = read_annex("序号 工作\n任务 负责单位\n1.建设平台。（科技部负责）".encode())
    assert annex.layout == "inline"
    assert [(t.number, t.units_text) for t in annex.tasks] == [(1, "科技部")]
