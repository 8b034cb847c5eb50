"""The document head: its number (国发〔2015〕5号), title and signing date, best effort."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from workflows.importing.model import DocumentInfo
from workflows.importing.readers.text import is_end_marker, join_text

_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,12})\s*[〔\[［（(【]\s*([0-9]{4})\s*[〕\]］）)】]\s*([0-9]{1,4})\s*号"
)
_TITLE_START = re.compile(r"[^《。，：:]{0,30}?关于")
_TITLE = re.compile(
    r"[^《》。：:]{0,30}关于[^。：:]{1,100}的"
    r"(?:实施意见|指导意见|若干意见|意见|通知|决定|方案|规划|办法|批复|决议|纲要|计划|规定|函)"
)
# A title without 关于 that a year leads: 2025年开发区重点工作及责任清单.
_YEAR_TITLE = re.compile(
    r"(?:19|20)[0-9]{2}年[^。，,：:；;（(]{2,60}"
    r"(?:清单|方案|计划|要点|安排|分工|任务|意见|通知)"
)
_DIGIT = r"[0-9]|[〇○零一二三四五六七八九十]"
_DATE = re.compile(
    rf"[（(]?\s*((?:{_DIGIT}){{4}})\s*年\s*((?:{_DIGIT}){{1,3}})\s*月"
    rf"\s*((?:{_DIGIT}){{1,3}})\s*日\s*[）)]?"
)
_DIGITS = (
    {ch: i for i, ch in enumerate("〇一二三四五六七八九")}
    | {"○": 0, "零": 0}
    | {str(i): i for i in range(10)}
)
_HEAD_LINES = 30


def read_document(lines: Sequence[str], *, annex: range = range(0)) -> DocumentInfo:
    """Read the number, title and signing date from the lines around the annex (0-based range)."""
    before = [line.strip() for line in lines[: annex.start if annex else len(lines)]]
    after: list[str] = []
    for line in lines[annex.stop if annex else len(lines) :]:
        if is_end_marker(line.strip()):
            break
        after.append(line.strip())
    head = [line for line in before if line][:_HEAD_LINES]
    return DocumentInfo(
        number=_number(head), title=_title(head), issued_on=_issued_on(before + after)
    )


def _number(head: list[str]) -> str | None:
    alone = [found for line in head if (found := _NUMBER.fullmatch(line))]
    near = [found for line in head[:10] if (found := _NUMBER.search(line))]
    if not alone and not near:
        return None
    found = (alone or near)[0]
    prefix, year, serial = found.groups()
    return f"{prefix}〔{year}〕{int(serial)}号"


def _title(head: list[str]) -> str | None:
    for at, line in enumerate(head):
        if not _TITLE_START.match(line):
            continue
        title = ""
        for part in head[at : at + 3]:
            title = join_text(title, part)
            if _TITLE.fullmatch(title):
                return " ".join(title.split())
    return next((line for line in head[:3] if _YEAR_TITLE.fullmatch(line)), None)


def _issued_on(lines: list[str]) -> dt.date | None:
    for line in lines:
        found = _DATE.fullmatch(line)
        if found is None:
            continue
        year, month, day = (_to_int(group) for group in found.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return None


def _to_int(value: str) -> int:
    if "十" in value:
        tens, _, ones = value.partition("十")
        return _DIGITS.get(tens, 1) * 10 + _DIGITS.get(ones, 0)
    return int("".join(str(_DIGITS[ch]) for ch in value))
