"""Telegram's HTML formatting, parsed as strictly as the Bot API does, into text + entities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
}
ALLOWED_TAGS = frozenset(_ENTITY_TYPES)
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# tdlib's is_space(): only ASCII whitespace separates tag names and attributes.
_SPACES = frozenset(" \t\r\n\v\f\0")
_NAME_END = _SPACES | {">"}
_ATTRIBUTE_END = _SPACES | {"=", ">"}
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")


class HtmlParseError(ValueError):
    """Text that Telegram refuses with "can't parse entities"; str() is the detail after that."""


@dataclass(frozen=True)
class Formatted:
    """Message text as the recipient sees it, with Telegram's entities (UTF-16 offsets)."""

    text: str
    entities: tuple[dict[str, Any], ...] = ()


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, the unit of Telegram's offsets and limits."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def command_entities(text: str) -> tuple[dict[str, Any], ...]:
    """bot_command entities for /cmd and /cmd@bot, as Telegram attaches to a user's message."""
    return tuple(
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
        for m in _COMMAND.finditer(text)
    )


@dataclass
class _Open:
    tag: str
    byte_offset: int
    start: int
    attrs: dict[str, str]
    language: str | None = None


@dataclass
class _Parser:
    source: str
    pos: int = 0
    out: list[str] = field(default_factory=list)
    length: int = 0
    stack: list[_Open] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8", "surrogatepass"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.length += utf16_len(text)

    def at(self, index: int) -> str:
        return self.source[index] if index < len(self.source) else ""

    def skip_spaces(self) -> None:
        while self.at(self.pos) in _SPACES:
            self.pos += 1

    def run(self) -> Formatted:
        while self.pos < len(self.source):
            char = self.source[self.pos]
            if char == "&":
                decoded, end = decode_entity(self.source, self.pos)
                self.emit(decoded if decoded is not None else "&")
                self.pos = end if decoded is not None else self.pos + 1
            elif char != "<":
                self.emit(char)
                self.pos += 1
            elif self.at(self.pos + 1) == "/":
                self.close_tag()
            else:
                self.open_tag()
        if self.stack:
            tag = self.stack[-1].tag
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        ordered = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return Formatted("".join(self.out), tuple(ordered))

    def open_tag(self) -> None:
        begin = self.byte_offset(self.pos)
        self.pos += 1
        name_start = self.pos
        while self.pos < len(self.source) and self.at(self.pos) not in _NAME_END:
            self.pos += 1
        if self.pos >= len(self.source):
            raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
        tag = self.source[name_start : self.pos].lower()
        if tag not in ALLOWED_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
        attrs = self.attributes(tag, begin)
        self.pos += 1
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        self.stack.append(_Open(tag, begin, self.length, attrs))

    def attributes(self, tag: str, begin: int) -> dict[str, str]:
        attrs: dict[str, str] = {}
        while True:
            self.skip_spaces()
            if self.pos >= len(self.source):
                raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
            if self.at(self.pos) == ">":
                return attrs
            name_start = self.pos
            while self.pos < len(self.source) and self.at(self.pos) not in _ATTRIBUTE_END:
                self.pos += 1
            name = self.source[name_start : self.pos].lower()
            self.skip_spaces()
            if self.at(self.pos) != "=":
                if tag == "blockquote" and name == "expandable":
                    attrs[name] = ""
                    continue
                raise HtmlParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {begin}'
                )
            self.pos += 1
            self.skip_spaces()
            if self.pos >= len(self.source):
                raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
            attrs[name] = self.attribute_value(begin)

    def attribute_value(self, begin: int) -> str:
        quote = self.at(self.pos)
        if quote not in ("'", '"'):
            token = _NAME_TOKEN.match(self.source, self.pos)
            end = token.end() if token else self.pos
            if end >= len(self.source):
                raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
            if self.source[end] not in _NAME_END:
                raise HtmlParseError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(self.pos)}"
                )
            value = self.source[self.pos : end].lower()
            self.pos = end
            return value
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(self.source) and self.source[self.pos] != quote:
            decoded, end = (
                decode_entity(self.source, self.pos) if self.source[self.pos] == "&" else (None, 0)
            )
            if decoded is not None:
                chars.append(decoded)
                self.pos = end
            else:
                chars.append(self.source[self.pos])
                self.pos += 1
        self.pos += 1
        return "".join(chars)

    def close_tag(self) -> None:
        begin = self.byte_offset(self.pos)
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
        self.pos += 2
        name_start = self.pos
        while self.pos < len(self.source) and self.at(self.pos) not in _NAME_END:
            self.pos += 1
        name = self.source[name_start : self.pos].lower()
        self.skip_spaces()
        if self.at(self.pos) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
        self.pos += 1
        opened = self.stack.pop()
        if name and name != opened.tag:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {begin}, "
                f'expected "</{opened.tag}>", found "</{name}>"'
            )
        self.finish(opened)

    def finish(self, opened: _Open) -> None:
        length = self.length - opened.start
        parent = self.stack[-1] if self.stack else None
        language = opened.attrs.get("class", "")
        if opened.tag == "code" and parent is not None and parent.tag == "pre":
            if language.startswith("language-"):
                parent.language = language.removeprefix("language-")
            return
        if length == 0:
            return
        entity: dict[str, Any] = {
            "type": _ENTITY_TYPES[opened.tag],
            "offset": opened.start,
            "length": length,
        }
        if opened.tag == "a":
            if not opened.attrs.get("href"):
                return
            entity["url"] = opened.attrs["href"]
        elif opened.tag == "tg-emoji":
            if not opened.attrs.get("emoji-id"):
                return
            entity["custom_emoji_id"] = opened.attrs["emoji-id"]
        elif opened.tag == "pre" and opened.language:
            entity["language"] = opened.language
        elif opened.tag == "blockquote" and "expandable" in opened.attrs:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)


def decode_entity(text: str, pos: int) -> tuple[str | None, int]:
    """Decodes the character reference at text[pos] ('&'), as tdlib does; None if it is not one."""
    end = pos + 1
    if text[end : end + 1] == "#":
        end += 1
        hexadecimal = text[end : end + 1] in ("x", "X")
        end += hexadecimal
        digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        code = 0
        while end < len(text) and text[end] in digits:
            code = code * (16 if hexadecimal else 10) + int(text[end], 16)
            if code > 0x10FFFF:
                return None, pos
            end += 1
        if code == 0 or 0xD800 <= code <= 0xDFFF:
            return None, pos
        char = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None, pos
        char = named
    if text[end : end + 1] == ";":
        end += 1
    return char, end


def parse_html(source: str) -> Formatted:
    """Parses Telegram HTML; raises HtmlParseError with Telegram's wording when it is invalid."""
    return _Parser(source).run()
