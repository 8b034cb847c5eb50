"""Reads a task's responsible units (a 负责单位 cell, a （…负责） note) into units with roles.

The texts come from a layout's reader: `lead_text` printed as leads, `units_text` where the
first listed leads unless one is marked, `co_text` printed as co-responsible. Within a text,
clauses (split on ，；。) carry role words that apply to the units before them in the clause:
甲、乙牵头 makes both leads (乙 a co-lead), 丙、丁参与 both co-responsible, 戊指导 a guide.
A bracketed marker (甲（牵头）) applies to its unit alone. Posts of leaders (分管副省长) are
kept as the task's note, never as units; notes that state a rule (列第一位者为牵头单位，下同)
are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from workflows.directory import (
    AgencyDirectory,
    load_directory,
    looks_like_group,
    matched_brackets,
    normalise_unit_name,
)
from workflows.importing.model import Marker, ParsedUnit, ParsedUnits

_Source = Literal["lead", "units", "co"]
_Duty = Literal["lead", "plain", "co", "guide"]
_STRENGTH: dict[_Duty, int] = {"guide": 0, "co": 1, "plain": 2, "lead": 3}
_SOURCE_DUTY: dict[_Source, _Duty] = {"lead": "lead", "units": "plain", "co": "co"}

SEPARATORS = frozenset("、，,；;/／")
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
_PIECE_MARKERS: tuple[tuple[str, _Duty], ...] = (
    ("（牵头单位）", "lead"),
    ("（牵头）", "lead"),
    ("（负责）", "plain"),
    ("（参与）", "co"),
    ("（配合）", "co"),
    ("（协办）", "co"),
    ("（指导）", "guide"),
)
# A role word at the end of a run of units belongs to the whole run (甲、乙牵头).
_RUN_MARKERS: tuple[tuple[str, _Duty], ...] = (
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
# Labels inside a note: （牵头单位：甲；责任单位：乙）. A label for people makes a note.
_LABEL = re.compile(
    r"^[【\[〔]?(?P<label>牵头(?:负责)?(?:单位|部门)|责任(?:单位|部门)|负责(?:单位|部门)|"
    r"承办单位|(?:配合|参与|协办|协同)(?:单位|部门)|指导(?:单位|部门)|"
    r"[^：:]{0,6}(?:领导|责任人))[】\]〕]?[:：]"
)
# A note stating a rule once for the whole annex, not a unit.
_RULE_NOTE = re.compile(
    r"第一位|排.{0,2}第一|列首位|首位.{0,4}牵头|下同|同下|不再列出|不再.{0,2}分工"
)
# The opening of a note several tasks share (以上两项由甲部负责): not part of a unit's name.
_SHARED = re.compile(
    r"^(?:以上|上述)(?:[0-9]+|[两二三四五六七八九十各几])?[项条]?(?:任务|工作|措施|事项)?"
    r"(?:均|都|统一)?(?:由)?"
)
# A rule "from here on" (以下均需各县（市）区政府落实，…不再列出): the rest of the note is it.
_RULE_REST = re.compile(r"^(?:以下|下列|此后|后同)")
# Leaders' posts (分管副省长, 协管副秘书长, 市政府分管领导) are people, not units.
_LEADER = re.compile(r"(?:长|主任|书记|主席|领导|同志|负责人)$")
# What a unit's name ends with, to tell 甲部和乙局 (two units) from 工业和信息化部 (one).
_UNIT_END = re.compile(
    r"(?:部|委|局|办|署|会|行|院|厅|室|处|司|政府|中心|公司|集团|部门|单位|机构|小组|兵团|"
    r"总队|支队|大队|中央|社|联|协|所|站|馆|校)$"
)
_CONJUNCTION = re.compile(r"以及|和|及|与")
# After 等: what the open list is (省有关部门, 十个部门), then 和/及 and another unit.
_AFTER_OPEN = re.compile(
    r"(?:(?:自治区|[省市县区])(?:级|直|属)?)?(?:有关|相关|其他|各)?"
    r"(?:[一二三四五六七八九十\d]+个?)?(?:部门|单位|成员单位|机构|方面)"
)
# A level word printed alone in a list of levels: 各市、州、县人民政府 is one group, but
# 各街道、区直各部门 are two.
_LEVEL = r"(?:乡镇|[省市州县区盟旗乡镇]|自治区|自治州|直辖市|地级市|县级市|街道)(?:（[^）]*）)?"
_BARE_LEVEL = re.compile(rf"^各?{_LEVEL}$")
_LEVEL_GROUP_END = re.compile(
    rf"^{_LEVEL}(?:人民政府|政府|党委和政府|党委政府|党委)?(?:$|(?=以及|和|及|与))"
)


@dataclass
class _Piece:
    name: str
    source: _Source
    key: str  # the same for an alias and its canonical name
    is_group: bool
    marked: _Duty | None = None  # a bracketed marker, 会同 or a label: this unit alone
    run: _Duty | None = None  # the role word that closed its run

    @property
    def duty(self) -> _Duty:
        return self.marked or self.run or _SOURCE_DUTY[self.source]


@dataclass
class _Reading:
    names: list[tuple[str, _Duty | None]]  # the units a piece names, each with its own marker
    marker: _Duty | None  # a bracketed marker with no unit left (甲 （牵头）)
    run: _Duty | None
    open_list: bool
    joins_after: bool  # 会同: the units after it in the clause work with the ones before


def parse_units(
    *,
    units_text: str = "",
    lead_text: str = "",
    co_text: str = "",
    directory: AgencyDirectory | None = None,
) -> ParsedUnits:
    """Split a task's unit texts into units in printed order, leads first, with their roles."""
    if directory is None:
        directory = load_directory()
    pieces: list[_Piece] = []
    notes: list[str] = []
    open_list = False
    texts: tuple[tuple[_Source, str], ...] = (
        ("lead", lead_text),
        ("units", units_text),
        ("co", co_text),
    )
    for source, text in texts:
        text_open = _read_text(text, source, directory, pieces, notes)
        open_list = open_list or text_open
    note = "、".join(dict.fromkeys(notes))
    if not pieces:
        return ParsedUnits(units=(), open_list=open_list, note=note)
    pieces = _deduplicate(pieces)
    return ParsedUnits(units=_assign_roles(pieces), open_list=open_list, note=note)


