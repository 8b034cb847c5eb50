"""The agency directory shipped with annexbot: short names, full names, English names, aliases."""

from __future__ import annotations

import functools
import importlib.resources
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_DATA_PACKAGE = "workflows.data"
_DATA_FILE = "agencies.toml"

# Ministries are often written with the state's name in front (中华人民共和国财政部);
# the directory keeps the short forms, so lookups drop it.
_STATE_PREFIX = "中华人民共和国"

_OPENING = "（"
_CLOSING = "）"

_GROUP_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        r"^各",  # 各地区, 各省（区、市）人民政府, 各有关部门, 各级人民政府
        r"^(有关|相关)",  # 有关部门, 有关地方人民政府
        r"地方.*(政府|部门)$",  # 地方各级人民政府, 县级以上地方人民政府
        r"^(省|市|县|乡)级.*(政府|部门)$",  # 省级人民政府, 县级以上人民政府
        r"各(部门|单位|地区|级|地)",  # 国务院各部门, 中央和国家机关各单位
        r"(有关|相关)(部门|单位|地方|方面|机构|地区)$",  # 国务院有关部门
    )
)


@dataclass(frozen=True)
class DirectoryEntry:
    """One agency or unit group of the directory."""

    name: str  # the short form as printed in annexes (canonical)
    full_name: str
    name_en: str
    aliases: tuple[str, ...] = ()
    is_group: bool = False

    @property
    def spellings(self) -> tuple[str, ...]:
        """Return the name, the full name and the aliases, without repeats."""
        return tuple(dict.fromkeys((self.name, self.full_name, *self.aliases)))


class AgencyDirectory:
    """Agencies and unit groups, found by short name, full name or alias."""

    def __init__(self, entries: Iterable[DirectoryEntry]) -> None:
        self._entries = tuple(entries)
        self._index: dict[str, DirectoryEntry] = {}
        for entry in self._entries:
            for spelling in entry.spellings:
                key = normalise_unit_name(spelling)
                if not key:
                    raise ValueError(f"empty spelling in directory entry {entry.name!r}")
                other = self._index.get(key)
                if other is not None and other is not entry:
                    raise ValueError(f"{spelling!r} names both {other.name!r} and {entry.name!r}")
                self._index[key] = entry

    def lookup(self, name: str) -> DirectoryEntry | None:
        """Return the entry a short name, full name or alias denotes, or None."""
        key = normalise_unit_name(name)
        entry = self._index.get(key)
        if entry is None and key.startswith(_STATE_PREFIX):
            entry = self._index.get(key.removeprefix(_STATE_PREFIX))
        return entry

    def entries(self) -> tuple[DirectoryEntry, ...]:
        """Return every entry in the order the directory lists them."""
        return self._entries

    def __len__(self) -> int:
        return len(self._entries)


def parse_directory(text: str) -> AgencyDirectory:
    """Build a directory from the TOML text of an agencies file."""
    data = tomllib.loads(text)
    return AgencyDirectory(_entry_from_table(table) for table in data.get("agency", []))


@functools.cache
def load_directory() -> AgencyDirectory:
    """Return the directory bundled with annexbot (read once, then cached)."""
    resource = importlib.resources.files(_DATA_PACKAGE).joinpath(_DATA_FILE)
    return parse_directory(resource.read_text(encoding="utf-8"))


def normalise_unit_name(name: str) -> str:
    """Return a unit name in NFKC with （） brackets, no whitespace, no surrounding punctuation."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(char for char in text if not char.isspace())
    text = text.replace("(", _OPENING).replace(")", _CLOSING)
    return strip_surrounding_punctuation(text)


def strip_surrounding_punctuation(text: str) -> str:
    """Drop punctuation at both ends of a text, keeping brackets that close within it."""
    partner = matched_brackets(text)
    start, end = 0, len(text)
    # A bracket pair that encloses text is part of the name (发展改革委（牵头）), so only
    # brackets without a partner are stripped; an enclosed pair stops the strip.
    while start < end and _is_punctuation(text[start]):
        if text[start] == _OPENING and partner.get(start, end) < end:
            break
        start += 1
    while end > start and _is_punctuation(text[end - 1]):
        if text[end - 1] == _CLOSING and partner.get(end - 1, -1) >= start:
            break
        end -= 1
    return text[start:end]


def matched_brackets(text: str) -> dict[int, int]:
    """Map the index of each paired （ or ） in a text to the index of its partner."""
    partner: dict[int, int] = {}
    stack: list[int] = []
    for index, char in enumerate(text):
        if char in "（(":
            stack.append(index)
        elif char in "）)" and stack:
            opening = stack.pop()
            partner[opening] = index
            partner[index] = opening
    return partner


def looks_like_group(name: str) -> bool:
    """Tell whether a unit name reads as a group of units (各地区, 有关部门 …), not one agency."""
    key = normalise_unit_name(name)
    return any(pattern.search(key) for pattern in _GROUP_PATTERNS)


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def _entry_from_table(table: dict[str, Any]) -> DirectoryEntry:
    try:
        name = table["name"]
        full_name = table["full_name"]
        name_en = table["name_en"]
    except KeyError as missing:
        raise ValueError(f"directory entry {table!r} lacks {missing.args[0]!r}") from None
    aliases = table.get("aliases", [])
    is_group = table.get("group", False)
    texts = [name, full_name, name_en, *aliases] if isinstance(aliases, list) else []
    if not texts or not all(isinstance(text, str) and text for text in texts):
        raise ValueError(f"directory entry {name!r} has an empty or non-text name")
    if not isinstance(is_group, bool):
        raise ValueError(f"directory entry {name!r}: group must be true or false")
    return DirectoryEntry(
        name=name,
        full_name=full_name,
        name_en=name_en,
        aliases=tuple(aliases),
        is_group=is_group,
    )
