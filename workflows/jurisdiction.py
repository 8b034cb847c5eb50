"""Local units: 省发展改革委 or 各区县人民政府 read as units of a plan's jurisdiction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from workflows.directory import (
    AgencyDirectory,
    Counterpart,
    load_directory,
    looks_like_group,
    normalise_unit_name,
)

Level = Literal["province", "city", "county"]

# Where a place name ends, longest first, and the level it names.
_PLACE_ENDINGS: tuple[tuple[str, Level], ...] = (
    ("特别行政区", "province"),
    ("自治区", "province"),
    ("自治州", "city"),
    ("自治县", "county"),
    ("省", "province"),
    ("市", "city"),
    ("州", "city"),
    ("盟", "city"),
    ("地区", "city"),
    ("县", "county"),
    ("区", "county"),
    ("旗", "county"),
)
_DEPTH: dict[Level, int] = {"province": 0, "city": 1, "county": 2}
_MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})
# One place: two or more characters, then its ending (广州市, 内蒙古自治区, 西湖区).
_PLACE = re.compile(
    r"(?!自治|特别行政)[^省市县区各全委政府办厅局部\s（）、，][^各全委政府办厅局部\s（）、，]{1,11}?(?:"
    + "|".join(ending for ending, _ in _PLACE_ENDINGS)
    + r")(?![市州县区旗])"
)
# The level words a local plan puts before a unit's name: 省发展改革委, 市住房城乡建设局.
_PREFIXES: tuple[tuple[str, Level], ...] = (
    ("自治区", "province"),
    ("自治州", "city"),
    ("省", "province"),
    ("市", "city"),
    ("州", "city"),
    ("盟", "city"),
    ("县", "county"),
    ("区", "county"),
    ("旗", "county"),
)
# Groups of local units: 各区县人民政府, 市级各有关部门, 省直有关单位, 各市、州、县人民政府.
_LOCAL_GROUP = re.compile(
    r"^(?:各|全)(?:地级|设区|县级|自治|街道|[省市州盟县区旗乡镇])"
    r"|^(?:自治区|[省市州盟县区旗])(?:级|直|属|有关|相关|各|政府各|政府有关)"
)
# Provincial document numbers: 浙政发〔2023〕1号, 粤府〔2021〕22号, 川办函〔2015〕54号.
_PROVINCE_CODES = {
    "京": "北京市",
    "津": "天津市",
    "沪": "上海市",
    "渝": "重庆市",
    "冀": "河北省",
    "晋": "山西省",
    "内": "内蒙古自治区",
    "辽": "辽宁省",
    "吉": "吉林省",
    "黑": "黑龙江省",
    "苏": "江苏省",
    "浙": "浙江省",
    "皖": "安徽省",
    "闽": "福建省",
    "赣": "江西省",
    "鲁": "山东省",
    "豫": "河南省",
    "鄂": "湖北省",
    "湘": "湖南省",
    "粤": "广东省",
    "桂": "广西壮族自治区",
    "琼": "海南省",
    "川": "四川省",
    "黔": "贵州省",
    "云": "云南省",
    "藏": "西藏自治区",
    "陕": "陕西省",
    "甘": "甘肃省",
    "新": "新疆维吾尔自治区",
}
_PROVINCE_NUMBER = re.compile(
    "^(?P<code>["
    + "".join(_PROVINCE_CODES)
    + r"])(?:政|府|办)(?:办)?(?:发|函|规|字|电)?[〔\[［(（]"
)
_ISSUER_ORGAN = re.compile(r"^(?:人民政府|政府|委员会|委|人大常委会|办公厅|办公室)")


@dataclass(frozen=True)
class Place:
    """One level of a jurisdiction: 浙江省 (province), 杭州市 (city), 西湖区 (county)."""

    name: str
    level: Level


@dataclass(frozen=True)
class LocalUnit:
    """A unit of a local government, named with the place it belongs to."""

    name: str  # 浙江省发展改革委; as printed when the jurisdiction does not say which place
    jurisdiction: str | None  # 浙江省, 浙江省杭州市; None when unknown
    name_en: str | None
    is_group: bool
    counterpart: str | None  # the central body it mirrors (发展改革委), if any


def parse_jurisdiction(text: str) -> tuple[Place, ...]:
    """The places a jurisdiction such as 浙江省杭州市 names, from the widest; () if unreadable."""
    key = normalise_unit_name(text)
    places = _leading_places(key)
    return places if places and sum(len(p.name) for p in places) == len(key) else ()


def local_unit(
    name: str, *, jurisdiction: str | None, directory: AgencyDirectory | None = None
) -> LocalUnit | None:
    """A printed name read as a local unit of the jurisdiction, or None when it is not one.

    Names the central directory knows are never local (能源局 stays the national one).
    """
    directory = directory or load_directory()
    key = normalise_unit_name(name)
    if not key or directory.lookup(key) is not None:
        return None
    places = parse_jurisdiction(jurisdiction) if jurisdiction else ()
    if looks_like_group(key):
        return _local_group(key, places)
    named = _leading_places(key)
    if named:
        rest = key[sum(len(p.name) for p in named) :]
        found = directory.counterpart(rest) if rest else None
        if found is not None:
            # 杭州市政府 printed in full: its own place, placed within the plan's if it is one.
            path = _path_through(places, named) or "".join(p.name for p in named)
            return _unit(path, found)
    for prefix, prefix_level in _PREFIXES:
        rest = key.removeprefix(prefix)
        if rest != key and (found := directory.counterpart(rest)) is not None:
            return _unit(_path_to(places, prefix_level), found, printed=key)
    found = directory.counterpart(key)
    if found is None:
        return None
    # A 厅 is provincial; any other bare local name is a unit of the plan's own government.
    level: Level | None = "province" if key.endswith("厅") else None
    return _unit(_path_to(places, level), found, printed=key)


def jurisdiction_of_document(*, title: str | None, number: str | None) -> str | None:
    """The jurisdiction a local document's issuer or number names (浙江省人民政府关于… → 浙江省)."""
    if title:
        key = normalise_unit_name(title).removeprefix("中共")
        places = _leading_places(key)
        if places and _ISSUER_ORGAN.match(key[sum(len(p.name) for p in places) :]):
            return "".join(p.name for p in places)
    if number and (match := _PROVINCE_NUMBER.match(normalise_unit_name(number))):
        return _PROVINCE_CODES[match["code"]]
    return None