def split_units_text(text: str) -> list[str]:
    """Split a units text on 、，,；;/ and whitespace, never inside a pair of brackets."""
    return [piece for clause in _clauses(text) for piece in _list_pieces(clause)]


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


def _clauses(text: str) -> list[str]:
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


def _list_pieces(clause: str) -> list[str]:
    """A clause's list items, with 各市、州、县人民政府 kept as one group."""
    merged: list[str] = []
    pending = ""
    for piece in _split_outside_brackets(clause, _LIST_SEPARATORS):
        if not piece:
            continue
        name = _strip_markers(normalise_unit_name(piece))[0]
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


def _read_text(
    text: str,
    source: _Source,
    directory: AgencyDirectory,
    pieces: list[_Piece],
    notes: list[str],
) -> bool:
    """Read one unit text into pieces and notes; returns whether its list is open (等)."""
    open_list = False
    for clause in _clauses(text):
        clause = clause.strip()
        if _RULE_REST.match(clause):
            break
        clause = _SHARED.sub("", clause)
        if not clause or _RULE_NOTE.search(clause):
            continue
        label_duty: _Duty | None = None
        if found := _LABEL.match(normalise_unit_name(clause)):
            value = normalise_unit_name(normalise_unit_name(clause)[found.end() :])
            label_duty = _label_duty(found["label"])
            if label_duty is None:
                notes.extend([value] if value else [])
                continue
            clause = value
        run: list[_Piece] = []
        joining = False
        for raw in _list_pieces(clause):
            reading = _read_piece(raw)
            open_list = open_list or reading.open_list
            if not reading.names:
                if run and (reading.marker or reading.run):
                    # A marker printed apart from its unit (发展改革委 牵头) belongs to it.
                    run[-1].marked = reading.marker or reading.run
                continue
            for name, marked in reading.names:
                if _LEADER.search(name):
                    notes.append(name)
                    continue
                entry = directory.lookup(name)
                piece = _Piece(
                    name=name,
                    source=source,
                    key=entry.name if entry is not None else name,
                    is_group=entry.is_group if entry is not None else looks_like_group(name),
                    marked=marked or label_duty or ("co" if joining else None),
                )
                pieces.append(piece)
                run.append(piece)
            if reading.joins_after:
                for piece in run[:-1]:
                    piece.marked = piece.marked or "lead"
                joining = True
            if reading.run:
                _close_run(run, reading.run)
                run = []
    return open_list


