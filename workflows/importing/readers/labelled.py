"""The labelled layout: numbered task lines followed by 牵头单位：… 完成时限：… lines."""

from __future__ import annotations

import re
from collections.abc import Sequence

from workflows.importing.readers.common import Draft, Field
from workflows.importing.readers.inline import responsibility_note
from workflows.importing.readers.labels import KEPT_LABELS, LABEL, label_field
from workflows.importing.readers.numbering import STYLE_NAMES, Item, outline, pick_tasks

_OPENERS = "（(〔[【［"
_CLOSERS = "）)〕]】］"


def read_labelled(lines: Sequence[str]) -> list[Draft]:
    """Read numbered tasks and their labelled lines, from the first labelled task to the last."""
    items = outline(lines, keep_blank=True)
    picked = pick_tasks(items, _labelled)
    if picked is None:
        return []
    drafts = []
    for position, (item, section, subs) in enumerate(picked.tasks, 1):
        number = position if picked.renumbered else item.number
        draft = Draft(item.line, number, section, last_line=item.line)
        draft.rule = f"labelled lines, numbered {STYLE_NAMES[picked.style]}"
        field: Field | None = _take(draft, item.head[len(item.prefix) :].strip(), "text", item.line)
        for sub in [item, *subs]:
            if sub is not item:
                field = _take(draft, sub.head, field if field == "text" else None, sub.line)
            for index, line in sub.lines:
                if not line:
                    # A blank line ends a labelled value; task text may run on over a page break.
                    field = field if field == "text" else None
                    continue
                field = _take(draft, line, field, index)
        drafts.append(draft)
    return drafts


def _labelled(item: Item) -> bool:
    if responsibility_note(item.text) is not None:
        return False  # its labels sit in a note that closes the paragraph: the inline layout
    return any(_has_unit_label(line) for _, line in [(item.line, item.head), *item.lines])


def _has_unit_label(line: str) -> bool:
    return any(label_field(found.group(1)) != "text" for found in _labels(line))


def _labels(line: str) -> list[re.Match[str]]:
    """Labels that open a field; one inside brackets belongs to the inline layout."""
    return [found for found in LABEL.finditer(line) if not _bracketed(line, found)]


def _bracketed(line: str, found: re.Match[str]) -> bool:
    """Tell whether a label sits in brackets: [牵头单位：…] is a note, 【责任单位】： a label."""
    label = found.group(1)
    opened = found.group(0)[0] in _OPENERS
    decorated = opened and found.group(0)[len(label) + 1 : len(label) + 2] in _CLOSERS
    before = line[: found.start(1) if opened and not decorated else found.start()]
    return sum(before.count(ch) for ch in _OPENERS) > sum(before.count(ch) for ch in _CLOSERS)


def _take(draft: Draft, line: str, field: Field | None, index: int) -> Field | None:
    """Put a line's text into the current field and the fields its labels open."""
    at = 0
    for found in _labels(line):
        if field is not None:
            draft.add(field, line[at : found.start()], line=index)
        field = label_field(found.group(1))
        draft.marked = draft.marked or field != "text"
        at = found.end()
        if found.group(1) in KEPT_LABELS:
            draft.add(field, "；", line=index)
            at = found.start()
    if field is not None:
        draft.add(field, line[at:], line=index)
    return field
