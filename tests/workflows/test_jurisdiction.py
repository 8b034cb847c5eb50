"""Local units: what 省发展改革委 or 各区县人民政府 mean in a plan with a jurisdiction."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.directory import load_directory
from workflows.jurisdiction import (
    LocalUnit,
    Place,
    jurisdiction_of_document,
    local_unit,
    parse_jurisdiction,
)

ZHEJIANG = "浙江省"
HANGZHOU = "浙江省杭州市"


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("浙江省", [("浙江省", "province")]),
        ("浙江省杭州市", [("浙江省", "province"), ("杭州市", "city")]),
        ("杭州市", [("杭州市", "city")]),
        ("广州市", [("广州市", "city")]),
        ("浙江省杭州市西湖区", [("浙江省", "province"), ("杭州市", "city"), ("西湖区", "county")]),
        ("内蒙古自治区", [("内蒙古自治区", "province")]),
        ("湘西土家族苗族自治州", [("湘西土家族苗族自治州", "city")]),
        ("上海市浦东新区", [("上海市", "province"), ("浦东新区", "county")]),
        (" 湖南省 ", [("湖南省", "province")]),
        ("", []),
        ("国务院", []),
        ("自治区", []),
        ("浙江省 各部门", []),
    ],
)
def test_parse_jurisdiction(text: str, places: list[tuple[str, str]]) -> None:
    assert parse_jurisdiction(text) == tuple(Place(name, level) for name, level in places)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("printed", "jurisdiction", "name", "unit_jurisdiction", "counterpart"),
    [
        # A level prefix and a central body's short form or a local one.
        ("省发展改革委", ZHEJIANG, "浙江省发展改革委", ZHEJIANG, "发展改革委"),
        ("省发改委", ZHEJIANG, "浙江省发展改革委", ZHEJIANG, "发展改革委"),
        ("省发展和改革委员会", ZHEJIANG, "浙江省发展改革委", ZHEJIANG, "发展改革委"),
        ("省教育厅", ZHEJIANG, "浙江省教育厅", ZHEJIANG, "教育部"),
        ("省人社厅", ZHEJIANG, "浙江省人力资源社会保障厅", ZHEJIANG, "人力资源社会保障部"),
        ("省经信厅", ZHEJIANG, "浙江省经信厅", ZHEJIANG, "工业和信息化部"),
        ("省委组织部", ZHEJIANG, "浙江省委组织部", ZHEJIANG, "中央组织部"),
        ("省大数据局", ZHEJIANG, "浙江省大数据局", ZHEJIANG, "数据局"),
        ("省市场监管局", ZHEJIANG, "浙江省市场监管局", ZHEJIANG, "市场监管总局"),
        ("市住房城乡建设局", HANGZHOU, "浙江省杭州市住房城乡建设局", HANGZHOU, "住房城乡建设部"),
        ("市住建局", HANGZHOU, "浙江省杭州市住房城乡建设局", HANGZHOU, "住房城乡建设部"),
        ("省发展改革委", HANGZHOU, "浙江省发展改革委", ZHEJIANG, "发展改革委"),
        ("市发展改革委", "上海市", "上海市发展改革委", "上海市", "发展改革委"),
        ("市政府办公室", HANGZHOU, "浙江省杭州市政府办公室", HANGZHOU, None),
        ("市行政审批局", HANGZHOU, "浙江省杭州市行政审批局", HANGZHOU, None),
        ("省政府", ZHEJIANG, "浙江省人民政府", ZHEJIANG, None),
        # A bare 厅 is provincial; another bare local name belongs to the plan's government.
        ("交通运输厅", HANGZHOU, "浙江省交通运输厅", ZHEJIANG, "交通运输部"),
        ("财政局", HANGZHOU, "浙江省杭州市财政局", HANGZHOU, "财政部"),
        ("市场监管局", HANGZHOU, "浙江省杭州市市场监管局", HANGZHOU, "市场监管总局"),
        # A place printed in full.
        ("杭州市政府", ZHEJIANG, "浙江省杭州市人民政府", HANGZHOU, None),
        ("湖南省统计局", ZHEJIANG, "湖南省统计局", "湖南省", "统计局"),
    ],
)
def test_local_units_are_named_with_their_jurisdiction(
    printed: str,
    jurisdiction: str,
    name: str,
    unit_jurisdiction: str,
    counterpart: str | None,
) -> None:
    unit = local_unit(printed, jurisdiction=jurisdiction)
    assert unit is not None
    assert (unit.name, unit.jurisdiction, unit.counterpart) == (
        name,
        unit_jurisdiction,
        counterpart,
    )
    assert not unit.is_group
    assert unit.name_en is not None
    assert unit.name_en.startswith(unit_jurisdiction)


@pytest.mark.parametrize(
    ("printed", "jurisdiction", "name"),
    [
        ("各区县人民政府", HANGZHOU, "浙江省杭州市各区县人民政府"),
        ("市级各有关部门", HANGZHOU, "浙江省杭州市级各有关部门"),
        ("各市、州、县人民政府", "湖北省", "湖北省各市、州、县人民政府"),
        ("各县（市、区）人民政府", ZHEJIANG, "浙江省各县（市、区）人民政府"),
        ("省直有关单位", HANGZHOU, "浙江省直有关单位"),
        ("省有关部门", ZHEJIANG, "浙江省有关部门"),
        ("全省各级人民政府", ZHEJIANG, "浙江省各级人民政府"),
        ("各地级以上市人民政府", "广东省", "广东省各地级以上市人民政府"),
    ],
)
def test_local_groups_are_named_with_their_jurisdiction(
    printed: str, jurisdiction: str, name: str
) -> None:
    unit = local_unit(printed, jurisdiction=jurisdiction)
    assert unit is not None
    assert unit.name == name
    assert unit.is_group
    assert unit.jurisdiction is not None
    assert name.startswith(unit.jurisdiction)


@pytest.mark.parametrize(
    "printed", ["省发展改革委", "市住房城乡建设局", "各区县人民政府", "交通运输厅", "市委"]
)
def test_without_a_jurisdiction_a_local_unit_keeps_its_printed_name(printed: str) -> None:
    assert local_unit(printed, jurisdiction=None) == LocalUnit(
        name=printed,
        jurisdiction=None,
        name_en=None,
        is_group=printed.startswith("各"),
        counterpart=local_unit(printed, jurisdiction=ZHEJIANG).counterpart,  # type: ignore[union-attr]
    )


def test_a_level_the_jurisdiction_lacks_is_not_placed() -> None:
    unit = local_unit("县人民政府", jurisdiction=ZHEJIANG)
    assert unit is not None
    assert (unit.name, unit.jurisdiction) == ("县人民政府", None)


@pytest.mark.parametrize(
    "printed",
    [
        "发展改革委",  # central short forms stay central, even in a local plan
        "能源局",
        "国家统计局",
        "地方各级人民政府",
        "各有关部门",
        "国家统计局湖南调查总队",  # a central body's branch: not a local unit
        "区块链中心",
        "市",
        "",
        "分管副省长",
    ],
)
def test_names_that_are_not_local_units(printed: str) -> None:
    assert local_unit(printed, jurisdiction=ZHEJIANG) is None


@pytest.mark.parametrize(
    ("title", "number", "jurisdiction"),
    [
        ("浙江省人民政府关于印发浙江省数字经济发展行动方案的通知", None, "浙江省"),
        ("中共浙江省委 浙江省人民政府关于推进共同富裕的意见", None, "浙江省"),
        ("杭州市人民政府办公厅关于印发杭州市优化营商环境实施方案的通知", None, "杭州市"),
        (
            "湖南省人民政府关于落实《政府工作报告》重点工作部门分工的意见",
            "湘政发〔2019〕1号",
            "湖南省",
        ),
        (None, "湘政发〔2019〕1号", "湖南省"),
        (None, "粤府〔2021〕22号", "广东省"),
        (None, "川办函〔2015〕54号", "四川省"),
        ("国务院关于积极推进“互联网+”行动的指导意见", "国发〔2015〕40号", None),
        ("关于印发重点任务分工的通知", None, None),
        (None, None, None),
    ],
)
def test_jurisdiction_of_document(
    title: str | None, number: str | None, jurisdiction: str | None
) -> None:
    assert jurisdiction_of_document(title=title, number=number) == jurisdiction


NAMEISH = st.text(
    alphabet=st.sampled_from(list("省市县区各全级直有关部门政府人民发展改革委厅局办杭州浙江、（）"))
)


@given(NAMEISH, st.sampled_from([None, ZHEJIANG, HANGZHOU, "上海市", "国务院", ""]))
def test_any_name_is_read_without_error(printed: str, jurisdiction: str | None) -> None:
    unit = local_unit(printed, jurisdiction=jurisdiction)
    if unit is None:
        return
    assert unit.name
    assert load_directory().lookup(printed) is None
    if unit.jurisdiction is not None:
        assert unit.name.startswith(unit.jurisdiction)
        assert unit.name_en is None or unit.name_en.startswith(unit.jurisdiction)


@given(st.text(), st.one_of(st.none(), st.text()))
def test_any_text_is_read_without_error(printed: str, jurisdiction: str | None) -> None:
    local_unit(printed, jurisdiction=jurisdiction)
    parse_jurisdiction(printed)
    jurisdiction_of_document(title=printed, number=jurisdiction)
