"""The inline and labelled layouts in detail."""

from __future__ import annotations

import pytest

from workflows.errors import AnnexFormatError
from workflows.importing.interpret import interpret_annex
from workflows.importing.model import RawAnnex, RawTask
from workflows.importing.readers import read_annex


def read(*lines: str) -> RawAnnex:
    return read_annex("\n".join(lines).encode())


def only(annex: RawAnnex) -> RawTask:
    (task,) = annex.tasks
    return task


@pytest.mark.parametrize("number", ["7.", "7．", "7、", "（7）", "(7)", "７．"])
def test_inline_numbering(number: str) -> None:
    task = only(
        read(
            "一、加强统筹规划",
            f"{number}建立共享目录。推进共享。（甲部、乙局负责，2016年底前完成）",
        )
    )
    assert (task.number, task.text, task.units_text, task.schedule_text) == (
        7,
        "建立共享目录。推进共享。",
        "甲部、乙局",
        "2016年底前完成",
    )
    assert task.section == "一、加强统筹规划"


def test_a_task_number_that_reads_as_a_decimal_runs_the_count_on() -> None:
    first, second = read(
        "1.推行一窗受理。（市政务服务局负责）",
        "2.12345热线整合。（市政务服务局负责）",
    ).tasks
    assert (second.number, second.text) == (2, "12345热线整合。")
    assert first.text == "推行一窗受理。"


def test_a_decimal_inside_an_unfinished_task_stays_in_its_text() -> None:
    first, second = read(
        "1.提高办理效率，力争平均时限压缩到",
        "2.5个工作日。（市政务服务局负责）",
        "2.整合服务热线。（市政务服务局负责）",
    ).tasks
    assert first.text == "提高办理效率，力争平均时限压缩到2.5个工作日。"
    assert (second.number, second.text) == (2, "整合服务热线。")


@pytest.mark.parametrize(
    ("parenthetical", "units", "lead", "co", "schedule"),
    [
        ("（甲部、乙局负责，2016年底前完成）", "甲部、乙局", "", "", "2016年底前完成"),
        ("(甲部、乙局负责，2016年底前完成)", "甲部、乙局", "", "", "2016年底前完成"),
        (
            "（发展改革委牵头，财政部、科技部参与，2016年底前完成）",
            "",
            "发展改革委",
            "财政部、科技部",
            "2016年底前完成",
        ),
        ("（财政部负责）", "财政部", "", "", ""),
        ("（发展改革委、财政部负责，持续推进）", "发展改革委、财政部", "", "", "持续推进"),
        (
            "（发展改革委、财政部负责，列第一位者为牵头部门，下同）",
            "发展改革委、财政部",
            "",
            "",
            "",
        ),
        ("（2017年底前完成，教育部负责）", "教育部", "", "", "2017年底前完成"),
        ("（发展改革委牵头，财政部配合）", "", "发展改革委", "财政部", ""),
        (
            "（甲部等，地方各级人民政府负责，长期坚持）",
            "甲部等，地方各级人民政府",
            "",
            "",
            "长期坚持",
        ),
        ("（各地区、各部门按职责分工负责）", "各地区、各部门", "", "", ""),
        ("（发展改革委会同财政部、科技部负责）", "", "发展改革委", "财政部、科技部", ""),
    ],
)
def test_inline_parentheticals(
    parenthetical: str, units: str, lead: str, co: str, schedule: str
) -> None:
    task = only(read(f"1.建立共享目录。{parenthetical}"))
    assert task.text == "建立共享目录。"
    assert (task.units_text, task.lead_text, task.co_text, task.schedule_text) == (
        units,
        lead,
        co,
        schedule,
    )


def test_inline_paragraph_wrapping_over_lines_and_a_page_break() -> None:
    task = only(
        read(
            "1.建立政务信息资源共享",
            "目录，推进数据",
            "",
            "— 2 —",
            "",
            "共享。（发展改革委、",
            "财政部负责，2016年底前完成）",
        )
    )
    assert task.text == "建立政务信息资源共享目录，推进数据共享。"
    assert (task.units_text, task.schedule_text) == ("发展改革委、财政部", "2016年底前完成")


