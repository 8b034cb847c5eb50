"""Reading the names in a units text: clauses, list items, markers, and names joined by
会同, 等 or 和 (甲部会同乙局, 甲部等和乙局, 市级各有关部门及各县市区政府)."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Literal

from workflows.directory import load_directory, matched_brackets, normalise_unit_name

# What a role word says a unit does: leads, is named (the first of those leads), works with
# the lead, or guides.
Duty = Literal["lead", "plain", "co", "guide"]
Names = list[tuple[str, Duty | None]]  # the units a piece names, each with its own marker

_CLAUSE_SEPARATORS = frozenset("，,；;。")
_LIST_SEPARATORS = frozenset("、/／")

# Longest first, so 等有关部门 is not read as 等 after a unit called 有关部门.
_OPEN_SUFFIXES = (
    "等有关部门",
    "等有关单位",
    "等相关部门",
    "等相关单位",
    "等部门",
    "等单位",
    "等",
)
# A marker in brackets belongs to its unit alone.
_PIECE_MARKERS: tuple[tuple[str, Duty], ...] = (
    ("（牵头单位）", "lead"),
    ("（牵头）", "lead"),
    ("（负责）", "plain"),
    ("（参与）", "co"),
    ("（配合）", "co"),
    ("（协办）", "co"),
    ("（指导）", "guide"),
)
# A role word at the end of a run of units belongs to the whole run (甲、乙牵头).
_RUN_MARKERS: tuple[tuple[str, Duty], ...] = (
    ("共同牵头负责", "lead"),
    ("共同牵头", "lead"),
    ("联合牵头", "lead"),
    ("牵头负责", "lead"),
    ("牵头抓总", "lead"),
    ("牵头落实", "lead"),
    ("牵头实施", "lead"),
    ("牵头推进", "lead"),
    ("牵头", "lead"),
    ("按照职责分工负责", "plain"),
    ("按职责分工负责", "plain"),
    ("按职责分工落实", "plain"),
    ("按职能分工负责", "plain"),
    ("按职责负责", "plain"),
    ("分别负责", "plain"),
    ("共同负责", "plain"),
    ("具体负责", "plain"),
    ("负责落实", "plain"),
    ("负责实施", "plain"),
    ("负责推进", "plain"),
    ("负责", "plain"),
    ("配合落实", "co"),
    ("配合实施", "co"),
    ("配合", "co"),
    ("参与", "co"),
    ("协助", "co"),
    ("协同", "co"),
    ("协办", "co"),
    ("指导", "guide"),
)
# What a unit's name ends with, to tell 甲部和乙局 (two units) from 工业和信息化部 (one).
_UNIT_END = re.compile(
    r"(?:部|委|局|办|署|会|行|院|厅|室|处|司|政府|中心|公司|集团|部门|单位|机构|小组|兵团|"
    r"总队|支队|大队|中央|社|联|协|所|站|馆|校)$"
)
_CONJUNCTION = re.compile(r"以及|和|及|与")
# After 等: what the open list is (省有关部门, 国务院相关部门, 十个部门), then 和/及 and a unit.
_AFTER_OPEN = re.compile(
    r"(?:国务院|(?:自治区|[省市县区])(?:级|直|属)?)?(?:有关|相关|其他|各)?"
    r"(?:[一二三四五六七八九十\d]+个?)?(?:部门|单位|成员单位|机构|方面)"
    r"(?:[和及、](?:部门|单位|机构))?"  # 等有关部门和单位: one open list, not a unit 单位
)
# A level word printed alone in a list of levels: 各市、州、县人民政府 and 各有关区、县级市 are
# one group each, but 各街道、区直各部门 are two.
_LEVEL = r"(?:乡镇|[省市州县区盟旗乡镇]|自治区|自治州|直辖市|地级市|县级市|街道)(?:（[^）]*）)?"
_BARE_LEVEL = re.compile(rf"^(?:各(?:有关|相关)?)?{_LEVEL}$")
_LEVEL_GROUP_END = re.compile(
    rf"^{_LEVEL}(?:人民政府|政府|党委和政府|党委政府|党委)?(?:$|(?=以及|和|及|与))"
)


def split_units_text(text: str) -> list[str]:
    """Split a units text on 、，,；;/ and whitespace, never inside a pair of brackets."""
    return [piece for clause in clauses(text) for piece in list_pieces(clause)]


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("(", "（").replace(")", "）")


def _split_outside_brackets(text: str, separators: frozenset[str]) -> list[str]:
    partner = matched_brackets(text)
    pieces: list[str] = []
    start = index = 0
    while index < len(text):
        char = text[index]
        if char == "（" and index in partner:
            index = partner[index] + 1
            continue
        if char in separators or char.isspace():
            pieces.append(text[start:index])
            start = index + 1
        index += 1
    pieces.append(text[start:])
    return pieces


def clauses(text: str) -> list[str]:
    """The clauses of a units text: 甲牵头，乙、丙参与 → 甲牵头 / 乙、丙参与."""
    text = _normalise(text)
    partner = matched_brackets(text)
    clauses: list[str] = []
    start = index = 0
    while index < len(text):
        if text[index] == "（" and index in partner:
            index = partner[index] + 1
            continue
        if text[index] in _CLAUSE_SEPARATORS:
            clauses.append(text[start:index])
            start = index + 1
        index += 1
    clauses.append(text[start:])
    return clauses


def list_pieces(clause: str) -> list[str]:
    """A clause's list items, with 各市、州、县人民政府 kept as one group."""
    merged: list[str] = []
    pending = ""
    for piece in _split_outside_brackets(clause, _LIST_SEPARATORS):
        if not piece:
            continue
        name = strip_markers(normalise_unit_name(piece))[0]
        bare = _BARE_LEVEL.match(name) is not None
        if pending and _LEVEL_GROUP_END.match(name):
            piece = pending + "、" + piece
        elif pending:
            merged.append(pending)
        pending = ""
        if bare:
            pending = piece
        else:
            merged.append(piece)
    if pending:
        merged.append(pending)
    return merged


