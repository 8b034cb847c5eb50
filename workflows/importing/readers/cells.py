"""What a fragment of a cell reads as: a list of units, a schedule, or neither."""

from __future__ import annotations

import re
import unicodedata

_UNIT_NAME = re.compile(
    r"[^\s。；;：:！？!?“”\"《》的及并将把]{1,15}?"
    r"(?:部|委|局|办|署|会|行|院|厅|室|处|司|政府|中心|公司|集团|部门|单位|机构|部队|小组|办公室)"
)
_UNIT_MARKS = re.compile(
    r"[（(](?:牵头|负责|配合|参与)[）)]|(?:牵头|负责|配合|参与)$|等$|等单位$|等部门$"
)
_LEADER = re.compile(r"(?:长|主任|书记|主席|领导|同志|负责人)$")
_PIECES = re.compile(r"[、，,；;\s]+")
_SCHEDULE_START = re.compile(
    r"[0-9]{4}|[0-9]{1,2}\s*月|[一二]〇[〇一二三四五六七八九]{2}年|持续|长期|每年|每季|每月|每半年|"
    r"常态|年底|年内|年中|本年|当年|今年|明年|逐年|分年度|分阶段|近期|中期|远期|上半年|下半年|"
    r"[一二三四]季度"
)
_SCHEDULE_PIECE = re.compile(r"[0-9年月日底前后至到起—\-－~～]+")
_SCHEDULE_TAIL = re.compile(
    r"[0-9年月日底前后至到起—\-－~～]|实施|完成|出台|开始|推进|启动|建成|见效|落实|部署"
)
_SCHEDULE_OPEN = re.compile(r"[0-9—\-－~～至到年月、，,]$")
_SENTENCE_END = ("。", "；", ";", "！", "？", "!", "?", "）", ")")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def is_unit_name(piece: str) -> bool:
    """Tell whether a piece such as 密码局等 or 地方各级人民政府 names a unit."""
    name = piece.strip()
    for _ in range(2):
        name = _UNIT_MARKS.sub("", name).strip()
    return _UNIT_NAME.fullmatch(name) is not None


def reads_as_units(fragment: str, *, text_done: bool) -> bool:
    """Tell whether a fragment reads as a units list (one lone name only once the text is done)."""
    pieces = [piece for piece in _PIECES.split(fragment.strip()) if piece]
    if not pieces or not all(is_unit_name(piece) for piece in pieces):
        return False
    return len(pieces) > 1 or text_done


def names_leaders(fragment: str) -> bool:
    """Tell whether a fragment only names leaders' posts (分管副省长、协管副秘书长)."""
    pieces = [piece for piece in _PIECES.split(fragment.strip()) if piece]
    return bool(pieces) and all(
        len(piece) <= 12 and _LEADER.search(piece) is not None for piece in pieces
    )


def starts_schedule(fragment: str) -> bool:
    """Tell whether a fragment begins a schedule phrase (2015年…, 持续推进, 长期…)."""
    return _SCHEDULE_START.match(_ascii(fragment.strip())) is not None


def is_schedule_piece(fragment: str) -> bool:
    """Tell whether a fragment is a broken-off part of a schedule such as 年— or 2017."""
    return _SCHEDULE_PIECE.fullmatch(_ascii(fragment)) is not None


def short_phrase(fragment: str) -> bool:
    """Tell whether a fragment is short and has no sentence punctuation (a schedule could be)."""
    return len(fragment) <= 24 and not any(mark in fragment for mark in "。；;：:")


def continues_schedule(schedule: str, fragment: str) -> bool:
    """Tell whether a fragment carries on a schedule cell that wrapped (2015— / 2017年实施)."""
    if not schedule or not short_phrase(fragment) or schedule.endswith("。"):
        return False
    if _SCHEDULE_OPEN.search(_ascii(schedule[-4:])) and _SCHEDULE_TAIL.match(_ascii(fragment)):
        return True
    return len(fragment) <= 6 and _SCHEDULE_TAIL.match(fragment) is not None


def text_done(text: str) -> bool:
    """Tell whether task text ends like a finished sentence."""
    return text[-8:].rstrip().endswith(_SENTENCE_END)
