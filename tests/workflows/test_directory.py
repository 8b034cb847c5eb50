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

ENTRY_KEYS = {"name", "full_name", "name_en", "aliases", "group", "local"}

# The State Council after the 2023 reform (constituent departments, the directly affiliated
# special body, directly affiliated bodies, the office, affiliated institutions, the national
# administrations), then the bodies of the 2018 structure that 2023 merged or moved, with the
# official English names (知识产权局 and 安全局 keep the DESIGN.md glossary's, as the seed plan
# prints them).
STATE_COUNCIL_2018_2023 = [
    ("外交部", "Ministry of Foreign Affairs"),
    ("国防部", "Ministry of National Defense"),
    ("国家发展和改革委员会", "National Development and Reform Commission"),
    ("教育部", "Ministry of Education"),
    ("科学技术部", "Ministry of Science and Technology"),
    ("工业和信息化部", "Ministry of Industry and Information Technology"),
    ("国家民族事务委员会", "National Ethnic Affairs Commission"),
    ("公安部", "Ministry of Public Security"),
    ("国家安全部", "state security authority"),
    ("民政部", "Ministry of Civil Affairs"),
    ("司法部", "Ministry of Justice"),
    ("财政部", "Ministry of Finance"),
    ("人力资源和社会保障部", "Ministry of Human Resources and Social Security"),
    ("自然资源部", "Ministry of Natural Resources"),
    ("生态环境部", "Ministry of Ecology and Environment"),
    ("住房和城乡建设部", "Ministry of Housing and Urban-Rural Development"),
    ("交通运输部", "Ministry of Transport"),
    ("水利部", "Ministry of Water Resources"),
    ("农业农村部", "Ministry of Agriculture and Rural Affairs"),
    ("商务部", "Ministry of Commerce"),
    ("文化和旅游部", "Ministry of Culture and Tourism"),
    ("国家卫生健康委员会", "National Health Commission"),
    ("退役军人事务部", "Ministry of Veterans Affairs"),
    ("应急管理部", "Ministry of Emergency Management"),
    ("中国人民银行", "People's Bank of China"),
    ("审计署", "National Audit Office"),
    (
        "国务院国有资产监督管理委员会",
        "State-owned Assets Supervision and Administration Commission",
    ),
    ("海关总署", "General Administration of Customs"),
    ("国家税务总局", "State Taxation Administration"),
    ("国家市场监督管理总局", "State Administration for Market Regulation"),
    ("国家金融监督管理总局", "National Financial Regulatory Administration"),
    ("中国证券监督管理委员会", "China Securities Regulatory Commission"),
    ("国家广播电视总局", "National Radio and Television Administration"),
    ("国家体育总局", "General Administration of Sport of China"),
    ("国家信访局", "National Public Complaints and Proposals Administration"),
    ("国家统计局", "National Bureau of Statistics"),
    ("国家知识产权局", "State Intellectual Property Office"),
    ("国家国际发展合作署", "China International Development Cooperation Agency"),
    ("国家医疗保障局", "National Healthcare Security Administration"),
    ("国务院参事室", "Counsellors' Office of the State Council"),
    ("国家机关事务管理局", "National Government Offices Administration"),
    ("国务院研究室", "Research Office of the State Council"),
    ("国务院港澳事务办公室", "Hong Kong and Macao Affairs Office of the State Council"),
    ("新华通讯社", "Xinhua News Agency"),
    ("中国科学院", "Chinese Academy of Sciences"),
    ("中国社会科学院", "Chinese Academy of Social Sciences"),
    ("中国工程院", "Chinese Academy of Engineering"),
    ("国务院发展研究中心", "Development Research Center of the State Council"),
    ("中央广播电视总台", "China Media Group"),
    ("中国气象局", "China Meteorological Administration"),
    ("国家粮食和物资储备局", "National Food and Strategic Reserves Administration"),
    ("国家能源局", "National Energy Administration"),
    ("国家数据局", "National Data Administration"),
    (
        "国家国防科技工业局",
        "State Administration of Science, Technology and Industry for National Defense",
    ),
    ("国家烟草专卖局", "State Tobacco Monopoly Administration"),
    ("国家林业和草原局", "National Forestry and Grassland Administration"),
    ("国家铁路局", "National Railway Administration"),
    ("中国民用航空局", "Civil Aviation Administration of China"),
    ("国家邮政局", "State Post Bureau"),
    ("国家文物局", "National Cultural Heritage Administration"),
    ("国家中医药管理局", "National Administration of Traditional Chinese Medicine"),
    ("国家疾病预防控制局", "National Disease Control and Prevention Administration"),
    ("国家矿山安全监察局", "National Mine Safety Administration"),
    ("国家消防救援局", "National Fire and Rescue Administration"),
    ("国家外汇管理局", "State Administration of Foreign Exchange"),
    ("国家药品监督管理局", "National Medical Products Administration"),
    ("国家移民管理局", "National Immigration Administration"),
    # The 2018 structure: bodies 2023 merged, moved or renamed.
    ("国家乡村振兴局", "National Administration for Rural Revitalization"),
    ("中国银行保险监督管理委员会", "China Banking and Insurance Regulatory Commission"),
    (
        "国务院扶贫开发领导小组办公室",
        "State Council Leading Group Office of Poverty Alleviation and Development",
    ),
    ("国家煤矿安全监察局", "State Administration of Coal Mine Safety"),
    ("国家公务员局", "National Civil Service Administration"),
    ("国家宗教事务局", "State Administration for Religious Affairs"),
    ("国家新闻出版署", "National Press and Publication Administration"),
    ("国家电影局", "China Film Administration"),
    ("国务院台湾事务办公室", "Taiwan Affairs Office of the State Council"),
    ("国务院新闻办公室", "State Council Information Office"),
    ("国家互联网信息办公室", "Cyberspace Administration of China"),
    ("国家档案局", "National Archives Administration of China"),
    ("国家保密局", "National Administration of State Secrets Protection"),
    ("国家密码管理局", "State Cryptography Administration"),
    ("中国地震局", "China Earthquake Administration"),
    ("国家外国专家局", "State Administration of Foreign Experts Affairs"),
]

