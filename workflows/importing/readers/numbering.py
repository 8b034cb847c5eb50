"""Numbered paragraphs: every numbering style, and which level of an outline holds the tasks.

Documents number their parts 一、 / （一） / 1. / （1） / ① (and 第一条); the level whose items
carry responsibility notes holds the tasks, the levels above are sections and the levels below
are sub-items that stay in their task's text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from workflows.importing.readers.text import is_end_marker, is_noise, join_text

_CN = "一二三四五六七八九十百零〇两"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# Style name, the pattern of its number, and its rank in an outline (lower is higher up).
STYLES: dict[str, tuple[re.Pattern[str], int]] = {
    "article": (re.compile(rf"\s*第([{_CN}0-9]{{1,4}})条\s*"), 0),
    "cn-dot": (re.compile(rf"\s*([{_CN}]{{1,4}})\s*[、．.]\s*"), 1),
    "cn-paren": (re.compile(rf"\s*[（(]\s*([{_CN}]{{1,4}})\s*[）)]\s*[、．.]?\s*"), 2),
    "dot": (re.compile(r"\s*([0-9０-９]{1,3})\s*[.．、﹒](?![0-9０-９])\s*"), 3),
    "paren": (re.compile(r"\s*[（(]\s*([0-9０-９]{1,3})\s*[）)]\s*"), 4),
    "circled": (re.compile(rf"\s*([{_CIRCLED}])\s*"), 5),
}
STYLE_NAMES = {
    "article": "第一条",
    "cn-dot": "一、",
    "cn-paren": "（一）",
    "dot": "1.",
    "paren": "（1）",
    "circled": "①",
}
_CN_DIGITS = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


def chinese_number(value: str) -> int | None:
    """Read 一 … 九十九 (and 一百) as a number; None when it is not one."""
    if not value:
        return None
    if value.isdigit():
        return int(value)
    if "百" in value:
        hundreds, _, rest = value.partition("百")
        head = _CN_DIGITS.get(hundreds, 1) if hundreds else 1
        tail = chinese_number(rest.lstrip("零〇")) if rest else 0
        return None if tail is None else head * 100 + tail
    if "十" in value:
        tens, _, ones = value.partition("十")
        if (tens and tens not in _CN_DIGITS) or (ones and ones not in _CN_DIGITS):
            return None
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    if len(value) == 1 and value in _CN_DIGITS:
        return _CN_DIGITS[value]
    return None


def match_number(line: str) -> tuple[str, int, str] | None:
    """The style, number and rest of a line that starts with a paragraph number."""
    for style, (pattern, _) in STYLES.items():
        found = pattern.match(line)
        if found is None:
            continue
        raw = found.group(1)
        if style == "circled":
            number: int | None = _CIRCLED.index(raw) + 1
        elif style in ("dot", "paren"):
            number = int(raw.translate(_FULLWIDTH))
        else:
            number = chinese_number(raw)
        if number:
            return style, number, line[found.end() :]
    return None


_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
# 11.121人才梯队项目: a number that reads as the start of a decimal.
_DECIMAL_LEAD = re.compile(r"\s*([0-9]{1,3})\s*[.．](?=[0-9])")


def _next_after_closed(
    line: str, items: Sequence[Item], closed: Callable[[str], bool] | None
) -> tuple[str, int, str] | None:
    """A decimal-looking number is the next task's when the task before, one less, is finished."""
    found = _DECIMAL_LEAD.match(line)
    if found is None or closed is None or not items:
        return None
    last, number = items[-1], int(found.group(1))
    if last.style != "dot" or last.number != number - 1 or not closed(last.text):
        return None
    return "dot", number, line[found.end() :]


def rank(style: str) -> int:
    """How high a numbering style sits in an outline (0 is the top)."""
    return STYLES[style][1]


@dataclass
class Item:
    """One numbered paragraph and the unnumbered lines that continue it."""

    line: int
    style: str
    number: int
    head: str  # the line as printed, number included
    prefix: str  # the number as printed: 1. （一） ①
    text: str  # the text after the number, lines joined
    last_line: int
    lines: list[tuple[int, str]] = field(default_factory=list)  # continuation lines
    marked: bool = False


def outline(
    lines: Sequence[str],
    *,
    keep_blank: bool = False,
    closed: Callable[[str], bool] | None = None,
) -> list[Item]:
    """Cut lines into numbered paragraphs (every style), up to the closing 抄送 line.

    With `closed`, a paragraph takes no more lines once its text reads as finished (its
    responsibility note read), so a closing remark is not glued to the last task; unnumbered
    lines after it that end with a note of their own are a further part of the same task.
    """
    items: list[Item] = []
    after_note: list[tuple[int, str]] = []  # lines after a finished paragraph, not yet its own
    for index, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            if keep_blank and items:
                items[-1].lines.append((index, ""))
            continue
        if is_noise(line):
            continue
        if is_end_marker(line):
            break
        numbered = match_number(line) or _next_after_closed(line, items, closed)
        if numbered is not None:
            style, number, rest = numbered
            prefix = line[: len(line) - len(rest)].strip()
            items.append(Item(index, style, number, line, prefix, rest.strip(), index))
            after_note = []
        elif items and closed and closed(items[-1].text):
            # 推进甲。（甲部负责） / 推进乙。 / （乙局负责）: one numbered task, two notes.
            after_note.append((index, line))
            if closed(" ".join(text for _, text in after_note)):
                for at, text in after_note:
                    _continue(items[-1], at, text)
                after_note = []
        elif items:
            _continue(items[-1], index, line)
    return items