def _label_duty(label: str) -> _Duty | None:
    """The duty a label gives its units (牵头单位 → lead); None for a label naming people."""
    if label.endswith(("领导", "责任人")):
        return None
    if label.startswith("牵头"):
        return "lead"
    if label.startswith("指导"):
        return "guide"
    if label.startswith(("配合", "参与", "协办", "协同")):
        return "co"
    return "plain"


def _close_run(run: list[_Piece], duty: _Duty) -> None:
    for piece in run:
        piece.run = piece.run or duty


def _read_piece(raw: str) -> _Reading:
    """One list item: its units, its markers, and whether it ends the list open."""
    name, marker, run, open_list = _strip_markers(normalise_unit_name(raw).removeprefix("由"))
    if not any(char.isalnum() for char in name):
        return _Reading([], marker, run, open_list, False)
    names, inner_open, joins = _split_name(name)
    names = [(n, duty) for n, duty in names if any(char.isalnum() for char in n)]
    if marker is not None and names:
        names[-1] = (names[-1][0], names[-1][1] or marker)
        marker = None
    return _Reading(names, marker, run, open_list or inner_open, joins)


def _strip_markers(name: str) -> tuple[str, _Duty | None, _Duty | None, bool]:
    """A name without its trailing markers: (name, bracketed marker, role word, 等 seen)."""
    marker: _Duty | None = None
    run: _Duty | None = None
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


def _split_name(name: str) -> tuple[list[tuple[str, _Duty | None]], bool, bool]:
    """Split 甲会同乙, 甲等和乙, 甲及乙 into units; returns them, 等 seen, 会同 seen."""
    directory = load_directory()
    if not name or directory.lookup(name) is not None:
        return [(name, None)] if name else [], False, False
    inside = _inside_brackets(name)
    at = next((m.start() for m in re.finditer("会同", name) if m.start() not in inside), None)
    if at is not None:
        before, after = name[:at], name[at + 2 :]
        left, left_open, _ = _split_name(normalise_unit_name(before))
        right, right_open, _ = _split_name(normalise_unit_name(after))
        joined_names: list[tuple[str, _Duty | None]] = [
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
        names, _, joins = _split_name(before)
        if joined:
            more, _, more_joins = _split_name(normalise_unit_name(rest[joined.end() :]))
            names, joins = names + more, joins or more_joins
        return names, True, joins
    for found in _CONJUNCTION.finditer(name):
        if found.start() in inside:
            continue
        before, after = name[: found.start()], name[found.end() :]
        if _unit_like(before) and _unit_like(after) and len(after) >= 3:
            more, more_open, joins = _split_name(after)
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


def _deduplicate(pieces: list[_Piece]) -> list[_Piece]:
    """One piece per unit, in the place it was first printed, with its strongest duty."""
    kept: dict[str, _Piece] = {}
    for piece in pieces:
        first = kept.setdefault(piece.key, piece)
        if first is not piece and _STRENGTH[piece.duty] > _STRENGTH[first.duty]:
            first.marked = piece.duty
    return list(kept.values())


def _assign_roles(pieces: list[_Piece]) -> tuple[ParsedUnit, ...]:
    """Leads first (the first the lead, others co-leads), then the rest in printed order."""
    workers = [p for p in pieces if p.duty != "guide"]
    leads = [p for p in workers if p.duty == "lead"]
    if any(not p.is_group for p in leads):
        # A group (地方各级人民政府) cannot answer for a task beside an agency.
        leads = [p for p in leads if not p.is_group]
    elif leads and leads[0] is not (workers or pieces)[0]:
        # A group leads only when printed first and nothing else leads.
        leads = []
    if not leads:
        plain = [p for p in workers if p.duty == "plain"]
        leads = [(plain or workers or pieces)[0]]
    lead_ids = {id(p) for p in leads}
    units: list[ParsedUnit] = []
    for position, piece in enumerate(leads):
        marker: Marker | None = "co_lead" if position else None
        units.append(ParsedUnit(piece.name, "lead", piece.is_group, marker))
    for piece in pieces:
        if id(piece) not in lead_ids:
            marker = "guide" if piece.duty == "guide" else None
            units.append(ParsedUnit(piece.name, "co", piece.is_group, marker))
    return tuple(units)
