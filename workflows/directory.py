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

# Longest first: 中共中央宣传部 loses 中共中央, not 中共.
_CENTRAL_PREFIXES = (
    "中华人民共和国",
    "中国共产党",
    "中共中央",
    "中华全国",
    "国务院",
    "中央",
    "国家",
    "中国",
    "全国",
)
# What kind of body a name ends with, longest first; local names swap them (部 → 厅, 局).
_BODY_SUFFIXES = (
    "委员会",
    "办公室",
    "办公厅",
    "总局",
    "总署",
    "总队",
    "支队",
    "委",
    "部",
    "局",
    "署",
    "办",
    "厅",
)

_LATIN = re.compile("[A-Za-z]")
_ENGLISH_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)
# Whitespace between two Latin words is kept, as one space: Ministry of Finance.
_SPACE = re.compile(r"(?:(?<=[A-Za-z0-9.,'&\-])(?P<word>\s+)(?=[A-Za-z0-9&]))|\s+")

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
        r"的(部门|单位|地方|机构|地区)$",  # 有结对任务的单位: the units a clause describes
        r"^(试点|示范)(城市|地区|省份|县|市)",  # 试点城市政府: the governments of the pilots
        r"^(派出|选派|承担|涉及)\S*单位$",  # 派出挂职干部单位: the units that sent cadres
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
    local: tuple[str, ...] = ()  # stems local counterparts use besides its own (经信 for 工信部)

    @property
    def english(self) -> tuple[str, ...]:
        """Return the English name and the abbreviations among the aliases (NDRC, MOF)."""
        return (self.name_en, *(alias for alias in self.aliases if alias.isascii()))

    @property
    def spellings(self) -> tuple[str, ...]:
        """Return the name, the full name and the aliases, without repeats."""
        return tuple(dict.fromkeys((self.name, self.full_name, *self.aliases)))


@dataclass(frozen=True)
class LocalBody:
    """A kind of local body with no central counterpart (行政审批局, 政府办公厅 …)."""

    name: str
    name_en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Counterpart:
    """What a local unit's name (after its level prefix) mirrors, and its canonical form."""

    name: str  # the canonical form of the local name: 发展改革委 for 发改委, 教育厅 for 教育厅
    entry: DirectoryEntry | None  # the central body it mirrors, if any
    body: LocalBody | None  # the local-only kind of body, if it mirrors none
    name_en: str


# What a core or stem names, and the stem its canonical local form is built on.
_Target = tuple[DirectoryEntry | LocalBody, str | None]


