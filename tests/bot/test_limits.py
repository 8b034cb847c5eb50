"""Measuring and splitting HTML as Telegram counts it, checked against the sandbox's parser."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.limits import Budget, measure, rows, split_html, trim_units, utf16_len
from bot.render import esc
from bot.sandbox.markup import parse_html

WORDS = st.text(
    alphabet=st.sampled_from([*list("ab 字国<>&\"'🔴😀\t"), "\u200d", "é"]), max_size=24
)
TAGS = st.sampled_from(["b", "i", "u", "s", "code", "blockquote", "tg-spoiler"])


@st.composite
def html_lines(draw: st.DrawFn) -> list[str]:
    """Lines of bot-like HTML: escaped text, some of it in tags, a tag sometimes across lines."""
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 16))):
        words = [esc(draw(WORDS)) for _ in range(draw(st.integers(0, 3)))]
        tag = draw(TAGS)
        wrapped = [f"<{tag}>{w}</{tag}>" if draw(st.booleans()) else w for w in words]
        lines.append(" ".join(wrapped))
    if lines and draw(st.booleans()):
        tag = draw(TAGS)
        first = draw(st.integers(0, len(lines) - 1))
        last = draw(st.integers(first, len(lines) - 1))
        lines[first] = f"<{tag}>" + lines[first]
        lines[last] = lines[last] + f"</{tag}>"
    return lines


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(html_lines())
def test_measure_counts_what_telegram_counts(lines: list[str]) -> None:
    """Units equal the parsed text's UTF-16 length; entities are never fewer than Telegram's."""
    text = "\n".join(lines)
    parsed = parse_html(text)
    size = measure(text)
    assert size.units == utf16_len(parsed.text)
    assert size.entities >= len(parsed.entities)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    html_lines(),
    st.integers(20, 400),
    st.integers(3, 12),  # a line nests at most two tags
    st.one_of(st.none(), st.integers(1, 8)),
)
def test_every_chunk_parses_and_fits(
    lines: list[str], units: int, entities: int, most_lines: int | None
) -> None:
    """Each chunk is valid HTML within the budget; together they keep every visible character
    (a chunk of nothing but whitespace is dropped)."""
    budget = Budget(units, entities, most_lines)
    chunks = split_html(lines, budget)
    shown = []
    for chunk in chunks:
        parsed = parse_html(chunk.text)
        assert utf16_len(parsed.text) <= units
        assert len(parsed.entities) <= entities
        shown.append(parsed.text)
    whole = parse_html("\n".join(lines)).text
    assert "".join("".join(shown).split()) == "".join(whole.split())


def test_lines_stay_whole_when_they_fit_and_carry_their_indexes() -> None:
    """Breaks fall between lines; each chunk says which lines it holds."""
    lines = ["<b>Head</b>", *(f"• <b>{i}</b> " + "字" * 50 for i in range(200))]
    chunks = split_html(lines)
    assert len(chunks) == 3
    assert [c.first for c in chunks] == [0, 74, 146]
    assert chunks[-1].last == 200
    for chunk in chunks:
        assert chunk.text.split("\n") == lines[chunk.first : chunk.last + 1]


def test_a_tag_open_across_a_break_is_closed_and_reopened() -> None:
    """A blockquote over many lines becomes one blockquote per message."""
    lines = ["<blockquote>", *(["x" * 100] * 30), "</blockquote>"]
    chunks = split_html(lines, Budget(units=1000))
    assert all(c.text.startswith("<blockquote>") for c in chunks)
    assert all(c.text.endswith("</blockquote>") for c in chunks)


def test_emoji_count_twice_and_a_page_budget_leaves_room_for_a_heading() -> None:
    """🔴 is two UTF-16 units; Budget.less keeps a heading's room."""
    assert measure("🔴 <b>1</b> &amp;").units == 6
    budget = Budget().less("<b>Page 1/9</b>")
    assert budget.units == 4096 - 8 - 1
    assert budget.entities == 99


def test_trim_units_and_rows() -> None:
    """Plain text cut by UTF-16 units; buttons never more than eight to a row."""
    assert trim_units("😀😀😀", 4) == "😀…"
    assert trim_units("abc", 3) == "abc"
    assert [len(r) for r in rows(list(range(20)), 12)] == [8, 8, 4]
