"""Reads a task's responsible-units cell into units with their roles (lead or co-responsible)."""

from __future__ import annotations

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
from workflows.importing.model import ParsedUnit, ParsedUnits, Role

_Source = Literal["lead", "units", "co"]

SEPARATORS = frozenset("、，,；;/／")

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
_LEAD_SUFFIXES = ("（牵头单位）", "（牵头）", "牵头")
_DUTY_SUFFIXES = (
    "按职责分工负责",
    "分别负责",
    "共同负责",
    "负责",
    "（参与）",
    "参与",
    "（配合）",
    "配合",
)


@dataclass
class _Piece:
    name: str
    source: _Source
    marked: bool  # printed with 牵头
    key: str  # the same for an alias and its canonical name
    is_group: bool
    role: Role = "co"


@dataclass
class _Reading:
    name: str
    marked: bool
    open_list: bool


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
    open_list = False
    texts: tuple[tuple[_Source, str], ...] = (
        ("lead", lead_text),
        ("units", units_text),
        ("co", co_text),
    )
    for source, text in texts:
        readings, text_open = _read_text(text)
        open_list = open_list or text_open
        pieces.extend(_piece(reading, source, directory) for reading in readings)
    if not pieces:
        return ParsedUnits(units=(), open_list=open_list)

    _assign_roles(pieces)
    pieces = _deduplicate(pieces)
    _restrict_group_leads(pieces)
    leads = [piece for piece in pieces if piece.role == "lead"]
    others = [piece for piece in pieces if piece.role != "lead"]
    return ParsedUnits(
        units=tuple(
            ParsedUnit(name=piece.name, role=piece.role, is_group=piece.is_group)
            for piece in leads + others
        ),
        open_list=open_list,
    )


def split_units_text(text: str) -> list[str]:
    """Split a units text on 、，,；;/ and whitespace, never inside a pair of brackets."""
    text = unicodedata.normalize("NFKC", text).replace("(", "（").replace(")", "）")
    partner = matched_brackets(text)
    pieces: list[str] = []
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "（" and index in partner:
            index = partner[index] + 1
            continue
        if char in SEPARATORS or char.isspace():
            pieces.append(text[start:index])
            start = index + 1
        index += 1
    pieces.append(text[start:])
    return pieces


def _read_text(text: str) -> tuple[list[_Reading], bool]:
    readings: list[_Reading] = []
    open_list = False
    for raw in split_units_text(text):
        reading = _read_piece(raw)
        open_list = open_list or reading.open_list
        if reading.name:
            readings.append(reading)
        elif reading.marked and readings:
            # A marker printed apart from its unit (发展改革委 牵头) belongs to the unit before it.
            readings[-1].marked = True
    return readings, open_list


def _read_piece(raw: str) -> _Reading:
    name = normalise_unit_name(raw)
    marked = open_list = False
    stripped = True
    while stripped and name:
        stripped = False
        for suffixes in (_OPEN_SUFFIXES, _LEAD_SUFFIXES, _DUTY_SUFFIXES):
            suffix = next((suffix for suffix in suffixes if name.endswith(suffix)), None)
            if suffix is None:
                continue
            name = normalise_unit_name(name.removesuffix(suffix))
            open_list = open_list or suffixes is _OPEN_SUFFIXES
            marked = marked or suffixes is _LEAD_SUFFIXES
            stripped = True
    # Punctuation or empty brackets left over from a marker are no unit.
    if not any(char.isalnum() for char in name):
        name = ""
    return _Reading(name=name, marked=marked, open_list=open_list)


def _piece(reading: _Reading, source: _Source, directory: AgencyDirectory) -> _Piece:
    entry = directory.lookup(reading.name)
    return _Piece(
        name=reading.name,
        source=source,
        marked=reading.marked,
        key=entry.name if entry is not None else reading.name,
        is_group=entry.is_group if entry is not None else looks_like_group(reading.name),
    )


def _assign_roles(pieces: list[_Piece]) -> None:
    explicit = [piece for piece in pieces if piece.marked or piece.source == "lead"]
    if explicit:
        for piece in explicit:
            piece.role = "lead"
        return
    # Printed order puts units_text before co_text, so when units_text is empty the first
    # co-responsible unit leads: a task needs someone to answer for it.
    pieces[0].role = "lead"


def _deduplicate(pieces: list[_Piece]) -> list[_Piece]:
    kept: dict[str, _Piece] = {}
    for piece in pieces:
        first = kept.setdefault(piece.key, piece)
        if piece.role == "lead":
            first.role = "lead"
    return list(kept.values())


def _restrict_group_leads(pieces: list[_Piece]) -> None:
    leads = [piece for piece in pieces if piece.role == "lead"]
    # A group (地方各级人民政府) cannot answer for a task beside an agency, so it leads only
    # when it is printed first and nothing else leads.
    sole_first = len(leads) == 1 and leads[0] is pieces[0]
    for piece in leads:
        if piece.is_group and not sole_first:
            piece.role = "co"
    if not any(piece.role == "lead" for piece in pieces):
        pieces[0].role = "lead"