def test_inline_text_keeps_its_own_parentheses() -> None:
    task = only(read("1.建设艾字节（EB）级存储系统（研发）。（科技部负责）"))
    assert (task.text, task.units_text) == ("建设艾字节（EB）级存储系统（研发）。", "科技部")


def test_inline_preamble_and_closing_paragraphs_are_not_tasks() -> None:
    annex = read(
        "一、总体要求",
        "1.坚持统筹规划。加强集约化建设。",
        "各地区要高度重视。",
        "二、重点任务",
        "1.建立共享目录。（甲部负责）",
        "2.推进数据开放。（乙局负责）",
        "三、组织保障",
        "1.加强组织领导。",
    )
    assert [(t.number, t.units_text, t.section) for t in annex.tasks] == [
        (1, "甲部", "二、重点任务"),
        (2, "乙局", "二、重点任务"),
    ]


def test_inline_sub_items_stay_in_their_task() -> None:
    first, second = read(
        "1.完善制度：", "（1）修订目录；", "（2）出台办法。（甲部负责）", "2.推进共享。（乙局负责）"
    ).tasks
    assert (first.number, first.text) == (1, "完善制度：（1）修订目录；（2）出台办法。")
    assert (second.number, second.units_text) == (2, "乙局")


def test_measures_with_their_own_notes_under_a_noted_task_number_by_position() -> None:
    # 国办发〔2020〕43号: （一） carries a note, and so does each 具体措施 1. 2. below it: both
    # are tasks, numbered by position, and （一） is the section of its measures.
    annex = read(
        "一、提高宏观政策实施的精准性",
        "（一）落实减税降费政策。（财政部、税务总局等按职责分工负责）",
        "具体措施：",
        "1.完善财政资金直达机制。（财政部牵头，各地区按职责分工负责）",
        "2.简化税费优惠政策适用程序。（税务总局负责）",
        "（二）优化政府服务。（国务院办公厅负责）",
        "具体措施：",
        "1.推进一网通办。（国务院办公厅牵头）",
    )
    numbers = [(task.number, task.text, task.section) for task in annex.tasks]
    assert numbers == [
        (1, "落实减税降费政策。", "一、提高宏观政策实施的精准性"),
        (2, "完善财政资金直达机制。", "（一）落实减税降费政策"),
        (3, "简化税费优惠政策适用程序。", "（一）落实减税降费政策"),
        (4, "优化政府服务。", "一、提高宏观政策实施的精准性"),
        (5, "推进一网通办。", "（二）优化政府服务"),
    ]
    assert (annex.tasks[1].lead_text, annex.tasks[1].units_text) == ("财政部", "各地区")


def test_inline_bare_unit_lists_in_hexagonal_brackets() -> None:
    # 国家能源局 2022年定点帮扶工作要点: 〔…〕 lists the departments and offices, no role word.
    first, second = read(
        "（一）持续提升供电保障能力。推进农村电网建设。〔新能源司、电力司，华中能源监管局〕",
        "（二）开展党支部结对共建。〔机关党委（人事司），有结对任务的单位〕",
        "（三）着力提升帮扶成效。各单位要持续推进既有帮扶举措〔2022〕。",
    ).tasks
    assert (first.text, first.units_text) == (
        "持续提升供电保障能力。推进农村电网建设。",
        "新能源司、电力司，华中能源监管局",
    )
    assert first.rule == "inline bracketed units, numbered （一）"
    assert second.units_text == "机关党委（人事司），有结对任务的单位"


@pytest.mark.parametrize(
    "ending", ["（试行）", "（2021—2025年）", "〔2022〕", "【详见附件】", "（详见指导意见）"]
)
def test_inline_bracketed_prose_is_not_a_note(ending: str) -> None:
    with pytest.raises(AnnexFormatError):
        read(f"1.建立共享目录{ending}", f"2.推进数据开放{ending}")


def test_inline_guide_notes_and_a_standing_note() -> None:
    # 指导 names guides; a note said once names who does every later task.
    first, second = read(
        "（一）完善工作机制。",
        "建立联席会议制度。",
        "（民政部指导，各区政府负责落实。以下均需各区政府落实，不再列出）",
        "（二）加强队伍建设。",
        "开展业务培训。",
        "（人力资源社会保障部、教育部指导）",
    ).tasks
    assert first.units_text == "民政部指导，各区政府"
    assert second.units_text == "各区政府负责，人力资源社会保障部、教育部指导"
    assert second.rule.endswith("standing note （以下均需各区政府落实）")