@functools.lru_cache(maxsize=8192)
def strip_markers(name: str) -> tuple[str, Duty | None, Duty | None, bool]:
    """A name without its trailing markers: (name, bracketed marker, role word, 等 seen)."""
    marker: Duty | None = None
    run: Duty | None = None
    open_list = False
    stripped = True
    while stripped and name:
        stripped = False
        for suffix, duty in _PIECE_MARKERS:
            if name.endswith(suffix):
                name, stripped = normalise_unit_name(name.removesuffix(suffix)), True
                marker = marker or duty
                break
        for suffix, duty in _RUN_MARKERS:
            if name.endswith(suffix):
                name, stripped = normalise_unit_name(name.removesuffix(suffix)), True
                # The outer word wins, unless it only says 负责 (甲参与负责 is co).
                run = duty if run in (None, "plain") else run
                break
        for suffix in _OPEN_SUFFIXES:
            if name.endswith(suffix):
                name, stripped = normalise_unit_name(name.removesuffix(suffix)), True
                open_list = True
                break
    return name, marker, run, open_list


def split_name(name: str) -> tuple[Names, bool, bool]:
    """Split 甲会同乙, 甲等和乙, 甲及乙 into units; returns them, 等 seen, 会同 seen."""
    directory = load_directory()
    if not name or directory.lookup(name) is not None:
        return [(name, None)] if name else [], False, False
    inside = _inside_brackets(name)
    at = next((m.start() for m in re.finditer("会同", name) if m.start() not in inside), None)
    if at is not None:
        before, after = name[:at], name[at + 2 :]
        left, left_open, _ = split_name(normalise_unit_name(before))
        right, right_open, _ = split_name(normalise_unit_name(after))
        joined_names: list[tuple[str, Duty | None]] = [
            *((n, d or "lead") for n, d in left),
            *((n, d or "co") for n, d in right),
        ]
        return joined_names, left_open or right_open, True
    for found in re.finditer("等", name):
        if found.start() in inside:
            continue
        before, after = name[: found.start()], name[found.end() :]
        if not _unit_like(before):
            continue
        descriptor = _AFTER_OPEN.match(after)
        rest = after[descriptor.end() :] if descriptor else after
        joined = _CONJUNCTION.match(rest)
        if rest and not joined:
            continue
        names, _, joins = split_name(before)
        if joined:
            more, _, more_joins = split_name(normalise_unit_name(rest[joined.end() :]))
            names, joins = names + more, joins or more_joins
        return names, True, joins
    for found in _CONJUNCTION.finditer(name):
        if found.start() in inside:
            continue
        before, after = name[: found.start()], name[found.end() :]
        if _unit_like(before) and _unit_like(after) and len(after) >= 3:
            more, more_open, joins = split_name(after)
            return [(before, None), *more], more_open, joins
    return [(name, None)], False, False


def _inside_brackets(text: str) -> set[int]:
    """The positions enclosed by a pair of brackets."""
    partner = matched_brackets(text)
    return {
        index
        for opening, closing in partner.items()
        if opening < closing
        for index in range(opening, closing + 1)
    }


def _unit_like(name: str) -> bool:
    """Whether a text reads as a unit's name (in the directory, or ends like one)."""
    name = normalise_unit_name(name)
    known = load_directory().lookup(name) is not None
    return len(name) >= 2 and (known or _UNIT_END.search(name) is not None)
