"""Units texts typed in English (a CSV or sheet: "Ministry of Finance; NDRC and MIIT") read as
the Chinese ones: each English name the directory knows becomes its canonical short name, and
the English joins, open lists and markers become 、, 等 and （牵头）."""

from __future__ import annotations

import re

from workflows.directory import AgencyDirectory

_LATIN = re.compile("[A-Za-z]")
_CJK = "\u3400-\u9fff"
# What an English unit's name ends with, so "Beijing Housing and Construction Bureau" stays
# one unit while "Finance Bureau and Tax Office" are two.
_UNIT_WORDS = (
    "Ministry",
    "Commission",
    "Committee",
    "Bureau",
    "Office",
    "Administration",
    "Department",
    "Departments",
    "Government",
    "Governments",
    "Agency",
    "Council",
    "Authority",
    "Bank",
    "Corps",
    "Center",
    "Centre",
    "Federation",
    "Association",
    "Court",
    "Procuratorate",
    "Group",
    "Company",
    "Units",
)
_AFTER_UNIT = "|".join(f"(?<={word})" for word in _UNIT_WORDS)
# " and ", " & ", ", and ", " as well as " between two units.
_JOIN = re.compile(
    rf"(?:(?<=[{_CJK}）]){'|' + _AFTER_UNIT})\s*,?\s+(?:and|&|as\s+well\s+as)\s+"
    rf"|\s*,?\s+(?:and|&|as\s+well\s+as)\s+(?=[{_CJK}])",
    re.IGNORECASE,
)
_OPEN = re.compile(
    r"\s*,?\s*(?:\betc\b\.?|\band\s+others\b|\band\s+other\s+(?:relevant\s+)?"
    r"(?:departments|units|agencies|bodies)\b)",
    re.IGNORECASE,
)
_MARKERS = (
    (re.compile(r"\s*[(（]\s*(?:lead|leading|lead\s+unit|co-?lead)\s*[)）]", re.I), "（牵头）"),
    (
        re.compile(
            r"\s*[(（]\s*(?:co-?responsible|support(?:ing)?|cooperat(?:e|ing)|assist(?:ing)?|"
            r"partner)\s*[)）]",
            re.I,
        ),
        "（配合）",
    ),
    (re.compile(r"\s*[(（]\s*(?:guide|guiding|guidance)\s*[)）]", re.I), "（指导）"),
)


def english_units(text: str, directory: AgencyDirectory) -> str:
    """A units text with English names, joins and markers put as a Chinese one would be."""
    if not _LATIN.search(text):
        return text

    def canonical(found: re.Match[str]) -> str:
        entry = directory.by_english_name(found[1])
        return entry.name if entry is not None else found[0]

    text = directory.english_names().sub(canonical, text)
    for pattern, marker in _MARKERS:
        text = pattern.sub(marker, text)
    text = _OPEN.sub("等", text)
    return _JOIN.sub("、", text)
