"""Responsibility notes the inline layout finds: several in one paragraph, one for several
tasks, and rule notes joined with 。 (issue 13, item 3)."""

from __future__ import annotations

import pytest

from workflows.errors import AnnexFormatError
from workflows.importing.interpret import AnnexTask, interpret_annex
from workflows.importing.readers import read_annex


def _tasks(text: str) -> dict[int, AnnexTask]:
    raw = read_annex(text.encode())
    return {task.number: task for task in interpret_annex(raw, issued_on=None)}


def _units(task: AnnexTask) -> list[tuple[str, str]]:
    return [(unit.name, unit.role) for unit in task.units.units]


def test_notes_in_the_middle_of_a_paragraph_name_units_too() -> None:
    """推进甲（发展改革委负责）。推进乙（财政部负责，…）: both units, both deadlines."""
    tasks = _tasks(
        "一、重点任务\n"
        "1.建设平台。推进数据共享（发展改革委负责，2016年6月底前完成）。"
        "推进业务协同（含负责人培训）（财政部负责，2016年底前完成）。\n"
        "2.完善制度。（科技部负责）\n"
    )
    assert _units(tasks[1]) == [("发展改革委", "lead"), ("财政部", "co")]
    assert "推进数据共享（发展改革委负责，2016年6月底前完成）" in tasks[1].text
    assert tasks[1].schedule.text == "2016年6月底前完成，2016年底前完成"
    assert _units(tasks[2]) == [("科技部", "lead")]


def test_several_tasks_sharing_one_note() -> None:
    """（以上两项由…）covers the task before it; tasks after take their own notes."""
    tasks = _tasks(
        "一、重点任务\n"
        "1.建设甲平台。\n"
        "2.建设乙平台。（以上两项由科技部牵头，教育部参与，2017年底前完成）\n"
        "3.建设丙平台。（财政部负责）\n"
        "4.建设丁平台。\n"
        "5.建设戊平台。\n"
        "6.建设己平台。（上述各项均由商务部负责）\n"
    )
    assert sorted(tasks) == [1, 2, 3, 4, 5, 6]
    for number in (1, 2):
        assert _units(tasks[number]) == [("科技部", "lead"), ("教育部", "co")]
        assert tasks[number].schedule.text == "2017年底前完成"
    assert _units(tasks[3]) == [("财政部", "lead")]
    for number in (4, 5, 6):
        assert _units(tasks[number]) == [("商务部", "lead")]


def test_a_shared_note_covers_only_as_many_tasks_as_it_says() -> None:
    """以上两项 covers two tasks: a third note-less one before them names no unit (an error)."""
    with pytest.raises(AnnexFormatError, match="task 2 names no responsible unit"):
        _tasks(
            "一、重点任务\n"
            "1.建设甲平台。（财政部负责）\n"
            "2.建设乙平台。\n"
            "3.建设丙平台。\n"
            "4.建设丁平台。（以上两项由科技部负责）\n"
        )


def test_a_rule_note_after_a_full_stop_keeps_the_units_before_it() -> None:
    tasks = _tasks(
        "1.推进工作甲。（发展改革委、财政部、商务部负责。列第一位者为牵头单位，下同）\n"
        "2.推进工作乙。（科技部、教育部负责）\n"
    )
    assert _units(tasks[1]) == [("发展改革委", "lead"), ("财政部", "co"), ("商务部", "co")]
    assert _units(tasks[2]) == [("科技部", "lead"), ("教育部", "co")]


def test_notes_inside_a_paragraph_keep_their_roles_and_printed_order() -> None:
    """（甲牵头，乙参与） then （丙指导） then the closing （丁负责）: in the order printed."""
    tasks = _tasks(
        "（一）健全监测网络。\n"
        "布设监测站点。\n"
        "（生态环境部牵头，统计局参与）\n"
        "统一数据口径。\n"
        "（财政部指导）\n"
        "发布年度报告。\n"
        "（市场监管总局负责）\n"
    )
    units = tasks[1].units.units
    assert [(u.name, u.role, u.marker) for u in units] == [
        ("生态环境部", "lead", None),
        ("统计局", "co", None),
        ("财政部", "co", "guide"),
        ("市场监管总局", "co", None),
    ]
