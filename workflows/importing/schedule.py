"""Read an annex's schedule phrase (时间进度), such as 2015—2017年实施, into dates."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

from workflows.importing.model import Schedule

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0}
_CN_NUMERAL = "〇○零一二三四五六七八九"
_CN_YEAR = re.compile(f"(?<![{_CN_NUMERAL}])[{_CN_NUMERAL}]{{4}}(?![{_CN_NUMERAL}])")
# Only after 年, 月, 自, 从, 至, 到, 于, 在 or a non-ideograph, so 统一月度 keeps its 一.
_CN_MONTH_DAY = re.compile(
    r"(?:(?<=[年月自从至到于在])|(?<![\u4e00-\u9fff〇○]))"
    r"([一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])(?=[月日号])"
)
# A bare 年底 is the context year's end, but not after a count or a relative word (三年内, 次年底).
_DATE = re.compile(
    r"(?:(?<![0-9])(?P<year>[0-9]{4})(?![0-9])年?)?"
    r"(?:(?<![0-9])(?P<month>[0-9]{1,2})月份?(?:(?P<day>[0-9]{1,2})[日号])?"
    r"|(?P<half>[上下])半年"
    r"|第?(?P<quarter>[1-4一二三四])季度|[Qq](?P<q>[1-4])"
    r"|(?<![0-9〇○零一二三四五六七八九十两半几数多次明翌来去前后])(?P<yr>年)(?=[底末内终中初]))?"
    r"(?P<suffix>底|末|内|终|上旬|中旬|下旬|初|中)?"
    r"(?P<rel>以前|之前|前|以后|之后|后)?"
)
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("recurring", re.compile(r"每半?年|每季度?|每月|每周|定期|按年度?|按季度?|按月")),
    ("ongoing", re.compile(r"持续|长期|常态化?|常年|逐步|逐年|逐月|不断|长效|经常")),
    ("noise", re.compile(r"起草")),  # not the 起 of 2015年起
    ("date", _DATE),
    ("post", re.compile(r"开始|起|启动|以来|至今")),
    ("pre", re.compile(r"自|从")),
    ("sep", re.compile(r"[-—–~‐‑―−〜⁓]+|至|到")),
)
# Left-over text with a number or a calendar word may hide a date we did not read (三年内, 次年).
_SUSPICIOUS = re.compile(r"[\d年月季]")
_TEN_DAYS = {"上旬": (1, 10), "中旬": (11, 20), "下旬": (21, 31)}

_Token = tuple[str, re.Match[str] | None]


def parse_schedule(text: str, *, issued_on: dt.date | None) -> Schedule:
    """Read a schedule phrase into start, due and checkpoint dates, flagging what it cannot read."""
    verbatim = text.strip()
    flagged = Schedule(text=verbatim, flagged=True)
    tokens = _tokenise(_normalise(verbatim))
    if tokens is None:
        return flagged
    kinds = [kind for kind, _ in tokens]
    year = issued_on.year if issued_on else None
    starts: list[dt.date] = []
    dues: list[dt.date] = []
    for i, (kind, match) in enumerate(tokens):
        if kind != "date" or match is None:
            continue
        if match["year"]:
            year = int(match["year"])  # later year-less dates (年底前, 6月) inherit it
        period = _period(match, year) if year is not None else None
        if period is None:
            return flagged
        before = kinds[i - 1] if i else ""
        after = kinds[i + 1] if i + 1 < len(kinds) else ""
        range_end = before == "sep" and i >= 2 and kinds[i - 2] == "date"
        range_start = after == "sep" and i + 2 < len(kinds) and kinds[i + 2] == "date"
        if not range_end and (range_start or before == "pre" or after == "post"):
            first, last = period
            # A task cannot start before its document is signed.
            starts.append(issued_on if issued_on and first <= issued_on <= last else first)
        else:
            dues.append(period[1])
    recurring = "recurring" in kinds
    if not starts and not dues:
        if recurring or "ongoing" in kinds:
            return Schedule(text=verbatim, start_on=issued_on, ongoing=True)
        return flagged
    start = min(starts, default=None)
    due = max(dues, default=None)
    if due is None:
        return Schedule(text=verbatim, start_on=start, ongoing=True)
    # A recurring deadline (每年年底前) cannot be held as one due date.
    if recurring or (start is not None and start > due):
        return flagged
    checkpoints = {earlier for earlier in dues if earlier < due}
    if start is not None:
        checkpoints.update(dt.date(y, 12, 31) for y in range(start.year, due.year))
    return Schedule(
        text=verbatim, start_on=start, due_on=due, checkpoints=tuple(sorted(checkpoints))
    )


def _normalise(text: str) -> str:
    """Fold width and spacing, and write Chinese-numeral years, months and days in digits."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    folded = _CN_YEAR.sub(_cn_year, folded)
    return _CN_MONTH_DAY.sub(lambda m: str(_cn_small(m[1])), folded)


