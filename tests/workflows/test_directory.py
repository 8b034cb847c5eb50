"""The bundled agency directory: its data, lookups, name normalisation and group patterns."""

from __future__ import annotations

import importlib.resources
import tomllib
from typing import Any

import pytest

from workflows.directory import (
    AgencyDirectory,
    DirectoryEntry,
    load_directory,
    looks_like_group,
    normalise_unit_name,
    parse_directory,
)

# Every unit named in the 国发〔2015〕5号 annex, with its full and English names (DESIGN.md).
GF_2015_5_UNITS = [
    ("发展改革委", "国家发展和改革委员会", "National Development and Reform Commission"),
    ("工业和信息化部", "工业和信息化部", "Ministry of Industry and Information Technology"),
    ("科技部", "科学技术部", "Ministry of Science and Technology"),
    ("财政部", "财政部", "Ministry of Finance"),
    (
        "国资委",
        "国务院国有资产监督管理委员会",
        "State-owned Assets Supervision and Administration Commission",
    ),
    ("网信办", "国家互联网信息办公室", "Cyberspace Administration of China"),
    ("自然科学基金会", "国家自然科学基金委员会", "National Natural Science Foundation of China"),
    ("保密局", "国家保密局", "National Administration of State Secrets Protection"),
    ("密码局", "国家密码管理局", "State Cryptography Administration"),
    ("公安部", "公安部", "Ministry of Public Security"),
    ("法制办", "国务院法制办公室", "Legislative Affairs Office of the State Council"),
    ("安全局", "国家安全部", "state security authority"),
    ("银监会", "中国银行业监督管理委员会", "China Banking Regulatory Commission"),
    (
        "质检总局",
        "国家质量监督检验检疫总局",
        "General Administration of Quality Supervision, Inspection and Quarantine",
    ),
    ("能源局", "国家能源局", "National Energy Administration"),
    ("国土资源部", "国土资源部", "Ministry of Land and Resources"),
    ("知识产权局", "国家知识产权局", "State Intellectual Property Office"),
    ("教育部", "教育部", "Ministry of Education"),
    (
        "人力资源社会保障部",
        "人力资源和社会保障部",
        "Ministry of Human Resources and Social Security",
    ),
    ("商务部", "商务部", "Ministry of Commerce"),
    ("地方各级人民政府", "地方各级人民政府", "local people's governments at all levels"),
]

ALIASES = [
    ("国家发展改革委", "发展改革委"),
    ("国家发展和改革委员会", "发展改革委"),
    ("发改委", "发展改革委"),
    ("国家发改委", "发展改革委"),
    ("工信部", "工业和信息化部"),
    ("中华人民共和国工业和信息化部", "工业和信息化部"),
    ("中华人民共和国财政部", "财政部"),
    ("中央网信办", "网信办"),
    ("国家网信办", "网信办"),
    ("国家互联网信息办公室", "网信办"),
    ("国家自然科学基金委", "自然科学基金会"),
    ("自然科学基金委", "自然科学基金会"),
    ("国家自然科学基金委员会", "自然科学基金会"),
    ("国家保密局", "保密局"),
    ("国家密码管理局", "密码局"),
    ("国家密码局", "密码局"),
    ("国务院法制办", "法制办"),
    ("国家安全部", "安全局"),
    ("中国银监会", "银监会"),
    ("国家质检总局", "质检总局"),
    ("国家能源局", "能源局"),
    ("国家知识产权局", "知识产权局"),
    ("人力资源和社会保障部", "人力资源社会保障部"),
    ("人社部", "人力资源社会保障部"),
    ("国务院国资委", "国资委"),
    ("科学技术部", "科技部"),
    ("国家统计局", "统计局"),
    ("中国人民银行", "人民银行"),
    ("住房和城乡建设部", "住房城乡建设部"),
    ("国家卫生健康委员会", "卫生健康委"),
    ("中国科学院", "中科院"),
    ("标准委", "国家标准委"),
    ("各省、自治区、直辖市人民政府", "各省级人民政府"),
    ("各省（区、市）人民政府", "各省级人民政府"),
    ("各省(区、市)人民政府", "各省级人民政府"),
    ("有关部门", "各有关部门"),
]

