"""Typed text: the answer to the bot's question, or a note on a replied-to message's task.

It runs in a group before every other (and before the stranger gate). A reply answers the
question its message asked (even one replaced since), else becomes a note when the message is
about a task; text typed without replying answers the chat's open question. Each answer kind
is handled where its question is asked (`@answers(kind)`); the update stops once answered, and
anything else passes on untouched. A command closes the open question: the member moved on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackContext,
    MessageHandler,
    filters,
)

from bot.chat.callbacks import unpack
from bot.chat.errors import QUOTE_WIDTH, language_of
from bot.i18n import tr
from bot.render import trim
from bot.runtime import runtime_of
from workflows.errors import AnnexbotError
from workflows.questions import Question, close_open, question_for
from workflows.reports import note_by_reply

Context = CallbackContext[Any, Any, Any, Any]
Answer = Callable[[Update, Context, Question], Awaitable[None]]

NOTES_GROUP = -2
# Prompts from before questions were stored carry their subject in a button of these actions.
PROMPT_ACTIONS = ("myp", "rvk", "exn", "exq")
ANSWERS: dict[str, Answer] = {}


def answers(kind: str) -> Callable[[Answer], Answer]:
    """Register the function that takes typed answers to one kind of question."""

    def register_answer(function: Answer) -> Answer:
        ANSWERS[kind] = function
        return function

    return register_answer


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


def button_question(message: Message) -> Question | None:
    """The question a prompt carries in its buttons (prompts sent before questions were stored)."""
    for action in PROMPT_ACTIONS:
        args = prompt_args(message, action)
        if args is not None:
            return Question(kind=action, subject=tuple(args), message_id=message.message_id)
    return None


async def drop_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    """Remove the buttons of a prompt that has been answered (already gone is fine)."""
    with contextlib.suppress(BadRequest):
        await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)


async def _answer_or_note(update: Update, context: Context, message: Message, text: str) -> bool:
    """Answer the question the text is for, or add it as a note; False when it is for neither."""
    runtime = runtime_of(context)
    replied = message.reply_to_message
    reply_to = None if replied is None else replied.message_id
    async with runtime.session() as session:
        question = await question_for(
            session, chat_id=message.chat_id, reply_to=reply_to, now=runtime.now()
        )
        if question is None and replied is not None:
            question = button_question(replied)
        if question is None and replied is not None and update.effective_user is not None:
            saved = await note_by_reply(
                session,
                telegram_id=update.effective_user.id,
                chat_id=message.chat_id,
                message_id=replied.message_id,
                text=text,
                now=runtime.now(),
            )
            if saved is not None:
                await message.reply_text(
                    tr(saved.language, "📝 Note added to task {number}.", number=saved.number)
                )
                return True
    answer = None if question is None else ANSWERS.get(question.kind)
    if answer is None or question is None:
        return False
    await answer(update, context, question)
    return True


async def on_text(update: Update, context: Context) -> None:
    """Take a text as an answer or a note, and stop the update when it was one."""
    message = update.effective_message
    if message is None or update.effective_user is None or not message.text:
        return
    try:
        taken = await _answer_or_note(update, context, message, message.text)
    except AnnexbotError as error:
        # Answered here: the shared error handler would let later groups handle it again.
        language = await language_of(update, context)
        params = {
            key: trim(value, QUOTE_WIDTH) if isinstance(value, str) else value
            for key, value in error.params.items()
        }
        await message.reply_text(tr(language, error.template, **params))
        raise ApplicationHandlerStop from None
    if taken:
        raise ApplicationHandlerStop


async def on_command(update: Update, context: Context) -> None:
    """A command: typed text is no longer an answer to the question before it."""
    message = update.effective_message
    if message is None:
        return
    runtime = runtime_of(context)
    async with runtime.session() as session:
        await close_open(session, chat_id=message.chat_id)


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Take typed text in private chats (only answers and notes are kept); watch commands."""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    texts = private & filters.TEXT & ~filters.COMMAND
    application.add_handler(MessageHandler(texts, on_text), group=NOTES_GROUP)
    application.add_handler(
        MessageHandler(private & filters.COMMAND, on_command), group=NOTES_GROUP
    )
