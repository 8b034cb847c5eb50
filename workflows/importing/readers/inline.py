"""The inline layout: numbered paragraphs ending with who is responsible and by when.

7.建立共享目录。……。（甲部、乙局负责，2016年底前完成）
（一）……。〔责任单位：甲部、乙局〕
（二）关于……的问题，由甲部会同乙局等部门负责落实。
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from workflows.importing.readers.cells import names_leaders, reads_as_units, starts_schedule
from workflows.importing.readers.common import Draft, Field
from workflows.importing.readers.labels import LABEL, label_field
from workflows.importing.readers.numbering import STYLE_NAMES, Item, outline, pick_tasks
from workflows.importing.readers.text import join_text

_ROLE = re.compile(r"负责|牵头|参与|配合|责任单位|责任部门|承办单位")
_ROLE_END = re.compile(
    r"(?:按照?职责分工|分别|共同|具体)?(负责|牵头|参与|配合|指导)(?:落实|实施|推进)?$"
)
_NOTE = re.compile(r"第一位|排.{0,2}第一|下同|以下均|不再列出")
# 甲部指导 closing a clause (指导 inside prose, as in 指导意见, is no role).
_GUIDES = re.compile(r"指导(?:[，,；;。]|$)")
# A note naming once who carries out every later task: （…以下均需各区政府落实，不再列出）.
_STANDING = re.compile(r"以下均(?:需|由)(?P<doer>[^，,；;。]{2,30}?)(?:负责)?落实")
# A note that only lists units, in the brackets prose does not use: 〔甲司、乙司，丙局〕.
_BARE_CLOSERS = "〕】］]"
_UNIT_END = re.compile(
    r"(?:部|委|局|办|署|会|行|院|厅|室|处|司|政府|中心|公司|集团|部门|单位|机构|小组|团委|党委|工会)$"
)
_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
_ROLE_FIELD: dict[str, Field] = {
    "负责": "units",
    "牵头": "lead",
    "参与": "co",
    "配合": "co",
    "指导": "units",  # with its role word kept: units read 甲部指导 as a guide
}
_PARTS = re.compile(r"[，,；;。]")
_TRAILING = "。；;.，, \u3000"
_LONGEST_PARENTHETICAL = 200
_CLOSERS = {"）": "（", ")": "(", "〕": "〔", "]": "[", "】": "【", "］": "［"}
# A note several tasks share: （以上两项由甲部负责）, （上述任务均由乙局牵头）.
_SHARED = re.compile(r"(?:以上|上述)(?P<count>[0-9]+|[两二三四五六七八九十各几])?[项条]?")
_CN_COUNTS = dict(zip("两二三四五六七八九十", (2, 2, 3, 4, 5, 6, 7, 8, 9, 10), strict=True))
# A note inside a paragraph's text, before its closing one.
_INNER_NOTE = re.compile(r"[（(]([^（）()]{2,200})[）)]")
_OPENERS = set(_CLOSERS.values())
# 由甲部会同乙局、丙部等部门负责落实 / 研究提出落实意见 (the sentence that ends a paragraph).
_SENTENCE = re.compile(
    r"由(?P<lead>[^，。；,;由]{2,60}?)(?:会同(?P<co>[^。；;由]{2,300}?))?"
    r"(?:共同)?(?:负责|牵头|研究|组织|制定|提出)[^。；;由，,]{0,30}[。；;]?$"
)


@dataclass(frozen=True)
class Note:
    """A paragraph's responsibility note: the text before it, its content, how it was printed."""

    body: str
    inner: str
    rule: str  # parenthetical, labelled parenthetical, bracketed units, sentence