OTHER_BODIES = [
    "外交部",
    "国防部",
    "民政部",
    "司法部",
    "自然资源部",
    "生态环境部",
    "住房城乡建设部",
    "交通运输部",
    "水利部",
    "农业农村部",
    "文化和旅游部",
    "卫生健康委",
    "退役军人部",
    "应急管理部",
    "人民银行",
    "审计署",
    "市场监管总局",
    "广电总局",
    "体育总局",
    "统计局",
    "税务总局",
    "海关总署",
    "证监会",
    "金融监管总局",
    "银保监会",
    "中科院",
    "工程院",
    "国家标准委",
    "邮政局",
    "民航局",
    "铁路局",
    "林草局",
    "药监局",
    "医保局",
    "数据局",
]

GROUPS = ["地方各级人民政府", "各省级人民政府", "国务院各部门", "各有关部门", "各地区"]

ENTRY_KEYS = {"name", "full_name", "name_en", "aliases", "group"}


def _raw_tables() -> list[dict[str, Any]]:
    text = importlib.resources.files("workflows.data").joinpath("agencies.toml").read_text("utf-8")
    tables: list[dict[str, Any]] = tomllib.loads(text)["agency"]
    return tables


@pytest.mark.parametrize(("name", "full_name", "name_en"), GF_2015_5_UNITS)
def test_every_unit_of_the_seed_annex_is_in_the_directory(
    name: str, full_name: str, name_en: str
) -> None:
    entry = load_directory().lookup(name)
    assert entry is not None
    assert (entry.name, entry.full_name, entry.name_en) == (name, full_name, name_en)
    assert entry.is_group == (name == "地方各级人民政府")


@pytest.mark.parametrize(("alias", "canonical"), ALIASES)
def test_an_alias_resolves_to_its_canonical_entry(alias: str, canonical: str) -> None:
    entry = load_directory().lookup(alias)
    assert entry is not None
    assert entry.name == canonical
    assert entry == load_directory().lookup(canonical)


@pytest.mark.parametrize("name", OTHER_BODIES)
def test_other_ministries_and_commissions_are_listed(name: str) -> None:
    entry = load_directory().lookup(name)
    assert entry is not None
    assert entry.name == name
    assert not entry.is_group


@pytest.mark.parametrize("name", GROUPS)
def test_groups_are_marked_as_groups(name: str) -> None:
    entry = load_directory().lookup(name)
    assert entry is not None
    assert entry.is_group


def test_the_directory_is_read_once() -> None:
    assert load_directory() is load_directory()
    assert len(load_directory()) == len(_raw_tables()) > 100


def test_every_table_has_the_known_keys_only() -> None:
    for table in _raw_tables():
        assert {"name", "full_name", "name_en", "aliases"} <= table.keys() <= ENTRY_KEYS, table
        assert isinstance(table["aliases"], list)
        assert table.get("group", True) is True, "write group = true only for groups"


def test_no_spelling_names_two_entries() -> None:
    owner: dict[str, str] = {}
    for table in _raw_tables():
        spellings = {table["name"], table["full_name"], *table["aliases"]}
        for spelling in spellings:
            key = normalise_unit_name(spelling)
            assert key == spelling, f"{spelling!r} is not written in normal form"
            assert owner.setdefault(key, table["name"]) == table["name"], spelling


def test_aliases_do_not_repeat_the_name_or_the_full_name() -> None:
    for table in _raw_tables():
        aliases = table["aliases"]
        assert len(set(aliases)) == len(aliases), table["name"]
        assert not {table["name"], table["full_name"]} & set(aliases), table["name"]


def test_every_entry_has_an_english_name() -> None:
    for entry in load_directory().entries():
        assert entry.name_en.strip() == entry.name_en
        assert entry.name_en.isascii(), entry.name
        assert any(char.isalpha() for char in entry.name_en), entry.name


def test_names_look_like_groups_exactly_when_the_entry_is_a_group() -> None:
    for entry in load_directory().entries():
        for spelling in entry.spellings:
            assert looks_like_group(spelling) == entry.is_group, spelling


