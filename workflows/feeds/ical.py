"""Content lines of the few property types a feed's events use, written straight to bytes.

icalendar writes the calendar around them and reads every feed back in the tests; its
per-property machinery (type guessing, parameter objects, character-by-character folding)
costs about half a millisecond an event, which puts a 10,000-event feed at five seconds.
Dates and times repeat across a feed's events (imports stamp many rows alike), so their
formatting is memoised. The lines follow RFC 5545 §3.1 (folding at 75 octets, never inside
a UTF-8 character nor inside an escape) and §3.3.11 (TEXT escapes).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

FOLD_AT = 75
BACKSLASH = 0x5C


def text(value: str) -> str:
    """A TEXT value escaped: backslash, semicolon, comma and newlines."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def texts(values: Iterable[str]) -> str:
    """A list of TEXT values (CATEGORIES), each escaped, comma-separated."""
    return ",".join(text(value) for value in values)


@functools.lru_cache(maxsize=4096)
def date(value: dt.date) -> str:
    """A DATE value: 20171231."""
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


@functools.lru_cache(maxsize=4096)
def utc(value: dt.datetime) -> str:
    """A DATE-TIME value in UTC, to the second: 20160301T020000Z."""
    value = value.astimezone(dt.UTC)
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}"
        f"T{value.hour:02d}{value.minute:02d}{value.second:02d}Z"
    )


def duration(value: dt.timedelta) -> str:
    """A DURATION value as icalendar writes it: -P2DT15H."""
    from icalendar import vDuration  # imported on use, as in calendar._header

    written: bytes = vDuration(value).to_ical()  # type: ignore[no-untyped-call]
    return written.decode()


def fold(line: str) -> str:
    """A content line folded at 75 octets of UTF-8 (continuations start with a space)."""
    if len(line) <= FOLD_AT and (line.isascii() or len(line.encode()) <= FOLD_AT):
        return line
    data = line.encode()
    parts: list[bytes] = []
    start, limit = 0, FOLD_AT
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # inside a UTF-8 character
            end -= 1
        escapes = 0
        while end - escapes - 1 > start and data[end - escapes - 1] == BACKSLASH:
            escapes += 1
        end -= escapes % 2  # an odd run of backslashes ends in an escape's start: keep it whole
        parts.append(data[start:end])
        start, limit = end, FOLD_AT - 1
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode()


def lines(properties: Iterable[tuple[str, str]]) -> bytes:
    """Content lines of (name with parameters, value) pairs, as UTF-8."""
    return ("\r\n".join([fold(f"{name}:{value}") for name, value in properties]) + "\r\n").encode()
