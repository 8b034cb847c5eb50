"""A text reply to any bot message about a task becomes a note on that task.

It runs in a group before every other (and before the stranger gate) and stops the update only
when the replied-to message is recorded as about a task, so other replies pass on untouched.
Replies to prompts that wait for a specific answer (a percent, a reason, a date) are left to
their own handlers.
"""

from __future__ import annotations

import contextlib

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, MessageHandler, filters

from bot.chat.callbacks import unpack
from bot.chat.errors import language_of
from bot.i18n import tr
from bot.runtime import runtime_of
from workflows.errors import AnnexbotError
from workflows.reports import note_by_reply

NOTES_GROUP = -2
# Prompts whose replies are answers, not notes: percent, return reason, denial reason, extension.
PROMPT_ACTIONS = ("myp", "rvk", "exn", "exq")


def prompt_args(message: Message | None, action: str) -> list[str] | None:
    """The arguments of the first button of an action on a message, or None when it has none."""
    markup = message.reply_markup if message is not None else None
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            name, args = unpack(
                button.callback_data if isinstance(button.callback_data, str) else None
            )
            if name == action:
                return args
    return None


async def drop_buttons(message: Message | None) -> None:
    """Remove the buttons of a prompt that has been answered (already gone is fine)."""
    if message is not None and message.reply_markup is not None:
        with contextlib.suppress(BadRequest):
            await message.edit_reply_markup(None)


class ReplyToPrompt(filters.MessageFilter):
    """A text reply to a bot message carrying a button of one of the given actions."""

    def __init__(self, *actions: str) -> None:
        super().__init__(name=f"ReplyToPrompt{actions}")
        self.actions = actions

    def filter(self, message: Message) -> bool:
        """True when the replied-to message carries one of the actions' buttons."""
        replied = message.reply_to_message
        return any(prompt_args(replied, action) is not None for action in self.actions)


async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Attach the reply's text as a note when the replied-to message is about a task."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.reply_to_message is None or not message.text:
        return
    runtime = runtime_of(context)
    try:
        async with runtime.session() as session:
            saved = await note_by_reply(
                session,
                telegram_id=user.id,
                chat_id=message.chat_id,
                message_id=message.reply_to_message.message_id,
                text=message.text,
                now=runtime.now(),
            )
    except AnnexbotError as error:
        # Answered here: the shared error handler would let later groups handle it again.
        language = await language_of(update, context)
        await message.reply_text(tr(language, error.template, **error.params))
        raise ApplicationHandlerStop from None
    if saved is None:
        return
    await message.reply_text(
        tr(saved.language, "📝 Note added to task {number}.", number=saved.number)
    )
    raise ApplicationHandlerStop


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Take text replies to bot messages (only those about a task are kept)."""
    replies = (
        filters.TEXT
        & filters.REPLY
        & ~filters.COMMAND
        & filters.UpdateType.MESSAGE
        & ~ReplyToPrompt(*PROMPT_ACTIONS)
    )
    application.add_handler(MessageHandler(replies, on_reply), group=NOTES_GROUP)