def _leading_places(key: str) -> tuple[Place, ...]:
    """The place names a text starts with: 浙江省杭州市西湖区财政局 → 浙江省, 杭州市, 西湖区."""
    places: list[Place] = []
    at = 0
    while match := _PLACE.match(key, at):
        text = match[0]
        level = next(level for ending, level in _PLACE_ENDINGS if text.endswith(ending))
        if text in _MUNICIPALITIES and not places:
            level = "province"  # 上海市 is a province and a city at once; see _path_to
        places.append(Place(text, level))
        at = match.end()
    return tuple(places)


def _path_to(places: tuple[Place, ...], level: Level | None) -> str | None:
    """The jurisdiction up to the last place of a level (the plan's own place for None)."""
    if not places:
        return None
    if level is None:
        return "".join(p.name for p in places)
    last = None
    for index, place in enumerate(places):
        municipality = place.name in _MUNICIPALITIES and level == "city"
        if place.level == level or municipality:
            last = index
    return None if last is None else "".join(p.name for p in places[: last + 1])


def _path_through(places: tuple[Place, ...], named: tuple[Place, ...]) -> str | None:
    """Where a place printed in a name lies in the plan's jurisdiction, if it does."""
    names = [p.name for p in places]
    if named[0].name in names:
        start = names.index(named[0].name)
        return "".join(names[:start]) + "".join(p.name for p in named)
    # 杭州市 printed in a 浙江省 plan lies within it: a local plan names its own cities.
    if places and _DEPTH[named[0].level] > _DEPTH[places[-1].level]:
        return "".join(names) + "".join(p.name for p in named)
    return None


def _unit(path: str | None, found: Counterpart, *, printed: str | None = None) -> LocalUnit:
    counterpart = found.entry.name if found.entry is not None else None
    if path is None:
        return LocalUnit(printed or found.name, None, None, False, counterpart)
    if found.entry is not None:
        name_en = f"{path} counterpart of the {found.name_en}"
    else:
        name_en = f"{path} {found.name_en}"
    return LocalUnit(path + found.name, path, name_en, False, counterpart)


def _local_group(key: str, places: tuple[Place, ...]) -> LocalUnit | None:
    """A group of local units (各区县人民政府), named with the jurisdiction it lies in."""
    if not _LOCAL_GROUP.search(key):
        return None
    if not places:
        return LocalUnit(key, None, None, True, None)
    for prefix, level in _PREFIXES:
        # 市级各有关部门 → 杭州市级各有关部门; 全省各级人民政府 → 浙江省各级人民政府.
        for printed in (prefix, "全" + prefix):
            rest = key.removeprefix(printed)
            if rest != key and (path := _path_to(places, level)) is not None:
                return LocalUnit(path + rest, path, None, True, None)
    path = "".join(p.name for p in places)
    return LocalUnit(path + key, path, None, True, None)
