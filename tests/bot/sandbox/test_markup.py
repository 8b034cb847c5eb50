"""The HTML validator accepts what Telegram accepts and explains what it refuses."""

from __future__ import annotations

import contextlib
import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox.markup import HtmlParseError, command_entities, parse_html, utf16_len


@given(st.text())
def test_escaped_text_is_always_accepted_and_round_trips(text: str) -> None:
    assert parse_html(html.escape(text)).text == text


_PIECES = [
    "<",
    ">",
    "</",
    "&",
    ";",
    "#",
    "x",
    "=",
    '"',
    "'",
    " ",
    "b",
    "a",
    "href",
    "pre",
    "code",
    "span",
    "class",
    "tg-spoiler",
    "language-",
    "expandable",
    "blockquote",
    "1",
]


@given(st.lists(st.sampled_from(_PIECES)))
def test_arbitrary_markup_only_ever_raises_the_parse_error(pieces: list[str]) -> None:
    with contextlib.suppress(HtmlParseError):
        parse_html("".join(pieces))


@given(st.text())
def test_arbitrary_text_only_ever_raises_the_parse_error(source: str) -> None:
    with contextlib.suppress(HtmlParseError):
        parse_html(source)


def test_entities_have_utf16_offsets() -> None:
    parsed = parse_html('😀 <b>粗体</b> <a href="https://example.org/?a=1&amp;b=2">link</a>')
    assert parsed.text == "😀 粗体 link"
    assert parsed.entities == (
        {"type": "bold", "offset": 3, "length": 2},
        {"type": "text_link", "offset": 6, "length": 4, "url": "https://example.org/?a=1&b=2"},
    )


def test_pre_with_language_and_nested_tags() -> None:
    parsed = parse_html('<pre><code class="language-python">x = 1</code></pre><i><u>y</u></i>')
    assert parsed.text == "x = 1y"
    assert {"type": "pre", "offset": 0, "length": 5, "language": "python"} in parsed.entities
    assert {"type": "underline", "offset": 5, "length": 1} in parsed.entities


def test_character_references() -> None:
    assert parse_html("&lt;&gt;&amp;&quot;&#20013;&#x6587;&nbsp;&").text == '<>&"中文&nbsp;&'


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("中<b", "Unclosed start tag at byte offset 3"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href>x</a>", 'Expected equal sign in declaration of an attribute of the tag "a"'),
    ],
)
def test_invalid_markup_is_refused_with_telegrams_wording(source: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    assert str(caught.value).startswith(error)


def test_command_entities_like_telegram() -> None:
    assert command_entities("/start abc") == ({"type": "bot_command", "offset": 0, "length": 6},)
    assert command_entities("/help@annex_bot") == (
        {"type": "bot_command", "offset": 0, "length": 15},
    )
    assert command_entities("see /usr/bin and a/b") == ()
    assert utf16_len("😀a") == 3
