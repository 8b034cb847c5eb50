"""Reading a task's responsible-units cell into units with roles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.directory import load_directory
from workflows.importing.model import ParsedUnit, ParsedUnits
from workflows.importing.unit_names import split_units_text
from workflows.importing.units import parse_units

LOCAL_GOVERNMENTS = "地方各级人民政府"

# The 负责单位 column of the 国发〔2015〕5号 annex, row by row, with the units as printed.
SEED_ANNEX = [
    (
        1,
        "发展改革委、工业和信息化部、科技部、财政部等",
        ("发展改革委", "工业和信息化部", "科技部", "财政部"),
    ),
    (
        2,
        "工业和信息化部、发展改革委、国资委、网信办等",
        ("工业和信息化部", "发展改革委", "国资委", "网信办"),
    ),
    (
        3,
        "科技部、发展改革委、工业和信息化部、财政部、网信办、自然科学基金会等",
        ("科技部", "发展改革委", "工业和信息化部", "财政部", "网信办", "自然科学基金会"),
    ),
    (4, "科技部、发展改革委等", ("科技部", "发展改革委")),
    (
        5,
        "发展改革委、工业和信息化部、网信办、财政部、科技部、保密局、密码局等，地方各级人民政府",
        (
            "发展改革委",
            "工业和信息化部",
            "网信办",
            "财政部",
            "科技部",
            "保密局",
            "密码局",
            "地方各级人民政府",
        ),
    ),
    (
        6,
        "发展改革委、网信办、工业和信息化部、保密局、财政部、公安部等",
        ("发展改革委", "网信办", "工业和信息化部", "保密局", "财政部", "公安部"),
    ),
    (7, "工业和信息化部、发展改革委等", ("工业和信息化部", "发展改革委")),
    (
        8,
        "工业和信息化部、法制办、网信办、发展改革委、公安部、安全局、保密局、密码局等",
        (
            "工业和信息化部",
            "法制办",
            "网信办",
            "发展改革委",
            "公安部",
            "安全局",
            "保密局",
            "密码局",
        ),
    ),
    (9, "网信办、工业和信息化部、发展改革委等", ("网信办", "工业和信息化部", "发展改革委")),
    (10, "公安部、保密局、密码局、网信办等", ("公安部", "保密局", "密码局", "网信办")),
    (
        11,
        "发展改革委、工业和信息化部、网信办、科技部、公安部、安全局、保密局、密码局等",
        (
            "发展改革委",
            "工业和信息化部",
            "网信办",
            "科技部",
            "公安部",
            "安全局",
            "保密局",
            "密码局",
        ),
    ),
    (12, "工业和信息化部、网信办、发展改革委等", ("工业和信息化部", "网信办", "发展改革委")),
    (
        13,
        "工业和信息化部、国资委、银监会、发展改革委、科技部、网信办等",
        ("工业和信息化部", "国资委", "银监会", "发展改革委", "科技部", "网信办"),
    ),
    (14, "工业和信息化部、发展改革委等", ("工业和信息化部", "发展改革委")),
    (
        15,
        "工业和信息化部、网信办、发展改革委、质检总局、科技部、密码局等",
        ("工业和信息化部", "网信办", "发展改革委", "质检总局", "科技部", "密码局"),
    ),
    (
        16,
        "工业和信息化部、发展改革委、能源局、国土资源部等",
        ("工业和信息化部", "发展改革委", "能源局", "国土资源部"),
    ),
    (
        17,
        "工业和信息化部、网信办、发展改革委、公安部、安全局、保密局、密码局等",
        ("工业和信息化部", "网信办", "发展改革委", "公安部", "安全局", "保密局", "密码局"),
    ),
    (
        18,
        "财政部、发展改革委、工业和信息化部、网信办等",
        ("财政部", "发展改革委", "工业和信息化部", "网信办"),
    ),
    (19, "发展改革委、财政部等", ("发展改革委", "财政部")),
    (
        20,
        "质检总局、发展改革委、工业和信息化部、科技部、公安部、安全局、知识产权局、保密局、密码局、网信办等",
        (
            "质检总局",
            "发展改革委",
            "工业和信息化部",
            "科技部",
            "公安部",
            "安全局",
            "知识产权局",
            "保密局",
            "密码局",
            "网信办",
        ),
    ),
    (
        21,
        "教育部、人力资源社会保障部、科技部、发展改革委、工业和信息化部、网信办等",
        ("教育部", "人力资源社会保障部", "科技部", "发展改革委", "工业和信息化部", "网信办"),
    ),
    (
        22,
        "人力资源社会保障部、教育部、科技部等，地方各级人民政府",
        ("人力资源社会保障部", "教育部", "科技部", "地方各级人民政府"),
    ),
    (
        23,
        "商务部、发展改革委、工业和信息化部、财政部等",
        ("商务部", "发展改革委", "工业和信息化部", "财政部"),
    ),
]


def lead(name: str, *, group: bool = False) -> ParsedUnit:
    return ParsedUnit(name=name, role="lead", is_group=group)


def co(name: str, *, group: bool = False) -> ParsedUnit:
    return ParsedUnit(name=name, role="co", is_group=group)


def co_lead(name: str, *, group: bool = False) -> ParsedUnit:
    return ParsedUnit(name=name, role="lead", is_group=group, marker="co_lead")


def guide(name: str, *, group: bool = False) -> ParsedUnit:
    return ParsedUnit(name=name, role="co", is_group=group, marker="guide")


def names(parsed: ParsedUnits) -> list[str]:
    return [unit.name for unit in parsed.units]


def roles(parsed: ParsedUnits) -> list[str]:
    return [unit.role for unit in parsed.units]


@pytest.mark.parametrize(
    ("number", "cell", "expected"), SEED_ANNEX, ids=[f"task{row[0]}" for row in SEED_ANNEX]
)
def test_every_row_of_the_seed_annex(number: int, cell: str, expected: tuple[str, ...]) -> None:
    parsed = parse_units(units_text=cell)
    assert tuple(names(parsed)) == expected
    assert roles(parsed) == ["lead"] + ["co"] * (len(expected) - 1)
    assert parsed.open_list
    assert [unit.is_group for unit in parsed.units] == [n == LOCAL_GOVERNMENTS for n in expected]
    assert all(load_directory().lookup(name) is not None for name in expected)


def test_seed_task_1() -> None:
    assert parse_units(units_text="发展改革委、工业和信息化部、科技部、财政部等") == ParsedUnits(
        units=(lead("发展改革委"), co("工业和信息化部"), co("科技部"), co("财政部")),
        open_list=True,
    )


def test_seed_task_5_open_list_in_the_middle_then_a_group() -> None:
    cell = "发展改革委、工业和信息化部、网信办、财政部、科技部、保密局、密码局等，地方各级人民政府"
    assert parse_units(units_text=cell) == ParsedUnits(
        units=(
            lead("发展改革委"),
            co("工业和信息化部"),
            co("网信办"),
            co("财政部"),
            co("科技部"),
            co("保密局"),
            co("密码局"),
            co(LOCAL_GOVERNMENTS, group=True),
        ),
        open_list=True,
    )


def test_seed_task_8() -> None:
    cell = "工业和信息化部、法制办、网信办、发展改革委、公安部、安全局、保密局、密码局等"
    assert parse_units(units_text=cell) == ParsedUnits(
        units=(
            lead("工业和信息化部"),
            co("法制办"),
            co("网信办"),
            co("发展改革委"),
            co("公安部"),
            co("安全局"),
            co("保密局"),
            co("密码局"),
        ),
        open_list=True,
    )


def test_seed_task_22() -> None:
    cell = "人力资源社会保障部、教育部、科技部等，地方各级人民政府"
    assert parse_units(units_text=cell) == ParsedUnits(
        units=(
            lead("人力资源社会保障部"),
            co("教育部"),
            co("科技部"),
            co(LOCAL_GOVERNMENTS, group=True),
        ),
        open_list=True,
    )


@pytest.mark.parametrize(
    "text",
    ["", "   ", "、，；", "等", "负责", "牵头", "（）", "()", "\u3000"],
)
def test_nothing_to_read_gives_no_units(text: str) -> None:
    parsed = parse_units(units_text=text, lead_text=text, co_text=text)
    assert parsed.units == ()


def test_empty_input() -> None:
    assert parse_units() == ParsedUnits(units=(), open_list=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发展改革委、财政部", ["发展改革委", "财政部"]),
        ("发展改革委，财政部", ["发展改革委", "财政部"]),
        ("发展改革委,财政部", ["发展改革委", "财政部"]),
        ("发展改革委；财政部;科技部", ["发展改革委", "财政部", "科技部"]),
        ("发展改革委/财政部／科技部", ["发展改革委", "财政部", "科技部"]),
        (
            "发展改革委 财政部\u3000科技部\n公安部\t商务部",
            ["发展改革委", "财政部", "科技部", "公安部", "商务部"],
        ),
        ("发展改革委、、财政部", ["发展改革委", "财政部"]),
    ],
)
def test_separators(text: str, expected: list[str]) -> None:
    assert names(parse_units(units_text=text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("各省（区、市）人民政府", ["各省（区、市）人民政府"]),
        ("各省(区、市)人民政府、发展改革委", ["各省（区、市）人民政府", "发展改革委"]),
        ("发展改革委、各省（区, 市）人民政府", ["发展改革委", "各省（区,市）人民政府"]),
        ("质检总局（标准委）、科技部", ["质检总局（标准委）", "科技部"]),
        ("发展改革委（（牵头、财政部", ["发展改革委", "财政部"]),
        ("发展改革委）、财政部", ["发展改革委", "财政部"]),
    ],
)
def test_no_split_inside_brackets(text: str, expected: list[str]) -> None:
    assert names(parse_units(units_text=text)) == expected


def test_split_units_text_keeps_bracketed_separators() -> None:
    assert split_units_text("甲、各省（区、市）人民政府 乙") == [
        "甲",
        "各省（区、市）人民政府",
        "乙",
    ]


def test_a_group_printed_first_leads_when_nothing_is_marked() -> None:
    parsed = parse_units(units_text="各省（区、市）人民政府、发展改革委")
    assert parsed == ParsedUnits(
        units=(
            ParsedUnit(name="各省（区、市）人民政府", role="lead", is_group=True),
            co("发展改革委"),
        )
    )


@pytest.mark.parametrize(
    "text",
    [
        "财政部、发展改革委（牵头）",
        "财政部、发展改革委(牵头)",
        "财政部、发展改革委 (牵头)",
        "财政部、发展改革委 牵头",
        "财政部、发展改革委（牵头单位）",
        "财政部，发展改革委牵头",
    ],
)
def test_a_unit_marked_as_lead_leads(text: str) -> None:
    assert parse_units(units_text=text) == ParsedUnits(units=(lead("发展改革委"), co("财政部")))


@pytest.mark.parametrize(
    "text", ["财政部、发展改革委牵头", "财政部、发展改革委牵头负责", "财政部、发展改革委共同牵头"]
)
def test_a_role_word_after_a_list_is_the_whole_list_s_role(text: str) -> None:
    """甲、乙牵头负责: both lead, the first is the lead and the second a co-lead."""
    assert parse_units(units_text=text) == ParsedUnits(
        units=(lead("财政部"), co_lead("发展改革委"))
    )


def test_several_marked_leads_keep_printed_order() -> None:
    parsed = parse_units(units_text="科技部、发展改革委牵头、财政部（牵头）、商务部")
    assert parsed == ParsedUnits(
        units=(lead("科技部"), co_lead("发展改革委"), co_lead("财政部"), co("商务部"))
    )


def test_a_mark_in_one_text_overrides_the_first_unit_rule() -> None:
    parsed = parse_units(units_text="科技部、财政部", co_text="发展改革委牵头")
    assert names(parsed) == ["发展改革委", "科技部", "财政部"]
    assert roles(parsed) == ["lead", "co", "co"]


def test_lead_text_leads_and_the_rest_is_co() -> None:
    parsed = parse_units(
        lead_text="发展改革委、财政部", units_text="科技部、商务部", co_text="教育部"
    )
    assert parsed == ParsedUnits(
        units=(lead("发展改革委"), co_lead("财政部"), co("科技部"), co("商务部"), co("教育部"))
    )


def test_co_text_is_co_and_the_first_of_units_text_leads() -> None:
    parsed = parse_units(units_text="科技部、商务部", co_text="教育部、公安部参与")
    assert roles(parsed) == ["lead", "co", "co", "co"]
    assert names(parsed) == ["科技部", "商务部", "教育部", "公安部"]


def test_only_co_text_the_first_co_unit_leads() -> None:
    parsed = parse_units(co_text="教育部、公安部配合")
    assert parsed == ParsedUnits(units=(lead("教育部"), co("公安部")))


def test_lead_text_with_a_lead_marker() -> None:
    parsed = parse_units(lead_text="发展改革委牵头", co_text="财政部、科技部参与")
    assert parsed == ParsedUnits(units=(lead("发展改革委"), co("财政部"), co("科技部")))


@pytest.mark.parametrize(
    ("text", "expected", "open_list"),
    [
        ("发展改革委、财政部等", ["发展改革委", "财政部"], True),
        ("发展改革委、财政部等有关部门", ["发展改革委", "财政部"], True),
        ("发展改革委、财政部等部门", ["发展改革委", "财政部"], True),
        ("发展改革委、财政部等单位", ["发展改革委", "财政部"], True),
        ("发展改革委、财政部等有关单位", ["发展改革委", "财政部"], True),
        ("人力资源社会保障部等有关部门和单位负责", ["人力资源社会保障部"], True),
        ("发展改革委、财政部等。", ["发展改革委", "财政部"], True),
        ("发展改革委、财政部 等", ["发展改革委", "财政部"], True),
        ("发展改革委、财政部等负责", ["发展改革委", "财政部"], True),
        ("发展改革委、财政部等按职责分工负责", ["发展改革委", "财政部"], True),
        ("发展改革委、财政部负责", ["发展改革委", "财政部"], False),
        ("发展改革委、财政部分别负责", ["发展改革委", "财政部"], False),
        ("发展改革委、财政部按职责分工负责", ["发展改革委", "财政部"], False),
        ("发展改革委、财政部、有关部门", ["发展改革委", "财政部", "有关部门"], False),
        # 国办发〔2020〕43号: 等国务院相关部门 says what the open list is, 及各地区 adds a group.
        ("财政部、银保监会等国务院相关部门负责", ["财政部", "银保监会"], True),
        ("财政部、银保监会等国务院有关部门及各地区负责", ["财政部", "银保监会", "各地区"], True),
    ],
)
def test_open_lists_and_duty_phrases(text: str, expected: list[str], open_list: bool) -> None:
    parsed = parse_units(units_text=text)
    assert names(parsed) == expected
    assert parsed.open_list is open_list


def test_an_open_list_in_any_text_opens_the_whole_list() -> None:
    assert parse_units(lead_text="发展改革委", co_text="财政部等").open_list


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发展改革委、国家发展改革委、发改委、财政部", ["发展改革委", "财政部"]),
        ("工信部、工业和信息化部", ["工信部"]),
        ("财政部、财政部", ["财政部"]),
        ("有关部门、各有关部门", ["有关部门"]),
        ("各省（区、市）人民政府、各省、自治区、直辖市人民政府", ["各省（区、市）人民政府"]),
    ],
)
def test_aliases_of_one_unit_are_read_once(text: str, expected: list[str]) -> None:
    assert names(parse_units(units_text=text)) == expected


def test_a_duplicate_keeps_its_first_place_and_strongest_role() -> None:
    parsed = parse_units(
        units_text="科技部、财政部、国家发展改革委", co_text="发展改革委牵头、科技部"
    )
    assert parsed == ParsedUnits(units=(lead("国家发展改革委"), co("科技部"), co("财政部")))


def test_names_are_kept_as_printed_not_canonicalised() -> None:
    assert names(parse_units(units_text="国家发改委、人社部")) == ["国家发改委", "人社部"]


def test_an_unknown_name_is_kept() -> None:
    parsed = parse_units(units_text="国家云计算办公室、财政部")
    assert parsed == ParsedUnits(units=(lead("国家云计算办公室"), co("财政部")))


@pytest.mark.parametrize(
    ("text", "is_group"),
    [
        ("地方各级人民政府", True),
        ("各省级人民政府", True),
        ("国务院各部门", True),
        ("各有关部门", True),
        ("各地区", True),
        ("县级以上地方人民政府", True),
        ("有关地方人民政府", True),
        ("发展改革委", False),
        ("北京市人民政府", False),
    ],
)
def test_groups_are_recognised(text: str, is_group: bool) -> None:
    parsed = parse_units(units_text=f"商务部、{text}")
    assert parsed.units[-1].name == text
    assert parsed.units[-1].is_group is is_group


@pytest.mark.parametrize(
    ("lead_text", "units_text", "expected_lead"),
    [
        ("", "发展改革委、地方各级人民政府牵头", "发展改革委"),
        ("", "地方各级人民政府牵头、发展改革委牵头", "发展改革委"),
        ("地方各级人民政府、发展改革委", "", "发展改革委"),
        ("各地区", "发展改革委", "各地区"),
        ("", "国务院各部门、地方各级人民政府（牵头）", "国务院各部门"),
    ],
)
def test_a_group_leads_only_when_first_and_alone(
    lead_text: str, units_text: str, expected_lead: str
) -> None:
    parsed = parse_units(lead_text=lead_text, units_text=units_text)
    assert [unit.name for unit in parsed.units if unit.role == "lead"] == [expected_lead]
    assert parsed.units[0].name == expected_lead


def test_full_width_and_compatibility_forms_are_normalised() -> None:
    parsed = parse_units(units_text="　发展改革委（牵头），财政部；　科技部等")
    assert parsed == ParsedUnits(
        units=(lead("发展改革委"), co("财政部"), co("科技部")), open_list=True
    )


# Responsibility notes as real annexes print them (issue 13, item 3).
REAL_NOTES = [
    # 湘政发〔2019〕1号: leaders' posts, a lead, co-responsible units with 等 and 按职责分工负责.
    (
        "分管副省长、协管副秘书长负责，省发改委牵头，省经信委、省财政厅、省统计局等按职责分工负责",
        (lead("省发改委"), co("省经信委"), co("省财政厅"), co("省统计局")),
        True,
        "分管副省长、协管副秘书长",
    ),
    # 咸阳市 2022 放管服工作要点: two leads, then two groups joined by 及.
    (
        "市政府办公室、市行政审批制度改革工作领导小组办公室牵头，"
        "市级各有关部门及各县市区政府按职责分工负责",
        (
            lead("市政府办公室"),
            co_lead("市行政审批制度改革工作领导小组办公室"),
            co("市级各有关部门", group=True),
            co("各县市区政府", group=True),
        ),
        False,
        "",
    ),
    # 粤府办〔2023〕5号: 等 followed by what the list is and 和 another group.
    (
        "省发展改革委、交通运输厅、水利厅、住房城乡建设厅、能源局等省有关部门和"
        "各地级以上市人民政府按职责分工负责",
        (
            lead("省发展改革委"),
            co("交通运输厅"),
            co("水利厅"),
            co("住房城乡建设厅"),
            co("能源局"),
            co("各地级以上市人民政府", group=True),
        ),
        True,
        "",
    ),
    # 国发〔2015〕40号 style: 甲牵头，乙、丙参与 / 甲负责，乙配合.
    ("科技部牵头，教育部、财政部参与", (lead("科技部"), co("教育部"), co("财政部")), False, ""),
    ("科技部负责，教育部配合", (lead("科技部"), co("教育部")), False, ""),
    ("发展改革委、财政部按职责分工负责", (lead("发展改革委"), co("财政部")), False, ""),
    ("民政部会同有关部门负责", (lead("民政部"), co("有关部门", group=True)), False, ""),
    (
        "由民政部会同财政部、人力资源社会保障部负责落实",
        (lead("民政部"), co("财政部"), co("人力资源社会保障部")),
        False,
        "",
    ),
    ("发展改革委、财政部牵头负责", (lead("发展改革委"), co_lead("财政部")), False, ""),
    (
        "发展改革委牵头，财政部、商务部牵头负责",
        (lead("发展改革委"), co_lead("财政部"), co_lead("商务部")),
        False,
        "",
    ),
    # A note stating the rule once, joined with ， or 。.
    (
        "发展改革委、财政部、商务部负责，列第一位者为牵头单位，下同",
        (lead("发展改革委"), co("财政部"), co("商务部")),
        False,
        "",
    ),
    (
        "发展改革委、财政部、商务部负责。列第一位者为牵头单位，下同",
        (lead("发展改革委"), co("财政部"), co("商务部")),
        False,
        "",
    ),
    ("列第一位者为牵头单位。发展改革委、财政部负责", (lead("发展改革委"), co("财政部")), False, ""),
    # 佳政办发〔2018〕17号: a rule for every task from here on ends the note.
    (
        "市水务局牵头，市工信委、城乡建设局配合，各县(市)区政府负责落实。"
        "以下均需各县(市)区政府落实，区政府无相关工作职能的，由市政府直属责任部门负责相关工作，"
        "不再列出",
        (
            lead("市水务局"),
            co("市工信委"),
            co("城乡建设局"),
            co("各县（市）区政府", group=True),
        ),
        False,
        "",
    ),
    # 指导 guides; the unit that does the work leads.
    (
        "教育部指导，各省级人民政府负责",
        (lead("各省级人民政府", group=True), guide("教育部")),
        False,
        "",
    ),
    ("财政部负责，发展改革委指导", (lead("财政部"), guide("发展改革委")), False, ""),
    # 等 anywhere: an open list, then the group it adds.
    (
        "发展改革委、财政部等和各有关省级人民政府负责",
        (lead("发展改革委"), co("财政部"), co("各有关省级人民政府", group=True)),
        True,
        "",
    ),
    ("财政部等十个部门负责", (lead("财政部"),), True, ""),
    # 及 and 和 join units; a name holding 和 stays whole.
    (
        "工业和信息化部、财政部和商务部",
        (lead("工业和信息化部"), co("财政部"), co("商务部")),
        False,
        "",
    ),
    (
        "省经济和信息化厅、省人力资源和社会保障厅",
        (lead("省经济和信息化厅"), co("省人力资源和社会保障厅")),
        False,
        "",
    ),
    # 各市、州、县人民政府 is one group; 各县（市、区） keeps its brackets.
    ("各市、州、县人民政府负责", (lead("各市、州、县人民政府", group=True),), False, ""),
    (
        "省民政厅牵头，各市、县（市、区）人民政府负责",
        (lead("省民政厅"), co("各市、县（市、区）人民政府", group=True)),
        False,
        "",
    ),
    (
        "市农业局牵头，各有关区、县级市配合",
        (lead("市农业局"), co("各有关区、县级市", group=True)),
        False,
        "",
    ),
    # Labels inside a note; a label for people makes a note.
    (
        "牵头单位：省发展改革委；责任单位：省财政厅、省商务厅",
        (lead("省发展改革委"), co("省财政厅"), co("省商务厅")),
        False,
        "",
    ),
    (
        "牵头责任单位：省商务厅；协同责任单位：省财政厅、合肥海关",
        (lead("省商务厅"), co("省财政厅"), co("合肥海关")),
        False,
        "",
    ),
    (
        "责任领导：市政府分管副市长；牵头单位：市教育局；配合单位：市财政局",
        (lead("市教育局"), co("市财政局")),
        False,
        "市政府分管副市长",
    ),
    (
        "分管省领导：林克庆，省发展改革委牵头，各地、各部门配合",
        (lead("省发展改革委"), co("各地", group=True), co("各部门", group=True)),
        False,
        "林克庆",
    ),
]


@pytest.mark.parametrize(
    ("text", "units", "open_list", "note"), REAL_NOTES, ids=[row[0][:24] for row in REAL_NOTES]
)
def test_real_responsibility_notes(
    text: str, units: tuple[ParsedUnit, ...], open_list: bool, note: str
) -> None:
    assert parse_units(units_text=text) == ParsedUnits(units=units, open_list=open_list, note=note)


@pytest.mark.parametrize(
    "post", ["分管副省长", "协管副秘书长", "市政府分管领导", "常务副市长", "分管省领导"]
)
def test_leader_posts_are_a_note_never_a_unit(post: str) -> None:
    parsed = parse_units(units_text=f"{post}、发展改革委负责")
    assert names(parsed) == ["发展改革委"]
    assert parsed.note == post


def test_several_texts_gather_one_note_without_repeats() -> None:
    parsed = parse_units(lead_text="分管副省长、省发展改革委", co_text="分管副省长、省财政厅")
    assert parsed.note == "分管副省长"
    assert parsed.units == (lead("省发展改革委"), co("省财政厅"))


def test_a_guide_alone_still_leads() -> None:
    assert parse_units(units_text="教育部指导") == ParsedUnits(units=(lead("教育部"),))


SEPARATORS = set("、，,；;/／")


def _separator_outside_brackets(name: str) -> bool:
    openings: list[int] = []
    enclosed: set[int] = set()
    for index, char in enumerate(name):
        if char in "（(":
            openings.append(index)
        elif char in "）)" and openings:
            enclosed.update(range(openings.pop(), index + 1))
    return any(
        (char in SEPARATORS or char.isspace()) and index not in enclosed
        for index, char in enumerate(name)
    )


def _levels(name: str) -> bool:
    *levels, _ = name.split("、")
    return all(level.lstrip("各")[:1] in "省市州县区盟旗乡镇街自直" for level in levels)


UNITISH = st.lists(
    st.sampled_from(
        [
            *"发展改革委财政部地方各级人民政府有关等牵头负责参与配合、，,；;/ 　（）()。\t\n0",
            *("指导", "会同", "和", "及", "分管副省长", "市", "州", "县", "列第一位者为牵头单位"),
            *("：", "责任单位", "牵头单位：", "责任领导："),
        ]
    )
).map("".join)


def _check_invariants(parsed: ParsedUnits) -> None:
    directory = load_directory()
    seen: set[str] = set()
    for position, unit in enumerate(parsed.units):
        assert unit.name
        # Only a list of levels (各市、州、县人民政府) keeps a separator: it is one group.
        assert not _separator_outside_brackets(unit.name) or _levels(unit.name), unit.name
        assert unit.role in ("lead", "co")
        # The first unit is the lead; other leads are co-leads; a guide is co-responsible.
        assert (unit.marker == "co_lead") == (unit.role == "lead" and position > 0)
        assert unit.marker != "guide" or unit.role == "co"
        entry = directory.lookup(unit.name)
        key = entry.name if entry is not None else unit.name
        assert key not in seen, unit.name
        seen.add(key)
    unit_roles = roles(parsed)
    assert unit_roles == sorted(unit_roles, key=lambda role: role != "lead"), unit_roles
    if parsed.units:
        assert parsed.units[0].role == "lead"


@given(st.text())
def test_any_text_is_read_without_error(text: str) -> None:
    _check_invariants(parse_units(units_text=text))


@given(UNITISH, UNITISH, UNITISH)
def test_any_unit_like_texts_are_read_without_error(units: str, leads: str, cos: str) -> None:
    _check_invariants(parse_units(units_text=units, lead_text=leads, co_text=cos))


@given(st.text(), st.text(), st.text())
def test_any_three_texts_are_read_without_error(units: str, leads: str, cos: str) -> None:
    _check_invariants(parse_units(units_text=units, lead_text=leads, co_text=cos))
