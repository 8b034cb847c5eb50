"""Read an annex's schedule phrase (时间进度), such as 2015—2017年实施, into dates."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from typing import Literal

from workflows.importing.model import FlagReason, Schedule
from workflows.recurrence import LEAP_YEAR, Every, Rule, fits

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
    ("recurring", re.compile(r"每半?年度?|每个?季度?|逐季|每个?月|每周|定期|按年度?|按季度?|按月")),
    ("ongoing", re.compile(r"持续|长期|常态化?|常年|逐步|逐年|逐月|不断|长效|经常")),
    ("noise", re.compile(r"起草")),  # not the 起 of 2015年起
    ("date", _DATE),
    ("post", re.compile(r"开始|起|启动|以来|至今")),
    ("pre", re.compile(r"自|从")),
    ("sep", re.compile(r"[-—–~‐‑―−〜⁓]+|至|到")),
    ("pause", re.compile(r"[，,；;。、]+|并且?")),  # 出台并持续推进 reads as 出台，持续推进
)
# Left-over text with a number or a calendar word may hide a date we did not read (三年内).
_SUSPICIOUS = re.compile(r"[\d年月季]")
_TEN_DAYS = {"上旬": (1, 10), "中旬": (11, 20), "下旬": (21, 31)}
# Deadlines tied to events whose date is not fixed: a coordinator sets them, never a guess.
_EVENT = re.compile(
    r"(?:全国|省|市|县|区)?两会|春节|元旦|国庆节?|中秋节?|清明节?|端午节?|劳动节|五一|"
    r"主汛期|汛期|入汛|汛前|雨季|开学|供暖季|采暖季|供暖期|采暖期|入冬|春耕|夏收|秋收|三夏|三秋|"
    r"迎峰度夏|党代会|人代会|党的[一二三四五六七八九十]{1,3}大|"
    r"(?:[一二三四五六七八九十]{1,3}届)?[一二三四五六七八九十]中全会"
)
# A five-year plan period (十一五 is 2006—2010): “十四五”期间 is 2021—2025, 十四五末 its end.
_PLAN_PERIOD = re.compile(r"[“\"'‘]?十([一二三四五六七八九])五[”\"'’]?(期间|时期|规划期|期末|末)?")
# 次年, 明年: the year after the one before it in the phrase, or after the signing year.
_NEXT_YEAR = re.compile(r"(?:次|明|翌|来|下一?)年(?!度)")
_WHOLE_YEAR = re.compile(r"全年|本年度内?|年度内")
_NUMBER_YEAR = re.compile(r"[〔\[［(（]((?:19|20|21)[0-9]{2})[〕\]］)）]")
_TITLE_YEAR = re.compile(r"(?<![0-9])((?:19|20|21)[0-9]{2})年")

_Token = tuple[str, re.Match[str] | None]


def parse_schedule(text: str, *, issued_on: dt.date | None, year: int | None = None) -> Schedule:
    """Read a schedule phrase into start, due and checkpoint dates, flagging what it cannot read.

    Year-less dates take the signing year, or `year` (the document number's) when the
    signing date is not known; one that then falls before the signing date is flagged.
    """
    verbatim = text.strip()
    if not verbatim:
        return _flag(verbatim, "empty")
    context = issued_on.year if issued_on else year
    normal = _normalise(verbatim)
    if event := _EVENT.search(normal):
        return _flag(verbatim, "event", event=event[0])
    tokens = _tokenise(_next_years(normal, context))
    if tokens is None:
        return _flag(verbatim, "unread")
    kinds = [kind for kind, _ in tokens]
    current = context
    explicit = False  # a year printed in the phrase, so its later dates are not guessed
    starts: list[dt.date] = []
    dues: list[dt.date] = []
    rule: Rule | None = None
    anchors: set[int] = set()
    last_due = last_start = -1
    for i, (kind, match) in enumerate(tokens):
        if kind == "recurring" and match is not None:
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            found = _recurrence(match[0], following)
            if found is False:
                return _flag(verbatim, "unread")
            if found is not None:
                rule = rule or found
                if found.every == "year" and _is_anchor(following):
                    anchors.add(i + 1)  # 每年3月底前: the yearly checkpoint's day, not a due
            continue
        if kind != "date" or match is None or i in anchors:
            continue
        if match["year"]:
            current, explicit = int(match["year"]), True  # later year-less dates inherit it
        if current is None:
            return _flag(verbatim, "no_year")
        period = _period(match, current)
        if period is None:
            return _flag(verbatim, "unread")
        if not explicit and issued_on is not None and period[1] < issued_on:
            # 6月底前 in a document signed in September: this year's has passed, and next
            # year's is a guess unless the phrase says 次年.
            return _flag(verbatim, "before_issue")
        before = kinds[i - 1] if i else ""
        after = kinds[i + 1] if i + 1 < len(kinds) else ""
        range_end = before == "sep" and i >= 2 and kinds[i - 2] == "date"
        range_start = after == "sep" and i + 2 < len(kinds) and kinds[i + 2] == "date"
        if not range_end and (range_start or before == "pre" or after == "post"):
            first, last = period
            # A task cannot start before its document is signed.
            starts.append(issued_on if issued_on and first <= issued_on <= last else first)
            last_start = i
        else:
            dues.append(period[1])
            last_due = i
    recurrence = str(rule) if rule else None
    if not starts and not dues:
        if "recurring" in kinds or "ongoing" in kinds:
            return Schedule(text=verbatim, start_on=issued_on, ongoing=True, recurrence=recurrence)
        return _flag(verbatim, "unread")
    start = min(starts, default=None)
    due = max(dues, default=None)
    if due is None:
        return Schedule(text=verbatim, start_on=start, ongoing=True, recurrence=recurrence)
    checkpoints = {earlier for earlier in dues if earlier < due}
    ongoing = _goes_on_after(kinds, last_due)
    if start is not None and start > due:
        if last_start < last_due:
            return _flag(verbatim, "unread")
        # 2015年底前出台，2016年起实施: issued by the deadline, then carried on.
        start, ongoing = None, True
    if start is not None:
        checkpoints.update(dt.date(y, 12, 31) for y in range(start.year, due.year))
    if rule is not None:
        checkpoints = {c for c in checkpoints if not fits(rule, c)}
    return Schedule(
        text=verbatim,
        start_on=start,
        due_on=due,
        ongoing=ongoing,
        checkpoints=tuple(sorted(checkpoints)),
        recurrence=recurrence,
    )


def document_year(*, number: str | None, title: str | None) -> int | None:
    """The year of a document: its number's (国发〔2020〕6号), else its title's (2025年…)."""
    for text, pattern in ((number, _NUMBER_YEAR), (title, _TITLE_YEAR)):
        if text and (match := pattern.search(unicodedata.normalize("NFKC", text))):
            return int(match[1])
    return None


def _flag(text: str, reason: FlagReason, *, event: str | None = None) -> Schedule:
    return Schedule(text=text, flagged=True, reason=reason, event=event)


def _goes_on_after(kinds: list[str], last_due: int) -> bool:
    """Whether work goes on after the deadline: 出台，持续推进 (not 年内持续推进)."""
    rest = kinds[last_due + 1 :]
    if "ongoing" not in rest:
        return False
    return "pause" in rest[: rest.index("ongoing")]


def _recurrence(word: str, following: _Token | None) -> Rule | Literal[False] | None:
    """The rule a recurring word names (每年 → yearly); False when its anchor cannot be read."""
    every: Every | None
    if "半年" in word:
        every = "half"
    elif "季" in word:
        every = "quarter"
    elif "月" in word:
        every = "month"
    elif "年" in word:
        every = "year"
    else:
        return None  # 每周, 定期: ongoing, with no checkpoint of its own
    if following is None or following[1] is None or not _is_anchor(following):
        return Rule(every)
    if every != "year":
        return False  # 每季度3月: not a rule we can lay out
    # In a leap year 2月底 ends on the 29th, so it differs from 2月28日, which keeps its day.
    period = _period(following[1], LEAP_YEAR)
    if period is None:
        return False
    end = period[1]
    last = calendar.monthrange(LEAP_YEAR, end.month)[1]
    return Rule("year", end.month, None if end.day == last else end.day)


def _is_anchor(token: _Token | None) -> bool:
    """Whether a token is a year-less date, which after 每年 is the checkpoint's day."""
    return (
        token is not None and token[0] == "date" and token[1] is not None and not token[1]["year"]
    )


def _next_years(text: str, context: int | None) -> str:
    """次年 and 明年 written as the year they mean, when the phrase or the signing gives one."""

    def year_for(match: re.Match[str]) -> str:
        printed = re.findall(r"(?<![0-9])([0-9]{4})年", text[: match.start()])
        base = int(printed[-1]) if printed else context
        return f"{base + 1}年" if base is not None else match[0]

    return _NEXT_YEAR.sub(year_for, text)


def _normalise(text: str) -> str:
    """Fold width and spacing, and write Chinese-numeral years, months and days in digits."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    folded = _WHOLE_YEAR.sub("年内", folded)
    folded = _PLAN_PERIOD.sub(_plan_years, folded)
    folded = _CN_YEAR.sub(_cn_year, folded)
    return _CN_MONTH_DAY.sub(lambda m: str(_cn_small(m[1])), folded)


def _plan_years(match: re.Match[str]) -> str:
    """十四五 as 2021—2025年 (the sixth plan began in 1981, each runs five years)."""
    first = 1981 + 5 * (10 + _CN_DIGITS[match[1]] - 6)
    last = first + 4
    if match[2] in ("期末", "末"):
        return f"{last}年底"
    return f"{first}—{last}年"


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