def read_inline(lines: Sequence[str]) -> list[Draft]:
    """Read the numbered task paragraphs, from the first that names its units to the last."""
    items = outline(lines, closed=lambda text: responsibility_note(text) is not None)
    picked = pick_tasks(
        items,
        lambda item: responsibility_note(item.text) is not None,
        lambda item: _shared_count(item.text) is not None,
    )
    if picked is None:
        return []
    drafts = []
    doer: str | None = None  # named once by a standing note, for every task after it
    for position, (item, section, subs) in enumerate(picked.tasks, 1):
        number = position if picked.renumbered else item.number
        text = item.text
        last = item.last_line
        for sub in subs:
            text, last = join_text(text, sub.prefix + sub.text), max(last, sub.last_line)
        draft = _draft(item, number, section, text, last, picked.style)
        if doer and draft.marked:
            draft.cells["units"] = "，".join(filter(None, [f"{doer}负责", draft.get("units")]))
            draft.rule += f", standing note （以下均需{doer}落实）"
        drafts.append(draft)
        _share_note(drafts, _shared_count(text))
        doer = next((m["doer"] for m in _STANDING.finditer(text)), doer)
    return drafts


def _shared_count(text: str) -> int | Literal[0] | None:
    """How many tasks a note such as （以上两项由甲部负责） covers; 0 for all before it."""
    note = responsibility_note(text)
    found = _SHARED.match(note.inner) if note is not None else None
    if found is None:
        return None
    count = found["count"]
    if not count or count in "各几":
        return 0
    return int(count) if count.isdigit() else _CN_COUNTS.get(count, 0)


def _share_note(drafts: list[Draft], count: int | None) -> None:
    """Give the last draft's units and schedule to the note-less tasks its note covers."""
    if count is None:
        return
    source = drafts[-1]
    taken = 1
    for draft in reversed(drafts[:-1]):
        if draft.has_units() or draft.section != source.section or (count and taken >= count):
            break
        for name in ("lead", "units", "co", "schedule"):
            if source.get(name) and not draft.get(name):
                draft.add(name, source.get(name))
        draft.marked, draft.rule, taken = True, source.rule + ", shared note", taken + 1


def responsibility_note(text: str) -> Note | None:
    """The note that ends a paragraph: （…负责）, 〔责任单位：…〕 or 由…负责落实。"""
    split = split_parenthetical(text[-_LONGEST_PARENTHETICAL:])
    if split is not None:
        inner = split[1]
        body = text[: len(text) - len(text[-_LONGEST_PARENTHETICAL:])] + split[0]
        rule = "labelled parenthetical" if LABEL.search(inner) else "parenthetical"
        if not _ROLE.search(inner) and not _GUIDES.search(inner):
            rule = "bracketed units"
        return Note(body.rstrip(), inner, rule)
    found = _SENTENCE.search(text.rstrip(" \u3000"))
    if found is not None:
        return Note(text.strip(), found.group(0), "sentence")
    return _middle_note(text)


def _middle_note(text: str) -> Note | None:
    """A note in the middle of a paragraph, the text going on after it:
    1. 建设平台。（甲部负责）推动共享，完善机制。"""
    notes = [
        match
        for match in _INNER_NOTE.finditer(text)
        if any(_ROLE_END.search(part.strip()) for part in _PARTS.split(match[1]) if part)
    ]
    if not notes:
        return None
    last = notes[-1]
    body = join_text(text[: last.start()].rstrip(), text[last.end() :].lstrip(_TRAILING))
    return Note(body.strip(), last[1], "parenthetical in the text")


def split_parenthetical(text: str) -> tuple[str, str] | None:
    """Split text ending with a responsibility parenthetical into (text before, its content)."""
    body = text.rstrip(_TRAILING)
    if not body or body[-1] not in _CLOSERS:
        return None
    depth = 0
    for at in range(len(body) - 1, max(-1, len(body) - _LONGEST_PARENTHETICAL), -1):
        if body[at] in _CLOSERS:
            depth += 1
        elif body[at] in _OPENERS:
            depth -= 1
            if depth == 0:
                inner = body[at + 1 : -1]
                bare = body[-1] in _BARE_CLOSERS and _lists_units(inner)
                role = _ROLE.search(inner) or _GUIDES.search(inner)
                return (body[:at].rstrip(), inner) if role or bare else None
    return None