# Central bodies outside the State Council that real annexes name, as printed.
CENTRAL_BODIES = [
    ("中央组织部", "Organization Department of the CPC Central Committee"),
    ("中央宣传部", "Publicity Department of the CPC Central Committee"),
    ("中央统战部", "United Front Work Department of the CPC Central Committee"),
    ("中央网信办", "Cyberspace Administration of China"),
    ("中央编办", "Office of the Central Institutional Organization Commission"),
    ("中央政法委", "Central Political and Legal Affairs Commission"),
    ("中央财办", "Office of the Central Financial and Economic Affairs Commission"),
    (
        "中央纪委国家监委",
        "Central Commission for Discipline Inspection and National Supervisory Commission",
    ),
    ("中央港澳办", "Hong Kong and Macao Affairs Office of the State Council"),
    ("最高人民法院", "Supreme People's Court"),
    ("最高人民检察院", "Supreme People's Procuratorate"),
    ("全国总工会", "All-China Federation of Trade Unions"),
    ("共青团中央", "Central Committee of the Communist Youth League of China"),
    ("全国妇联", "All-China Women's Federation"),
    ("中国科协", "China Association for Science and Technology"),
    ("中国残联", "China Disabled Persons' Federation"),
    ("全国工商联", "All-China Federation of Industry and Commerce"),
    ("中国侨联", "All-China Federation of Returned Overseas Chinese"),
    ("中国文联", "China Federation of Literary and Art Circles"),
    ("中国贸促会", "China Council for the Promotion of International Trade"),
    ("中国红十字会总会", "Red Cross Society of China"),
    ("供销合作总社", "All China Federation of Supply and Marketing Cooperatives"),
    ("中华全国供销合作总社", "All China Federation of Supply and Marketing Cooperatives"),
    (
        "全国人大常委会法工委",
        "Legislative Affairs Commission of the Standing Committee of the National People's "
        "Congress",
    ),
    ("新疆生产建设兵团", "Xinjiang Production and Construction Corps"),
    ("国家开发银行", "China Development Bank"),
    ("国铁集团", "China State Railway Group"),
    (
        "中央军委国防动员部",
        "National Defense Mobilization Department of the Central Military Commission",
    ),
]


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


@pytest.mark.parametrize(("full_name", "name_en"), STATE_COUNCIL_2018_2023)
def test_every_state_council_body_of_the_2018_and_2023_reforms_is_listed(
    full_name: str, name_en: str
) -> None:
    entry = load_directory().lookup(full_name)
    assert entry is not None, full_name
    assert entry.name_en == name_en
    assert not entry.is_group
    assert load_directory().lookup(entry.name) is entry


@pytest.mark.parametrize(("name", "name_en"), CENTRAL_BODIES)
def test_central_bodies_outside_the_state_council_are_listed(name: str, name_en: str) -> None:
    entry = load_directory().lookup(name)
    assert entry is not None, name
    assert entry.name_en == name_en


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("县级以上地方各级人民政府", "县级以上地方人民政府"),
        ("各有关省级人民政府", "有关省级人民政府"),
        ("有关地方政府", "有关地方人民政府"),
        ("相关单位", "各有关单位"),
        ("中央和国家机关各部门", "中央和国家机关有关部门"),
    ],
)
def test_central_unit_groups_are_listed(name: str, canonical: str) -> None:
    entry = load_directory().lookup(name)
    assert entry is not None
    assert entry.name == canonical
    assert entry.is_group


def test_the_directory_is_read_once() -> None:
    assert load_directory() is load_directory()
    assert len(load_directory()) == len(_raw_tables()) > 100


def test_every_table_has_the_known_keys_only() -> None:
    for table in _raw_tables():
        assert {"name", "full_name", "name_en", "aliases"} <= table.keys() <= ENTRY_KEYS, table
        assert isinstance(table["aliases"], list)
        assert table.get("group", True) is True, "write group = true only for groups"
        assert not (table.get("group") and table.get("local")), "a group has no local stems"


def test_local_bodies_have_a_name_an_english_name_and_aliases() -> None:
    bodies = load_directory().local_bodies()
    assert len(bodies) > 10
    for body in bodies:
        assert body.name_en.isascii(), body.name
        assert normalise_unit_name(body.name) == body.name
        assert load_directory().lookup(body.name) is None, body.name


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
        "有结对任务的单位",
        "试点城市政府",
        "派出挂职干部单位",
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