@pytest.mark.parametrize(
    "name",
    [
        "发展改革委",
        " 发展改革委 ",
        "发展 改革委",
        "发展改革委。",
        "“发展改革委”",
        "\u3000发展改革委\u3000",
    ],
)
def test_lookup_ignores_spacing_and_punctuation(name: str) -> None:
    entry = load_directory().lookup(name)
    assert entry is not None
    assert entry.name == "发展改革委"


@pytest.mark.parametrize("name", ["", "  ", "、", "国家云计算局", "发展改革", "北京市人民政府"])
def test_lookup_of_an_unknown_name_is_none(name: str) -> None:
    assert load_directory().lookup(name) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("发展改革委", "发展改革委"),
        ("  发展 改革委\t", "发展改革委"),
        ("各省(区、市)人民政府", "各省（区、市）人民政府"),
        ("各省（区、市）人民政府", "各省（区、市）人民政府"),
        ("发展改革委（牵头）", "发展改革委（牵头）"),
        ("发展改革委(牵头)。", "发展改革委（牵头）"),
        ("（发展改革委", "发展改革委"),
        ("发展改革委）", "发展改革委"),
        ("、，发展改革委；。", "发展改革委"),
        ("《发展改革委》", "发展改革委"),
        ("ＡＢＣ部", "ABC部"),
        ("", ""),
        ("（）", "（）"),
        ("。", ""),
    ],
)
def test_normalise_unit_name(raw: str, expected: str) -> None:
    assert normalise_unit_name(raw) == expected


@pytest.mark.parametrize(
    "name",
    [
        "地方各级人民政府",
        "各省（区、市）人民政府",
        "各省、自治区、直辖市人民政府",
        "各地区",
        "各地",
        "各有关部门",
        "有关部门",
        "相关单位",
        "国务院各部门",
        "国务院有关部门",
        "中央和国家机关各单位",
        "有关地方人民政府",
        "县级以上地方人民政府",
        "省级人民政府",
        "各级人民政府",
    ],
)
def test_looks_like_group(name: str) -> None:
    assert looks_like_group(name)


@pytest.mark.parametrize(
    "name", ["发展改革委", "工业和信息化部", "国务院办公厅", "北京市人民政府", "国家数据局", ""]
)
def test_an_agency_does_not_look_like_a_group(name: str) -> None:
    assert not looks_like_group(name)


def test_entry_spellings_are_name_full_name_and_aliases() -> None:
    entry = DirectoryEntry(name="甲", full_name="甲", name_en="A", aliases=("乙", "丙"))
    assert entry.spellings == ("甲", "乙", "丙")


def test_a_spelling_shared_by_two_entries_is_refused() -> None:
    first = DirectoryEntry(name="甲", full_name="甲部", name_en="A", aliases=("乙",))
    second = DirectoryEntry(name="丙", full_name="丙部", name_en="C", aliases=("乙",))
    with pytest.raises(ValueError, match="乙"):
        AgencyDirectory([first, second])


@pytest.mark.parametrize(
    "text",
    [
        '[[agency]]\nname = "甲"\nfull_name = "甲部"\naliases = []\n',
        '[[agency]]\nname = "甲"\nfull_name = "甲部"\nname_en = ""\naliases = []\n',
        '[[agency]]\nname = "甲"\nfull_name = "甲部"\nname_en = "A"\naliases = "乙"\n',
        '[[agency]]\nname = "甲"\nfull_name = "甲部"\nname_en = "A"\ngroup = "yes"\n',
    ],
)
def test_a_malformed_directory_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="甲"):
        parse_directory(text)


def test_parse_directory_reads_groups_and_aliases() -> None:
    directory = parse_directory(
        '[[agency]]\nname = "甲"\nfull_name = "甲部"\nname_en = "A"\naliases = ["乙"]\n'
        '[[agency]]\nname = "各地区"\nfull_name = "各地区"\nname_en = "all"\ngroup = true\n'
    )
    assert [entry.name for entry in directory.entries()] == ["甲", "各地区"]
    assert directory.lookup("乙") == directory.entries()[0]
    group = directory.lookup("各地区")
    assert group is not None
    assert group.is_group
    assert group.aliases == ()
