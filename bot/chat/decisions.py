"""What coordinators' decision buttons share: reading their ids, marking the decided notice."""

from __future__ import annotations

from telegram import Message
from telegram.constants import ParseMode

from bot.chat.callbacks import int_arg
from workflows.errors import ConflictError

STALE = "This button is out of date."


TEXT_WIDTH = 200


NOTE_WIDTH = 300


def decision_ids(args: list[str] | None, count: int) -> list[int]:
    """The integer arguments of a payload; a forged or malformed one is out of date."""
    args = args or []
    ids = [int_arg(args, i) for i in range(count)]
    if len(args) != count or any(i is None for i in ids):
        raise ConflictError(STALE)
    return [i for i in ids if i is not None]


async def mark_decided(query_message: object, text: str) -> None:
    """Append a decision to the notice and drop its buttons."""
    if isinstance(query_message, Message):
        await query_message.edit_text(
            f"{query_message.text_html}\n\n{text}", parse_mode=ParseMode.HTML, reply_markup=None
        )
