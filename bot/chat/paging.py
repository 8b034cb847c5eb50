"""Lists that page: a heading naming the page, lines that fit one message, ◀ ▶ buttons.

The pages are the lines split at Telegram's limits and at a number of lines a phone shows
without much scrolling; a button carries its page's number and the list is read again when it
is pressed (a list that changed meanwhile pages as it is now, as /tasks does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat.callbacks import pack
from bot.i18n import tr
from bot.limits import BUTTON_LIMIT, Budget, rows, split_html

LINES_PER_PAGE = 60  # about three phone screens
WIDEST_PAGE = 999  # the heading is measured with a page number this wide


@dataclass(frozen=True)
class Page:
    """One page of a list: its HTML, its 0-based number, how many, which lines it shows."""

    text: str
    number: int
    pages: int
    first: int
    last: int


def page_label(number: int, pages: int, language: str) -> str:
    """· page 2/5 (nothing when there is one page)."""
    if pages <= 1:
        return ""
    return " · " + tr(language, "page {page}/{pages}", page=number, pages=pages)


def page_of(
    heading: Callable[[int, int], str],
    lines: Sequence[str],
    number: int,
    *,
    lines_per_page: int = LINES_PER_PAGE,
) -> Page:
    """Page `number` (kept within range) of lines under a heading made for (page, pages)."""
    budget = Budget().less(heading(WIDEST_PAGE, WIDEST_PAGE) + "\n")
    chunks = split_html(lines, replace(budget, lines=lines_per_page))
    number = min(max(number, 0), len(chunks) - 1)
    chunk = chunks[number]
    head = heading(number + 1, len(chunks))
    # A list whose groups are set apart by blank lines has one under its heading too.
    gap = "\n\n" if any(not line.strip() for line in lines) else "\n"
    text = f"{head}{gap}{chunk.text}" if chunk.text else head
    return Page(text, number, len(chunks), chunk.first, chunk.last)


def page_buttons(action: str, page: Page, *args: int | str) -> list[InlineKeyboardButton]:
    """◀ and ▶ to the neighbouring pages (none on a list of one page)."""
    buttons = []
    if page.number > 0:
        back = pack(action, *args, page.number - 1)
        buttons.append(InlineKeyboardButton("◀", callback_data=back))
    if page.number + 1 < page.pages:
        forward = pack(action, *args, page.number + 1)
        buttons.append(InlineKeyboardButton("▶", callback_data=forward))
    return buttons


def keyboard(
    items: Sequence[InlineKeyboardButton], per_row: int, navigation: Sequence[InlineKeyboardButton]
) -> InlineKeyboardMarkup | None:
    """Item buttons a few to a row, then the page buttons; at most Telegram's 100 in all."""
    room = BUTTON_LIMIT - len(navigation)
    laid = rows(list(items)[:room], per_row)
    if navigation:
        laid.append(list(navigation))
    return InlineKeyboardMarkup(laid) if laid else None
