"""Reading the State Council's yearly holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知).

The notice's numbered paragraphs say, holiday by holiday, which days are off and which weekend
days are worked instead:

    一、元旦：1月1日（周五）放假，与周末连休。
    二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。
        2月14日（周日）上班。
    三、清明节：4月5日放假，4月6日（星期一）补休。

Everything else (the preamble, the closing paragraph, the signature) is prose. A sentence of a
numbered paragraph that has dates but none of the words read here is listed as unread, so
whoever imports the notice sees it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from workflows.errors import NoticeFormatError

NUMERALS = "一二三四五六七八九十"
WEEKDAYS = "一二三四五六日"
_HEADING = re.compile(rf"(?:^|(?<=[。\n]))[ \t]*([{NUMERALS}]{{1,3}})、([^:。\n]{{1,24}}?):")
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^()]*)\))?")
_WEEKDAY = re.compile(rf"(?:周|星期|礼拜)([{WEEKDAYS}天])")
_YEAR = (
    re.compile(r"关于(\d{4})年部分节假日安排"),
    re.compile(r"现将(\d{4})年"),
)
_STATED = re.compile(r"(?:共|放假)(\d{1,2})天")
_RANGE = ("至", "到", "-", "~", "—", "–")
_WEEKEND_RUN = "与周末连休"


@dataclass(frozen=True)
class NoticeHoliday:
    """One numbered paragraph: a holiday's days off and the weekend days worked for it."""

    number: int
    name: str
    days: tuple[dt.date, ...]
    working: tuple[dt.date, ...]
    stated_days: int | None = None


@dataclass(frozen=True)
class Notice:
    """What a notice says for its year."""

    year: int
    holidays: tuple[NoticeHoliday, ...]
    unread: tuple[str, ...] = field(default=())

    def days(self) -> dict[dt.date, tuple[bool, str]]:
        """Every day the notice names: working (True) or off (False), with its holiday."""
        return {
            day: (working, holiday.name)
            for holiday in self.holidays
            for working, days in ((False, holiday.days), (True, holiday.working))
            for day in days
        }


@dataclass
class _Token:
    """A date as printed: where it sits in its clause, and its weekday note if any."""

    day: dt.date
    start: int
    end: int
    note: str


def _normalise(text: str) -> str:
    """Full-width forms folded (：→:, （→(), ，→,), spaces and tabs inside lines dropped."""
    folded = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[ \t\u3000\xa0]+", "", folded)


def _chinese_number(numeral: str) -> int | None:
    """一 … 九十九 as an int (paragraph numbers); None for what is not such a number."""
    if numeral.count("十") > 1:
        return None
    if "十" not in numeral:
        return NUMERALS.index(numeral) + 1 if len(numeral) == 1 else None
    tens, _, units = numeral.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    return (NUMERALS.index(tens) + 1 if tens else 1) * 10 + (
        NUMERALS.index(units) + 1 if units else 0
    )


def numeral(number: int) -> str:
    """A paragraph number as the notice prints it (1 → 一, 12 → 十二)."""
    tens, units = divmod(number, 10)
    head = ("" if tens == 1 else NUMERALS[tens - 1]) + "十" if tens else ""
    return head + (NUMERALS[units - 1] if units else "")


def notice_year(text: str) -> int | None:
    """The year a notice is about, from its title or its preamble."""
    normal = _normalise(text)
    for pattern in _YEAR:
        found = pattern.search(normal)
        if found:
            return int(found.group(1))
    return None


