"""Content lines written straight to bytes read back as written, by icalendar and vobject."""

from __future__ import annotations

import datetime as dt

import icalendar
import vobject
from hypothesis import given
from hypothesis import strategies as st

from workflows.feeds import ical

TEXTS = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=400
)


def _event(summary: str, categories: list[str]) -> bytes:
    """A calendar holding one event with these values."""
    body = ical.lines(
        [
            ("BEGIN", "VEVENT"),
            ("UID", ical.text("milestone-1@test.example.org")),
            ("DTSTAMP", ical.utc(dt.datetime(2016, 3, 1, 2, 0, 0, 999, tzinfo=dt.UTC))),
            ("DTSTART;VALUE=DATE", ical.date(dt.date(2017, 12, 31))),
            ("SUMMARY", ical.text(summary)),
            ("DESCRIPTION", ical.text(summary + "\n" + summary)),
            ("CATEGORIES", ical.texts(categories)),
            ("END", "VEVENT"),
        ]
    )
    return b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + body + b"END:VCALENDAR\r\n"


@given(summary=TEXTS, categories=st.lists(TEXTS.filter(bool), min_size=1, max_size=3))
def test_values_survive_escaping_and_folding(summary: str, categories: list[str]) -> None:
    """Any text: lines at most 75 octets, UTF-8 intact, and icalendar reads the same values."""
    body = _event(summary, categories)
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # never cut inside a character
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == summary.replace("\r\n", "\n")
    assert str(event["DESCRIPTION"]) == f"{summary}\n{summary}"
    assert [str(c) for c in event["CATEGORIES"].cats] == categories
    assert event.decoded("DTSTAMP") == dt.datetime(2016, 3, 1, 2, 0, 0, tzinfo=dt.UTC)


def test_a_long_chinese_line_folds_between_characters() -> None:
    """Three-octet characters are never split; vobject unfolds to the same text."""
    text = "推动政务信息资源共享和业务协同，" * 20 + "\\;,"
    body = _event(text, ["绿灯"])
    assert max(len(line) for line in body.split(b"\r\n")) <= 75
    assert vobject.readOne(body.decode("utf-8")).vevent.summary.value == text


def test_a_fold_keeps_an_escape_whole() -> None:
    """A backslash escape is not split across a fold (some clients read it wrong)."""
    value = ical.text(";,\n\\" * 30)
    for width in range(0, 80):
        line = ical.fold("DESCRIPTION:" + "a" * width + value)
        parts = line.split("\r\n ")
        assert len(parts) > 1
        for part in parts:
            assert (len(part) - len(part.rstrip("\\"))) % 2 == 0, part
        assert "".join(parts) == "DESCRIPTION:" + "a" * width + value
