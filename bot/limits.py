"""Telegram's limits on what the bot sends, measured as Telegram measures, and splitting to fit.

A message's text is counted in UTF-16 code units after entity parsing (tags gone, &lt; one
character), at most 4,096 (1,024 in a caption), with at most 100 entities; an inline keyboard
holds at most 100 buttons, 8 to a row; a media group 2-10 items. Everything the bot builds from
data goes through `split_html` (or a pager built on it), so no message is ever refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

MESSAGE_LIMIT = 4096  # UTF-16 code units of a text after entity parsing
CAPTION_LIMIT = 1024
ENTITY_LIMIT = 100  # entities Telegram keeps formatted in one message
BUTTON_LIMIT = 100  # inline buttons in one message
ROW_LIMIT = 8  # inline buttons in one row
MEDIA_GROUP_LIMIT = 10
CALLBACK_ANSWER_LIMIT = 200  # characters of an answerCallbackQuery notification
T = TypeVar("T")

_TOKEN = re.compile(
    r"<(?P<close>/?)(?P<tag>[A-Za-z][A-Za-z0-9-]*)(?:\s[^>]*)?>"
    r"|&(?:#[xX][0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot);?"
    r"|[^<&]+|[<&]"
)
_ENTITY_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "code",
        "pre",
        "blockquote",
        "a",
        "tg-emoji",
    ]
)


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, the unit of Telegram's limits."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass(frozen=True)
class Size:
    """How big an HTML text is for Telegram: visible UTF-16 units and entities (at most)."""

    units: int
    entities: int

    def fits(self, units: int = MESSAGE_LIMIT, entities: int = ENTITY_LIMIT) -> bool:
        """Whether it stays within a text limit and the entity limit."""
        return self.units <= units and self.entities <= entities


@dataclass(frozen=True)
class _Token:
    text: str
    units: int  # visible UTF-16 units
    tag: str = ""  # a tag's lower-case name
    closing: bool = False


def _tokens(source: str) -> list[_Token]:
    """Tags, character references and runs of text, in order."""
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(source):
        piece = match.group(0)
        tag = match.group("tag")
        if tag is not None:
            tokens.append(_Token(piece, 0, tag.lower(), bool(match.group("close"))))
        elif piece.startswith("&") and len(piece) > 1:
            code = piece.rstrip(";")[1:]
            if code.startswith("#"):
                number = int(code[2:], 16) if code[1:2] in ("x", "X") else int(code[1:])
                units = 2 if number > 0xFFFF else 1
            else:
                units = 1
            tokens.append(_Token(piece, units))
        else:
            tokens.append(_Token(piece, utf16_len(piece)))
    return tokens


def _opens_entity(token: _Token, stack: Sequence[_Token]) -> bool:
    """Whether an opening tag makes an entity (code inside pre only names pre's language)."""
    if token.tag not in _ENTITY_TAGS:
        return False
    return not (token.tag == "code" and stack and stack[-1].tag == "pre")


def measure(text: str) -> Size:
    """The size of an HTML message as Telegram counts it; entities are counted as opened.

    The entity count is an upper bound: a tag around nothing makes no entity in Telegram.
    """
    units = entities = 0
    stack: list[_Token] = []
    for token in _tokens(text):
        units += token.units
        if token.tag and token.closing:
            if stack:
                stack.pop()
        elif token.tag:
            entities += _opens_entity(token, stack)
            stack.append(token)
    return Size(units, entities)


def fits(text: str, units: int = MESSAGE_LIMIT, entities: int = ENTITY_LIMIT) -> bool:
    """Whether an HTML text stays within Telegram's limits for a message (or a caption)."""
    return measure(text).fits(units, entities)


@dataclass(frozen=True)
class Chunk:
    """One message of a split: its HTML and the lines it holds (first..last, inclusive)."""

    text: str
    first: int
    last: int


@dataclass
class _Part:
    """A message being filled, with the tags still open at its end."""

    pieces: list[str] = field(default_factory=list)
    units: int = 0
    entities: int = 0
    lines: int = 0
    first: int = -1
    last: int = -1
    stack: list[_Token] = field(default_factory=list)
    empty: bool = True  # no visible text yet

    def take(self, token: _Token) -> None:
        """Append a token, keeping count of units, entities and open tags."""
        self.pieces.append(token.text)
        self.units += token.units
        if token.units and token.text.strip():
            self.empty = False
        if token.tag and token.closing:
            if self.stack:
                self.stack.pop()
        elif token.tag:
            self.entities += _opens_entity(token, self.stack)
            self.stack.append(token)

    def reopened(self) -> int:
        """The entities a message after this one starts with: its open tags, opened again."""
        return sum(_opens_entity(token, self.stack[:i]) for i, token in enumerate(self.stack))

    def text(self) -> str:
        """The part's HTML with every tag still open closed."""
        pieces = list(self.pieces)
        while pieces and pieces[-1] in ("\n", ""):
            pieces.pop()
        closing = "".join(f"</{token.tag}>" for token in reversed(self.stack))
        return ("".join(pieces) + closing).strip("\n")


@dataclass(frozen=True)
class Budget:
    """What one message may hold: text units, entities, and lines (None: any number).

    Blank lines are not counted as lines: they set groups apart and take little room.
    """

    units: int = MESSAGE_LIMIT
    entities: int = ENTITY_LIMIT
    lines: int | None = None

    def less(self, text: str) -> Budget:
        """The budget left beside a text (a page's heading) joined to it by a newline."""
        size = measure(text)
        return Budget(self.units - size.units - 1, self.entities - size.entities, self.lines)


def split_html(lines: Sequence[str], budget: Budget = Budget()) -> list[Chunk]:
    """Lines of HTML as few messages as fit a budget, breaking between lines where it can.

    A tag left open at a break is closed there and opened again in the next message; a line
    too long for a message on its own is cut between characters, never inside a tag or a
    character reference. Blank lines at a break are dropped. Always at least one chunk.
    """
    splitter = _Splitter(budget)
    for index, line in enumerate(lines):
        splitter.add(index, line)
    splitter.flush()
    return splitter.chunks or [Chunk("", 0, max(len(lines) - 1, 0))]


class _Splitter:
    """Fills messages line by line within a budget."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.chunks: list[Chunk] = []
        self.part = _Part()

    def flush(self) -> None:
        """Close the current message and start one that reopens its open tags."""
        part = self.part
        if not part.empty:
            self.chunks.append(Chunk(part.text(), part.first, part.last))
        self.part = _Part()
        for token in part.stack:
            self.part.take(token)

    def add(self, index: int, line: str) -> None:
        """Add a line, after a break when it does not fit beside what is there."""
        tokens = _tokens(line)
        size = _size_after(tokens, self.part.stack)
        part = self.part
        budget = self.budget
        newline = 0 if part.empty else 1
        full = budget.lines is not None and part.lines >= budget.lines
        if not part.empty and (
            full
            or part.units + newline + size.units > budget.units
            or part.entities + size.entities > budget.entities
        ):
            self.flush()
            part = self.part
        if part.empty and not line.strip():
            return  # no blank line at the top of a message
        if not part.empty:
            part.take(_Token("\n", 1))
        if part.first < 0:
            part.first = index
        part.last = index
        part.lines += 1 if line.strip() else 0
        for token in tokens:
            self.take(index, token)

    def restart(self, index: int) -> None:
        """Break inside a line: the new message holds the same line."""
        self.flush()
        self.part.first = self.part.last = index
        self.part.lines = 1

    def take(self, index: int, token: _Token) -> None:
        """Add a token, breaking (cutting a run of text) when the message is full."""
        budget = self.budget
        while True:
            part = self.part
            if token.tag:
                opens = not token.closing and _opens_entity(token, part.stack)
                # Breaking helps when the message holds text, or tags (around blanks so far)
                # that the next one would not open again.
                helps = not part.empty or part.entities > part.reopened()
                if opens and part.entities + 1 > budget.entities and helps:
                    self.restart(index)
                    continue
                part.take(token)
                return
            room = budget.units - part.units
            if token.units <= room:
                part.take(token)
                return
            if part.empty and room <= 0:
                return  # nothing fits even alone: only with an absurd budget
            if token.text.startswith("&") or room <= 0:
                self.restart(index)
                continue
            head, rest = _cut(token.text, room)
            part.take(_Token(head, utf16_len(head)))
            self.restart(index)
            token = _Token(rest, utf16_len(rest))


def _size_after(tokens: Sequence[_Token], stack: Sequence[_Token]) -> Size:
    """The units and entities a line adds after the tags open before it."""
    units = entities = 0
    open_tags = list(stack)
    for token in tokens:
        units += token.units
        if token.tag and token.closing:
            if open_tags:
                open_tags.pop()
        elif token.tag:
            entities += _opens_entity(token, open_tags)
            open_tags.append(token)
    return Size(units, entities)


def split_message(lines: Sequence[str], budget: Budget = Budget()) -> list[str]:
    """Lines of HTML as the texts of as few messages as fit (see split_html)."""
    return [chunk.text for chunk in split_html(lines, budget)]


def _cut(text: str, units: int) -> tuple[str, str]:
    """Text cut after at most `units` UTF-16 units, never inside a character."""
    taken = 0
    for position, char in enumerate(text):
        taken += 2 if ord(char) > 0xFFFF else 1
        if taken > units:
            return text[:position], text[position:]
    return text, ""


def trim_units(text: str, units: int) -> str:
    """Plain text cut to at most `units` UTF-16 units, marking the cut."""
    if utf16_len(text) <= units:
        return text
    return _cut(text, units - 1)[0] + "…"


def rows(buttons: Sequence[T], per_row: int) -> list[list[T]]:
    """Buttons laid out a few to a row (never more than Telegram's 8)."""
    width = max(1, min(per_row, ROW_LIMIT))
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]