def _continue(item: Item, index: int, line: str) -> None:
    item.text = join_text(item.text, line)
    item.lines.append((index, line))
    item.last_line = index


@dataclass
class Picked:
    """The task paragraphs of an outline, their sections and their sub-items."""

    style: str
    tasks: list[tuple[Item, str | None, list[Item]]]  # task, section, sub-items
    renumbered: bool


def pick_tasks(
    items: list[Item],
    is_marked: Callable[[Item], bool],
    shares: Callable[[Item], bool] = lambda item: False,
) -> Picked | None:
    """Choose the level that holds the tasks: the one whose items carry responsibility notes.

    A first note that `shares` itself with the tasks before it (以上两项由…负责) keeps them.
    """
    for item in items:
        item.marked = is_marked(item)
    _lift_marks(items)
    counts = Counter(item.style for item in items if item.marked)
    if not counts:
        return None
    # As many notes at two levels: the deeper level holds the tasks (measures under a task).
    style = min(counts, key=lambda s: (-counts[s], -rank(s)))
    level = rank(style)
    picked: list[tuple[Item, str | None, list[Item]]] = []
    section: str | None = None
    open_task = False  # a task of this section can still take sub-items
    headings: list[tuple[int, str]] = []  # the headings above the current item, outermost first
    for item in items:
        if rank(item.style) < level:
            while headings and headings[-1][0] >= rank(item.style):
                headings.pop()
            if item.marked:
                # A heading with a note of its own (（一）…（甲部负责） above its 具体措施) is a
                # task too, in the section above it, and the section of the measures under it.
                picked.append((item, headings[-1][1] if headings else None, []))
            headings.append((rank(item.style), section_title(item.head)))
            section, open_task = headings[-1][1], False
        elif item.style == style or (item.marked and not (open_task and _open(picked))):
            # A stray style that carries its own note is a task too: （4） after 3.…（甲部负责）
            picked.append((item, section, []))
            open_task = True
        elif picked and open_task:
            picked[-1][2].append(item)
    marked = [i for i, (item, _, _) in enumerate(picked) if item.marked]
    first = marked[0]
    while first and shares(picked[marked[0]][0]) and picked[first - 1][1] == picked[first][1]:
        first -= 1
    picked = picked[first : marked[-1] + 1]
    return Picked(style, picked, renumbered=_restarts(picked))


def _open(picked: list[tuple[Item, str | None, list[Item]]]) -> bool:
    """Tell whether the last task still waits for its note (so what follows is a sub-item)."""
    return not picked[-1][0].marked


def _restarts(picked: list[tuple[Item, str | None, list[Item]]]) -> bool:
    """Tell whether task numbers start again at 1 in each section (then position numbers them).

    Tasks of two numbering styles, each with its own note, number by position too: a measure
    1.（甲部牵头） under a task （一）（甲部、乙部负责） repeats the numbers of the level above.
    """
    numbers = [item.number for item, _, _ in picked]
    if len(set(numbers)) == len(numbers):
        return False
    if len({item.style for item, _, _ in picked}) > 1:
        return True
    by_section: dict[str | None, list[int]] = {}
    for item, section, _ in picked:
        by_section.setdefault(section, []).append(item.number)
    return len(by_section) > 1 and all(
        found == list(range(1, len(found) + 1)) for found in by_section.values()
    )


def _lift_marks(items: list[Item]) -> None:
    """A note after the last of several sub-items is their parent's: 1. （1） （2）（甲负责）."""
    groups: dict[tuple[int, str], list[int]] = {}
    parents: list[int] = []
    for at, item in enumerate(items):
        parent = next((j for j in reversed(parents) if rank(items[j].style) < rank(item.style)), -1)
        groups.setdefault((parent, item.style), []).append(at)
        while parents and rank(items[parents[-1]].style) >= rank(item.style):
            parents.pop()
        parents.append(at)
    for (parent, _), members in groups.items():
        *earlier, last = members
        lone_note = items[last].marked and not any(items[k].marked for k in earlier)
        if parent >= 0 and earlier and lone_note and not items[parent].marked:
            items[last].marked, items[parent].marked = False, True


def section_title(head: str) -> str:
    """The heading part of a section line such as 一、加强统筹规划。其他……."""
    return head.strip().split("。", 1)[0].strip()
