"""What a file showed when no layout found its tasks, for an error that helps."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from workflows.importing.readers.numbering import STYLE_NAMES, outline

_TRIED = (
    "tried the table, labelled, inline and CSV layouts: a table (a header with 序号, "
    "a task column and a units column), "
    "labelled lines (牵头单位：/责任单位： under each task), "
    "notes ending each paragraph (（…负责）, 〔责任单位：…〕, 〔甲司、乙司〕, 由…负责)"
)
_UNIT_WORDS = ("负责", "牵头", "责任单位", "配合")


def nothing_found(lines: Sequence[str]) -> str:
    """Say what was seen in lines where no task was found, and which layouts were tried."""
    items = outline(lines)
    if not any(line.strip() for line in lines):
        return "no numbered task found: the file has no text; " + _TRIED
    counts = Counter(item.style for item in items)
    if not counts:
        return "no numbered task found: no numbered paragraph (1. （一） 一、 ①) seen; " + _TRIED
    seen = ", ".join(f"{counts[style]} numbered {STYLE_NAMES[style]}" for style in counts)
    words = sorted({word for line in lines for word in _UNIT_WORDS if word in line})
    if words:
        hint = f"the words {'/'.join(words)} appear, but not as a note a layout reads"
    else:
        hint = "but no responsibility notes"
    return f"no numbered task found: {seen} found, {hint}; {_TRIED}"