class AgencyDirectory:
    """Agencies and unit groups, found by short name, full name or alias."""

    def __init__(
        self, entries: Iterable[DirectoryEntry], local_bodies: Iterable[LocalBody] = ()
    ) -> None:
        self._entries = tuple(entries)
        self._local_bodies = tuple(local_bodies)
        self._index: dict[str, DirectoryEntry] = {}
        # English names (Ministry of Finance), folded: a CSV or sheet typed in English.
        self._english: dict[str, DirectoryEntry] = {}
        for entry in self._entries:
            for english in entry.english:
                self._english.setdefault(normalise_unit_name(english).casefold(), entry)
            for spelling in entry.spellings:
                key = normalise_unit_name(spelling)
                if not key:
                    raise ValueError(f"empty spelling in directory entry {entry.name!r}")
                other = self._index.get(key)
                if other is not None and other is not entry:
                    raise ValueError(f"{spelling!r} names both {other.name!r} and {entry.name!r}")
                self._index[key] = entry
        self._english_pattern: re.Pattern[str] | None = None
        self._cores: dict[str, _Target] = {}
        self._stems: dict[str, _Target] = {}
        self._index_counterparts()

    def _index_counterparts(self) -> None:
        """Index the cores (names without 国家, 中央 …) and stems local counterparts reuse.

        Local-only bodies come first so that 金融工作局 is a local finance office, not a
        counterpart of 中央金融工作委员会. Only a stem of a central body's own spellings is
        rebuilt on its canonical name (发改委 → 发展改革委); other local names stay as printed.
        """
        for body in self._local_bodies:
            for spelling in (body.name, *body.aliases):
                self._add_core(normalise_unit_name(spelling), (body, None))
        for entry in self._entries:
            if entry.is_group:
                continue
            canonical = _stem(_central_core(entry.name))
            for spelling in entry.spellings:
                self._add_core(_central_core(normalise_unit_name(spelling)), (entry, canonical))
            for stem in entry.local:
                self._add_core(normalise_unit_name(stem), (entry, None))

    def _add_core(self, core: str, target: _Target) -> None:
        # A one-character stem (民 of 民委) would match far too much; only 委 (省委) is
        # a whole local body in one character.
        if len(core) < 2 and not isinstance(target[0], LocalBody):
            return
        self._cores.setdefault(core, target)
        stem = _stem(core) or core
        if len(stem) >= 2:
            self._stems.setdefault(stem, target)

    def counterpart(self, name: str) -> Counterpart | None:
        """What a local name such as 发改委, 教育厅 or 委组织部 mirrors, or None."""
        key = normalise_unit_name(name)
        found = self._counterpart(key)
        if found is None and key.startswith("委") and len(key) > 1:
            # 省委组织部, 市委网信办: the Party committee's own departments.
            inner = self._counterpart(key[1:])
            if inner is not None:
                return Counterpart("委" + inner.name, inner.entry, inner.body, inner.name_en)
        return found

    def _counterpart(self, key: str) -> Counterpart | None:
        stem = _stem(key)
        target = self._cores.get(key)
        if target is None and stem is not None:
            target = self._stems.get(stem)
        if target is None:
            return None
        found, canonical = target
        if stem is not None and canonical is not None:
            # One canonical form per body: 发改委 and 发展和改革委员会 are both 发展改革委.
            suffix = key[len(stem) :]
            name = canonical + ("委" if suffix == "委员会" else suffix)
        else:
            # Other names are kept as printed, but 政府 is 人民政府.
            name = found.name if isinstance(found, LocalBody) and stem is None else key
        if isinstance(found, DirectoryEntry):
            return Counterpart(name, found, None, found.name_en)
        return Counterpart(name, None, found, found.name_en)

    def lookup(self, name: str) -> DirectoryEntry | None:
        """Return the entry a short name, full name or alias denotes, or None."""
        key = normalise_unit_name(name)
        entry = self._index.get(key)
        if entry is None and key.startswith(_STATE_PREFIX):
            entry = self._index.get(key.removeprefix(_STATE_PREFIX))
        if entry is None and _LATIN.search(key):
            entry = self._english.get(_ENGLISH_ARTICLE.sub("", key).casefold())
        return entry

    def english_names(self) -> re.Pattern[str]:
        """A pattern matching any entry's English name in a text, longest first, any case."""
        if self._english_pattern is None:
            names = sorted(
                {name for entry in self._entries for name in entry.english if _LATIN.search(name)},
                key=len,
                reverse=True,
            )
            words = (r"\s+".join(re.escape(word) for word in name.split()) for name in names)
            alternation = "|".join(words)
            self._english_pattern = re.compile(
                rf"(?<![A-Za-z])(?:the\s+)?({alternation})(?![A-Za-z])", re.IGNORECASE
            )
        return self._english_pattern

    def by_english_name(self, name: str) -> DirectoryEntry | None:
        """The entry whose English name this is (any case, any spacing), or None."""
        return self._english.get(normalise_unit_name(name).casefold())

    def entries(self) -> tuple[DirectoryEntry, ...]:
        """Return every entry in the order the directory lists them."""
        return self._entries

    def local_bodies(self) -> tuple[LocalBody, ...]:
        """Return the local bodies without a central counterpart."""
        return self._local_bodies

    def __len__(self) -> int:
        return len(self._entries)


def parse_directory(text: str) -> AgencyDirectory:
    """Build a directory from the TOML text of an agencies file."""
    data = tomllib.loads(text)
    return AgencyDirectory(
        (_entry_from_table(table) for table in data.get("agency", [])),
        (_local_from_table(table) for table in data.get("local", [])),
    )


@functools.cache
def load_directory() -> AgencyDirectory:
    """Return the directory bundled with annexbot (read once, then cached)."""
    resource = importlib.resources.files(_DATA_PACKAGE).joinpath(_DATA_FILE)
    return parse_directory(resource.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=8192)
def normalise_unit_name(name: str) -> str:
    """Return a unit name in NFKC with （） brackets, no surrounding punctuation, and no
    whitespace but one space between Latin words (Ministry of Finance)."""
    text = unicodedata.normalize("NFKC", name)
    text = _SPACE.sub(lambda found: " " if found["word"] else "", text)
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
    local = table.get("local", [])
    is_group = table.get("group", False)
    lists_ok = isinstance(aliases, list) and isinstance(local, list)
    texts = [name, full_name, name_en, *aliases, *local] if lists_ok else []
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
        local=tuple(local),
    )


def _local_from_table(table: dict[str, Any]) -> LocalBody:
    name, name_en, aliases = table.get("name"), table.get("name_en"), table.get("aliases", [])
    texts = [name, name_en, *aliases] if isinstance(aliases, list) else []
    if not texts or not all(isinstance(text, str) and text for text in texts):
        raise ValueError(f"local body {table!r} has an empty or non-text name")
    assert isinstance(name, str)
    assert isinstance(name_en, str)
    return LocalBody(name=name, name_en=name_en, aliases=tuple(aliases))


def _central_core(name: str) -> str:
    """A central body's name without the state's or the centre's prefix (国家, 中共中央 …)."""
    prefix = next((p for p in _CENTRAL_PREFIXES if name.startswith(p) and len(name) > len(p)), "")
    return name.removeprefix(prefix)


def _stem(name: str) -> str | None:
    """A body's name without its kind (教育 of 教育厅), or None when it has no such ending."""
    suffix = next((s for s in _BODY_SUFFIXES if name.endswith(s) and len(name) > len(s)), None)
    return None if suffix is None else name.removesuffix(suffix)
