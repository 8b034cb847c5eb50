"""Reads a task's responsible units (a 负责单位 cell, a （…负责） note) into units with roles.

The texts come from a layout's reader: `lead_text` printed as leads, `units_text` where the
first listed leads unless one is marked, `co_text` printed as co-responsible, `guide_text`
printed as guides (a 指导部门 column: neither lead nor co-responsible). Within a text,
clauses (split on ，；。) carry role words that apply to the units before them in the clause:
甲、乙牵头 makes both leads (乙 a co-lead), 丙、丁参与 both co-responsible, 戊指导 a guide.
A bracketed marker (甲（牵头）) applies to its unit alone. Posts of leaders (分管副省长) are
kept as the task's note, never as units; notes that state a rule (列第一位者为牵头单位，下同)
are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from workflows.directory import (
    AgencyDirectory,
    load_directory,
    looks_like_group,
    normalise_unit_name,
)
from workflows.importing.model import Marker, ParsedUnit, ParsedUnits
from workflows.importing.unit_names import (
    Duty,
    clauses,
    list_pieces,
    split_name,
    strip_markers,
)

_Source = Literal["lead", "units", "co", "guide"]
_STRENGTH: dict[Duty, int] = {"guide": 0, "co": 1, "plain": 2, "lead": 3}
_SOURCE_DUTY: dict[_Source, Duty] = {"lead": "lead", "units": "plain", "co": "co", "guide": "guide"}

# Labels inside a note: （牵头单位：甲；责任单位：乙）. A label for people makes a note.
_LABEL = re.compile(
    r"^[【\[〔]?(?P<label>牵头(?:负责|责任)?(?:单位|部门)|责任(?:单位|部门)|负责(?:单位|部门)|"
    r"承办单位|(?:配合|参与|协办|协同)(?:责任)?(?:单位|部门)|指导(?:单位|部门)|"
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


@dataclass
class _Piece:
    name: str
    source: _Source
    key: str  # the same for an alias and its canonical name
    is_group: bool
    marked: Duty | None = None  # a bracketed marker, 会同 or a label: this unit alone
    run: Duty | None = None  # the role word that closed its run

    @property
    def duty(self) -> Duty:
        return self.marked or self.run or _SOURCE_DUTY[self.source]


@dataclass
class _Reading:
    names: list[tuple[str, Duty | None]]  # the units a piece names, each with its own marker
    marker: Duty | None  # a bracketed marker with no unit left (甲 （牵头）)
    run: Duty | None
    open_list: bool
    joins_after: bool  # 会同: the units after it in the clause work with the ones before


def parse_units(
    *,
    units_text: str = "",
    lead_text: str = "",
    co_text: str = "",
    guide_text: str = "",
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
        ("guide", guide_text),
    )
    for source, text in texts:
        text_open = _read_text(text, source, directory, pieces, notes)
        open_list = open_list or text_open
    note = "、".join(dict.fromkeys(notes))
    if not pieces:
        return ParsedUnits(units=(), open_list=open_list, note=note)
    pieces = _deduplicate(pieces)
    return ParsedUnits(units=_assign_roles(pieces), open_list=open_list, note=note)


def _read_text(
    text: str,
    source: _Source,
    directory: AgencyDirectory,
    pieces: list[_Piece],
    notes: list[str],
) -> bool:
    """Read one unit text into pieces and notes; returns whether its list is open (等)."""
    open_list = False
    for clause in clauses(text):
        clause = clause.strip()
        if _RULE_REST.match(clause):
            break
        clause = _SHARED.sub("", clause)
        if not clause or _RULE_NOTE.search(clause):
            continue
        label_duty: Duty | None = None
        if found := _LABEL.match(normalise_unit_name(clause)):
            value = normalise_unit_name(normalise_unit_name(clause)[found.end() :])
            label_duty = _label_duty(found["label"])
            if label_duty is None:
                notes.extend([value] if value else [])
                continue
            clause = value
        run: list[_Piece] = []
        joining = False
        for raw in list_pieces(clause):
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


def _label_duty(label: str) -> Duty | None:
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


def _close_run(run: list[_Piece], duty: Duty) -> None:
    for piece in run:
        piece.run = piece.run or duty


def _read_piece(raw: str) -> _Reading:
    """One list item: its units, its markers, and whether it ends the list open."""
    name, marker, run, open_list = strip_markers(normalise_unit_name(raw).removeprefix("由"))
    if not any(char.isalnum() for char in name):
        return _Reading([], marker, run, open_list, False)
    names, inner_open, joins = split_name(name)
    names = [(n, duty) for n, duty in names if any(char.isalnum() for char in n)]
    if marker is not None and names:
        names[-1] = (names[-1][0], names[-1][1] or marker)
        marker = None
    return _Reading(names, marker, run, open_list or inner_open, joins)


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