def test_inline_task_with_a_note_for_each_of_its_paragraphs() -> None:
    # A title, then paragraphs each closed by a note line of their own.
    first, second = read(
        "（五）优化营商环境。",
        "简化审批流程。",
        "（市场监管总局负责）",
        "规范涉企收费。",
        "（国家发展改革委、财政部负责）",
        "（六）加强人才支撑。",
        "引进急需紧缺人才。",
        "（人力资源社会保障部、科技部负责）",
        "各地区要认真组织实施。",
    ).tasks
    assert (first.number, first.units_text) == (5, "市场监管总局，国家发展改革委、财政部")
    assert first.text.endswith("规范涉企收费。")
    assert (second.number, second.units_text) == (6, "人力资源社会保障部、科技部")
    assert "组织实施" not in second.text


def test_inline_task_without_units_inside_the_list_is_an_error() -> None:
    with pytest.raises(AnnexFormatError) as failure:
        read("1.建立共享目录。（甲部负责）", "", "2.推进数据开放。", "3.加强安全保障。（乙局负责）")
    assert failure.value.line == 3
    assert "task 2 names no responsible unit" in str(failure.value)
    assert str(failure.value).startswith("line 3:")


def test_labelled_values_wrap_and_labels_share_lines() -> None:
    annex = read(
        "1. 建设国家数据共享交换平台，",
        "实现互联互通。",
        "牵头单位：发展改革委；配合单位：工业和信息化部、",
        "公安部",
        "完成时限: 2017年底前",
        "",
        "说明文字不属于任何字段。",
        "2、开展试点。",
        "【责任单位】：财政部",
        "时间进度：持续推进",
    )
    assert annex.layout == "labelled"
    first, second = annex.tasks
    assert first.text == "建设国家数据共享交换平台，实现互联互通。"
    assert (first.lead_text, first.co_text) == ("发展改革委", "工业和信息化部、公安部")
    assert first.schedule_text == "2017年底前"
    assert (second.units_text, second.schedule_text) == ("财政部", "持续推进")


def test_labelled_lines_with_a_leader_and_responsibility_labels() -> None:
    annex = read(
        "一、稳定经济增长",
        "1﹒地区生产总值增长6%左右。",
        "牵头负责领导:张明。",
        "牵头责任单位:市发展改革委。",
        "协同责任单位:市财政局、市统计局等。",
        "2﹒城镇新增就业2万人。",
        "责任领导:李华。",
        "牵头责任单位:市人力资源社会保障局。",
    )
    assert annex.tasks[0].rule == "labelled lines, numbered 1."
    first, second = interpret_annex(annex, issued_on=None)
    assert (first.number, first.text) == (1, "地区生产总值增长6%左右。")
    assert [(u.name, u.role) for u in first.units.units] == [
        ("市发展改革委", "lead"),
        ("市财政局", "co"),
        ("市统计局", "co"),
    ]
    assert (first.units.note, first.units.open_list) == ("张明", True)
    assert [(u.name, u.role) for u in second.units.units] == [("市人力资源社会保障局", "lead")]
    assert (second.number, second.units.note) == (2, "李华")


def test_labelled_task_without_units_is_an_error() -> None:
    with pytest.raises(AnnexFormatError) as failure:
        read(
            "1.甲任务。",
            "牵头单位：甲部",
            "2.乙任务。",
            "完成时限：2016年",
            "3.丙任务。",
            "负责单位：丙局",
        )
    assert failure.value.line == 3
    assert "task 2 names no responsible unit" in str(failure.value)


def test_labelled_sub_items_stay_in_their_task() -> None:
    first, second = read(
        "1.完善制度：",
        "（1）修订目录；",
        "（2）出台办法。",
        "牵头单位：甲部",
        "2.推进共享。",
        "牵头单位：乙局",
    ).tasks
    assert (first.number, first.text) == (1, "完善制度：（1）修订目录；（2）出台办法。")
    assert (second.number, second.lead_text) == (2, "乙局")