def _lists_units(inner: str) -> bool:
    """Whether a bracket holds only unit names: 新能源司、电力司，华中能源监管局."""
    pieces = [_BRACKETED.sub("", piece).strip() for piece in re.split(r"[、，,；;]", inner)]
    return all(
        0 < len(piece) <= 20 and _UNIT_END.search(piece) and not re.search(r"[。：:]", piece)
        for piece in pieces
    )


def _draft(item: Item, number: int, section: str | None, text: str, last: int, style: str) -> Draft:
    draft = Draft(item.line, number, section, last_line=last)
    note = responsibility_note(text)
    if note is None:
        draft.add("text", text)
        return draft
    draft.marked = True
    draft.rule = f"inline {note.rule}, numbered {STYLE_NAMES[style]}"
    draft.add("text", note.body)
    for inner in _inner_notes(note.body):
        # 推进甲（甲部负责）。推进乙（乙局负责）: every note of the paragraph names its units.
        _read_parts(draft, inner, keep_pending=False)
    if note.rule == "sentence":
        _read_sentence(draft, note.inner)
    elif note.rule == "labelled parenthetical":
        _read_labels(draft, note.inner)
    elif note.rule == "bracketed units":
        draft.add("units", note.inner, sep="，")
    else:
        _read_parts(draft, note.inner)
    return draft


def _read_sentence(draft: Draft, sentence: str) -> None:
    found = _SENTENCE.match(sentence)
    if found is None:  # pragma: no cover - the note was found by this pattern
        return
    if found.group("co"):
        draft.add("lead", found.group("lead"), sep="、")
        draft.add("co", found.group("co"), sep="、")
    else:
        draft.add("units", found.group("lead"), sep="、")


def _read_labels(draft: Draft, inner: str) -> None:
    """（牵头单位：甲部；责任单位：乙局。remark）: each label's value up to the next label."""
    labels = list(LABEL.finditer(inner))
    for found, following in zip(labels, [*labels[1:], None], strict=True):
        value = inner[found.end() : following.start() if following else len(inner)]
        value = value.split("。", 1)[0].strip(_TRAILING)
        name = label_field(found.group(1))
        draft.add(name, value, sep="，" if name in ("schedule", "text") else "、")


def _inner_notes(body: str) -> list[str]:
    """Responsibility notes inside a paragraph's text (（甲部负责）), not its closing one."""
    found = []
    for match in _INNER_NOTE.finditer(body):
        parts = [part.strip() for part in _PARTS.split(match[1])]
        if any(_ROLE_END.search(part) for part in parts if part):
            found.append(match[1])
    return found


def _read_parts(draft: Draft, inner: str, *, keep_pending: bool = True) -> None:
    pending: list[str] = []
    for part in (part.strip() for part in _PARTS.split(inner)):
        if not part or _NOTE.search(part):
            continue
        role = _ROLE_END.search(part)
        if role:
            names = "，".join([*pending, part[: role.start()].strip()]).strip("，")
            pending = []
            if keep_pending:
                word = "指导" if role.group(1) == "指导" else ""
                _assign(draft, _ROLE_FIELD[role.group(1)], names + word)
            else:
                # A note inside the text: its units keep their role words and printed place.
                word = "" if role.group(1) == "负责" else role.group(1)
                draft.add("units", names + word, sep="，")
        elif starts_schedule(part):
            draft.add("schedule", part, sep="，")
        else:
            pending.append(part)
    for part in pending:
        # Leaders' posts (分管副省长) go with the units, which keep them as the task's note.
        units = reads_as_units(part, text_done=True) or names_leaders(part)
        name: Field = "units" if units else "schedule"
        if keep_pending or name == "units" or starts_schedule(part):
            draft.add(name, part, sep="，")


def _assign(draft: Draft, name: Field, names: str) -> None:
    if "会同" in names:
        # 甲部会同乙局负责: the first leads, the others work with it.
        lead, _, co = names.partition("会同")
        draft.add("lead", lead, sep="、")
        draft.add("co", co, sep="、")
    else:
        draft.add(name, names, sep="，")
