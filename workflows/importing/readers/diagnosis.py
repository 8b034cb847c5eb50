"""What a file showed when no layout found its tasks, for an error that helps."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from workflows.importing.readers.columns import kind_of
from workflows.importing.readers.inline import responsibility_note
from workflows.importing.readers.numbering import STYLE_NAMES, outline

_TRIED = (
    "tried the table, labelled, inline and CSV layouts: a table (a header with 序号, "
    "a task column and a units column), "
    "labelled lines (牵头单位：/责任单位： under each task), "
    "notes ending each paragraph (（…负责）, 〔责任单位：…〕, 〔甲司、乙司〕, 由…负责)"
)
_UNIT_WORDS = ("负责", "牵头", "责任单位", "配合")
_CELLS = re.compile(r"[|,，]|\s+")
_UNIT_KINDS = ("lead", "co", "units")


def nothing_found(lines: Sequence[str]) -> str:
    """Say what was seen in lines where no task was found, and which layouts were tried."""
    items = outline(lines)
    if not any(line.strip() for line in lines):
        return "no numbered task found: the file has no text; " + _TRIED
    header = _header_without_units(lines)
    if header is not None:
        return (
            f"no numbered task found: a table header ({header}) found, but no units column "
            f"(负责单位, 牵头单位 or 责任单位); {_TRIED}"
        )
    counts = Counter(item.style for item in items)
    if not counts:
        noted = sum(responsibility_note(line.strip()) is not None for line in lines)
        if noted:
            return (
                f"no numbered task found: {noted} paragraph{'s' if noted > 1 else ''} with a "
                "responsibility note (（…负责）) found, but none is numbered (1. （一） 一、 ①); "
                + _TRIED
            )
        return "no numbered task found: no numbered paragraph (1. （一） 一、 ①) seen; " + _TRIED
    seen = ", ".join(f"{counts[style]} numbered {STYLE_NAMES[style]}" for style in counts)
    words = sorted({word for line in lines for word in _UNIT_WORDS if word in line})
    if words:
        hint = f"the words {'/'.join(words)} appear, but not as a note a layout reads"
    else:
        hint = "but no responsibility notes"
    return f"no numbered task found: {seen} found, {hint}; {_TRIED}"


def _header_without_units(lines: Sequence[str]) -> str | None:
    """A table header naming a task column but no units column (序号 工作任务 完成时限)."""
    for line in lines[:200]:
        cells = [cell.strip() for cell in _CELLS.split(line) if cell.strip()]
        kinds = [kind_of(cell) for cell in cells]
        known = [kind for kind in kinds if kind is not None]
        if "text" in known and len(known) >= 2 and not set(_UNIT_KINDS) & set(known):
            return " ".join(cells)[:60]
    return None
