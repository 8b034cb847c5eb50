"""The annex readers on whole documents: the seed and one fixture per layout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workflows.importing.model import RawAnnex, RawTask
from workflows.importing.readers import Format, read_annex

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str, *, format: Format = "auto", filename: str | None = None) -> RawAnnex:
    return read_annex((FIXTURES / name).read_bytes(), format=format, filename=filename)


def by_number(annex: RawAnnex) -> dict[int, RawTask]:
    return {task.number: task for task in annex.tasks}


@pytest.fixture(scope="module")
def seed() -> RawAnnex:
    return read("gf-2015-5-zh.txt")


def test_seed_gives_the_23_tasks_in_order(seed: RawAnnex) -> None:
    assert seed.layout == "table"
    assert [task.number for task in seed.tasks] == list(range(1, 24))


def test_seed_cells(seed: RawAnnex) -> None:
    tasks = by_number(seed)
    assert tasks[5].units_text == (
        "发展改革委、工业和信息化部、网信办、财政部、科技部、保密局、密码局等，地方各级人民政府"
    )
    assert tasks[5].schedule_text == "2015—2017 年实施"
    assert tasks[12].schedule_text == "2015年出台"
    assert tasks[1].schedule_text == "2015 年开始实施"
    assert tasks[1].text == "实施云计算工程。"
    assert tasks[1].units_text == "发展改革委、工业和信息化部、科技部、财政部等"
    assert tasks[23].units_text == "商务部、发展改革委、工业和信息化部、财政部等"


def test_seed_rows_keep_their_lines_and_nothing_from_the_body(seed: RawAnnex) -> None:
    tasks = by_number(seed)
    assert tasks[1].line == 122
    assert tasks[8].line == 131  # after the repeated header
    assert all(not task.lead_text and not task.co_text for task in seed.tasks)
    assert all(task.section is None for task in seed.tasks)
    assert not any("序号" in task.text or "抄送" in task.text for task in seed.tasks)


def test_seed_document_head(seed: RawAnnex) -> None:
    assert seed.document.number == "国发〔2015〕5号"
    assert seed.document.title == "国务院关于促进云计算创新发展 培育信息产业新业态的意见"
    assert seed.document.issued_on == dt.date(2015, 1, 6)


def test_seed_in_gb18030_with_crlf_reads_the_same(seed: RawAnnex) -> None:
    text = (FIXTURES / "gf-2015-5-zh.txt").read_text(encoding="utf-8")
    assert read_annex(text.replace("\n", "\r\n").encode("gb18030")) == seed
    assert read_annex(text.replace("\n", "\r").encode("utf-8-sig")) == seed


def test_space_separated_table_with_noise_matches_the_seed(seed: RawAnnex) -> None:
    annex = read("table-spaces.txt")
    assert annex.layout == "table"
    expected = by_number(seed)
    assert [task.number for task in annex.tasks] == list(range(1, 24))
    for task in annex.tasks:
        want = expected[task.number]
        assert (task.number, task.text) == (want.number, want.text)
        assert (task.number, task.units_text) == (want.number, want.units_text)
        # A wrapped schedule loses the space the seed printed before 年; nothing else changes.
        assert task.schedule_text.replace(" ", "") == want.schedule_text.replace(" ", "")


def test_space_separated_table_wrapped_cells_and_head() -> None:
    annex = read("table-spaces.txt")
    tasks = by_number(annex)
    assert tasks[1].schedule_text == "2015 年开始实施"  # a single-space row
    assert tasks[5].schedule_text == "2015—2017年实施"  # wrapped over three lines
    assert tasks[2].schedule_text == "2015—2017 年实施"
    assert tasks[16].line < tasks[17].line  # task 16 runs on across a page break
    assert annex.document.number == "国发〔2015〕5号"  # printed as 国发[2015]5号
    assert annex.document.title == "国务院关于促进云计算创新发展培育信息产业新业态的意见"
    assert annex.document.issued_on == dt.date(2015, 1, 6)


def test_table_with_lead_and_co_columns_sections_and_tab_continuations() -> None:
    annex = read("table-lead-co-gb18030.txt")
    assert annex.layout == "table"
    tasks = by_number(annex)
    assert list(tasks) == [1, 2, 3, 4, 5, 6]
    assert tasks[1].lead_text == "发展改革委"
    assert tasks[1].co_text == "网信办、财政部、法制办"
    assert tasks[1].units_text == ""
    assert tasks[1].section == "一、健全共享制度"
    assert tasks[3].text == "建设国家数据共享交换平台，实现与地方平台互联互通。"
    assert tasks[3].co_text == "工业和信息化部、公安部、保密局、密码局"
    assert tasks[3].section == "二、建设共享平台"
    assert tasks[4].lead_text == "公安部、工商总局、国土资源部"
    assert tasks[5].co_text == ""
    assert tasks[6].schedule_text == "2018年起每年开展"
    assert tasks[6].section == "三、强化保障措施"
    assert annex.document.number == "国办发〔2016〕51号"
    assert annex.document.title == "国务院办公厅关于加快推进政务信息资源共享的实施意见"
    assert annex.document.issued_on == dt.date(2016, 9, 5)


def test_inline_fixture() -> None:
    annex = read("inline.txt")
    assert annex.layout == "inline"
    tasks = by_number(annex)
    assert list(tasks) == [1, 2, 3, 4, 5, 6, 7]
    assert (tasks[1].units_text, tasks[1].schedule_text) == ("发展改革委、财政部", "")
    assert tasks[1].section == "二、优化再造政务服务"
    assert tasks[1].text.startswith("规范网上服务事项。各地区、各部门要")
    assert tasks[2].text.endswith(
        "缩短办理时限，降低企业和群众办事成本。凡是能通过网络共享复用的材料，不得要求企业和群众重复提交。"
    )
    assert (tasks[2].lead_text, tasks[2].co_text) == ("国务院办公厅", "各部门")
    assert tasks[2].schedule_text == "2017年底前完成"
    assert (tasks[3].units_text, tasks[3].schedule_text) == ("各省级人民政府", "持续推进")
    assert tasks[4].units_text == "国务院办公厅、发展改革委"  # half-width parentheses, （4）
    assert tasks[4].section == "三、融合升级平台渠道"
    assert tasks[5].co_text == "发展改革委、工业和信息化部、公安部"
    assert tasks[5].schedule_text == "2018年底前完成"
    assert (tasks[6].lead_text, tasks[6].co_text) == ("发展改革委", "有关部门")
    assert (tasks[7].units_text, tasks[7].section) == ("法制办", "四、夯实支撑基础")
    assert annex.document.number == "国发〔2016〕55号"
    assert annex.document.title == "国务院关于加快推进“互联网+政务服务”工作的指导意见"
    assert annex.document.issued_on == dt.date(2016, 9, 25)


def test_labelled_fixture() -> None:
    annex = read("labelled.txt")
    assert annex.layout == "labelled"
    tasks = by_number(annex)
    assert list(tasks) == [1, 2, 3, 4, 5]
    assert tasks[1].text == (
        "加大对云计算关键技术研发的支持力度，突破大规模资源管理与调度、运行监控与安全保障、"
        "艾字节级数据存储与处理等关键技术。"
    )
    assert (tasks[1].lead_text, tasks[1].co_text) == ("科技部", "工业和信息化部、发展改革委")
    assert tasks[1].schedule_text == "2017—2019年"
    assert tasks[2].co_text == "科技部、发展改革委、中国科学院"  # half-width colons, wrapped
    assert tasks[3].units_text == "工业和信息化部、发展改革委等"
    assert tasks[3].schedule_text == "持续推进"
    assert (tasks[4].lead_text, tasks[4].co_text) == ("工业和信息化部", "质检总局、国家标准委")
    assert tasks[4].schedule_text == "2018年6月30日"
    assert tasks[5].units_text == "工业和信息化部、认监委"
    assert tasks[5].section == "二、增强产业能力"
    assert annex.document.number == "工信部联信软〔2017〕49号"
    assert annex.document.issued_on == dt.date(2017, 3, 30)


@pytest.mark.parametrize(
    ("name", "layout"),
    [
        ("gf-2015-5-zh.txt", "table"),
        ("table-spaces.txt", "table"),
        ("table-lead-co-gb18030.txt", "table"),
        ("inline.txt", "inline"),
        ("labelled.txt", "labelled"),
        ("annex-utf8-bom.csv", "csv"),
        ("annex-gb18030-tab.csv", "csv"),
    ],
)
def test_auto_detection_and_explicit_format_agree(name: str, layout: Format) -> None:
    annex = read(name)
    assert annex.layout == layout
    assert read(name, format=layout) == annex
    assert read(name, filename=f"upload/{name}") == annex