class _Reader:
    """Reads one paragraph's sentences, carrying the month and year between dates."""

    def __init__(self, year: int, number: int, name: str) -> None:
        self.year = year
        self.number = number
        self.name = name
        self.month: int | None = None
        self.current_year = year
        self.days: list[dt.date] = []
        self.working: list[dt.date] = []
        self.stated: int | None = None
        self.unread: list[str] = []

    def fail(self, template: str, **params: object) -> NoticeFormatError:
        """An error naming this paragraph."""
        return NoticeFormatError(
            "paragraph {number} ({name}): " + template,
            number=numeral(self.number),
            name=self.name,
            **params,
        )

    def tokens(self, clause: str) -> list[_Token]:
        """The dates of a clause, checked against the weekdays printed beside them."""
        found: list[_Token] = []
        for match in _DATE.finditer(clause):
            year_text, month_text, day_text, note = match.groups()
            year = int(year_text) if year_text else None
            if month_text:
                self.month = int(month_text)
                self.current_year = year or self.year
            elif year is not None:
                raise self.fail("{date} has a year but no month", date=match.group(0))
            if self.month is None:
                raise self.fail("{date} has no month", date=match.group(0))
            try:
                day = dt.date(self.current_year, self.month, int(day_text))
            except ValueError:
                raise self.fail("{date} is not a date", date=match.group(0)) from None
            if abs(day.year - self.year) > 1:
                raise self.fail("{date} is not near {year}", date=match.group(0), year=self.year)
            weekday = _WEEKDAY.search(note or "")
            if weekday:
                printed = WEEKDAYS.index(weekday.group(1).replace("天", "日"))
                if printed != day.weekday():
                    raise self.fail(
                        "{date} is a {actual} in {year}, the notice says {printed}",
                        date=f"{day.month}月{day.day}日",
                        actual="周" + WEEKDAYS[day.weekday()],
                        year=day.year,
                        printed=weekday.group(0),
                    )
            found.append(_Token(day, match.start(), match.end(), note or ""))
        return found

    def dates(self, clause: str, tokens: list[_Token]) -> list[dt.date]:
        """The days the tokens name: a range where 至 joins two, else each one."""
        days: list[dt.date] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            between = clause[token.end : following.start] if following else ""
            if following is not None and between in _RANGE:
                if following.day < token.day or (following.day - token.day).days > 30:
                    raise self.fail(
                        "{first} to {last} is not a range of days",
                        first=token.day.isoformat(),
                        last=following.day.isoformat(),
                    )
                span = (following.day - token.day).days
                days += [token.day + dt.timedelta(days=n) for n in range(span + 1)]
                index += 2
            else:
                days.append(token.day)
                index += 1
        return days

    def sentence(self, sentence: str) -> None:
        """Read one sentence: its clauses say 放假, 补休, 上班, 与周末连休 or 共N天."""
        understood = False
        pending: list[dt.date] = []
        for clause in _clauses(sentence):
            tokens = self.tokens(clause)
            days = pending + self.dates(clause, tokens)
            stated = _STATED.search(clause)
            if stated:
                self.stated = int(stated.group(1))
            if "上班" in clause:
                self.working += days
            elif "放假" in clause or "补休" in clause:
                self.days += days
            elif _WEEKEND_RUN in clause:
                self._join_weekend()
            else:
                pending = days
                continue
            understood = True
            pending = []
            if _WEEKEND_RUN in clause and ("放假" in clause or "补休" in clause):
                self._join_weekend()
        if pending or (not understood and _DATE.search(sentence)):
            self.unread.append(sentence)

    def _join_weekend(self) -> None:
        """Add the weekend next to the days off (与周末连休)."""
        if not self.days:
            raise self.fail("与周末连休 without a day off before it")
        first, last = min(self.days), max(self.days)
        extra: list[dt.date] = []
        if last.weekday() == 4:
            extra += [last + dt.timedelta(days=1), last + dt.timedelta(days=2)]
        elif last.weekday() == 5:
            extra.append(last + dt.timedelta(days=1))
        if first.weekday() == 0:
            extra += [first - dt.timedelta(days=2), first - dt.timedelta(days=1)]
        elif first.weekday() == 6:
            extra.append(first - dt.timedelta(days=1))
        if not extra:
            raise self.fail("与周末连休, but {day} is not next to a weekend", day=first.isoformat())
        self.days += [d for d in extra if d not in self.days]

    def holiday(self) -> NoticeHoliday:
        """The paragraph as read, checked against the number of days it states."""
        if not self.days:
            raise self.fail("no day off found")
        if len(set(self.days)) != len(self.days):
            raise self.fail("a day off is named twice")
        if self.stated is not None and self.stated != len(self.days):
            raise self.fail(
                "{read} day(s) off read, the notice says {stated}",
                read=len(self.days),
                stated=self.stated,
            )
        clash = set(self.days) & set(self.working)
        if clash:
            raise self.fail("{day} is both off and worked", day=min(clash).isoformat())
        return NoticeHoliday(
            number=self.number,
            name=self.name,
            days=tuple(sorted(self.days)),
            working=tuple(sorted(set(self.working))),
            stated_days=self.stated,
        )


def _clauses(sentence: str) -> list[str]:
    """A sentence split at commas that are not inside parentheses."""
    clauses, depth, start = [], 0, 0
    for index, char in enumerate(sentence):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char in ",;" and depth <= 0:
            clauses.append(sentence[start:index])
            start = index + 1
    clauses.append(sentence[start:])
    return [c for c in clauses if c]


def _paragraph_body(text: str) -> str:
    """A paragraph's lines: it goes on past a line break mid-sentence or before a date, and
    stops at the prose that follows it (节假日期间…, the signature)."""
    lines = text.split("\n")
    kept = [lines[0]]
    for line in lines[1:]:
        if not line:
            break
        if kept[-1].endswith("。") and not line[0].isdigit():
            break
        kept.append(line)
    return "".join(kept)


def _paragraphs(text: str) -> list[tuple[int, str, str]]:
    """The numbered paragraphs: number, holiday name, body (up to the next one or line end)."""
    headings = list(_HEADING.finditer(text))
    paragraphs: list[tuple[int, str, str]] = []
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        body = _paragraph_body(text[heading.end() : end])
        name = re.sub(r"^\d{4}年", "", heading.group(2))
        number = _chinese_number(heading.group(1))
        if number is not None:
            paragraphs.append((number, name, body))
    return paragraphs


def parse_notice(text: str, *, year: int | None = None) -> Notice:
    """Read a notice's numbered paragraphs into its holidays and adjusted working days.

    The year comes from the notice (its title or 现将YYYY年…); `year` must agree with it, or
    stand in when the text has neither.
    """
    normal = _normalise(text)
    printed = notice_year(normal)
    if printed is not None and year is not None and printed != year:
        raise NoticeFormatError(
            "the notice is for {printed}, not {year}", printed=printed, year=year
        )
    year = printed or year
    if year is None:
        raise NoticeFormatError(
            "the notice does not say its year (关于YYYY年部分节假日安排); give the year"
        )
    paragraphs = _paragraphs(normal)
    if not paragraphs:
        raise NoticeFormatError("no numbered paragraphs such as 一、元旦：1月1日放假 were found")
    holidays: list[NoticeHoliday] = []
    unread: list[str] = []
    seen: dict[dt.date, str] = {}
    for number, name, body in paragraphs:
        reader = _Reader(year, number, name)
        for sentence in re.split(r"[。\n]", body):
            if sentence:
                reader.sentence(sentence)
        holiday = reader.holiday()
        for day in holiday.days + holiday.working:
            if day in seen:
                raise reader.fail("{day} is also in {other}", day=day.isoformat(), other=seen[day])
            seen[day] = name
        holidays.append(holiday)
        unread += [f"{numeral(number)}、{name}：{sentence}" for sentence in reader.unread]
    return Notice(year=year, holidays=tuple(holidays), unread=tuple(unread))