def _cn_year(match: re.Match[str]) -> str:
    """二〇一六 as 2016; four numerals without a zero only count when 年 follows."""
    digits = match[0]
    if not set(digits) & {"〇", "○", "零"} and not match.string.startswith("年", match.end()):
        return digits
    return "".join(str(_CN_DIGITS[c]) for c in digits)


def _cn_small(numeral: str) -> int:
    """A month or day numeral (一 … 三十一) as an int."""
    tens, ten, ones = numeral.partition("十")
    if not ten:
        return _CN_DIGITS[numeral]
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _tokenise(text: str) -> list[_Token] | None:
    """Split into dates, markers and noise; None when the noise looks like an unread date."""
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        for kind, pattern in _PATTERNS:
            match = pattern.match(text, pos)
            if match and match.end() > pos and (kind != "date" or _names_a_date(match)):
                tokens.append((kind, match))
                pos = match.end()
                break
        else:
            if _SUSPICIOUS.match(text, pos):
                return None
            if not tokens or tokens[-1][0] != "noise":
                tokens.append(("noise", None))
            pos += 1
    return tokens


def _names_a_date(match: re.Match[str]) -> bool:
    """Whether a _DATE match holds a year or a period rather than a bare 前 or 底."""
    return any(match[g] for g in ("year", "month", "half", "quarter", "q", "yr"))


def _period(match: re.Match[str], year: int) -> tuple[dt.date, dt.date] | None:
    """The first and last day a date expression covers, or None when it cannot exist."""
    suffix, rel = match["suffix"], match["rel"]
    if not 1900 <= year <= 2200 or suffix == "初" or rel in {"以后", "之后", "后"}:
        return None
    try:
        if match["month"]:
            month = int(match["month"])
            if not 1 <= month <= 12 or suffix == "中":
                return None
            if match["day"]:
                day = dt.date(year, month, int(match["day"]))
                return (day, day) if suffix is None else None
            if suffix is None and rel:
                # 6月前 is "before June": the deadline is the end of May.
                year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            last = calendar.monthrange(year, month)[1]
            low, high = _TEN_DAYS.get(suffix or "", (1, last))
            return dt.date(year, month, low), dt.date(year, month, min(high, last))
        periodic = match["half"] or match["quarter"] or match["q"]
        if suffix in _TEN_DAYS or (suffix == "中" and periodic):
            return None
        if match["half"]:
            months = (1, 6) if match["half"] == "上" else (7, 12)
        elif quarter := match["quarter"] or match["q"]:
            q = int(quarter) if quarter.isdigit() else _CN_DIGITS[quarter]
            months = (3 * q - 2, 3 * q)
        else:
            months = (1, 6) if suffix == "中" else (1, 12)  # 年中 is mid-year
        last = calendar.monthrange(year, months[1])[1]
        return dt.date(year, months[0], 1), dt.date(year, months[1], last)
    except ValueError:
        return None
